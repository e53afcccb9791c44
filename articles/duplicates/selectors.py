"""The duplicates queue as editors and `find_duplicates` read it."""

from articles.models import DuplicateCandidate


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
