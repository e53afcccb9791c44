"""Images: photos with caption and credit, with or without a file."""

import hashlib
import logging
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import LazyObject, empty

from articles.core.signals import content_changed
from articles.core.text import caption_key as make_caption_key
from media.hashing import perceptual_hash
from media.metadata import photo_metadata
from media.photos import ORIGINAL_FORMATS, PhotoRejected, photo_format, photo_inspect, rendition_key, renditions_make


logger = logging.getLogger(__name__)


def image_upload_to(instance, filename):
    """Spread uploads over dated folders under an unguessable name, with the extension of the format found in
    the file: nothing of the name it was sent under is kept, so a page sent as a photo is never named one."""
    extension = ORIGINAL_FORMATS.get(instance.original_format(), ("",))[0]
    return f"images/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class _OriginalsStorage(LazyObject):
    """STORAGES["originals"]: where uploads are kept for editors, never served to readers."""

    def _setup(self):
        self._wrapped = storages["originals"]


originals_storage = _OriginalsStorage()


def get_originals_storage():
    return originals_storage


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        originals_storage._wrapped = empty


class PhotoFileField(models.FileField):
    """An upload of any name (the stored name is generated), picked as an image, checked by the model."""

    def formfield(self, **kwargs):
        return super().formfield(**{"max_length": None, "widget": forms.ClearableFileInput(
            attrs={"accept": "image/*"}), **kwargs})


def file_sha256(field_file):
    digest = hashlib.sha256()
    field_file.open("rb")
    field_file.seek(0)
    for chunk in field_file.chunks():
        digest.update(chunk)
    field_file.seek(0)
    return digest.hexdigest()


