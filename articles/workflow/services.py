"""Review moves and sign-offs: each checked against who makes it, each recorded for the article's History.

These write the workflow's own rows only; publishing itself goes through the
unit of work (articles.history.changes), which asks rules.py.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from articles.workflow.models import ArticleReview, ReviewEvent, SignOff
from articles.workflow.rules import REVIEW, SIGN_OFF, is_publishing

State, What = ArticleReview.State, ReviewEvent.What
WRITE = "articles.change_article"

# move: (who may make it, the states it starts from, the state it ends in, what History says)
MOVES = {
    "submit": (WRITE, (State.DRAFT,), State.IN_REVIEW, What.SUBMITTED),
    "approve": (REVIEW, (State.DRAFT, State.IN_REVIEW), State.APPROVED, What.APPROVED),
    "send_back": (REVIEW, (State.IN_REVIEW, State.APPROVED), State.DRAFT, What.SENT_BACK),
}


def review_start(*, article, user=None):
    """A new article written in the admin starts as a draft in review terms."""
    review, _ = ArticleReview.objects.get_or_create(article=article, defaults={"changed_by": user})
    return review


def review_move(*, article, move, user, reason=""):
    """Move `article`'s review (submit, approve, send_back); send_back needs a reason. Returns the review."""
    permission, sources, target, what = MOVES[move]
    reason = " ".join(reason.split())[:500]
    if user is not None and not user.has_perm(permission):
        raise PermissionDenied(f"You may not do this: {what.label.lower()} is for "
                               f"{'editors' if permission == REVIEW else 'writers'}.")
    if move == "send_back" and not reason:
        raise ValidationError("Say why you send it back: the writer reads your reason.")
    if move == "send_back" and is_publishing(article):
        raise ValidationError("A published or scheduled article cannot be sent back: unpublish it first.")
    with transaction.atomic():
        review, _ = ArticleReview.objects.select_for_update().get_or_create(
            article=article, defaults={"state": State.APPROVED})
        if review.state not in sources:
            raise ValidationError(f"It is {review.get_state_display().lower()}: it cannot be "
                                  f"{what.label.lower()} from there.")
        now = timezone.now()
        review.state, review.changed_by, review.changed_at = target, user, now
        review.reason = reason if move == "send_back" else ""
        if move == "submit":
            review.submitted_by = user
        review.save()
        ReviewEvent.objects.create(article=article, what=what, user=user, reason=reason, created_at=now)
    return review


def sign_off_request(*, article, user, kind=SignOff.Kind.LEGAL, reason=""):
    """Ask for a sign-off: from now on nobody can publish the article until it is given."""
    if user is not None and not user.has_perm(WRITE):
        raise PermissionDenied("You may not ask for a sign-off on this article.")
    with transaction.atomic():
        now = timezone.now()
        sign_off, created = SignOff.objects.select_for_update().get_or_create(
            article=article, kind=kind, defaults={"requested_by": user, "requested_at": now})
        if not created:
            if sign_off.given_at is None:
                raise ValidationError(f"A {sign_off.get_kind_display().lower()} sign-off is already asked for.")
            # Asked again after a change: the earlier sign-off no longer covers the article.
            sign_off.requested_by, sign_off.requested_at, sign_off.given_by, sign_off.given_at = user, now, None, None
            sign_off.save()
        ReviewEvent.objects.create(article=article, what=What.SIGN_OFF_REQUESTED, kind=kind, user=user,
                                   reason=" ".join(reason.split())[:500], created_at=now)
    return sign_off


def sign_off_give(*, article, user, kind=SignOff.Kind.LEGAL, reason=""):
    """Give a sign-off that was asked for; only those whose role it is may."""
    if user is not None and not user.has_perm(SIGN_OFF[kind]):
        raise PermissionDenied(f"Only {SignOff.Kind(kind).label} may give this sign-off.")
    with transaction.atomic():
        sign_off = SignOff.objects.select_for_update().filter(article=article, kind=kind,
                                                              given_at__isnull=True).first()
        if sign_off is None:
            raise ValidationError(f"No {SignOff.Kind(kind).label.lower()} sign-off is waiting on this article.")
        now = timezone.now()
        sign_off.given_by, sign_off.given_at = user, now
        sign_off.save()
        ReviewEvent.objects.create(article=article, what=What.SIGNED_OFF, kind=kind, user=user,
                                   reason=" ".join(reason.split())[:500], created_at=now)
    return sign_off


def workflow_act(*, article, action, user, reason=""):
    """One of the publish panel's review buttons: submit, approve, send_back, request_legal, sign_off_legal."""
    if action in MOVES:
        return review_move(article=article, move=action, user=user, reason=reason)
    if action == "request_legal":
        return sign_off_request(article=article, user=user, reason=reason)
    if action == "sign_off_legal":
        return sign_off_give(article=article, user=user, reason=reason)
    raise ValidationError("Unknown review action.")
