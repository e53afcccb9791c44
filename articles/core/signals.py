"""The one announcement every writer makes: "content readers may see has changed".

Model saves and deletions are forwarded here from Django's own signals
(`watch_model`, connected by each app for its models); code that writes in
bulk (the importer's COPY, merges' update() calls) sends no model signals,
so it calls `content_changed()` itself, naming what it touched. Writers do
not know who listens: the reader pages' cache does
(articles.reader.signal_handlers), and moves on only the pages that show
what was touched.

A unit of work (articles.history.changes) groups everything one save
touches (`changes_grouped`): its model saves, tags, photos and bulk
updates go out as one `changed`, so readers' caches and the edges hear of
a save once, not once per row.
"""

import copy
import threading
from contextlib import contextmanager

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal

# Sent with `sender` (the model written, or None) and what was touched:
# `instances` (saved or deleted rows), or ids in `articles`, `tags` and
# `images` (the rows themselves changed), `tag_lists` (tags that gained or
# lost articles) and `lists=True` when what the site's lists show may have
# changed (new articles). Naming nothing means anything may have changed.
changed = Signal()

# Sent by the unit of work, inside its transaction, for each article whose
# headline or body it recorded as changed; receivers (the duplicate finder)
# return how many possible duplicates they found.
article_text_changed = Signal()

_local = threading.local()


class _Touched:
    """What a group of writes touched, collected until the group ends."""

    def __init__(self):
        self.instances, self.articles, self.tags, self.images, self.tag_lists = {}, set(), set(), set(), set()
        self.lists = self.everything = False
        self.sender = None

    def add(self, *, sender, instances, articles, tags, images, tag_lists, lists):
        if not (instances or articles or tags or images or tag_lists or lists):
            self.everything = True
        for instance in instances:
            # A copy: a deleted row's pk is cleared once its deletion is done.
            self.instances[(instance._meta.label, instance.pk)] = copy.copy(instance)
        self.articles.update(articles)
        self.tags.update(tags)
        self.images.update(images)
        self.tag_lists.update(tag_lists)
        self.lists = self.lists or lists
        self.sender = sender if self.sender in (None, sender) else None

    def merge(self, other):
        if other.everything:
            self.everything = True
        self.instances.update(other.instances)
        for name in ("articles", "tags", "images", "tag_lists"):
            getattr(self, name).update(getattr(other, name))
        self.lists = self.lists or other.lists

    def __bool__(self):
        return bool(self.everything or self.instances or self.articles or self.tags or self.images
                    or self.tag_lists or self.lists)

    def send(self):
        if self.everything:
            changed.send(sender=self.sender, instances=[], articles=[], tags=[], images=[], tag_lists=[], lists=False)
        else:
            changed.send(sender=self.sender, instances=list(self.instances.values()), articles=sorted(self.articles),
                         tags=sorted(self.tags), images=sorted(self.images), tag_lists=sorted(self.tag_lists),
                         lists=self.lists)


def _groups():
    if not hasattr(_local, "groups"):
        _local.groups = []
    return _local.groups


def content_changed(*, sender=None, instances=(), articles=(), tags=(), images=(), tag_lists=(), lists=False):
    """Announce that rows readers may see were written; safe inside a transaction.

    Inside `changes_grouped()` the announcement waits for the group to end.
    """
    groups = _groups()
    if groups:
        groups[-1].add(sender=sender, instances=list(instances), articles=articles, tags=tags, images=images,
                       tag_lists=tag_lists, lists=lists)
        return
    changed.send(sender=sender, instances=list(instances), articles=list(articles), tags=list(tags),
                 images=list(images), tag_lists=list(tag_lists), lists=lists)


@contextmanager
def changes_grouped():
    """Announce everything written inside as one `changed`, when the outermost group ends without an error.

    A group left by an exception forgets what it collected: its writes were
    rolled back with the transaction it belongs to.
    """
    groups = _groups()
    group = _Touched()
    groups.append(group)
    try:
        yield group
    finally:
        groups.pop()
    if groups:
        groups[-1].merge(group)
    elif group:
        group.send()


def _forward(sender, instance, **kwargs):
    content_changed(sender=sender, instances=[instance])


def watch_model(model):
    """Announce every save and deletion of `model`'s rows (called from AppConfig.ready)."""
    uid = f"content-changed-{model._meta.label}"
    post_save.connect(_forward, sender=model, dispatch_uid=uid)
    post_delete.connect(_forward, sender=model, dispatch_uid=uid)
