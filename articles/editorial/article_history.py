"""The article's history in the admin: versions, compare, restore, recover, and edit conflicts.

The admin shows and confirms; articles.history does the work.
"""

import dataclasses

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from articles.core.comparison import MergeRegion, merged_paragraphs, paragraph_diff
from articles.editorial.presence import presence_mark, presence_others
from articles.history.services import (
    EditConflict,
    article_apply,
    article_recover,
    article_restore,
    articles_deleted,
)
from articles.history.snapshots import LABELS, describe_changes
from articles.models import Article, ArticleMerge, ArticleVersion, body_from_paragraphs, paragraphs_from_body

REAPPLY_SALT = "newsroom.article.reapply"


def _numbered_clashes(regions):
    """The body's merge regions for the conflict page, each clash numbered for its choice."""
    rows, clash = [], 0
    for region in regions:
        rows.append({"region": region, "number": clash if region.clash else None})
        clash += region.clash
    return rows


def headline(title):
    """A headline inside a sentence, isolated so right-to-left text cannot reorder the sentence."""
    return format_html("“<bdi>{}</bdi>”", title)


def version_rows(article_id):
    """The versions newest first, each with what changed since the one before it."""
    versions = list(ArticleVersion.objects.filter(article_id=article_id).select_related("user")
                    .order_by("created_at", "id"))
    rows, previous = [], None
    for version in versions:
        changes = describe_changes(previous.snapshot, version.snapshot) if previous else []
        rows.append({"version": version, "changes": changes})
        previous = version
    return rows[::-1]


