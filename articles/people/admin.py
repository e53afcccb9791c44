"""The editors' admin for authors, and the ordered authors of an article (an inline for the article form)."""

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from articles.history.changes import content_change
from articles.people.models import ArticleAuthor, Author, AuthorAlias

ARTICLES_SHOWN = 20


class ArticleAuthorInline(admin.TabularInline):
    """An article's authors in byline order: pick each one by name; the position numbers set the order."""

    model = ArticleAuthor
    extra = 1
    fields = ["author", "position"]
    autocomplete_fields = ["author"]
    ordering = ["position", "id"]
    verbose_name = "author"
    verbose_name_plural = "authors (in byline order)"


class AuthorAliasInline(admin.TabularInline):
    model = AuthorAlias
    extra = 0
    fields = ["name", "slug", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "article_count", "user"]
    list_select_related = ["user"]
    search_fields = ["name", "slug", "aliases__name"]
    ordering = ["name", "id"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["photo", "user"]
    readonly_fields = ["latest_articles"]
    fields = ["name", "slug", "bio", "photo", "links", "user", "latest_articles"]
    inlines = [AuthorAliasInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("article_authors"))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        # The author and their aliases as one change: their pages go stale once, when it commits.
        with content_change(user=request.user, reason="Author edited"):
            return super().changeform_view(request, object_id, form_url, extra_context)

    @admin.display(description="Articles", ordering="article_count")
    def article_count(self, obj):
        return obj.article_count

    @admin.display(description="Latest articles")
    def latest_articles(self, obj):
        if obj.pk is None:
            return "—"
        rows = (ArticleAuthor.objects.filter(author=obj).select_related("article")
                .only("article__id", "article__title").order_by("-article_id")[:ARTICLES_SHOWN])
        if not rows:
            return "None yet."
        return format_html("<ul>{}</ul>", format_html_join(
            "", '<li><a href="{}">{}</a></li>',
            ((reverse("admin:articles_article_change", args=[row.article_id]), row.article.title) for row in rows)))
