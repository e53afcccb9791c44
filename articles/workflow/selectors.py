"""What the publish panel, History and the desk read of review: states, sign-offs, moves, what waits for whom."""

from articles.workflow.models import ArticleReview, ReviewEvent, SignOff
from articles.workflow.rules import PUBLISH, REVIEW, SIGN_OFF, review_state


def review_panel(*, article, user):
    """The publish panel's review part: the state, the sign-offs, and which buttons this user gets."""
    state = review_state(article=article)
    review = ArticleReview.objects.filter(article_id=article.pk).select_related("changed_by").first()
    sign_offs = list(SignOff.objects.filter(article_id=article.pk).select_related("requested_by", "given_by"))
    may_write, may_review = user.has_perm("articles.change_article"), user.has_perm(REVIEW)
    legal_waiting = any(s.kind == SignOff.Kind.LEGAL and s.given_at is None for s in sign_offs)
    return {
        "state": ArticleReview.State(state).label,
        "review": review,
        "sign_offs": sign_offs,
        "may_publish": user.has_perm(PUBLISH),
        "may_submit": may_write and state == ArticleReview.State.DRAFT,
        "may_approve": may_review and state != ArticleReview.State.APPROVED,
        "may_send_back": may_review and state != ArticleReview.State.DRAFT,
        "may_request_legal": may_write and not legal_waiting,
        "may_sign_off_legal": legal_waiting and user.has_perm(SIGN_OFF[SignOff.Kind.LEGAL]),
    }


def review_events_list(*, article_id):
    """Every review move and sign-off of an article, newest first, with who made it."""
    return list(ReviewEvent.objects.filter(article_id=article_id).select_related("user")
                .order_by("-created_at", "-id"))


def articles_in_review(queryset):
    """Of `queryset` (articles), those submitted and not yet approved or sent back."""
    return queryset.filter(review__state=ArticleReview.State.IN_REVIEW)


def articles_awaiting_sign_off(queryset, *, kind=SignOff.Kind.LEGAL):
    """Of `queryset`, articles with a `kind` sign-off asked for and not given."""
    return queryset.filter(sign_offs__kind=kind, sign_offs__given_at__isnull=True)


def articles_sent_back_to(queryset, *, user):
    """Of `queryset`, articles `user` submitted that an editor sent back to them."""
    return queryset.filter(review__state=ArticleReview.State.DRAFT, review__submitted_by=user).exclude(
        review__reason="")


def may_sign_off(user, kind=SignOff.Kind.LEGAL):
    return user.has_perm(SIGN_OFF[kind])


def may_review(user):
    return user.has_perm(REVIEW)
