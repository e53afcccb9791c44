"""What the desk (the admin's start page) shows: the work waiting for an editor, counted and listed.

Every count stops at COUNT_LIMIT + 1 rows, so the page costs the same at ten
thousand drafts as at ten; every list is read in an order an index already
holds, so no query sorts the archive.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from articles.duplicates.selectors import duplicate_story_keys
from articles.editorial.publishing import DRAFT
from articles.models import Article, ArticleVersion, ImportRun
from articles.notes.selectors import mentions_unseen

COUNT_LIMIT = 1000
LIST_LENGTH = 6
# The desk looks a day ahead (what goes live) and a day back (what went live).
WINDOW_HOURS = 24
IMPORT_RUNS_SHOWN = 5
# Versions read to find LIST_LENGTH different articles: an editor saves one article many times in a row.
EDITS_READ = LIST_LENGTH * 8

# The states an article waits in for an editor, the one nearest publication first, each with the
# article list's ?state= value that opens it. A review state goes in front of drafts here once
# articles have one; until then drafts are what waits for review.
WAITING_STATES = [(DRAFT, "Drafts")]

IMPORT_TROUBLE = (ImportRun.Status.FAILED, ImportRun.Status.INTERRUPTED)


@dataclass(frozen=True)
class BoundedCount:
    """A count that stopped at its limit: "1,000+" rather than the cost of counting everything."""

    value: int
    more: bool = False

    def __str__(self):
        return f"{self.value:,}{'+' if self.more else ''}"

    def __bool__(self):
        return self.value > 0


@dataclass
class Queue:
    """Articles in one state: how many, and the first few in the article list's own order."""

    state: str
    label: str
    count: BoundedCount
    articles: list = field(default_factory=list)


@dataclass
class DuplicateQueue:
    count: BoundedCount
    next_key: int | None


@dataclass
class Edit:
    """The latest version one user saved of an article; `article` is None once it is deleted."""

    version: ArticleVersion
    article: Article | None


def rows_count_bounded(*, queryset, limit=None):
    """How many rows, reading at most limit + 1 of them."""
    limit = COUNT_LIMIT if limit is None else limit
    found = queryset.order_by()[:limit + 1].count()
    return BoundedCount(min(found, limit), found > limit)


# Only what a row of the desk shows: bodies and dump text stay in the database.
_ROW_FIELDS = ("id", "title", "status", "published_at", "merged_into")


def articles_waiting_list(*, limit=LIST_LENGTH):
    """Each waiting state's count and its first articles, as the article list filtered by it shows them.

    The article list's own order (newest publication date, then newest id) is
    the one the (status, -published_at, -id) index holds, so the first rows are
    read straight off it.
    """
    queues = []
    for state, label in WAITING_STATES:
        articles = Article.objects.filter(status=state)
        queues.append(Queue(state=state, label=label, count=rows_count_bounded(queryset=articles),
                            articles=list(articles.only(*_ROW_FIELDS).order_by("-published_at", "-id")[:limit])))
    return queues


def articles_scheduled_list(*, now, hours=WINDOW_HOURS, limit=LIST_LENGTH):
    """Articles that go live within `hours` of `now`, soonest first, and how many there are."""
    articles = Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=now,
                                      published_at__lte=now + timedelta(hours=hours))
    return Queue(state="scheduled", label="Scheduled", count=rows_count_bounded(queryset=articles),
                 articles=list(articles.only(*_ROW_FIELDS).order_by("published_at", "id")[:limit]))


def articles_published_recently_list(*, now, hours=WINDOW_HOURS, limit=LIST_LENGTH):
    """The newest articles readers see, and how many went live in the last `hours`."""
    published = Article.objects.published()
    recent = published.filter(published_at__gt=now - timedelta(hours=hours))
    return Queue(state="published", label="Published", count=rows_count_bounded(queryset=recent),
                 articles=list(published.only(*_ROW_FIELDS).order_by("-published_at", "-id")[:limit]))


def import_runs_recent_list(*, limit=IMPORT_RUNS_SHOWN):
    """(the last import runs, how many ended in failure): errors themselves stay on each run's page."""
    runs = list(ImportRun.objects.defer("errors", "options").order_by("-started_at", "-id")[:limit])
    return runs, rows_count_bounded(queryset=ImportRun.objects.filter(status__in=IMPORT_TROUBLE))


def article_edits_recent_list(*, user, limit=LIST_LENGTH):
    """The articles `user` saved last, newest first, each once, with the version they saved."""
    versions = (ArticleVersion.objects.filter(user=user).defer("snapshot")
                .order_by("-created_at", "-id")[:EDITS_READ])
    latest = {}
    for version in versions:
        latest.setdefault(version.article_id, version)
        if len(latest) == limit:
            break
    articles = Article.objects.only(*_ROW_FIELDS).in_bulk(list(latest))
    return [Edit(version=version, article=articles.get(article_id)) for article_id, version in latest.items()]


def duplicate_queue_summarise():
    """How many duplicate stories wait for a decision, and the one the duplicate desk opens first.

    Exact, not bounded: stories are open pairs joined together, so every open
    pair is read, by the duplicate desk's own rule for stories and their order.
    Its cost follows the backlog of undecided pairs, not the archive.
    """
    keys = duplicate_story_keys()
    return DuplicateQueue(count=BoundedCount(len(keys)), next_key=keys[0] if keys else None)


@dataclass
class Mentions:
    """The notes that mention one user and that they have not opened yet: the newest, and how many ("6+")."""

    count: BoundedCount
    mentions: list


def mentions_for_you(*, user, limit=LIST_LENGTH):
    # One query: the list read one row long says whether there are more; nobody needs them counted.
    unseen = list(mentions_unseen(user=user)[:limit + 1])
    return Mentions(count=BoundedCount(min(len(unseen), limit), len(unseen) > limit), mentions=unseen[:limit])
