"""The editors' admin for images."""

from django.contrib import admin, messages
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from articles.duplicates.finder import image_check
from articles.editorial.versioned import VersionedAdminMixin
from media.models import Image


def image_preview(image, size=120):
    """A thumbnail of the file, or a caption-only placeholder."""
    if image.file:
        return format_html(
            '<img src="{}" alt="{}" style="max-width:{}px;max-height:{}px;object-fit:contain">',
            image.file.url, image.description, size, size,
        )
    return format_html(
        '<span class="caption-only" style="display:inline-block;max-width:{}px;padding:4px;'
        'border:1px dashed #999;font-size:11px">No file · caption only<br>{}</span>',
        size * 2, image.credit or "no credit",
    )


@admin.register(Image)
class ImageAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["thumbnail", "caption", "credit", "has_file", "usage_count", "created_at"]
    list_display_links = ["thumbnail", "caption"]
    list_filter = ["credit", "created_at"]
    search_fields = ["caption", "credit", "alt_text"]
    readonly_fields = ["preview", "width", "height", "file_hash", "used_in", "created_at", "updated_at"]
    fields = ["preview", "file", "caption", "credit", "alt_text", "width", "height", "file_hash", "used_in",
              "base_version"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(usage_count=Count("article_images"))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        found = image_check(image=obj)
        if found:
            self.message_user(request, f"This image may duplicate {found} other image(s); see Duplicate candidates.",
                              messages.WARNING)

    @admin.display(description="Image")
    def thumbnail(self, obj):
        return image_preview(obj, size=60)

    @admin.display(description="Preview")
    def preview(self, obj):
        return image_preview(obj, size=400)

    @admin.display(description="File", boolean=True)
    def has_file(self, obj):
        return bool(obj.file)

    @admin.display(description="Used in", ordering="usage_count")
    def usage_count(self, obj):
        return obj.usage_count

    @admin.display(description="Used in articles")
    def used_in(self, obj):
        if obj.pk is None:
            return "–"
        articles = obj.articles.order_by("-published_at").only("id", "title")
        if not articles:
            return "Not used in any article."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "", '<li><a href="{}">{}</a></li>',
                ((reverse("admin:articles_article_change", args=[a.pk]), a.title) for a in articles),
            ),
        )
