"""Reads of notes and mentions, for the article's notes panel and the desk."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q

from articles.notes.models import Mention, Note

# Either lets a user open an article in the admin.
ARTICLE_READ_PERMISSIONS = ("view_article", "change_article")


def notes_for_article(*, article_id):
    """(open notes, resolved notes) of an article, oldest first, with who wrote and resolved them."""
    notes = list(Note.objects.filter(article_id=article_id).select_related("author", "resolved_by"))
    return [n for n in notes if not n.is_resolved()], [n for n in notes if n.is_resolved()]


def users_mentionable(*, usernames):
    """The users among `usernames` a note may mention: active staff who may read articles."""
    if not usernames:
        return get_user_model().objects.none()
    permissions = Permission.objects.filter(content_type__app_label="articles", content_type__model="article",
                                            codename__in=ARTICLE_READ_PERMISSIONS)
    may_read = Q(is_superuser=True) | Q(user_permissions__in=permissions) | Q(groups__permissions__in=permissions)
    allowed = get_user_model().objects.filter(may_read, is_active=True, is_staff=True).values("pk")
    return get_user_model().objects.filter(username__in=usernames, pk__in=allowed)


def mentions_unseen(*, user):
    """`user`'s mentions not opened yet, newest first, with their note, its author and article's headline.

    A mention whose article was deleted is left out until the article is recovered: the
    condition on the headline joins the article (an id test alone would not), counts included.
    """
    return (Mention.objects.filter(user=user, seen_at__isnull=True, note__article__title__isnull=False)
            .select_related("note__author", "note__article").only(
                "note__text", "note__paragraph", "note__created_at", "note__author__username",
                "note__author__first_name", "note__author__last_name", "note__article__title", "user_id", "seen_at")
            .order_by("-id"))
