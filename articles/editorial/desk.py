"""The desk: the admin's start page, what needs an editor now, each with one click to act.

Django's list of every admin section stays one link away (`sections_view`).
Each part of the desk is shown only to users who may view what it lists.
"""

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils import timezone

from articles.editorial import desk_selectors as desk
from articles.workflow.selectors import may_review, may_sign_off

# Which permission each part of the desk needs.
PARTS = {
    "articles": "articles.view_article",
    "imports": "articles.view_importrun",
    "duplicates": "articles.view_duplicatecandidate",
}


def desk_view(request):
    user = request.user
    may = {part: user.has_perm(permission) for part, permission in PARTS.items()}
    now = timezone.now()
    context = {
        **admin.site.each_context(request),
        "title": admin.site.index_title,
        "now": now,
        "may": may,
        "can_write": user.has_perm("articles.add_article"),
        "count_limit": desk.COUNT_LIMIT,
        "window_hours": desk.WINDOW_HOURS,
    }
    if may["articles"]:
        context.update(
            waiting=desk.articles_waiting_list(),
            scheduled=desk.articles_scheduled_list(now=now),
            published=desk.articles_published_recently_list(now=now),
            edits=desk.article_edits_recent_list(user=user),
            waiting_for_me=desk.articles_waiting_for_list(user=user, may_sign_off=may_sign_off(user),
                                                          may_review=may_review(user)),
            mentions=desk.mentions_for_you(user=user),
            # The article list narrowed to what the desk counts: its state filter and its date filter.
            scheduled_query=urlencode({"state": "scheduled", "published_at__lte": (
                now + timedelta(hours=desk.WINDOW_HOURS)).isoformat()}),
            published_query=urlencode({"state": "published", "published_at__gt": (
                now - timedelta(hours=desk.WINDOW_HOURS)).isoformat()}),
        )
    if may["imports"]:
        context["import_runs"], context["import_trouble"] = desk.import_runs_recent_list()
    if may["duplicates"]:
        context["duplicates"] = desk.duplicate_queue_summarise()
    request.current_app = admin.site.name
    return TemplateResponse(request, "admin/desk.html", context)


def sections_view(request):
    """Django's own admin index: every section this user may open, and their recent actions."""
    return admin.site.index(request, extra_context={"title": "All sections"})
