"""Editors never lose work: versions recorded, stale saves caught, restores and recoveries.

Every change to an article goes through the unit of work (changes.py): a
save names the version it was made from, and the database moves the number
on only if nobody moved it first (a compare in the UPDATE), so two saves
in the same millisecond cannot both win. Each change records a version (a
snapshot); restoring one is itself a new version.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from articles.core.comparison import merged_paragraphs, paragraph_diff, paragraph_diff_summary, paragraphs_merge
from articles.history.changes import content_change, history_start
from articles.history.snapshots import DATES, FIELDS, PARTS, changed_parts, snapshot_of
from articles.models import Article, ArticleImage, ArticleVersion, TaggedArticle, body_from_paragraphs, paragraphs_from_body
from articles.services import tag_get_or_create
from media.models import Image


@dataclass
class EditConflict(Exception):
    """A save made from version `base_version` while the article is at `current.version`."""

    article_id: int
    base_version: int
    current: Article
    theirs: dict
    base: dict | None
    mine: dict
    theirs_changed: list = field(default_factory=list)
    mine_changed: list = field(default_factory=list)
    overlap: list = field(default_factory=list)
    # When both changed the body: its three-way merge by paragraph (core.comparison.paragraphs_merge).
    body_regions: list | None = None

    @property
    def body_clashes(self):
        """The body's stretches both editors changed differently, in order."""
        return [region for region in self.body_regions or () if region.clash]

    @property
    def merged_body(self):
        """The body with both editors' changes, when they touched different paragraphs; else None."""
        if self.body_regions is None or self.body_clashes:
            return None
        return body_from_paragraphs(merged_paragraphs(self.body_regions))

    def body_merge_note(self):
        """What the merge of two body edits kept, for the editor: "theirs: 1 changed; yours: 1 added"."""
        summary = {side: paragraph_diff_summary(paragraph_diff(paragraphs_from_body(self.base.get("body") or ""),
                                                               paragraphs_from_body(snapshot.get("body") or "")))
                   for side, snapshot in (("theirs", self.theirs), ("yours", self.mine))}
        return f"paragraphs {summary['theirs'] or 'unchanged'} by them and {summary['yours'] or 'unchanged'} by you"

    @property
    def versions_between(self):
        """Who saved since the editor opened the article, oldest first."""
        return list(ArticleVersion.objects.filter(article_id=self.article_id, number__gt=self.base_version)
                    .select_related("user").order_by("created_at", "id"))

    def __str__(self):
        return f"article {self.article_id} is at version {self.current.version}, the save was made from {self.base_version}"


def version_snapshot(*, article_id, number):
    """The snapshot recorded for version `number`, or None if none was."""
    version = ArticleVersion.objects.filter(article_id=article_id, number=number).order_by("-created_at", "-id").first()
    return version.snapshot if version else None


def conflict_inspect(*, article_id, base_version, mine):
    """Compare a stale save with what is stored now, the row locked until the transaction ends.

    Returns the conflict; its `overlap` lists the parts both sides changed
    differently. An empty overlap means the save can go on top.
    """
    current = Article.objects.select_for_update().get(pk=article_id)
    theirs = snapshot_of(current)
    base = version_snapshot(article_id=article_id, number=base_version)
    if base is None:
        # Nothing says what the editor started from: every difference counts.
        theirs_changed = mine_changed = changed_parts(theirs, mine)
    else:
        theirs_changed, mine_changed = changed_parts(base, theirs), changed_parts(base, mine)
    overlap = [part for part in mine_changed if part in theirs_changed and part in changed_parts(
        {part: theirs[part]}, {part: mine[part]})]
    body_regions = None
    if base is not None and "body" in overlap:
        # Both changed the body: what counts is whether they changed the same paragraphs.
        body_regions = paragraphs_merge(*(paragraphs_from_body(side.get("body") or "") for side in (base, theirs, mine)))
        if not any(region.clash for region in body_regions):
            overlap.remove("body")
    return EditConflict(article_id=article_id, base_version=base_version, current=current, theirs=theirs, base=base,
                        mine=mine, theirs_changed=theirs_changed, mine_changed=mine_changed, overlap=overlap,
                        body_regions=body_regions)


def article_apply(*, article_id, expected_version, snapshot, parts=PARTS, user=None,
                  kind=ArticleVersion.Kind.EDITED, reason=""):
    """Write `parts` of `snapshot` to the article, if it is still at `expected_version`.

    Raises EditConflict otherwise, and ValidationError when the result
    breaks a rule (an address taken, a duplicate text). Returns the article.
    """
    with content_change(user=user, reason=reason) as change:
        article = Article.objects.select_for_update().get(pk=article_id)
        if not change.claim(article, expected=expected_version):
            raise conflict_inspect(article_id=article_id, base_version=expected_version, mine=snapshot)
        for part in parts:
            if part in FIELDS:
                value = snapshot.get(part)
                if part in DATES:
                    value = parse_datetime(value) if value else None
                setattr(article, part, value if value is not None or part in DATES else "")
        article.full_clean(exclude=["fingerprint", "merged_into"])
        article.save()
        if "tags" in parts:
            _set_tags(article, snapshot.get("tags") or [])
        if "images" in parts:
            _set_images(article, snapshot.get("images") or [])
        change.record(article, kind=kind)
    return article


