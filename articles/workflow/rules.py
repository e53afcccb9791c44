"""The rule every publishing write keeps, asked by the unit of work (articles.history.changes) on each record.

Publishing (publish, schedule, unpublish, or changing what readers see or
will see) needs the publish permission; publishing also needs an approved
review and every sign-off asked for. `user=None` is the operator (commands
such as import_dump, the system's own merges): never refused.

Someone who may review and publishes an article not yet approved approves it
by doing so: that is recorded as their approval, so History still says who
approved it and when.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from articles.models import Article
from articles.workflow.models import ArticleReview, ReviewEvent, SignOff

PUBLISH = "workflow.publish_article"
REVIEW = "workflow.review_article"
SIGN_OFF = {SignOff.Kind.LEGAL: "workflow.sign_off_legal"}

# Kinds of record that take an article away from readers, not show it: no review is needed for them.
_WITHDRAWING = {"deleted", "unpublished", "merged"}


def is_publishing(article):
    """Readers see the article, or will at its date."""
    return article.status == Article.Status.PUBLISHED and article.published_at is not None


def publishing_refusal(*, user, article, was_published=False, kind=""):
    """Why `user` may not record `article` as it is now, as an exception to raise; None when they may.

    `article` may be unsaved (a new article's first save): it has no review
    or sign-offs yet, and one made in the admin starts as a draft.
    """
    if user is None or not (is_publishing(article) or was_published or kind in ("published", "scheduled")):
        return None
    if not user.has_perm(PUBLISH):
        return PermissionDenied("You may not publish, schedule or unpublish articles, nor change a published one: "
                                "submit it for review and an editor will.")
    if kind in _WITHDRAWING or not is_publishing(article):
        return None
    pending = sign_offs_pending(article=article)
    if pending:
        names = ", ".join(sign_off.get_kind_display().lower() for sign_off in pending)
        return ValidationError(f"It cannot be published before its {names} sign-off is given.")
    state = review_state(article=article)
    if state != ArticleReview.State.APPROVED and not user.has_perm(REVIEW):
        label = ArticleReview.State(state).label.lower()
        return ValidationError(f"It cannot be published until an editor approves it (its review: {label}).")
    return None


def publishing_check(*, user, article, was_published=False, kind=""):
    """Raise the refusal, if any; an unapproved article published by a reviewer is approved by them now."""
    refusal = publishing_refusal(user=user, article=article, was_published=was_published, kind=kind)
    if refusal is not None:
        raise refusal
    if user is not None and is_publishing(article) and kind not in _WITHDRAWING:
        review = ArticleReview.objects.filter(article_id=article.pk).exclude(
            state=ArticleReview.State.APPROVED).first()
        if review is not None:
            now = timezone.now()
            review.state, review.reason, review.changed_by, review.changed_at = (
                ArticleReview.State.APPROVED, "", user, now)
            review.save()
            ReviewEvent.objects.create(article_id=article.pk, what=ReviewEvent.What.APPROVED, user=user,
                                       reason="Approved by publishing it.", created_at=now)


def review_state(*, article):
    """The article's review state; approved when it has no review (the archive, imports)."""
    if article.pk is None:
        return ArticleReview.State.DRAFT
    state = ArticleReview.objects.filter(article_id=article.pk).values_list("state", flat=True).first()
    return state or ArticleReview.State.APPROVED


def sign_offs_pending(*, article):
    """The sign-offs asked for on `article` and not given yet."""
    if article.pk is None:
        return []
    return list(SignOff.objects.filter(article_id=article.pk, given_at__isnull=True).order_by("kind"))
