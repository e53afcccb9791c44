"""The editors' admin for tags and their aliases (old spellings kept by merges)."""

from django.contrib import admin, messages
from django.db.models import Count

from articles.duplicates.finder import tag_check
from articles.editorial.versioned import VersionedAdminMixin
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


@admin.register(TagAlias)
class TagAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "tag"]
    search_fields = ["name", "slug", "tag__name"]
    autocomplete_fields = ["tag"]
    list_select_related = ["tag"]
