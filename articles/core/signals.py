"""The one announcement every writer makes: "content readers may see has changed".

Model saves and deletions are forwarded here from Django's own signals
(`watch_model`, connected by each app for its models); code that writes in
bulk (the importer's COPY, merges' update() calls) sends no model signals,
so it calls `content_changed()` itself, naming what it touched. Writers do
not know who listens: the reader pages' cache does
(articles.reader.signal_handlers), and moves on only the pages that show
what was touched.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal

# Sent with `sender` (the model written, or None) and what was touched:
# `instances` (saved or deleted rows), or ids in `articles`, `tags` and
# `images` (the rows themselves changed), `tag_lists` (tags that gained or
# lost articles) and `lists=True` when what the site's lists show may have
# changed (new articles). Naming nothing means anything may have changed.
changed = Signal()


def content_changed(*, sender=None, instances=(), articles=(), tags=(), images=(), tag_lists=(), lists=False):
    """Announce that rows readers may see were written; safe inside a transaction."""
    changed.send(sender=sender, instances=list(instances), articles=list(articles), tags=list(tags),
                 images=list(images), tag_lists=list(tag_lists), lists=lists)


def _forward(sender, instance, **kwargs):
    content_changed(sender=sender, instances=[instance])


def watch_model(model):
    """Announce every save and deletion of `model`'s rows (called from AppConfig.ready)."""
    uid = f"content-changed-{model._meta.label}"
    post_save.connect(_forward, sender=model, dispatch_uid=uid)
    post_delete.connect(_forward, sender=model, dispatch_uid=uid)
