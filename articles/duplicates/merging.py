"""Merging duplicates and dismissing candidates: the only code that does it.

Every merge runs in one transaction and locks the rows it changes in id
order, so a failure half-way changes nothing and two editors merging A into
B and B into A at the same moment cannot lose an article or make a cycle:
the second one finds its article already merged and is refused.
"""

from __future__ import annotations

from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from articles.duplicates.finder import image_bands_store
from articles.history.changes import content_change
from articles.core.comparison import paragraphs_taken
from articles.core.signals import content_changed
from articles.models import (
    Article, ArticleBand, ArticleImage, ArticleMerge, ArticleVersion, DuplicateCandidate, Tag, TagAddress, TagAlias,
    TaggedArticle, body_from_paragraphs, paragraphs_from_body,
)
from articles.people.models import ArticleAuthor, Author, AuthorAlias
from media.models import Image


class MergeError(Exception):
    """A merge that cannot be done; the message says why, for an editor."""


def _log(user, obj, message, action=CHANGE):
    """An admin history entry: who merged what, and why."""
    if user is not None:
        LogEntry.objects.log_actions(
            user_id=user.pk, queryset=[obj], action_flag=action, change_message=message, single_object=True,
        )


def _next_position(article):
    highest = ArticleImage.objects.filter(article=article).aggregate(m=Max("position"))["m"]
    return 0 if highest is None else highest + 1


