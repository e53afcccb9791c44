"""The duplicates review queue: compare, merge or dismiss, singly or in bulk.

The admin only shows and confirms; articles.duplicates.merging does the work. Every
view that changes state checks the merge permission itself (admin_view only
checks staff status) and acts only on a POST that follows a confirmation page.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from articles.core.comparison import paragraph_diff
from articles.duplicates.merging import MergeError, candidate_merge, candidates_dismiss
from articles.models import Article, DuplicateCandidate
from articles.duplicates.selectors import duplicate_candidates, survivor_suggest
from articles.selectors import with_images_and_tags

MERGE_PERMISSION = "articles.merge_duplicates"


class StatusFilter(admin.SimpleListFilter):
    """Open pairs unless the editor asks for others: the queue is what needs deciding."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*DuplicateCandidate.Status.choices, ("all", "All")]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or DuplicateCandidate.Status.OPEN) == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or DuplicateCandidate.Status.OPEN
        return queryset if value == "all" else queryset.filter(status=value)


class ScoreFilter(admin.SimpleListFilter):
    title = "score"
    parameter_name = "score"
    RANGES = {"high": (0.9, 1.01), "medium": (0.6, 0.9), "low": (0, 0.6)}

    def lookups(self, request, model_admin):
        return [("high", "0.9 and above"), ("medium", "0.6 to 0.9"), ("low", "below 0.6")]

    def queryset(self, request, queryset):
        if self.value() in self.RANGES:
            low, high = self.RANGES[self.value()]
            return queryset.filter(score__gte=low, score__lt=high)
        return queryset


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(admin.ModelAdmin):
    list_display = ["compare_link", "kind", "first", "second", "score_display", "status", "reason", "created_at"]
    list_filter = [StatusFilter, "kind", ScoreFilter]
    list_select_related = ["article_a", "article_b", "image_a", "image_b", "tag_a", "tag_b"]
    search_fields = ["article_a__title", "article_b__title", "tag_a__name", "tag_b__name",
                     "image_a__caption", "image_b__caption"]
    ordering = ["-score", "id"]
    actions = ["merge_selected", "dismiss_selected"]
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # decided through the compare page, never edited as a form

    def has_merge_permission(self, request):
        return request.user.has_perm(MERGE_PERMISSION)

    @admin.display(description="")
    def compare_link(self, obj):
        return format_html('<a href="{}">Compare</a>', reverse("admin:articles_duplicatecandidate_compare",
                                                               args=[obj.pk]))

    @admin.display(description="First")
    def first(self, obj):
        return str(obj.pair[0])

    @admin.display(description="Second")
    def second(self, obj):
        return str(obj.pair[1])

    @admin.display(description="Score", ordering="score")
    def score_display(self, obj):
        return f"{obj.score:.2f}"

    # --- custom views ---------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/compare/", wrap(self.compare_view), name="articles_duplicatecandidate_compare"),
            path("<int:pk>/merge/", wrap(require_POST(self.merge_view)), name="articles_duplicatecandidate_merge"),
            path("<int:pk>/dismiss/", wrap(require_POST(self.dismiss_view)),
                 name="articles_duplicatecandidate_dismiss"),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:articles_duplicatecandidate_compare", args=[object_id]))

    def _candidate(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(duplicate_candidates(), pk=pk)

    def _candidate_to_decide(self, request, pk):
        """The candidate, for a user allowed to merge or dismiss it."""
        if not self.has_merge_permission(request):
            raise PermissionDenied
        return self._candidate(request, pk)

    def _context(self, request, candidate, **extra):
        suggested, why = survivor_suggest(candidate)
        return {
            "suggested_survivor": suggested,
            "suggested_because": why,
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "candidate": candidate,
            "can_merge": self.has_merge_permission(request),
            "title": f"Possible duplicate {candidate.get_kind_display().lower()}s",
            **extra,
        }

    def compare_view(self, request, pk):
        candidate = self._candidate(request, pk)
        extra = {}
        if candidate.kind == DuplicateCandidate.Kind.ARTICLE:
            left, right = with_images_and_tags(Article.objects.filter(pk__in=candidate.pair_ids)).order_by("pk")
            extra = {"left": left, "right": right, "rows": paragraph_diff(left.paragraphs, right.paragraphs),
                     "left_label": f"#{left.pk}", "right_label": f"#{right.pk}"}
        elif candidate.kind == DuplicateCandidate.Kind.IMAGE:
            left, right = candidate.pair
            extra = {"left": left, "right": right, "left_uses": left.articles.only("id", "title")[:20],
                     "right_uses": right.articles.only("id", "title")[:20]}
        else:
            left, right = candidate.pair
            extra = {"left": left, "right": right, "left_count": left.tagged_articles.count(),
                     "right_count": right.tagged_articles.count()}
        return TemplateResponse(request, "admin/articles/duplicatecandidate/compare.html",
                                self._context(request, candidate, **extra))

    def merge_view(self, request, pk):
        """POST survivor (+ reason): show the confirmation; POST with confirm: merge."""
        candidate = self._candidate_to_decide(request, pk)
        try:
            survivor_id = int(request.POST.get("survivor", ""))
        except ValueError:
            survivor_id = None
        if survivor_id not in candidate.pair_ids:
            messages.error(request, "Choose which of the two to keep.")
            return HttpResponseRedirect(reverse("admin:articles_duplicatecandidate_compare", args=[pk]))
        survivor, merged = candidate.pair if survivor_id == candidate.pair_ids[0] else reversed(candidate.pair)
        reason = request.POST.get("reason", "").strip()[:500]
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(request, "admin/articles/duplicatecandidate/merge_confirm.html",
                                    self._context(request, candidate, survivor=survivor, merged=merged,
                                                  reason=reason))
        try:
            candidate_merge(candidate=candidate, survivor_id=survivor_id, user=request.user, reason=reason)
        except MergeError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(reverse("admin:articles_duplicatecandidate_changelist"))
        # Article and tag names come isolated (<bdi>): right-to-left text cannot reorder the sentence.
        messages.success(request, format_html("Merged #{} “{}” into #{} “{}”.", merged.pk, merged, survivor.pk,
                                              survivor))
        return HttpResponseRedirect(reverse("admin:articles_duplicatecandidate_changelist"))

    def dismiss_view(self, request, pk):
        candidate = self._candidate_to_decide(request, pk)
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(request, "admin/articles/duplicatecandidate/dismiss_confirm.html",
                                    self._context(request, candidate, candidates=[candidate]))
        if not candidates_dismiss(candidates=[candidate], user=request.user):
            messages.error(request, "This pair was merged already, so it cannot be marked as not duplicates; "
                                    "nothing changed.")
        else:
            messages.success(request, "Marked as not duplicates; this pair will not be proposed again.")
        return HttpResponseRedirect(reverse("admin:articles_duplicatecandidate_changelist"))

    # --- bulk actions -----------------------------------------------------------

    @admin.action(description="Merge selected pairs (keep the one an editor would keep)", permissions=["merge"])
    def merge_selected(self, request, queryset):
        queryset = queryset.filter(status=DuplicateCandidate.Status.OPEN)
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(request, "admin/articles/duplicatecandidate/bulk_confirm.html", {
                **self.admin_site.each_context(request), "opts": self.model._meta,
                "title": "Merge the selected pairs?", "candidates": list(queryset), "action": "merge_selected",
                "explanation": "In each pair the published article is kept, else the newer, else the longer "
                               "(for photos and tags, the older), and the other is merged into it.",
            })
        merged, failed = 0, []
        for candidate in queryset:
            try:
                survivor_id, why = survivor_suggest(candidate)
                candidate_merge(candidate=candidate, survivor_id=survivor_id, user=request.user,
                                reason=f"bulk merge, keeping {why}")
                merged += 1
            except MergeError as error:
                failed.append(str(error))
        self.message_user(request, ngettext("Merged %d pair.", "Merged %d pairs.", merged) % merged,
                          messages.SUCCESS)
        for error in failed:
            self.message_user(request, error, messages.WARNING)
        return None

    @admin.action(description="Mark selected pairs as not duplicates", permissions=["merge"])
    def dismiss_selected(self, request, queryset):
        queryset = queryset.exclude(status=DuplicateCandidate.Status.MERGED)
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(request, "admin/articles/duplicatecandidate/bulk_confirm.html", {
                **self.admin_site.each_context(request), "opts": self.model._meta,
                "title": "Mark the selected pairs as not duplicates?", "candidates": list(queryset),
                "action": "dismiss_selected",
                "explanation": "They will not be proposed again, even after a rescan.",
            })
        count = candidates_dismiss(candidates=list(queryset), user=request.user)
        self.message_user(request, ngettext("Dismissed %d pair.", "Dismissed %d pairs.", count) % count,
                          messages.SUCCESS)
        return None