class ArticleHistoryMixin:
    """Adds history, compare, restore, recover and conflict handling to the article admin."""

    def history_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/history/compare/", view(self.compare_view), name="articles_article_compare"),
            path("<int:pk>/history/restore/", view(require_POST(self.restore_view)), name="articles_article_restore"),
            path("<int:pk>/reapply/", view(require_POST(self.reapply_view)), name="articles_article_reapply"),
            path("<int:pk>/presence/", view(require_POST(self.presence_view)), name="articles_article_presence"),
            path("deleted/", view(self.deleted_view), name="articles_article_deleted"),
            path("deleted/<int:article_id>/recover/", view(require_POST(self.recover_view)),
                 name="articles_article_recover"),
        ]

    def _article_for(self, request, pk, *, change=False):
        if not str(pk).isdigit():
            raise Http404("No such article")
        article = get_object_or_404(Article, pk=pk)
        allowed = self.has_change_permission(request, article) if change else self.has_view_permission(request, article)
        if not allowed:
            raise PermissionDenied
        return article

    def _context(self, request, article, title, **extra):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "original": article,
                "title": title, "has_change_permission": self.has_change_permission(request, article), **extra}

    # -- history, compare, restore ---------------------------------------------------

    def history_view(self, request, object_id, extra_context=None):
        article = self._article_for(request, object_id)
        # Merges into this article (or of it) that can still be undone, from its history.
        merges = ArticleMerge.objects.filter(Q(survivor=article) | Q(merged=article), undone_at__isnull=True) \
            .select_related("survivor", "merged")
        context = self._context(request, article, f"History: {article.title}", rows=version_rows(article.pk),
                                merges=merges, can_undo_merges=request.user.has_perm("articles.merge_duplicates"))
        return TemplateResponse(request, "admin/articles/article/history.html", context)

    def compare_view(self, request, pk):
        article = self._article_for(request, pk)
        ids = [request.GET.get("a", ""), request.GET.get("b", "")]
        if not all(i.isdigit() for i in ids):
            raise Http404("Choose two versions to compare")
        found = {v.pk: v for v in ArticleVersion.objects.filter(article_id=article.pk, pk__in=[int(i) for i in ids])}
        if len(found) != len(set(ids)):
            raise Http404("No such version")
        older, newer = sorted((found[int(i)] for i in ids), key=lambda v: (v.created_at, v.pk))
        rows = paragraph_diff(paragraphs_from_body(older.snapshot.get("body") or ""),
                              paragraphs_from_body(newer.snapshot.get("body") or ""))
        context = self._context(request, article, f"Compare versions: {article.title}", older=older, newer=newer,
                                rows=rows, changes=describe_changes(older.snapshot, newer.snapshot),
                                left_label=f"Version {older.number}", right_label=f"Version {newer.number}")
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

    def restore_view(self, request, pk):
        article = self._article_for(request, pk, change=True)
        version_id, expected = request.POST.get("version", ""), request.POST.get("expected_version", "")
        if not version_id.isdigit():
            raise Http404("No such version")
        version = get_object_or_404(ArticleVersion, article_id=article.pk, pk=version_id)
        if not expected.isdigit():
            raise Http404("The form does not say which version the article was at")
        try:
            article_restore(version=version, expected_version=int(expected), user=request.user)
        except EditConflict:
            self.message_user(request, "Someone saved the article while you were looking at its history; nothing "
                              "was restored. Look again, then restore.", messages.ERROR)
        except ValidationError as error:
            self.message_user(request, f"Version {version.number} cannot be restored: {'; '.join(error.messages)}",
                              messages.ERROR)
        else:
            self.message_user(request, format_html("Restored version {} of {}.", version.number,
                                                   headline(article.title)), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:articles_article_history", args=[article.pk]))

    # -- deleted articles ------------------------------------------------------------

    def deleted_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": "Recover deleted articles", "deleted": articles_deleted()}
        return TemplateResponse(request, "admin/articles/article/deleted.html", context)

    def recover_view(self, request, article_id):
        if not self.has_add_permission(request):
            raise PermissionDenied
        try:
            article = article_recover(article_id=article_id, user=request.user)
        except (ValueError, ValidationError) as error:
            message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            self.message_user(request, f"Article {article_id} cannot be recovered: {message}", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:articles_article_deleted"))
        self.message_user(request, format_html("Recovered {} as it was last saved.", headline(article.title)),
                          messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    # -- conflicts -------------------------------------------------------------------

    def conflict_response(self, request, conflict, *, error=None):
        """The page an editor sees when someone else saved first: nothing typed is lost."""
        article = conflict.current
        parts = []
        for part in conflict.mine_changed:
            parts.append({"label": LABELS[part], "name": part, "overlap": part in conflict.overlap,
                          "theirs": _shown(conflict.theirs.get(part)), "mine": _shown(conflict.mine.get(part))})
        body_rows = None
        if "body" in conflict.mine_changed and conflict.body_regions is None:
            body_rows = paragraph_diff(paragraphs_from_body(conflict.theirs.get("body") or ""),
                                       paragraphs_from_body(conflict.mine.get("body") or ""))
        regions = [dataclasses.asdict(region) for region in conflict.body_regions or ()]
        token = signing.dumps({"article": article.pk, "mine": conflict.mine, "parts": conflict.mine_changed,
                               "expected": article.version, "regions": regions}, salt=REAPPLY_SALT, compress=True)
        context = self._context(
            request, article, f"Someone else saved this article: {article.title}",
            conflict=conflict, between=conflict.versions_between, parts=parts, body_rows=body_rows,
            body_regions=_numbered_clashes(conflict.body_regions or ()),
            their_changes=describe_changes(conflict.base, conflict.theirs) if conflict.base else None,
            token=token, error=error,
        )
        return TemplateResponse(request, "admin/articles/article/conflict.html", context, status=409)

    def reapply_view(self, request, pk):
        """Apply the editor's changes over the other save, after seeing what they overwrite.

        When both changed the body, only the paragraphs both changed are
        settled by the editor's choice (theirs or mine, each shown on the
        conflict page); their other paragraph changes are kept.
        """
        self._article_for(request, pk, change=True)
        try:
            data = signing.loads(request.POST.get("token", ""), salt=REAPPLY_SALT, max_age=60 * 60 * 24)
        except signing.BadSignature:
            raise PermissionDenied("This form has expired or was altered; open the article again.")
        if data["article"] != pk:
            raise PermissionDenied
        mine = dict(data["mine"])
        regions = [MergeRegion(**{name: tuple(value) if isinstance(value, list) else value
                                  for name, value in region.items()}) for region in data.get("regions") or ()]
        if regions:
            clashes = sum(region.clash for region in regions)
            choices = [request.POST.get(f"clash-{n}", "mine") for n in range(clashes)]
            mine["body"] = body_from_paragraphs(merged_paragraphs(regions, choices=choices))
        try:
            article = article_apply(article_id=pk, expected_version=data["expected"], snapshot=mine,
                                    parts=data["parts"], user=request.user,
                                    reason="Applied over another editor's save, after comparing.")
        except EditConflict as conflict:
            return self.conflict_response(request, conflict)
        except ValidationError as error:
            article = Article.objects.get(pk=pk)
            conflict = EditConflict(article_id=pk, base_version=data["expected"], current=article,
                                    theirs={}, base=None, mine=data["mine"], mine_changed=data["parts"])
            return self.conflict_response(request, conflict, error="; ".join(error.messages))
        self.message_user(request, format_html("Your changes to {} were saved over the other version.",
                                               headline(article.title)), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[pk]))

    # -- presence --------------------------------------------------------------------

    def presence_view(self, request, pk):
        # "Also open by": only someone who may change the article is editing it.
        article = self._article_for(request, pk, change=True)
        presence_mark(article_id=article.pk, user=request.user)
        return JsonResponse({"message": presence_message(article_id=article.pk, user=request.user)})


def presence_message(*, article_id, user):
    others = presence_others(article_id=article_id, user=user)
    if not others:
        return ""
    return "Also open by " + ", ".join(f"{name}, since {timezone.localtime(since):%H:%M}" for name, since in others) + \
        ". Whoever saves second will be shown both versions."


def _shown(value):
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "–"
    return "" if value is None else str(value)
