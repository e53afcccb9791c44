"""Read-side queries shared by views, feeds, the API and commands."""

from django.db.models import Prefetch

from articles.models import Article, ArticleImage, DuplicateCandidate


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


def duplicate_candidates(*, status=None, kind=None):
    """Candidates with both sides loaded, best score first."""
    queryset = DuplicateCandidate.objects.select_related(
        "article_a", "article_b", "image_a", "image_b", "tag_a", "tag_b"
    ).order_by("-score", "id")
    if status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset


def duplicate_candidates_as_dicts(*, status=None):
    """The `find_duplicates --format json` rows."""
    return [
        {
            "kind": candidate.kind,
            "ids": list(candidate.pair_ids),
            "labels": [str(item) for item in candidate.pair],
            "score": round(candidate.score, 4),
            "status": candidate.status,
        }
        for candidate in duplicate_candidates(status=status).iterator(chunk_size=1000)
    ]
