"""The editors' admin for articles: the form, its inlines and filters, saving, and the preview.

Saving goes through the version number (articles.history): a save made
from an older version than the stored one never overwrites it. When the
two changed different things, ours goes on top of theirs and the editor
is told; when they changed the same thing, the conflict page shows both.
"""

import dataclasses

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join

from articles.duplicates.selectors import duplicate_candidates
from articles.editorial.article_form import (
    PUBLISH, SCHEDULE, UNPUBLISH, ArticleForm, LabelledInlineFormSet, publishing_action, snapshot_from_submission,
    tag_suggestions,
)
from articles.editorial.article_history import ArticleHistoryMixin, headline, presence_message
from articles.editorial.images import image_preview, metadata_widget_attrs
from articles.editorial.presence import presence_leave, presence_mark
from articles.editorial.tags import apply_vocabulary
from articles.editorial.publishing import (
    DRAFT, MERGED, PUBLISHED, SCHEDULED, STATES, PublicationStateFilter, publication_state, publish_now, schedule,
    unpublish,
)
from media.models import Image
from articles.history.changes import content_change
from articles.history.services import EditConflict, article_delete, conflict_inspect
from articles.history.snapshots import FIELDS, LABELS
from articles.models import Article, ArticleImage, ArticleVersion, DuplicateCandidate, Tag, TaggedArticle
from articles.notes.admin import NotesAdminMixin
from articles.people.admin import ArticleAuthorInline
from articles.reader.views import article_page_context
from articles.selectors import article_get_for_preview, article_get_redirect_target
from articles.workflow.models import ArticleReview
from articles.workflow.rules import PUBLISH as PUBLISH_PERMISSION
from articles.workflow.selectors import review_events_list, review_panel
from articles.workflow.services import review_start, workflow_act


