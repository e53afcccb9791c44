"""The one announcement every writer makes: "content readers may see has changed".

Model saves and deletions are forwarded here from Django's own signals
(`watch_model`, connected by each app for its models); code that writes in
bulk (the importer's COPY, merges' update() calls) sends no model signals,
so it calls `content_changed()` itself. Writers do not know who listens:
the reader pages' cache does (articles.reader.signal_handlers).
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal

# Sent with `sender`: the model class written, or None when a writer
# touched several kinds of rows at once.
changed = Signal()


def content_changed(*, sender=None):
    """Announce that rows readers may see were written; safe inside a transaction."""
    changed.send(sender=sender)


def _forward(sender, **kwargs):
    content_changed(sender=sender)


def watch_model(model):
    """Announce every save and deletion of `model`'s rows (called from AppConfig.ready)."""
    uid = f"content-changed-{model._meta.label}"
    post_save.connect(_forward, sender=model, dispatch_uid=uid)
    post_delete.connect(_forward, sender=model, dispatch_uid=uid)
