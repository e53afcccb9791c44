"""The duplicate finder keeps up with every writer.

An article whose headline or body a unit of work recorded as changed
(articles.history.changes) is checked against the archive at once, inside
the same transaction; the unit of work tells the writer what was found.

The image hash bands are derived from the perceptual hash like an index
entry from its row; the admin, merges, the shell and tests all save
images, and each save must leave the look-up able to find the picture.
"""

from django.db.models.signals import post_save

from articles.core.signals import article_text_changed
from articles.duplicates.finder import article_check, image_bands_store


def _check_article(sender, article, **kwargs):
    return article_check(article=article)


def _index_image(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and "perceptual_hash" not in update_fields):
        return
    image_bands_store(hashes={instance.pk: instance.perceptual_hash})


def register_signal_handlers(image_model):
    post_save.connect(_index_image, sender=image_model, dispatch_uid="duplicates-image-bands")
    article_text_changed.connect(_check_article, dispatch_uid="duplicates-article-check")
