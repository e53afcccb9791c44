from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from articles.reader import api, views
from articles.reader.cache import cached_page
from articles.reader.sitemaps import SITEMAPS

app_name = "articles"

# <str:...> rather than <slug:...>: slugs may be Arabic or any other script.
urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<str:slug>/", views.article_detail, name="detail"),
    path("tags/<str:slug>/", views.tag_detail, name="tag"),
    path("tags/<str:slug>/feed/", views.tag_feed, name="tag_feed"),
    path("tags/<str:slug>/feed/atom/", views.tag_feed_atom, name="tag_feed_atom"),
    path("search/", views.search_results, name="search"),
    path("feed/", views.feed, name="feed"),
    path("feed/atom/", views.feed_atom, name="feed_atom"),
    path("sitemap.xml", cached_page()(sitemap_views.index),
         {"sitemaps": SITEMAPS, "sitemap_url_name": "articles:sitemap_section"}, name="sitemap"),
    path("sitemap-<str:section>.xml", cached_page(params=("p",))(sitemap_views.sitemap),
         {"sitemaps": SITEMAPS}, name="sitemap_section"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("api/articles/", api.article_list, name="api_list"),
    path("api/articles/<str:slug>/", api.article_detail, name="api_detail"),
]
