"""The duplicates queue as editors and `find_duplicates` read it."""

from collections import defaultdict
from dataclasses import dataclass

from articles.models import Article, DuplicateCandidate


def duplicate_candidates(*, status=None, kind=None):
    """Candidates with both sides loaded, best score first."""
    queryset = DuplicateCandidate.objects.select_related(
        "article_a", "article_b", "image_a", "image_b", "tag_a", "tag_b", "author_a", "author_b"
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
    whose address and uses came first; authors: the fuller name ("Jane Doe"
    over "J. Doe"), then the older.
    """
    first, second = candidate.pair
    if candidate.kind == DuplicateCandidate.Kind.AUTHOR and len(first.name) != len(second.name):
        return max(first, second, key=lambda author: len(author.name)).pk, "the fuller name"
    if candidate.kind != DuplicateCandidate.Kind.ARTICLE:
        return min(first.pk, second.pk), "the older of the two"
    keep, why = survivor_among([first, second])
    return keep.pk, why


def survivor_among(articles):
    """(article, why): the copy of a story an editor would keep, by the rule above."""

    def rank(article):
        return (article.status == Article.Status.PUBLISHED, article.published_at or article.created_at,
                len(article.body), -article.pk)

    keep, *others = sorted(articles, key=rank, reverse=True)
    if not others:
        return keep, "the only one"
    runner_up = others[0]
    if rank(keep)[0] != rank(runner_up)[0]:
        return keep, "the published one"
    if rank(keep)[1] != rank(runner_up)[1]:
        return keep, "the newest, as an update supersedes what it updates"
    if rank(keep)[2] != rank(runner_up)[2]:
        return keep, "the longest"
    return keep, "the oldest"


# What the queue shows of each copy, and what the survivor rule reads.
STORY_FIELDS = ("id", "title", "slug", "status", "published_at", "created_at", "source", "body", "merged_into")


@dataclass
class Story:
    """Copies of one story: articles joined by open candidate pairs (A~B, B~C)."""

    members: list
    pairs: list
    survivor: object = None
    because: str = ""

    @property
    def key(self):
        """The story's address in the queue: its lowest article id."""
        return min(member.pk for member in self.members)

    @property
    def score(self):
        return max(pair.score for pair in self.pairs)

    @property
    def best_pair(self):
        return max(self.pairs, key=lambda pair: (pair.score, -pair.pk))


def _groups(pairs):
    """Connected groups of ids, by union-find over (a, b) pairs."""
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent[find(a)] = find(b)
    groups = defaultdict(set)
    for x in list(parent):
        groups[find(x)].add(x)
    return list(groups.values())


def _open_article_pairs():
    return list(DuplicateCandidate.objects.filter(kind=DuplicateCandidate.Kind.ARTICLE,
                                                  status=DuplicateCandidate.Status.OPEN)
                .only("id", "score", "reason", "article_a_id", "article_b_id", "kind"))


def duplicate_story_keys():
    """The stories' keys (lowest article id) in queue order, best score first: no article is loaded.

    Read as plain values: the desk and every decision ask for these, and
    building a model instance per open pair was most of their cost.
    """
    rows = list(DuplicateCandidate.objects.filter(kind=DuplicateCandidate.Kind.ARTICLE,
                                                  status=DuplicateCandidate.Status.OPEN)
                .values_list("article_a_id", "article_b_id", "score"))
    best = {}
    for a_id, b_id, score in rows:
        for article_id in (a_id, b_id):
            best[article_id] = max(best.get(article_id, 0.0), score)
    keys = [(max(best[i] for i in group), min(group)) for group in _groups([(a, b) for a, b, _ in rows])]
    return [key for _, key in sorted(keys, key=lambda item: (-item[0], item[1]))]


def duplicate_stories(*, containing=None):
    """Open article pairs grouped into stories, best score first, with the suggested survivor.

    `containing`: only the story that has this article (a list of one, or empty).
    """
    rows = _open_article_pairs()
    groups = _groups([row.pair_ids for row in rows])
    if containing is not None:
        groups = [group for group in groups if containing in group]
    by_article = {}
    for row in rows:
        by_article.setdefault(row.article_a_id, []).append(row)
    articles = Article.objects.only(*STORY_FIELDS).in_bulk({i for group in groups for i in group})
    stories = []
    for group in groups:
        pairs = [row for member in group for row in by_article.get(member, ())]
        members = sorted((articles[i] for i in group if i in articles), key=lambda article: article.pk)
        story = Story(members=members, pairs=pairs)
        story.survivor, story.because = survivor_among(members)
        stories.append(story)
    stories.sort(key=lambda story: (-story.score, story.key))
    return stories