class Image(models.Model):
    """A photo as published: caption and agency credit, optionally a file.

    Dumps give captions without files, so the file is optional. Caption-only
    images are unique on their normalised caption and credit: the same agency
    photo used by many stories is one image.
    """

    file = PhotoFileField(
        upload_to=image_upload_to, storage=get_originals_storage, blank=True, max_length=255,
        help_text="Optional. Imported images usually have only a caption and credit. Kept as uploaded for "
                  "editors; readers get resized copies without the camera's metadata.",
    )
    caption = models.TextField(blank=True, help_text="What the photo shows, as printed under it.")
    credit = models.CharField(max_length=255, blank=True, help_text="Agency or photographer, e.g. “AFP”.")
    alt_text = models.CharField(
        max_length=500, blank=True,
        help_text="Describes the photo for readers who cannot see it. Defaults to the caption.",
    )
    copyright = models.CharField(max_length=255, blank=True, help_text="Who holds the rights, e.g. “© AFP 2026”.")
    focal_x = models.FloatField(
        default=0.5, validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Where the subject is, from the left edge (0) to the right (1): crops keep it in view.",
    )
    focal_y = models.FloatField(
        default=0.5, validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Where the subject is, from the top (0) to the bottom (1).",
    )
    renditions = models.JSONField(default=dict, blank=True, editable=False,
                                  help_text="The resized copies readers get (media.photos).")
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    file_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    perceptual_hash = models.BigIntegerField(
        null=True, blank=True, db_index=True, editable=False,
        help_text="64-bit difference hash of the picture: equal or close for resized or re-encoded copies.",
    )
    caption_key = models.CharField(max_length=64, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(
        default=1, editable=False,
        help_text="Moves on with every saved change: a save made from an older version is refused, not applied.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["caption_key"], condition=Q(file=""), name="media_image_caption_only_unique",
                violation_error_message="A caption-only image with this caption and credit already exists.",
            ),
        ]

    def __str__(self):
        text = self.caption or self.alt_text or f"Image {self.pk}"
        return text if len(text) <= 80 else text[:79] + "…"

    @property
    def description(self):
        """Alt text for readers: the editor's, else the caption."""
        return self.alt_text or self.caption

    @property
    def has_renditions(self):
        return bool((self.renditions or {}).get("sources"))

    def largest_rendition(self):
        """(url, width, height) of the widest JPEG readers get, or None: for feeds, the API, structured data."""
        if not self.has_renditions:
            return None
        width, height, name = self.renditions["sources"]["jpeg"][-1]
        return storages["default"].url(name), width, height

    def rendition_url(self, width):
        """The URL of the narrowest JPEG rendition at least `width` wide (else the widest), or None."""
        if not self.has_renditions:
            return None
        jpeg = self.renditions["sources"]["jpeg"]
        return storages["default"].url(next((name for w, _, name in jpeg if w >= width), jpeg[-1][2]))

    def og_rendition(self):
        """(url, width, height) of the 1200x630 crop for link previews, or None."""
        if not self.has_renditions:
            return None
        width, height, name = self.renditions["og"]
        return storages["default"].url(name), width, height

    @property
    def focal(self):
        return (self.focal_x, self.focal_y)

    @property
    def has_new_file(self):
        return bool(self.file) and not getattr(self.file, "_committed", True)

    def _new_upload(self):
        """The file object of a new upload, or None: what its inspection and derived fields were read from."""
        return self.file.file if self.has_new_file else None

    def inspect_file(self):
        """Check a new upload against the limits; its PhotoInfo, or PhotoRejected saying why not."""
        upload = self._new_upload()
        if upload is None:
            return None
        info = photo_inspect(self.file, max_bytes=settings.NEWSROOM_PHOTO_MAX_BYTES,
                             max_pixels=settings.NEWSROOM_PHOTO_MAX_PIXELS)
        self._inspected = (upload, info)
        return info

    def original_format(self):
        """Pillow's name for the new upload's format (a key of ORIGINAL_FORMATS), or "" for none we take.

        From its inspection when it had one; a writer that saves without
        checking gets it from the file's header.
        """
        upload = self._new_upload()
        if upload is None:
            return ""
        inspected = getattr(self, "_inspected", None)
        if inspected is not None and inspected[0] is upload and inspected[1].format in ORIGINAL_FORMATS:
            return inspected[1].format
        return photo_format(self.file)

    def fill_from_file(self):
        """Caption, credit and copyright the editor left empty, as the new upload states them."""
        if self.has_new_file:
            for field, value in photo_metadata(self.file).items():
                if not getattr(self, field):
                    setattr(self, field, value[: self._meta.get_field(field).max_length or None])

    def derive_fields(self):
        # clean() and save() both come here: a new upload is read once, not on each.
        upload = self._new_upload()
        if upload is not None and upload is not getattr(self, "_derived_from", None):
            self.fill_from_file()
            self.file_hash = file_sha256(self.file)
            self.perceptual_hash = perceptual_hash(self.file)
            self._derived_from = upload
        elif not self.file:
            self.file_hash = ""
            self.perceptual_hash = None
            self.width = self.height = None
            self.renditions = {}
        self.caption_key = make_caption_key(self.caption, self.credit)

    def clean(self):
        try:
            self.inspect_file()
        except PhotoRejected as error:
            raise ValidationError({"file": str(error)}) from None
        self.derive_fields()
        # caption_key is not a form field, so a form skips the constraint
        # built on it; check it here so an editor gets words, not an error page.
        if not self.file and Image.objects.filter(file="", caption_key=self.caption_key).exclude(pk=self.pk).exists():
            raise ValidationError("A caption-only image with this caption and credit already exists.")

    def save(self, *args, renditions=True, **kwargs):
        """Save, and make the renditions when the file or the focal point changed.

        `renditions=False` leaves them to `renditions_ensure()`, for a writer
        that makes them once its transaction has committed (an import batch
        must not hold its rows while sixteen renditions are made).
        """
        self.derive_fields()
        self._renditions_due = self.has_new_file or self._renditions_outdated()
        super().save(*args, **kwargs)
        if renditions:
            self.renditions_ensure()

    def _renditions_outdated(self):
        return bool(self.file) and self.renditions.get("key") != rendition_key(self.file_hash, self.focal)

    def renditions_ensure(self):
        """Make the renditions if this photo's last save needed them; a failure is logged and the photo kept."""
        if not getattr(self, "_renditions_due", False):
            return
        try:
            self.renditions_refresh()
        except Exception:  # noqa: BLE001 - the photo is kept; make_renditions can try again
            logger.exception("Could not make the renditions of image %s (%s)", self.pk, self.file.name)
        self._renditions_due = False

    def renditions_refresh(self):
        """Make the renditions readers get (when the file or the focal point changed), and store what they are."""
        with self.file.open("rb") as original:
            self.renditions = renditions_make(original, file_hash=self.file_hash, focal=self.focal,
                                              storage=storages["default"])
        self.width, self.height = self.renditions["width"], self.renditions["height"]
        Image.objects.filter(pk=self.pk).update(renditions=self.renditions, width=self.width, height=self.height)
        # Pages showing the photo change with it: an update() announces nothing by itself.
        content_changed(sender=Image, images=[self.pk])
