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

from django.core.paginator import Paginator
from django.middleware.csrf import get_token
from django.utils.html import format_html_join

from articles.core.comparison import paragraph_diff, word_diff
from articles.duplicates.merging import (
    MergeError, article_merge_undo, candidate_merge, candidates_dismiss, candidates_reopen, cluster_merge,
)
from articles.models import Article, ArticleMerge, DuplicateCandidate
from articles.duplicates.selectors import (
    duplicate_candidates, duplicate_stories, duplicate_story_keys, survivor_suggest,
)
from articles.editorial.images import image_preview
from articles.selectors import MAX_MERGE_HOPS, article_get_merge_survivor, with_images_and_tags

MERGE_PERMISSION = "articles.merge_duplicates"


def _pair_of_ints(value):
    """"12:3" as (12, 3); ValueError for anything else."""
    first, second = value.split(":")
    return _row_id(first), _row_id(second)


def _row_id(value):
    """A row id from a form; ValueError for anything a database column could not hold."""
    number = int(value)
    if not 0 <= number < 2**63:
        raise ValueError(value)
    return number


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
    list_select_related = ["article_a", "article_b", "image_a", "image_b", "tag_a", "tag_b", "author_a", "author_b"]
    search_fields = ["article_a__title", "article_b__title", "tag_a__name", "tag_b__name",
                     "image_a__caption", "image_b__caption", "author_a__name", "author_b__name"]
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
            path("stories/", wrap(self.stories_view), name="articles_duplicatecandidate_stories"),
            path("stories/<int:article_id>/", wrap(self.story_view), name="articles_duplicatecandidate_story"),
            path("stories/<int:article_id>/merge/", wrap(require_POST(self.story_merge_view)),
                 name="articles_duplicatecandidate_story_merge"),
            path("stories/<int:article_id>/dismiss/", wrap(require_POST(self.story_dismiss_view)),
                 name="articles_duplicatecandidate_story_dismiss"),
            path("undo/", wrap(require_POST(self.undo_view)), name="articles_duplicatecandidate_undo"),
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
        if candidate.status == DuplicateCandidate.Status.FOLDED and candidate.successor_id:
            successor = candidate
            for _ in range(MAX_MERGE_HOPS):
                if successor.successor_id is None:
                    break
                successor = successor.successor
            messages.info(request, f"Pair {candidate.pk} (#{candidate.pair_ids[0]} and #{candidate.pair_ids[1]}) "
                                   "was folded into this one when one of its articles was merged into another.")
            return HttpResponseRedirect(reverse("admin:articles_duplicatecandidate_compare", args=[successor.pk]))
        extra = {}
        if candidate.kind == DuplicateCandidate.Kind.ARTICLE:
            left, right = with_images_and_tags(Article.objects.filter(pk__in=candidate.pair_ids)).order_by("pk")
            headline_left, headline_right = word_diff(left.title, right.title)
            extra = {"left": left, "right": right, "rows": paragraph_diff(left.paragraphs, right.paragraphs),
                     "left_label": f"#{left.pk}", "right_label": f"#{right.pk}",
                     "headline_left": headline_left, "headline_right": headline_right}
        elif candidate.kind == DuplicateCandidate.Kind.IMAGE:
            left, right = candidate.pair
            extra = {"left": left, "right": right, "left_uses": left.articles.only("id", "title")[:20],
                     "right_uses": right.articles.only("id", "title")[:20],
                     "left_preview": image_preview(left, size="large"), "right_preview": image_preview(right, size="large")}
        elif candidate.kind == DuplicateCandidate.Kind.AUTHOR:
            left, right = candidate.pair
            extra = {"left": left, "right": right, "left_count": left.article_authors.count(),
                     "right_count": right.article_authors.count(),
                     "left_aliases": list(left.aliases.all()), "right_aliases": list(right.aliases.all())}
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
        messages.success(request, format_html("Merged #{} “<bdi>{}</bdi>” into #{} “<bdi>{}</bdi>”.", merged.pk, merged,
                                              survivor.pk, survivor))
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

    # --- stories: copies of one story decided together, one click each -------------

    def stories_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        page = Paginator(duplicate_stories(), 25).get_page(request.GET.get("page"))
        recent = ArticleMerge.objects.filter(undone_at__isnull=True).select_related("survivor", "merged", "user")[:10]
        return TemplateResponse(request, "admin/articles/duplicatecandidate/stories.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "title": "Duplicate stories",
            "page": page, "recent_merges": recent, "can_merge": self.has_merge_permission(request),
        })

    def _story(self, request, article_id):
        """The open story with this article; a merged article's address leads to its survivor's."""
        article = article_get_merge_survivor(
            article=get_object_or_404(Article.objects.only("id", "status", "merged_into"), pk=article_id))
        stories = duplicate_stories(containing=article.pk)
        return article, (stories[0] if stories else None)

    def _next_story(self, request, note=None):
        """The next undecided story, or the queue when none is left."""
        if note:
            messages.success(request, note)
        keys = duplicate_story_keys()
        if not keys:
            messages.info(request, "No undecided duplicate stories are left.")
            return HttpResponseRedirect(reverse("admin:articles_duplicatecandidate_stories"))
        return HttpResponseRedirect(reverse("admin:articles_duplicatecandidate_story", args=[keys[0]]))

    def story_view(self, request, article_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        article, story = self._story(request, article_id)
        if article.pk != article_id:
            messages.info(request, f"Article {article_id} was merged into article {article.pk}; this is where "
                                   "its copies are now.")
            return HttpResponseRedirect(reverse("admin:articles_duplicatecandidate_story", args=[article.pk]))
        if story is None:
            messages.info(request, f"Article {article_id} has no undecided copies.")
            return self._next_story(request)
        members = {member.pk: member for member in with_images_and_tags(
            Article.objects.filter(pk__in=[m.pk for m in story.members])).order_by("pk")}
        try:
            keep = members[int(request.GET.get("keep", story.survivor.pk))]
        except (KeyError, ValueError):
            keep = members[story.survivor.pk]
        pairs = {frozenset(pair.pair_ids): pair for pair in story.pairs}
        others = []
        for member in members.values():
            if member.pk == keep.pk:
                continue
            headline_keep, headline_other = word_diff(keep.title, member.title)
            own = set(keep.paragraphs)
            pair = pairs.get(frozenset((keep.pk, member.pk)))
            others.append({
                "article": member, "headline_keep": headline_keep, "headline_other": headline_other,
                "rows": paragraph_diff(keep.paragraphs, member.paragraphs),
                "left_label": f"Kept #{keep.pk}", "right_label": f"Copy #{member.pk}",
                "takeable": [(index, text) for index, text in enumerate(member.paragraphs) if text not in own],
                "signals": pair.reason if pair else "joined to this story through another copy",
                "new_photos": [placement.image for placement in member.placements
                               if placement.image_id not in {p.image_id for p in keep.placements}],
            })
        return TemplateResponse(request, "admin/articles/duplicatecandidate/story.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta,
            "title": f"Copies of one story: {keep.title}", "story": story, "keep": keep,
            "suggested": story.survivor, "because": story.because, "others": others,
            "can_merge": self.has_merge_permission(request), **self._queue_position(story),
        })

    def _queue_position(self, story):
        keys = duplicate_story_keys()
        position = keys.index(story.key) if story.key in keys else 0
        following = keys[position + 1:] + keys[:position]
        return {"remaining": len(keys), "position": position + 1, "next_key": following[0] if following else None}

    def _story_to_decide(self, request, article_id):
        if not self.has_merge_permission(request):
            raise PermissionDenied
        article, story = self._story(request, article_id)
        if story is None or article.pk != article_id:
            messages.error(request, "This story was decided meanwhile; nothing changed.")
            return None
        return story

    def story_merge_view(self, request, article_id):
        story = self._story_to_decide(request, article_id)
        if story is None:
            return self._next_story(request)
        ids = {member.pk for member in story.members}
        try:
            survivor_id = _row_id(request.POST.get("survivor", ""))
            merged_ids = [_row_id(value) for value in request.POST.getlist("merge")]
            taken = [_pair_of_ints(value) for value in request.POST.getlist("take")]
            photos_taken = [_pair_of_ints(value) for value in request.POST.getlist("photo")]
        except ValueError:
            survivor_id, merged_ids, taken, photos_taken = None, [], [], []
        if survivor_id not in ids or not set(merged_ids) <= ids:
            messages.error(request, "Choose the article to keep and the copies to merge into it.")
            return HttpResponseRedirect(reverse("admin:articles_duplicatecandidate_story", args=[article_id]))
        paragraphs, photos = {}, {}
        for member_id, index in taken:
            paragraphs.setdefault(member_id, []).append(index)
        for member_id, image_id in photos_taken:
            photos.setdefault(member_id, []).append(image_id)
        try:
            merges = cluster_merge(survivor_id=survivor_id, merged_ids=merged_ids, user=request.user,
                                   reason=request.POST.get("reason", "").strip()[:500], paragraphs=paragraphs,
                                   photos=photos)
        except MergeError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(reverse("admin:articles_duplicatecandidate_story", args=[article_id]))
        return self._next_story(request, note=self._merged_note(request, merges))

    def _merged_note(self, request, merges):
        """“Merged #3 “…” into #1 “…”.” with an Undo button: the confirmation, after the fact."""
        survivor = merges[0].survivor
        names = format_html_join(", ", "#{} “{}”", ((m.merged.pk, m.merged) for m in merges))
        hidden = format_html_join("", '<input type="hidden" name="merge" value="{}">', ((m.pk,) for m in merges))
        return format_html(
            'Merged {} into #{} “{}”. <form method="post" action="{}" class="dup-undo">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">{}'
            '<button type="submit" data-key="u">Undo (u)</button></form>',
            names, survivor.pk, survivor, reverse("admin:articles_duplicatecandidate_undo"), get_token(request),
            hidden,
        )

    def story_dismiss_view(self, request, article_id):
        story = self._story_to_decide(request, article_id)
        if story is None:
            return self._next_story(request)
        candidates_dismiss(candidates=story.pairs, user=request.user)
        names = format_html_join(", ", "#{} “{}”", ((m.pk, m) for m in story.members))
        hidden = format_html_join("", '<input type="hidden" name="pair" value="{}">', ((p.pk,) for p in story.pairs))
        note = format_html(
            'Marked {} as not duplicates. <form method="post" action="{}" class="dup-undo">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">{}'
            '<button type="submit" data-key="u">Undo (u)</button></form>',
            names, reverse("admin:articles_duplicatecandidate_undo"), get_token(request), hidden,
        )
        return self._next_story(request, note=note)

    def undo_view(self, request):
        if not self.has_merge_permission(request):
            raise PermissionDenied
        back = None
        try:
            merge_ids = [_row_id(value) for value in request.POST.getlist("merge")]
            pair_ids = [_row_id(value) for value in request.POST.getlist("pair")]
        except ValueError:
            merge_ids, pair_ids = [], []
        for merge_id in sorted(merge_ids, reverse=True):
            try:
                merged = article_merge_undo(merge_id=merge_id, user=request.user)
            except MergeError as error:
                messages.error(request, str(error))
                continue
            back = back or merged.pk
            messages.success(request, format_html("Undone: #{} “{}” is back as it was.", merged.pk, merged))
        if pair_ids:
            reopened = candidates_reopen(candidates=DuplicateCandidate.objects.filter(pk__in=pair_ids))
            messages.success(request, ngettext("%d pair is back in the queue.", "%d pairs are back in the queue.",
                                               reopened) % reopened)
            first = DuplicateCandidate.objects.filter(pk__in=pair_ids).first()
            back = back or (first and first.pair_ids[0])
        if back is None:
            return HttpResponseRedirect(reverse("admin:articles_duplicatecandidate_stories"))
        return HttpResponseRedirect(reverse("admin:articles_duplicatecandidate_story", args=[back]))

    # --- bulk actions -----------------------------------------------------------

    @admin.action(description="Merge selected pairs (keep the one an editor would keep)", permissions=["merge"])
    def merge_selected(self, request, queryset):
        queryset = queryset.filter(status=DuplicateCandidate.Status.OPEN)
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(request, "admin/articles/duplicatecandidate/bulk_confirm.html", {
                **self.admin_site.each_context(request), "opts": self.model._meta,
                "title": "Merge the selected pairs?", "candidates": list(queryset), "action": "merge_selected",
                "explanation": "In each pair the published article is kept, else the newer, else the longer "
                               "(for photos and tags, the older; for authors, the fuller name), and the other is merged "
                               "into it.",
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

