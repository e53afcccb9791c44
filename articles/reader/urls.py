from urllib.parse import quote

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path, register_converter

from articles.reader import api, views
from articles.reader.cache import cached_page
from articles.reader.cache_keys import AUTHOR_SET, LISTS, TAG_SET
from articles.reader.sitemaps import SITEMAPS

app_name = "articles"


class AddressConverter:
    """One path segment of any script, never a NUL (no database can look that up: a 404).

    Not <slug:...>: slugs may be Arabic or any other script. A stored slug
    that is not a valid address (an old import's "a/b", repaired by
    migration 0013) is quoted rather than refused, so a page linking to it
    still renders; the link itself leads to "not found".
    """

    regex = "[^/\x00]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return quote(str(value), safe="") if "/" in str(value) else str(value)


register_converter(AddressConverter, "address")

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<address:slug>/", views.article_detail, name="detail"),
    path("tags/<address:slug>/", views.tag_detail, name="tag"),
    path("tags/<address:slug>/feed/", views.tag_feed, name="tag_feed"),
    path("tags/<address:slug>/feed/atom/", views.tag_feed_atom, name="tag_feed_atom"),
    path("authors/<address:slug>/", views.author_detail, name="author"),
    path("authors/<address:slug>/feed/atom/", views.author_feed_atom, name="author_feed_atom"),
    path("search/", views.search_results, name="search"),
    path("feed/", views.feed, name="feed"),
    path("feed/atom/", views.feed_atom, name="feed_atom"),
    path("sitemap.xml", cached_page(keys=[LISTS, TAG_SET, AUTHOR_SET])(sitemap_views.index),
         {"sitemaps": SITEMAPS, "sitemap_url_name": "articles:sitemap_section"}, name="sitemap"),
    path("sitemap-<address:section>.xml", cached_page(params=("p",), keys=[LISTS, TAG_SET, AUTHOR_SET])(sitemap_views.sitemap),
         {"sitemaps": SITEMAPS}, name="sitemap_section"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("api/articles/", api.article_list, name="api_list"),
    path("api/articles/<address:slug>/", api.article_detail, name="api_detail"),
]