def _set_tags(article, names):
    wanted = {tag_get_or_create(name).pk for name in names}
    TaggedArticle.objects.filter(content_object=article).exclude(tag_id__in=wanted).delete()
    have = set(TaggedArticle.objects.filter(content_object=article).values_list("tag_id", flat=True))
    TaggedArticle.objects.bulk_create([TaggedArticle(content_object=article, tag_id=tag_id)
                                       for tag_id in wanted - have])


def _set_images(article, image_ids):
    # Photos deleted since are left out: the version cannot bring a file back.
    existing = set(Image.objects.filter(pk__in=image_ids).values_list("pk", flat=True))
    ArticleImage.objects.filter(article=article).delete()
    ordered = [image_id for image_id in dict.fromkeys(image_ids) if image_id in existing]
    ArticleImage.objects.bulk_create([ArticleImage(article=article, image_id=image_id, position=position)
                                      for position, image_id in enumerate(ordered)])


def article_restore(*, version, expected_version, user=None):
    """Bring back a recorded version in one step; the restore is itself a new version."""
    return article_apply(article_id=version.article_id, expected_version=expected_version, snapshot=version.snapshot,
                         user=user, kind=ArticleVersion.Kind.RESTORED,
                         reason=f"Restored version {version.number} of {version.created_at:%Y-%m-%d %H:%M}.")


def article_publish(*, article_id, when=None, user=None, expected_version=None):
    """Publish now (`when` None or past) or schedule for `when`; one step, never a raw database error."""
    article = Article.objects.get(pk=article_id)
    moment = when or timezone.now()
    kind = ArticleVersion.Kind.SCHEDULED if moment > timezone.now() else ArticleVersion.Kind.PUBLISHED
    snapshot = {"status": Article.Status.PUBLISHED, "published_at": moment.isoformat()}
    return article_apply(article_id=article_id, snapshot=snapshot, parts=("status", "published_at"), user=user,
                         expected_version=article.version if expected_version is None else expected_version,
                         kind=kind)


def article_unpublish(*, article_id, user=None, expected_version=None):
    """Back to draft: readers no longer see it; its date is kept for when it comes back."""
    article = Article.objects.get(pk=article_id)
    return article_apply(article_id=article_id, snapshot={"status": Article.Status.DRAFT}, parts=("status",),
                         user=user, kind=ArticleVersion.Kind.UNPUBLISHED,
                         expected_version=article.version if expected_version is None else expected_version)


def article_delete(*, article, user=None):
    """Delete an article, keeping its last state as a version so that it can be recovered."""
    with content_change(user=user) as change:
        history_start(article=article)
        change.record(article, kind=ArticleVersion.Kind.DELETED)
        article.delete()


def article_recover(*, article_id, user=None):
    """Bring a deleted article back, with its id, from its last recorded state."""
    with content_change(user=user) as change:
        if Article.objects.filter(pk=article_id).exists():
            raise ValueError(f"Article {article_id} exists; nothing to recover.")
        last = ArticleVersion.objects.filter(article_id=article_id).order_by("-created_at", "-id").first()
        if last is None:
            raise ValueError(f"Article {article_id} has no recorded version.")
        snapshot = last.snapshot
        article = Article(pk=article_id)
        change.resume(article, after=last.number)
        for part in FIELDS:
            value = snapshot.get(part)
            setattr(article, part, (parse_datetime(value) if value else None) if part in DATES else value or "")
        if article.status == Article.Status.MERGED:
            article.status = Article.Status.DRAFT  # what it was merged into may be gone; an editor decides again
        article.full_clean(exclude=["fingerprint", "merged_into"])
        article.save(force_insert=True)
        _set_tags(article, snapshot.get("tags") or [])
        _set_images(article, snapshot.get("images") or [])
        change.record(article, kind=ArticleVersion.Kind.RECOVERED, reason=f"Recovered from version {last.number}.")
    return article


def articles_deleted():
    """(article_id, last version) of deleted articles that history can bring back, newest first."""
    live = Article.objects.values("pk")
    last = {}
    for version in ArticleVersion.objects.exclude(article_id__in=live).order_by("-created_at", "-id").iterator():
        last.setdefault(version.article_id, version)
    return list(last.items())
