"""Images: photos with caption and credit, with or without a file."""

import hashlib
import os
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from articles.core.text import caption_key as make_caption_key
from media.hashing import perceptual_hash


def image_upload_to(instance, filename):
    """Spread uploads over dated folders under an unguessable name."""
    extension = os.path.splitext(filename)[1].lower()[:10]
    return f"images/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


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

    file = models.ImageField(
        upload_to=image_upload_to, blank=True, width_field="width", height_field="height",
        help_text="Optional. Imported images usually have only a caption and credit.",
    )
    caption = models.TextField(blank=True, help_text="What the photo shows, as printed under it.")
    credit = models.CharField(max_length=255, blank=True, help_text="Agency or photographer, e.g. “AFP”.")
    alt_text = models.CharField(
        max_length=500, blank=True,
        help_text="Describes the photo for readers who cannot see it. Defaults to the caption.",
    )
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

    def derive_fields(self):
        self.caption_key = make_caption_key(self.caption, self.credit)
        if self.file and not getattr(self.file, "_committed", True):
            self.file_hash = file_sha256(self.file)
            self.perceptual_hash = perceptual_hash(self.file)
        elif not self.file:
            self.file_hash = ""
            self.perceptual_hash = None

    def clean(self):
        self.derive_fields()
        # caption_key is not a form field, so a form skips the constraint
        # built on it; check it here so an editor gets words, not an error page.
        if not self.file and Image.objects.filter(file="", caption_key=self.caption_key).exclude(pk=self.pk).exists():
            raise ValidationError("A caption-only image with this caption and credit already exists.")

    def save(self, *args, **kwargs):
        self.derive_fields()
        super().save(*args, **kwargs)
