from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from articles.editorial.desk import desk_view, sections_view

admin.site.site_header = "Newsroom"
admin.site.site_title = "Newsroom admin"
admin.site.index_title = "Editorial desk"

urlpatterns = [
    # The desk answers /admin/ (and so the admin's "Home" links) before the admin's stock index does.
    path("admin/", admin.site.admin_view(desk_view), name="desk"),
    path("admin/sections/", admin.site.admin_view(sections_view), name="admin_sections"),
    path("admin/", admin.site.urls),
    path("", include("articles.reader.urls")),
]

handler404 = "articles.reader.views.page_not_found"

if settings.DEVTOOLS:
    urlpatterns.append(path("", include("devtools.urls")))

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
