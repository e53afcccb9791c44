"""Read-side queries shared by views, feeds, the API and commands."""

from django.db.models import Prefetch

from articles.models import Article, ArticleImage


def with_images_and_tags(queryset):
    """Prefetch images (in order) and tags: a constant number of queries."""
    return queryset.prefetch_related(
        Prefetch(
            "article_images",
            queryset=ArticleImage.objects.select_related("image").order_by("position", "id"),
        ),
        # taggit's manager refuses a custom queryset; Tag.Meta orders by name.
        "tags",
    )


def article_list_published():
    return with_images_and_tags(Article.objects.published())


def article_get_published(*, slug):
    """The published article with this slug, or Article.DoesNotExist."""
    return with_images_and_tags(Article.objects.published()).get(slug=slug)
