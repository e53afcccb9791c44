"""The editors' admin for tags and their aliases (old spellings kept by merges)."""

from django.contrib import admin, messages
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import reverse

from articles.duplicates.finder import tag_check
from articles.duplicates.merging import tag_merge
from articles.editorial.duplicates import MERGE_PERMISSION
from articles.editorial.merge_action import merge_chosen
from articles.editorial.versioned import VersionedAdminMixin
from articles.ingest.vocabulary import vocabulary_apply
from articles.models import Tag, TagAlias
from articles.services import tag_rename_keep_alias


class TagAliasInline(admin.TabularInline):
    model = TagAlias
    extra = 0
    fields = ["name", "slug", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Tag)
class TagAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "article_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["name"]
    inlines = [TagAliasInline]
    actions = ["merge_tags"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("tagged_articles"))

    def save_model(self, request, obj, form, change):
        if change and ("slug" in form.changed_data or "name" in form.changed_data):
            # Renaming keeps the old spelling and address leading here (imports, restores, links).
            tag_rename_keep_alias(tag=obj, old_name=form.initial["name"], old_slug=form.initial["slug"])
        super().save_model(request, obj, form, change)
        if tag_check(tag=obj):
            self.message_user(request, "This tag looks like another spelling of an existing tag; see Duplicate "
                              "candidates to merge them.", messages.WARNING)

    @admin.display(description="Articles", ordering="article_count")
    def article_count(self, obj):
        return obj.article_count

    def has_merge_permission(self, request):
        # The same permission as merging from the duplicates queue: merging is one decision, wherever it is made.
        return request.user.has_perm(MERGE_PERMISSION)

    @admin.action(description="Merge the selected tags into one…", permissions=["merge"])
    def merge_tags(self, request, queryset):
        """Any tags an editor chooses ("Islamic State" into "ISIS"), not only those the finder proposed."""
        return merge_chosen(
            self, request, list(queryset.order_by("-article_count", "name")), merge=tag_merge, noun="tag",
            action="merge_tags", template="admin/articles/tag/merge_confirm.html",
            explanation="Every article tagged with the others is tagged with the one you keep; their names "
                        "become aliases (imports and the vocabulary map them to it) and their pages "
                        "redirect to its page.")


@admin.register(TagAlias)
class TagAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "tag"]
    search_fields = ["name", "slug", "tag__name"]
    autocomplete_fields = ["tag"]
    list_select_related = ["tag"]


@admin.action(description="Tag selected articles from the vocabulary…", permissions=["change"])
def apply_vocabulary(modeladmin, request, queryset):
    """The import's automatic tagging, for articles already stored: first a count, then the change."""
    if request.POST.get("confirm") != "yes":
        report = vocabulary_apply(articles=queryset, dry_run=True)
        names = dict(Tag.objects.filter(pk__in=report.by_tag).values_list("pk", "name"))
        return TemplateResponse(request, "admin/articles/article/vocabulary_confirm.html", {
            **modeladmin.admin_site.each_context(request), "opts": modeladmin.model._meta,
            "title": "Tag from the vocabulary", "action": "apply_vocabulary",
            # "Select all" across pages goes back as that, not as thousands of ids
            # (Django wants one id with it all the same).
            "select_across": request.POST.get("select_across") == "1",
            "selected": list(queryset.values_list("pk", flat=True)[:1 if request.POST.get("select_across") == "1"
                                                                   else None]),
            "back_url": reverse("admin:articles_article_changelist"), "confirm_label": "Yes, add these tags",
            "gains": sorted(((names[tag_id], count) for tag_id, count in report.by_tag.items()),
                            key=lambda item: (-item[1], item[0].casefold())),
            "explanation": f"{report.articles_tagged} of the {report.articles_checked} selected articles name tags "
                           f"(or their old spellings) they do not have; {report.tags_added} tags would be added. "
                           "Nothing is taken away, and each article keeps a version to go back to.",
        })
    report = vocabulary_apply(articles=queryset, user=request.user)
    modeladmin.message_user(request, f"Tagged {report.articles_tagged} of {report.articles_checked} articles from "
                                     f"the vocabulary ({report.tags_added} tags added).", messages.SUCCESS)
    return None
