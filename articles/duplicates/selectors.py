"""The duplicates queue as editors and `find_duplicates` read it."""

from articles.models import Article, DuplicateCandidate


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


def survivor_suggest(candidate):
    """(survivor id, why): the one of a pair an editor would keep.

    Articles: the published one, then the newest (an update supersedes its
    earlier version), then the longest; images and tags: the older one,
    whose address and uses came first.
    """
    first, second = candidate.pair
    if candidate.kind != DuplicateCandidate.Kind.ARTICLE:
        return min(first.pk, second.pk), "the older of the two"

    def rank(article):
        published = article.status == Article.Status.PUBLISHED
        return (published, article.published_at or article.created_at, len(article.body), -article.pk)

    keep, other = sorted((first, second), key=rank, reverse=True)
    if (keep.status == Article.Status.PUBLISHED) != (other.status == Article.Status.PUBLISHED):
        why = "the published one"
    elif (keep.published_at or keep.created_at) != (other.published_at or other.created_at):
        why = "the newer one, as an update supersedes what it updates"
    elif len(keep.body) != len(other.body):
        why = "the longer one"
    else:
        why = "the older of the two"
    return keep.pk, why