class PhotoPlacementForm(forms.ModelForm):
    """A photo row of the article form: a stored image, or a new upload with its caption and credit."""

    upload = forms.FileField(required=False, max_length=None, label="or upload a photo")
    new_caption = forms.CharField(required=False, label="caption")
    new_credit = forms.CharField(required=False, max_length=255, label="credit")

    class Meta:
        model = ArticleImage
        fields = ["position", "image"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["image"].required = False
        self.fields["upload"].widget.attrs.update(
            metadata_widget_attrs({"caption": "new_caption", "credit": "new_credit"}))
        self.new_photo = None

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload:
            photo = Image(file=upload, caption=cleaned.get("new_caption", ""), credit=cleaned.get("new_credit", ""))
            try:
                photo.full_clean(exclude=["caption_key"])
            except ValidationError as error:
                for message in error.messages:
                    self.add_error("upload", message)
            else:
                self.new_photo = photo
        elif not cleaned.get("image") and self.has_changed() and not cleaned.get("DELETE"):
            self.add_error("image", "Choose a stored photo or upload one.")
        return cleaned

    def save(self, commit=True):
        if self.new_photo is not None:
            self.new_photo.save()
            self.instance.image = self.new_photo
        return super().save(commit)


class ArticleImageInline(admin.StackedInline):
    """Photos in order: pick a stored one or upload a new one here; the position numbers set the order.

    Each photo is a block whose fields wrap, not a table row: seven columns
    do not fit beside the publish panel at 1366 px, nor on a tablet.
    """

    model = ArticleImage
    form = PhotoPlacementForm
    formset = LabelledInlineFormSet
    extra = 1
    fields = ["preview", ("image", "position"), ("upload", "new_caption", "new_credit")]
    readonly_fields = ["preview"]
    autocomplete_fields = ["image"]
    ordering = ["position", "id"]

    @admin.display(description="Preview")
    def preview(self, obj):
        if not obj.image_id:
            return "–"
        link = "" if obj.image.file else format_html(
            ' <a href="{}">Attach its file</a>', reverse("admin:media_image_change", args=[obj.image_id]))
        return format_html("{}{}", image_preview(obj.image, size="small"), link)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("image")


class AuthorsFormSet(LabelledInlineFormSet):
    """The article's authors; a form sent without them (opened before they were on it) leaves them as they are."""

    def __init__(self, data=None, *args, **kwargs):
        prefix = kwargs.get("prefix") or self.get_default_prefix()
        if data is not None and f"{prefix}-TOTAL_FORMS" not in data:
            data = data.copy()
            data[f"{prefix}-TOTAL_FORMS"] = data[f"{prefix}-INITIAL_FORMS"] = "0"
        super().__init__(data, *args, **kwargs)


class AuthorsInline(ArticleAuthorInline):
    formset = AuthorsFormSet


class TagListFilter(admin.SimpleListFilter):
    title = "tag"
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        # The most used tags: a list of every tag would be unreadable.
        tags = Tag.objects.annotate(n=Count("tagged_articles")).order_by("-n", "name")[:30]
        return [(tag.slug, tag.name) for tag in tags]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(tags__slug=self.value())
        return queryset


class SourceListFilter(admin.SimpleListFilter):
    title = "source"
    parameter_name = "source"

    def lookups(self, request, model_admin):
        sources = Article.objects.exclude(source="").values_list("source", flat=True).distinct().order_by("source")
        return [(source, source) for source in sources[:50]]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(source=self.value())
        return queryset


class ReviewStateFilter(admin.SimpleListFilter):
    """Draft, in review or approved; articles never reviewed (the archive, imports) count as approved."""

    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return ArticleReview.State.choices

    def queryset(self, request, queryset):
        value = self.value()
        if value == ArticleReview.State.APPROVED:
            return queryset.filter(Q(review__isnull=True) | Q(review__state=value))
        if value in ArticleReview.State.values:
            return queryset.filter(review__state=value)
        return queryset


def preview_note(article):
    """What the preview banner says about who can see the article."""
    state = publication_state(article)
    embargoed = article.embargo_until and article.embargo_until > timezone.now()
    if state == PUBLISHED:
        return "Preview: this article is published."
    if state == DRAFT:
        if embargoed:
            return (f"Preview of a draft under embargo until {_when(article.embargo_until)}: readers cannot see it, "
                    "and nobody can publish it before then.")
        return "Preview of a draft: readers cannot see this article."
    if state == MERGED:
        target = article_get_redirect_target(slug=article.slug)
        if target is None:
            return "Preview of a merged article: what it was merged into is not published, so readers get “not found”."
        return f"Preview of a merged article: readers are sent to “{target.title}”."
    # Published, but its date has not come.
    when = formats.date_format(timezone.localtime(article.published_at), "DATETIME_FORMAT")
    return f"Preview of a scheduled article: readers will see it from {when}."


def _when(moment):
    """A date and time as editors say it: "5 December at 09:00", the year only when it is not this one."""
    local = timezone.localtime(moment)
    day = formats.date_format(local, "j F" if local.year == timezone.localtime().year else "j F Y")
    return f"{day} at {formats.time_format(local, 'H:i')}"


def saved_message(article, action):
    """What an editor's save did, in words: "Published “X” at 13:32", not "changed successfully"."""
    title = headline(article.title)
    if action == PUBLISH:
        return format_html("Published {} at {}.", title, formats.time_format(
            timezone.localtime(article.published_at), "H:i"))
    if action == SCHEDULE:
        return format_html("Scheduled {} for {}.", title, _when(article.published_at))
    if action == UNPUBLISH:
        return format_html("Unpublished {}: it is a draft again and readers no longer see it.", title)
    state = publication_state(article)
    if state == SCHEDULED:
        return format_html("Saved {} (scheduled for {}).", title, _when(article.published_at))
    return format_html("Saved {} ({}).", title, STATES[state].lower())


# What the publish panel's review buttons did, said as the editor would.
REVIEW_DONE = {
    "submit": "Submitted {} for review: it is on the desk of the editors.",
    "approve": "Approved {}: it can be published.",
    "send_back": "Sent {} back to its writer with your reason.",
    "request_legal": "Asked for a legal sign-off on {}: nobody can publish it until Legal gives it.",
    "sign_off_legal": "Signed off {} for Legal.",
}


def refusal_text(refusal):
    """A refusal (PermissionDenied or ValidationError) as the one line an editor reads."""
    return "; ".join(refusal.messages) if isinstance(refusal, ValidationError) else str(refusal)


@admin.register(Article)
class ArticleAdmin(ArticleHistoryMixin, NotesAdminMixin, admin.ModelAdmin):
    form = ArticleForm
    change_form_template = "admin/articles/article/change_form.html"
    change_list_template = "admin/articles/article/change_list.html"
    list_display = ["title", "state", "published_at", "source", "tag_list", "import_run"]
    list_filter = [PublicationStateFilter, ReviewStateFilter, "status", TagListFilter, SourceListFilter, "published_at"]
    list_select_related = ["import_run"]
    search_fields = ["title", "standfirst", "byline", "source"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    inlines = [AuthorsInline, ArticleImageInline]

    class Media:
        css = {"all": ["css/admin-media.css", "css/article-form.css"]}
        js = ["js/photo-metadata.js", "js/article-form.js"]
    actions = [publish_now, schedule, unpublish, apply_vocabulary]
    readonly_fields = ["fingerprint", "import_run", "source_file", "source_lines", "raw_text", "created_at", "updated_at",
                       "merged_into_link", "possible_duplicates", "version"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "standfirst", "body", "tags", "byline", "source", "base_version"]}),
        ("Publication", {"fields": ["status", "published_at", "embargo_until", "merged_into_link"]}),
        ("Duplicates", {"fields": ["possible_duplicates"]}),
        (
            "Provenance",
            {
                "classes": ["collapse"],
                "fields": ["import_run", "source_file", "source_lines", "raw_text", "fingerprint", "version",
                           "created_at", "updated_at"],
            },
        ),
    ]
    list_per_page = 50
    save_on_top = False  # the publish panel stays in view instead

    # -- saving: never over someone else's newer version -------------------------------

    def has_publish_permission(self, request):
        return request.user.has_perm(PUBLISH_PERMISSION)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user  # a class made for this request: the form refuses what the user may not publish
        return form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        action = request.POST.get("_review", "")
        if action and object_id and not self.has_change_permission(request):
            # Legal reads and signs off but does not edit: only the review button is acted on.
            return self.review_act(request, self._article_for(request, object_id), action)
        try:
            # The whole save (the article, its photos and tags, its version) is one unit of work.
            with content_change(user=request.user) as change:
                request.content_change = change
                response = super().changeform_view(request, object_id, form_url, extra_context)
                saved = getattr(request, "saved_article", None)
                if action and saved is not None and response.status_code == 302:
                    # A review button saves what was typed first, then makes its move.
                    return self.review_act(request, saved, action)
                return response
        except EditConflict as conflict:  # raised inside the unit's transaction: nothing was written
            return self.conflict_response(request, conflict)

    def review_act(self, request, article, action):
        """One review button of the publish panel; refused moves are said in one line, nothing else undone."""
        try:
            workflow_act(article=article, action=action, user=request.user,
                         reason=request.POST.get("review_reason", ""))
        except (PermissionDenied, ValidationError) as refusal:
            self.message_user(request, f"Not done: {refusal_text(refusal)}", messages.ERROR)
        else:
            self.message_user(request, format_html(REVIEW_DONE[action], headline(article.title)), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        if request.method == "GET" and str(object_id).isdigit() and self.has_change_permission(request):
            presence_mark(article_id=int(object_id), user=request.user)
            extra_context["presence_message"] = presence_message(article_id=int(object_id), user=request.user)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        unit = request.content_change
        if change and not unit.claim(obj, expected=form.cleaned_data["base_version"]):
            conflict = conflict_inspect(article_id=obj.pk, base_version=form.cleaned_data["base_version"],
                                        mine=snapshot_from_submission(form, request.POST))
            if conflict.overlap:
                raise conflict
            # Nothing both changed: keep what only they changed, save ours on top.
            for part in conflict.theirs_changed:
                if part in FIELDS and part not in conflict.mine_changed:
                    setattr(obj, part, getattr(conflict.current, part))
                    if part == "status":  # merged meanwhile: it says where it went
                        obj.merged_into_id = conflict.current.merged_into_id
            if conflict.merged_body is not None:  # both changed the body, in different paragraphs
                obj.body = conflict.merged_body
            unit.claim(obj, expected=conflict.current.version)  # the row is locked: this one holds
            request.saved_over = conflict
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        conflict = getattr(request, "saved_over", None)
        # Rows of tags or photos that only the other editor changed are theirs
        # now: the stale form's copies would put the old ones back.
        theirs_only = set(conflict.theirs_changed) - set(conflict.mine_changed) if conflict else set()
        form.save_m2m()
        for formset in formsets:
            part = "tags" if formset.model is TaggedArticle else "images"
            if part not in theirs_only:
                self.save_formset(request, form, formset, change=change)
            else:  # nothing of ours to write; the history message reads these
                formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        article = form.instance
        kind = {PUBLISH: ArticleVersion.Kind.PUBLISHED, SCHEDULE: ArticleVersion.Kind.SCHEDULED,
                UNPUBLISH: ArticleVersion.Kind.UNPUBLISHED}.get(form.publishing_action(), ArticleVersion.Kind.EDITED)
        reason = ""
        if conflict is not None:
            names = ", ".join(LABELS[part].lower() for part in conflict.theirs_changed) or "nothing"
            if conflict.merged_body is not None:
                names = names.replace("body", f"body: {conflict.body_merge_note()}, both kept")
            reason = f"Saved on top of version {conflict.current.version}, whose changes ({names}) were kept."
            self.message_user(request, format_html(
                "Someone saved {} while you were editing it; your changes were saved on top of theirs ({}).",
                headline(article.title), names), messages.WARNING)
        unit = request.content_change
        if not change:
            review_start(article=article, user=request.user)
        unit.record(article, kind=ArticleVersion.Kind.CREATED if not change else kind, reason=reason)
        request.saved_article = article
        # Written or pasted in the admin: checked against the archive now, not at the next rescan.
        found = unit.duplicates.get(article.pk)
        if found:
            self.message_user(request, format_html(
                "{} may duplicate {} other article(s): see “Open candidates” on its page, or the duplicates queue.",
                headline(article.title), found), messages.WARNING)
        if change:
            presence_leave(article_id=article.pk, user=request.user)

    # -- after saving: say what happened ---------------------------------------------------

    def response_add(self, request, obj, post_url_continue=None):
        # A new article can be published or scheduled from its first save too.
        request.saved_message = saved_message(obj, publishing_action(request.POST))
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        request.saved_message = saved_message(obj, publishing_action(request.POST))
        return super().response_change(request, obj)

    def message_user(self, request, message, level=messages.INFO, extra_tags="", fail_silently=False):
        # The stock success message after a save ("was changed successfully") is replaced by ours.
        if level == messages.SUCCESS and getattr(request, "saved_message", None):
            message, request.saved_message = request.saved_message, None
        super().message_user(request, message, level, extra_tags, fail_silently)

    def delete_model(self, request, obj):
        article_delete(article=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        with content_change(user=request.user):
            for article in queryset:
                article_delete(article=article, user=request.user)

    @admin.display(description="State")
    def state(self, obj):
        return STATES[publication_state(obj)]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    def get_urls(self):
        return [
            path("<int:pk>/preview/", self.admin_site.admin_view(self.preview_view), name="articles_article_preview"),
            path("tags/suggestions/", self.admin_site.admin_view(self.tag_suggestions_view),
                 name="articles_article_tag_suggestions"),
            *self.history_urls(),
            *self.notes_urls(),
        ] + super().get_urls()

    def tag_suggestions_view(self, request):
        """Tags and aliases whose name contains what the editor is typing in the tag box, as JSON."""
        if not (self.has_change_permission(request) or self.has_add_permission(request)):
            raise PermissionDenied
        return JsonResponse({"results": tag_suggestions(term=request.GET.get("q", ""))})

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """What the publish panel shows: the state in words, and where to see the article."""
        if obj is not None and obj.pk:
            # A refused save leaves its values on `obj`: the panel tells the state that is stored.
            stored = Article.objects.filter(pk=obj.pk).first() or obj if request.method == "POST" else obj
            state = publication_state(stored)
            context["publish_state"] = STATES[state]
            if state == SCHEDULED:
                context["publish_when"] = f"goes live {_when(stored.published_at)}"
            elif state == PUBLISHED:
                context["publish_when"] = f"since {_when(stored.published_at)}"
            context["preview_url"] = reverse("admin:articles_article_preview", args=[stored.pk])
            if stored.is_visible_to_readers():
                context["public_url"] = stored.get_absolute_url()
            context["review"] = review_panel(article=stored, user=request.user)
        else:
            context["publish_state"] = "New (not saved yet)"
            context["review"] = {"state": "Draft", "may_publish": request.user.has_perm(PUBLISH_PERMISSION)}
        return super().render_change_form(request, context, add, change, form_url, obj)

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        response.context_data["review_events"] = review_events_list(article_id=int(object_id))
        return response

    def view_on_site(self, obj):
        """The public page once readers can see it; until then, the preview."""
        if obj.is_visible_to_readers():
            return obj.get_absolute_url()
        return reverse("admin:articles_article_preview", args=[obj.pk])

    def preview_view(self, request, pk):
        """The article as readers would see it, whatever its status. Never cached, never indexed."""
        try:
            article = article_get_for_preview(pk=pk)
        except Article.DoesNotExist:
            raise Http404("No such article")
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        context = article_page_context(request, article)
        context["meta"] = dataclasses.replace(context["meta"], noindex=True)
        visible = article.is_visible_to_readers()
        context["preview_note"] = preview_note(article)
        if visible:
            context["preview_public_url"] = article.get_absolute_url()
        return render(request, "articles/article_detail.html", context)

    @admin.display(description="Tags")
    def tag_list(self, obj):
        return ", ".join(tag.name for tag in obj.tags.all())

    @admin.display(description="Source lines")
    def source_lines(self, obj):
        return obj.source_lines or "–"

    @admin.display(description="Merged into")
    def merged_into_link(self, obj):
        if obj.merged_into_id is None:
            return "–"
        return format_html('<a href="{}">{}</a>', reverse("admin:articles_article_change", args=[obj.merged_into_id]),
                           obj.merged_into)

    @admin.display(description="Open candidates")
    def possible_duplicates(self, obj):
        if obj.pk is None:
            return "–"
        candidates = duplicate_candidates(status=DuplicateCandidate.Status.OPEN, kind="article").filter(
            Q(article_a=obj) | Q(article_b=obj))[:20]
        if not candidates:
            return "None."
        return format_html("<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a> · {}</li>', (
            (reverse("admin:articles_duplicatecandidate_compare", args=[c.pk]), f"{c.score:.2f}",
             c.article_b if c.article_a_id == obj.pk else c.article_a) for c in candidates)))
