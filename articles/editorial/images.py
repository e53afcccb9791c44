"""The editors' admin for images: previews, where each is used, the original, metadata read before saving."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse, Http404, JsonResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from articles.duplicates.finder import image_check
from articles.editorial.versioned import VersionedAdminMixin, VersionedForm
from media.metadata import photo_metadata
from media.models import Image, originals_storage
from media.photos import PhotoRejected, original_content_type

# Thumbnails are sized by classes (static/css/admin-media.css): the admin's
# Content-Security-Policy allows no inline styles.
PREVIEW_SIZES = {"small": 320, "medium": 320, "large": 640}


def image_preview(image, size="medium"):
    """A thumbnail from the photo's renditions, or a caption-only placeholder."""
    if image.has_renditions:
        return format_html('<img src="{}" alt="{}" class="thumb thumb--{}">', image.rendition_url(PREVIEW_SIZES[size]),
                           image.description, size)
    if image.file:
        return format_html('<span class="thumb-missing thumb--{}">Photo not processed yet (make_renditions)</span>',
                           size)
    return format_html('<span class="caption-only thumb--{}">No file · caption only<br>{}</span>', size,
                       image.credit or "no credit")


def metadata_widget_attrs(fill):
    """Attributes for a photo file input whose script fills `fill` ({metadata key: form field}) before saving."""
    return {"accept": "image/*", "data-metadata-url": reverse("admin:media_image_read_metadata"),
            "data-fill": ",".join(f"{key}:{field}" for key, field in fill.items())}


class _Original:
    """The stored original as the file input shows it after "Currently:": its name, linked to the download."""

    def __init__(self, name):
        self.name = name
        self.url = reverse("admin:media_image_original", args=[name])

    def __str__(self):
        return self.name


class OriginalFileInput(forms.ClearableFileInput):
    """A photo's file input whose link to the current file is the admin's download, never the store's own URL
    (on S3 a signed link to the object itself)."""

    def is_initial(self, value):
        return bool(value and getattr(value, "name", None))

    def format_value(self, value):
        if self.is_initial(value):
            return _Original(value.name)
        return None


class ImageForm(VersionedForm):
    class Meta:
        model = Image
        fields = ["file", "caption", "credit", "copyright", "alt_text", "focal_x", "focal_y"]
        widgets = {"file": OriginalFileInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "file" not in self.fields:
            return  # staff who may only view photos get the fields read-only, not in the form
        self.fields["file"].widget.attrs.update(
            metadata_widget_attrs({"caption": "caption", "credit": "credit", "copyright": "copyright"}))
        for name in ("focal_x", "focal_y"):
            self.fields[name].required = False  # left empty: the centre

    def clean_focal_x(self):
        return 0.5 if self.cleaned_data.get("focal_x") is None else self.cleaned_data["focal_x"]

    def clean_focal_y(self):
        return 0.5 if self.cleaned_data.get("focal_y") is None else self.cleaned_data["focal_y"]


@admin.register(Image)
class ImageAdmin(VersionedAdminMixin, admin.ModelAdmin):
    form = ImageForm
    list_display = ["thumbnail", "caption", "credit", "has_file", "usage_count", "used_in_list", "created_at"]
    list_display_links = ["thumbnail", "caption"]
    list_filter = ["credit", "created_at"]
    search_fields = ["caption", "credit", "alt_text", "copyright"]
    readonly_fields = ["preview", "width", "height", "file_hash", "original_link", "used_in", "created_at",
                       "updated_at"]
    fields = ["preview", "file", "caption", "credit", "copyright", "alt_text", "focal_x", "focal_y", "width",
              "height", "original_link", "file_hash", "used_in", "base_version"]

    class Media:
        css = {"all": ["css/admin-media.css"]}
        js = ["js/photo-metadata.js"]

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("original/<path:name>", view(self.original_view), name="media_image_original"),
            path("read-metadata/", view(require_POST(self.read_metadata_view)), name="media_image_read_metadata"),
        ] + super().get_urls()

    def original_view(self, request, name):
        """The upload as it came, for editors who may change photos (readers get renditions); always a download,
        typed by the format found in it."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        if not Image.objects.filter(file=name).exists() or not originals_storage.exists(name):
            raise Http404("No such photo")
        response = FileResponse(originals_storage.open(name, "rb"), as_attachment=True,
                                content_type=original_content_type(name))
        response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    def read_metadata_view(self, request):
        """What a photo file says (caption, credit, copyright) and whether it is within the limits, as JSON."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        upload = request.FILES.get("file")
        if upload is None:
            return JsonResponse({"error": "No file was sent."}, status=400)
        try:
            info = Image(file=upload).inspect_file()
        except PhotoRejected as error:
            return JsonResponse({"error": str(error)}, status=422)
        return JsonResponse({"width": info.width, "height": info.height, **photo_metadata(upload)})

    @admin.display(description="Original")
    def original_link(self, obj):
        if not obj.file:
            return "–"
        return format_html('<a href="{}">Download the original upload</a> (kept for editors; never shown to '
                           'readers)', reverse("admin:media_image_original", args=[obj.file.name]))

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            # Shown read-only, the file would link to the original, which they may not download.
            fields = [name for name in fields if name not in ("file", "original_link")]
        return fields

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
        return image_preview(obj, size="small")

    @admin.display(description="Preview")
    def preview(self, obj):
        return image_preview(obj, size="large")

    @admin.display(description="File", boolean=True)
    def has_file(self, obj):
        return bool(obj.file)

    @admin.display(description="Used in", ordering="usage_count")
    def usage_count(self, obj):
        return obj.usage_count

    @admin.display(description="Where")
    def used_in_list(self, obj):
        articles = list(obj.articles.order_by("-published_at").only("id", "title")[:3])
        if not articles:
            return "–"
        more = obj.usage_count - len(articles)
        return format_html("{}{}", format_html_join(
            "; ", '<a href="{}">{}</a>', ((reverse("admin:articles_article_change", args=[a.pk]), a.title)
                                          for a in articles)), f" and {more} more" if more > 0 else "")

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
