from django.urls import path

from articles import views

app_name = "articles"

# <str:...> rather than <slug:...>: slugs may be Arabic or any other script.
urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<str:slug>/", views.article_detail, name="detail"),
    path("tags/<str:slug>/", views.tag_detail, name="tag"),
]
