"""Publishing from the article list: publish now, schedule, unpublish; and the state editors see.

Each action asks for confirmation first and goes through
articles.history, so every change is a version and none ends in a
database error. They are offered only to those who may publish
(`has_publish_permission` on the article admin); the unit of work refuses
anyone else article by article all the same.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import ngettext

from articles.history.changes import content_change
from articles.history.services import EditConflict, article_publish, article_unpublish
from articles.models import Article

DRAFT, SCHEDULED, PUBLISHED, MERGED = "draft", "scheduled", "published", "merged"
STATES = {DRAFT: "Draft", SCHEDULED: "Scheduled", PUBLISHED: "Published", MERGED: "Merged"}


def publication_state(article):
    """Draft, scheduled (published with a date to come), published or merged: plain Python on loaded fields."""
    if article.status == Article.Status.PUBLISHED:
        return PUBLISHED if article.is_visible_to_readers() else SCHEDULED
    return MERGED if article.status == Article.Status.MERGED else DRAFT


class PublicationStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return list(STATES.items())

    def queryset(self, request, queryset):
        now = timezone.now()
        value = self.value()
        if value == SCHEDULED:
            return queryset.filter(status=Article.Status.PUBLISHED, published_at__gt=now)
        if value == PUBLISHED:
            return queryset.published()
        if value in (DRAFT, MERGED):
            return queryset.filter(status=value)
        return queryset


def _confirm(modeladmin, request, queryset, *, action, title, verb, ask_when=False):
    """Ask first; on the confirmed POST, apply `verb` to each article and count."""
    when = None
    error = None
    if request.POST.get("confirm") == "yes":
        if ask_when:
            raw = request.POST.get("when", "")
            when = parse_datetime(raw) if raw else None
            if when is not None and timezone.is_naive(when):
                when = timezone.make_aware(when)
            if when is None or when <= timezone.now():
                error = f"Choose a date and time in the future ({settings.TIME_ZONE})."
        if error is None:
            done, failed = 0, []
            # One unit of work for the whole list: each article a savepoint of its own, one notice for all.
            with content_change(user=request.user):
                for article in queryset:
                    try:
                        verb(article_id=article.pk, user=request.user, **({"when": when} if ask_when else {}))
                        done += 1
                    except ValidationError as problem:
                        failed.append(f"#{article.pk}: {'; '.join(problem.messages)}")
                    except PermissionDenied as refusal:
                        failed.append(f"#{article.pk}: {refusal}")
                    except EditConflict:
                        failed.append(f"#{article.pk}: someone saved it meanwhile; look at it again")
                    except Article.DoesNotExist:
                        failed.append(f"#{article.pk}: it was deleted meanwhile")
            modeladmin.message_user(request, ngettext(f"{title}: %d article.", f"{title}: %d articles.", done) % done,
                                    messages.SUCCESS)
            for line in failed:
                modeladmin.message_user(request, f"Not changed: {line}", messages.ERROR)
            return None
    context = {**modeladmin.admin_site.each_context(request), "opts": modeladmin.model._meta, "title": title,
               "articles": queryset, "action": action, "ask_when": ask_when, "error": error,
               "time_zone": settings.TIME_ZONE, "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)}
    return TemplateResponse(request, "admin/articles/article/publish_confirm.html", context)


@admin.action(description="Publish selected articles now", permissions=["change", "publish"])
def publish_now(modeladmin, request, queryset):
    return _confirm(modeladmin, request, queryset, action="publish_now", title="Published now", verb=article_publish)


@admin.action(description="Schedule selected articles…", permissions=["change", "publish"])
def schedule(modeladmin, request, queryset):
    return _confirm(modeladmin, request, queryset, action="schedule", title="Scheduled", verb=article_publish,
                    ask_when=True)


@admin.action(description="Unpublish selected articles (back to draft)", permissions=["change", "publish"])
def unpublish(modeladmin, request, queryset):
    return _confirm(modeladmin, request, queryset, action="unpublish", title="Unpublished", verb=article_unpublish)