def _lock(model, ids):
    """Lock rows in id order (a fixed order cannot deadlock); return {id: obj}."""
    rows = {obj.pk: obj for obj in model.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    missing = [i for i in ids if i not in rows]
    if missing:
        raise MergeError(f"{model._meta.verbose_name.capitalize()} {missing[0]} no longer exists.")
    return rows


def _resolve(kind, a_id, b_id, status, user):
    low, high = min(a_id, b_id), max(a_id, b_id)
    DuplicateCandidate.objects.update_or_create(
        kind=kind, **{f"{kind}_a_id": low, f"{kind}_b_id": high},
        defaults={"status": status, "resolved_by": user, "resolved_at": timezone.now()},
        create_defaults={"status": status, "resolved_by": user, "resolved_at": timezone.now(), "score": 1.0,
                         "reason": "merged by an editor"},
    )


def _move_open_candidates(kind, merged_id, survivor_id):
    """Open candidates naming the merged item continue as pairs naming the survivor.

    The old pair is kept, folded, pointing at its successor: a link to it
    (a bookmark, an open tab) still leads somewhere. Image and tag rows go
    with their deleted item.
    """
    a, b = f"{kind}_a_id", f"{kind}_b_id"
    involved = DuplicateCandidate.objects.filter(
        Q(**{a: merged_id}) | Q(**{b: merged_id}), kind=kind, status=DuplicateCandidate.Status.OPEN,
    ).exclude(**{a: min(merged_id, survivor_id), b: max(merged_id, survivor_id)})
    folded = []
    for candidate in involved:
        other = candidate.pair_ids[1] if candidate.pair_ids[0] == merged_id else candidate.pair_ids[0]
        if other == survivor_id:
            continue
        successor, created = DuplicateCandidate.objects.get_or_create(
            kind=kind, **{a: min(other, survivor_id), b: max(other, survivor_id)},
            defaults={"score": candidate.score, "reason": candidate.reason},
        )
        candidate.status, candidate.successor = DuplicateCandidate.Status.FOLDED, successor
        candidate.resolved_at = timezone.now()
        candidate.save(update_fields=["status", "successor", "resolved_at"])
        folded.append([candidate.pk, successor.pk, created])
    return folded


def _one_per_article(rows, *, field, merged_id, survivor_id):
    """Point an article's ordered rows (photo placements, author credits) at the survivor instead of the merged item.

    An article that had both keeps one row, at the earlier position.
    """
    by_article = {}
    for row in rows.order_by("article_id", "position", "id"):
        by_article.setdefault(row.article_id, []).append(row)
    for first, *rest in by_article.values():
        if rest:
            rows.model.objects.filter(pk__in=[row.pk for row in rest]).delete()
        if getattr(first, field) == merged_id:
            rows.model.objects.filter(pk=first.pk).update(**{field: survivor_id})


# --- articles ------------------------------------------------------------------


def article_merge(*, survivor_id, merged_id, user=None, reason="", paragraphs=(), photos=True):
    """Merge one article into another; return the survivor.

    The survivor gains the merged article's tags and its images (`photos`:
    True for all, or the ids of those to take; no repeats, its own first,
    order kept), and the
    merged article's paragraphs at the indexes `paragraphs`, placed where
    they stood. The merged article is kept, hidden, with status "merged"
    and a pointer to the survivor, so its URL redirects. An ArticleMerge
    records what changed, for article_merge_undo.
    """
    if survivor_id == merged_id:
        raise MergeError("An article cannot be merged into itself.")
    with content_change(user=user, reason=reason) as change:
        return _article_merge(change, survivor_id, merged_id, user=user, reason=reason, paragraphs=paragraphs,
                              photos=photos)


def _article_merge(change, survivor_id, merged_id, *, user, reason, paragraphs, photos):
    rows = _lock(Article, [survivor_id, merged_id])
    survivor, merged = rows[survivor_id], rows[merged_id]
    for article in (survivor, merged):
        if article.status == Article.Status.MERGED:
            raise MergeError(f"“{article}” was already merged into article {article.merged_into_id}.")

    # Both articles change: an editor's form opened before the merge must not save over it unseen.
    change.move(survivor, merged)
    have = set(TaggedArticle.objects.filter(content_object=survivor).values_list("tag_id", flat=True))
    added_tags = [tag_id for tag_id in TaggedArticle.objects.filter(content_object=merged).values_list(
        "tag_id", flat=True) if tag_id not in have]
    TaggedArticle.objects.bulk_create([TaggedArticle(content_object=survivor, tag_id=tag_id) for tag_id in added_tags])
    placed = set(ArticleImage.objects.filter(article=survivor).values_list("image_id", flat=True))
    next_position = _next_position(survivor)
    additions = []
    theirs = ArticleImage.objects.filter(article=merged).order_by("position", "id").values_list("image_id", flat=True)
    for image_id in theirs:
        if image_id not in placed and (photos is True or image_id in photos):
            placed.add(image_id)
            additions.append(ArticleImage(article=survivor, image_id=image_id, position=next_position))
            next_position += 1
    ArticleImage.objects.bulk_create(additions)
    own = paragraphs_from_body(survivor.body)
    body = paragraphs_taken(own, paragraphs_from_body(merged.body), list(paragraphs))
    added_paragraphs = [paragraph for paragraph in body if paragraph not in own]
    if added_paragraphs:
        survivor.body = body_from_paragraphs(body)

    merged_status = merged.status
    merged.status = Article.Status.MERGED
    merged.merged_into = survivor
    merged.save(update_fields=["status", "merged_into", "updated_at"])
    survivor.save(update_fields=["updated_at", "body"])
    # Earlier merges into the merged article now point at the survivor: one redirect hop.
    redirected = list(Article.objects.filter(merged_into=merged).values_list("pk", flat=True))
    Article.objects.filter(pk__in=redirected).update(merged_into=survivor)
    record = ArticleMerge.objects.create(
        survivor=survivor, merged=merged, merged_status=merged_status, added_tags=added_tags,
        added_images=[placement.image_id for placement in additions], added_paragraphs=added_paragraphs,
        redirected=redirected, user=user, reason=reason[:500],
    )
    ArticleBand.objects.filter(article=merged).delete()
    record.folded = _move_open_candidates(DuplicateCandidate.Kind.ARTICLE, merged.pk, survivor.pk)
    record.save(update_fields=["folded"])
    _resolve(DuplicateCandidate.Kind.ARTICLE, survivor.pk, merged.pk, DuplicateCandidate.Status.MERGED, user)

    why = f" Reason: {reason}" if reason else ""
    _record_both(change, user, ArticleVersion.Kind.MERGED, (
        survivor, f"Merged article {merged.pk} (“{merged.title}”) into this one.{why}",
        f"Article {merged.pk} merged into this one.{why}",
    ), (merged, f"Merged into article {survivor.pk} (“{survivor.title}”).{why}",
        f"Merged into article {survivor.pk}.{why}"))
    return survivor


def _record_both(change, user, kind, *changes):
    """For each (article, admin log message, version reason): the log entry and the version."""
    for article, message, reason in changes:
        _log(user, article, message)
    for article, message, reason in changes:
        change.record(article, kind=kind, reason=reason)


def article_merge_undo(*, merge_id, user=None):
    """Undo a merge: the merged article comes back as it was, with its address, tags and photos.

    The survivor loses what the merge gave it (tags, photos, paragraphs)
    unless an editor has removed it since; whatever else changed since
    stays. Refused when the merged article has changed hands since (merged
    again, or the survivor itself merged). Returns the merged article.
    """
    with content_change(user=user) as change:
        return _article_merge_undo(change, merge_id, user=user)


def _article_merge_undo(change, merge_id, *, user):
    record = ArticleMerge.objects.select_for_update().filter(pk=merge_id).first()
    if record is None or record.undone_at is not None:
        raise MergeError("This merge was undone already, or never happened.")
    rows = _lock(Article, [record.survivor_id, record.merged_id])
    survivor, merged = rows[record.survivor_id], rows[record.merged_id]
    if merged.status != Article.Status.MERGED or merged.merged_into_id != survivor.pk:
        raise MergeError(f"Article {merged.pk} is no longer merged into article {survivor.pk}; nothing changed.")
    if survivor.status == Article.Status.MERGED:
        raise MergeError(f"Article {survivor.pk} was itself merged into article {survivor.merged_into_id} since: "
                         "undo that merge first.")
    change.move(survivor, merged)
    # What another copy still merged into the survivor brought too stays.
    others = list(ArticleMerge.objects.filter(survivor=survivor, undone_at__isnull=True).exclude(pk=record.pk)
                  .values_list("merged_id", flat=True))
    kept_tags = set(TaggedArticle.objects.filter(content_object_id__in=others).values_list("tag_id", flat=True))
    kept_images = set(ArticleImage.objects.filter(article_id__in=others).values_list("image_id", flat=True))
    kept_paragraphs = {p for body in Article.objects.filter(pk__in=others).values_list("body", flat=True)
                       for p in paragraphs_from_body(body)}
    TaggedArticle.objects.filter(content_object=survivor, tag_id__in=set(record.added_tags) - kept_tags).delete()
    ArticleImage.objects.filter(article=survivor, image_id__in=set(record.added_images) - kept_images).delete()
    if record.added_paragraphs:
        taken = set(record.added_paragraphs) - kept_paragraphs
        survivor.body = body_from_paragraphs([p for p in paragraphs_from_body(survivor.body) if p not in taken])
    survivor.save(update_fields=["updated_at", "body"])
    merged.status, merged.merged_into = record.merged_status, None
    merged.save(update_fields=["status", "merged_into", "updated_at"])
    Article.objects.filter(pk__in=record.redirected, merged_into=survivor).update(merged_into=merged)
    record.undone_at, record.undone_by = timezone.now(), user
    record.save(update_fields=["undone_at", "undone_by"])
    # The pairs the merge folded are the merged article's again; successors it made and nobody decided go.
    for pair_id, successor_id, created in record.folded:
        DuplicateCandidate.objects.filter(pk=pair_id, status=DuplicateCandidate.Status.FOLDED).update(
            status=DuplicateCandidate.Status.OPEN, successor=None, resolved_at=None)
        if created:
            DuplicateCandidate.objects.filter(pk=successor_id, status=DuplicateCandidate.Status.OPEN).delete()
    # The pair goes back to the queue, to be decided again.
    DuplicateCandidate.objects.filter(
        kind=DuplicateCandidate.Kind.ARTICLE, article_a_id=min(survivor.pk, merged.pk),
        article_b_id=max(survivor.pk, merged.pk),
    ).update(status=DuplicateCandidate.Status.OPEN, resolved_at=None, resolved_by=None)
    change.check(merged)  # its signature went with the merge
    _record_both(change, user, ArticleVersion.Kind.UNMERGED, (
        survivor, f"Undid the merge of article {merged.pk} (“{merged.title}”) into this one.",
        f"Merge of article {merged.pk} undone.",
    ), (merged, f"Merge into article {survivor.pk} undone: the article is back.",
        f"Merge into article {survivor.pk} undone."))
    change.touch(articles=record.redirected)
    return merged


def cluster_merge(*, survivor_id, merged_ids, user=None, reason="", paragraphs=None, photos=None):
    """Merge every article of a story into the survivor, all or nothing; return the ArticleMerge records.

    paragraphs: {merged_id: [paragraph indexes]} to take into the survivor;
    photos: {merged_id: [image ids]} to take (default: all of each copy's).
    """
    paragraphs = paragraphs or {}
    merged_ids = [article_id for article_id in dict.fromkeys(merged_ids) if article_id != survivor_id]
    if not merged_ids:
        raise MergeError("Choose at least one article to merge into the one kept.")
    with content_change(user=user, reason=reason):
        for merged_id in merged_ids:
            article_merge(survivor_id=survivor_id, merged_id=merged_id, user=user, reason=reason,
                          paragraphs=paragraphs.get(merged_id, ()),
                          photos=True if photos is None else set(photos.get(merged_id, ())))
    return list(ArticleMerge.objects.filter(survivor_id=survivor_id, merged_id__in=merged_ids, undone_at__isnull=True))


# --- images --------------------------------------------------------------------


def image_merge(*, survivor_id, merged_id, user=None, reason=""):
    """Merge one image into another: every article using it uses the survivor.

    An article that had both keeps the survivor once, at the earlier of
    the two positions. The survivor takes the merged image's file and alt
    text when it has none. The merged image is then deleted.
    """
    if survivor_id == merged_id:
        raise MergeError("An image cannot be merged into itself.")
    with content_change(user=user, reason=reason) as change:
        return _image_merge(change, survivor_id, merged_id, user=user, reason=reason)


def _image_merge(change, survivor_id, merged_id, *, user, reason):
    rows = _lock(Image, [survivor_id, merged_id])
    survivor, merged = rows[survivor_id], rows[merged_id]
    placements = ArticleImage.objects.select_for_update().filter(image_id__in=[survivor_id, merged_id])
    # The articles' photos change: each gets a version saying why, and a form opened before notices.
    change.move_articles(placements.filter(image_id=merged_id).values_list("article_id", flat=True),
                         kind=ArticleVersion.Kind.EDITED,
                         reason=f"Photo {merged_id} merged into photo {survivor_id}." + (f" Reason: {reason}"
                                                                                           if reason else ""))
    change.move(survivor)
    _one_per_article(placements, field="image_id", merged_id=merged_id, survivor_id=survivor_id)
    if not survivor.file and merged.file:
        survivor.file = merged.file.name
        survivor.width, survivor.height = merged.width, merged.height
        survivor.file_hash, survivor.perceptual_hash = merged.file_hash, merged.perceptual_hash
    survivor.alt_text = survivor.alt_text or merged.alt_text
    survivor.credit = survivor.credit or merged.credit
    # Image.save() would recompute hashes from the file; the fields are already right.
    Image.objects.filter(pk=survivor.pk).update(
        file=survivor.file.name if survivor.file else "", width=survivor.width, height=survivor.height,
        file_hash=survivor.file_hash, perceptual_hash=survivor.perceptual_hash, alt_text=survivor.alt_text,
        credit=survivor.credit, updated_at=timezone.now(),
    )
    _move_open_candidates(DuplicateCandidate.Kind.IMAGE, merged.pk, survivor.pk)
    why = f" Reason: {reason}" if reason else ""
    _log(user, survivor, f"Merged image {merged.pk} (“{merged}”) into this one; its articles now use this image.{why}")
    _log(user, merged, f"Merged into image {survivor.pk}.{why}", action=DELETION)
    merged.delete()
    # The survivor may have taken the merged image's file, and so its hash.
    image_bands_store(hashes={survivor.pk: survivor.perceptual_hash})
    change.touch(images=[survivor.pk, merged_id])
    return survivor


# --- tags ------------------------------------------------------------------------


def tag_merge(*, survivor_id, merged_id, user=None, reason=""):
    """Merge one tag into another, keeping the old spelling as an alias.

    Every article tagged with the merged tag is tagged with the survivor
    (once). The alias maps later imports and automatic tagging to the
    survivor, and the old tag URL redirects to the survivor's page.
    """
    if survivor_id == merged_id:
        raise MergeError("A tag cannot be merged into itself.")
    with content_change(user=user, reason=reason) as change:
        return _tag_merge(change, survivor_id, merged_id, user=user, reason=reason)


def _tag_merge(change, survivor_id, merged_id, *, user, reason):
    rows = _lock(Tag, [survivor_id, merged_id])
    survivor, merged = rows[survivor_id], rows[merged_id]
    # The articles' tags change: each gets a version saying why, and a form opened before notices.
    change.move_articles(TaggedArticle.objects.filter(tag=merged).values_list("content_object_id", flat=True),
                         kind=ArticleVersion.Kind.EDITED,
                         reason=f"Tag “{merged.name}” merged into “{survivor.name}”." + (f" Reason: {reason}"
                                                                                          if reason else ""))
    change.move(survivor)
    already = TaggedArticle.objects.filter(tag=survivor).values("content_object_id")
    TaggedArticle.objects.filter(tag=merged, content_object_id__in=already).delete()
    TaggedArticle.objects.filter(tag=merged).update(tag=survivor)
    TagAlias.objects.filter(tag=merged).update(tag=survivor)
    # Its addresses, old and current, now lead to the survivor.
    TagAddress.objects.filter(tag=merged).update(tag=survivor)
    merged_name, merged_slug = merged.name, merged.slug
    _move_open_candidates(DuplicateCandidate.Kind.TAG, merged.pk, survivor.pk)
    why = f" Reason: {reason}" if reason else ""
    _log(user, survivor, f"Merged tag {merged.pk} (“{merged_name}”) into this one; “{merged_name}” is now an alias.{why}")
    _log(user, merged, f"Merged into tag {survivor.pk} (“{survivor.name}”).{why}", action=DELETION)
    merged.delete()
    # The old spelling may already be an alias (of this tag, or of another one
    # whose alias the merged tag's name shadowed): it now means the survivor.
    TagAlias.objects.filter(Q(name__iexact=merged_name) | Q(slug=merged_slug)).delete()
    TagAlias.objects.create(name=merged_name, slug=merged_slug, tag=survivor)
    change.touch(tags=[survivor.pk, merged_id])
    return survivor


# --- authors -----------------------------------------------------------------------


def author_merge(*, survivor_id, merged_id, user=None, reason=""):
    """Merge one author into another, keeping the old name and address as an alias.

    Every article credited to the merged author is credited to the survivor
    (once, at the earlier place in the byline when it named both). The
    merged author's aliases, and its own name and address, become the
    survivor's: later bylines with that name find the survivor, and the old
    author page redirects to the survivor's. The survivor takes the merged
    author's bio, photo, links and account where it has none.
    """
    if survivor_id == merged_id:
        raise MergeError("An author cannot be merged into themselves.")
    with content_change(user=user, reason=reason) as change:
        return _author_merge(change, survivor_id, merged_id, user=user, reason=reason)


def _author_merge(change, survivor_id, merged_id, *, user, reason):
    rows = _lock(Author, [survivor_id, merged_id])
    survivor, merged = rows[survivor_id], rows[merged_id]
    why = f" Reason: {reason}" if reason else ""
    credits = ArticleAuthor.objects.select_for_update().filter(author_id__in=[survivor_id, merged_id])
    # The articles' bylines change: each gets a version saying why, and a form opened before notices.
    change.move_articles(credits.filter(author_id=merged_id).values_list("article_id", flat=True),
                         kind=ArticleVersion.Kind.EDITED,
                         reason=f"Author “{merged.name}” merged into “{survivor.name}”.{why}")
    _one_per_article(credits, field="author_id", merged_id=merged_id, survivor_id=survivor_id)
    AuthorAlias.objects.filter(author=merged).update(author=survivor)
    taken = {}
    for field in ("bio", "links", "photo_id"):
        if not getattr(survivor, field) and getattr(merged, field):
            taken[field] = getattr(merged, field)
    if survivor.user_id is None and merged.user_id is not None:
        # The account is one-to-one: the merged row lets go of it first.
        Author.objects.filter(pk=merged.pk).update(user=None)
        taken["user_id"] = merged.user_id
    if taken:
        Author.objects.filter(pk=survivor.pk).update(**taken)
        for field, value in taken.items():
            setattr(survivor, field, value)
    merged_name, merged_slug = merged.name, merged.slug
    _move_open_candidates(DuplicateCandidate.Kind.AUTHOR, merged.pk, survivor.pk)
    _log(user, survivor, f"Merged author {merged.pk} (“{merged_name}”) into this one; "
                         f"“{merged_name}” is now an alias.{why}")
    _log(user, merged, f"Merged into author {survivor.pk} (“{survivor.name}”).{why}", action=DELETION)
    merged.delete()
    # The old spelling or address may already be an alias (of another author
    # whose alias it shadowed): it now means the survivor.
    AuthorAlias.objects.filter(Q(match_key=merged.match_key) | Q(slug=merged_slug)).delete()
    AuthorAlias.objects.create(author=survivor, name=merged_name, slug=merged_slug)
    # Its page, its aliases and its list of articles, and the old address's redirect.
    content_changed(instances=[survivor])
    return survivor


# --- candidates --------------------------------------------------------------------

MERGERS = {
    DuplicateCandidate.Kind.ARTICLE: article_merge,
    DuplicateCandidate.Kind.IMAGE: image_merge,
    DuplicateCandidate.Kind.TAG: tag_merge,
    DuplicateCandidate.Kind.AUTHOR: author_merge,
}


def candidate_merge(*, candidate, survivor_id, user=None, reason=""):
    """Merge a candidate pair, keeping the item the editor chose."""
    ids = candidate.pair_ids
    if survivor_id not in ids:
        raise MergeError("The survivor must be one of the pair.")
    merged_id = ids[1] if survivor_id == ids[0] else ids[0]
    # Each merger is one transaction and settles the candidate itself: an
    # article merge marks the pair merged, image, tag and author merges delete the
    # merged row and the candidate with it.
    return MERGERS[candidate.kind](survivor_id=survivor_id, merged_id=merged_id, user=user, reason=reason)


@transaction.atomic
def candidates_reopen(*, candidates):
    """Undo "not duplicates": the pairs go back to the queue. Returns how many."""
    return DuplicateCandidate.objects.filter(
        pk__in=[c.pk for c in candidates], status=DuplicateCandidate.Status.DISMISSED,
    ).update(status=DuplicateCandidate.Status.OPEN, resolved_by=None, resolved_at=None)


@transaction.atomic
def candidates_dismiss(*, candidates, user=None):
    """Mark pairs as not duplicates; a rescan never proposes them again."""
    return DuplicateCandidate.objects.filter(pk__in=[c.pk for c in candidates]).exclude(
        status=DuplicateCandidate.Status.MERGED
    ).update(status=DuplicateCandidate.Status.DISMISSED, resolved_by=user, resolved_at=timezone.now())
