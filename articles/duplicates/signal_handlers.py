"""Keeping the duplicate finder's image index true, whoever saves an image.

The hash bands are derived from the perceptual hash like an index entry
from its row; the admin, merges, the shell and tests all save images, and
each save must leave the look-up able to find the picture.
"""

from django.db.models.signals import post_save

from articles.duplicates.finder import image_bands_store


def _index_image(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and "perceptual_hash" not in update_fields):
        return
    image_bands_store(hashes={instance.pk: instance.perceptual_hash})


def register_signal_handlers(image_model):
    post_save.connect(_index_image, sender=image_model, dispatch_uid="duplicates-image-bands")
