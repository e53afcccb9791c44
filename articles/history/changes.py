"""One way to change content: the unit of work every writer goes through.

    with content_change(user=request.user) as change:
        if not change.claim(article, expected=form_version):
            ...                                  # someone saved first: a conflict
        ...                                      # write the rows
        change.record(article, kind=ArticleVersion.Kind.EDITED)

The editor's form, list actions, publishing, restores and recoveries,
merges and their undo, tag and photo merges, the vocabulary and the
importer's batches all change content this way, so a rule that must hold
on every write is written here once:

- the version number moves on only here, by one rule for articles, tags
  and photos: a compare-and-set in one UPDATE (`claim`), or, for a writer
  that holds the rows' locks and has no form version (a merge), a plain
  move (`move`);
- each article changed gets a version recording who, why and what it is
  now (`record`), and an article whose headline or body changed is checked
  for duplicates at once (`articles.core.signals.article_text_changed`,
  answered by the duplicate finder);
- a record that publishes, schedules, unpublishes or changes what readers
  see keeps the roles' and review's rule (`articles.workflow.rules`): the
  publish permission, an approved review, every sign-off asked for; a
  refusal rolls the whole block back;
- everything the block wrote is announced once, when the transaction
  commits: one change notice naming every key it touched, however many
  rows and models it wrote (`articles.core.signals.changes_grouped`).

Blocks nest: an inner one (a merge inside a whole story's merge, a
publish inside a list action) is a savepoint, and what it touched joins the
outer block's notice only if it ended well.
"""

from __future__ import annotations

import json
from contextlib import contextmanager

from django.db import transaction
from django.db.models import F

from articles.core.bulk import insert_rows
from articles.core.signals import article_text_changed, changes_grouped, content_changed
from articles.history.snapshots import snapshot_of
from articles.models import Article, ArticleVersion
from articles.workflow.rules import publishing_check

TEXT_PARTS = ("title", "body")


class ContentChange:
    """The bookkeeping of one change: versions claimed and recorded, duplicates found, keys touched."""

    def __init__(self, *, user=None, reason=""):
        self.user = user
        self.reason = reason
        self.duplicates = {}  # article id -> possible duplicates the check found
        self._moved = []  # (article ids, kind, reason): recorded when the block ends

    # -- versions ---------------------------------------------------------------------

    def claim(self, obj, *, expected):
        """Move `obj`'s version on from `expected` in one UPDATE; False if someone moved it first.

        The same rule for articles, tags and photos. On success `obj.version`
        is the claimed number; an article that had no recorded version yet
        keeps its state until now as version `expected` first.
        """
        model = type(obj)
        if not model.objects.filter(pk=obj.pk, version=expected).update(version=F("version") + 1):
            return False
        if model is Article:
            _history_start(article_ids=[obj.pk], number=expected)
        obj.version = expected + 1
        return True

    def move(self, *objs):
        """Move on the versions of rows this writer has locked (a merge): no form version to compare.

        A form opened before the change then notices it instead of saving
        over it unseen.
        """
        by_model = {}
        for obj in objs:
            by_model.setdefault(type(obj), []).append(obj)
        for model, rows in by_model.items():
            ids = [obj.pk for obj in rows]
            if model is Article:
                _history_start(article_ids=ids)
            model.objects.filter(pk__in=ids).update(version=F("version") + 1)
            for obj in rows:
                obj.version += 1

    def resume(self, article, *, after):
        """A deleted article comes back as a new row, at the version after its last recorded one."""
        article.version = after + 1

    def move_articles(self, article_ids, *, kind, reason):
        """Move on the versions of articles changed without being loaded (their tags or photos merged).

        Each gets a version with `reason` when the block ends, as it is then.
        """
        article_ids = sorted(set(article_ids))
        if not article_ids:
            return
        _history_start(article_ids=article_ids)
        Article.objects.filter(pk__in=article_ids).update(version=F("version") + 1)
        self._moved.append((article_ids, kind, reason))
        self.touch(articles=article_ids)

    # -- history ----------------------------------------------------------------------

    def record(self, article, *, kind, reason=None, snapshot=None):
        """Record `article` as it is now as its version `article.version`, and announce the change.

        When its headline or body differs from the version before, it is
        checked for duplicates now; `self.duplicates` says what was found.
        Refused (PermissionDenied, ValidationError) when it breaks the
        publishing rule for `self.user`.
        """
        snapshot = snapshot if snapshot is not None else snapshot_of(article)
        previous = (ArticleVersion.objects.filter(article_id=article.pk, number__lt=article.version)
                    .order_by("-number", "-created_at", "-id").values_list("snapshot", flat=True).first())
        publishing_check(user=self.user, article=article, kind=kind,
                         was_published=bool(previous) and previous.get("status") == Article.Status.PUBLISHED)
        version = ArticleVersion.objects.create(
            article_id=article.pk, number=article.version, kind=kind, user=self.user,
            reason=(self.reason if reason is None else reason)[:500], snapshot=snapshot,
        )
        if previous is None or any(previous.get(part) != snapshot.get(part) for part in TEXT_PARTS):
            self.check(article)
        self.touch(articles=[article.pk])
        return version

    def record_new(self, snapshots, *, kind, created_at):
        """The first versions of articles written in bulk (an import batch): {article id: snapshot}, one insert."""
        insert_rows(ArticleVersion, ["article_id", "number", "kind", "snapshot", "reason", "created_at"], [
            (article_id, 1, kind, json.dumps(snapshot, ensure_ascii=False), self.reason[:500], created_at)
            for article_id, snapshot in snapshots.items()])
        self.touch(lists=True)

    def check(self, article):
        """Look for duplicates of `article` now (its text changed, or it is back from a merge)."""
        found = sum(answer or 0 for _, answer in article_text_changed.send(sender=Article, article=article))
        self.duplicates[article.pk] = found
        return found

    # -- the notice ---------------------------------------------------------------------

    def touch(self, *, articles=(), tags=(), images=(), tag_lists=(), lists=False):
        """Name what readers may see differently; announced once, with the rest, on commit."""
        content_changed(articles=articles, tags=tags, images=images, tag_lists=tag_lists, lists=lists)

    def _finish(self):
        for article_ids, kind, reason in self._moved:
            for article in Article.objects.filter(pk__in=article_ids).order_by("pk"):
                self.record(article, kind=kind, reason=reason)


@contextmanager
def content_change(*, user=None, reason=""):
    """The unit of work: one transaction (a savepoint when nested), one notice on commit."""
    with transaction.atomic(), changes_grouped():
        change = ContentChange(user=user, reason=reason)
        yield change
        change._finish()


def _history_start(*, article_ids, number=None):
    """Before the first recorded change: keep each article's state until now as a version.

    Articles imported before history was kept, or written by other means,
    have no version yet; their current state must not be lost either.
    `number` is the version it was at (default: its stored version).
    """
    known = set(ArticleVersion.objects.filter(article_id__in=article_ids).values_list("article_id", flat=True))
    for article in Article.objects.filter(pk__in=[pk for pk in article_ids if pk not in known]):
        kind = ArticleVersion.Kind.IMPORTED if article.import_run_id else ArticleVersion.Kind.CREATED
        ArticleVersion.objects.create(article_id=article.pk, number=article.version if number is None else number,
                                      kind=kind, snapshot=snapshot_of(article), created_at=article.updated_at)


def history_start(*, article):
    """Keep a deleted or otherwise changed article's state until now, if no version was ever recorded."""
    _history_start(article_ids=[article.pk], number=article.version)
