from django.urls import path

from devtools.views import hello

urlpatterns = [
    path("_hello/", hello),
]
