"""What the desk (the admin's start page) shows: the work waiting for an editor, counted and listed.

Every count stops at COUNT_LIMIT + 1 rows, so the page costs the same at ten
thousand drafts as at ten; every list is read in an order an index already
holds, so no query sorts the archive.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import F, Func, Subquery

from articles.duplicates.selectors import duplicate_story_keys
from articles.editorial.publishing import DRAFT
from articles.models import Article, ArticleVersion, ImportRun
from articles.workflow.selectors import articles_awaiting_sign_off, articles_in_review, articles_sent_back_to
from articles.notes.selectors import mentions_unseen

COUNT_LIMIT = 1000
LIST_LENGTH = 6
# The desk looks a day ahead (what goes live) and a day back (what went live).
WINDOW_HOURS = 24
IMPORT_RUNS_SHOWN = 5
# Versions read to find LIST_LENGTH different articles: an editor saves one article many times in a row.
EDITS_READ = LIST_LENGTH * 8

IN_REVIEW = "in_review"

# The states an article waits in for an editor, the one nearest publication first, each with the
# article list's filter that opens it (?review= for a review state, ?state= for a publication one).
WAITING_STATES = [(IN_REVIEW, "In review"), (DRAFT, "Drafts")]

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

    @property
    def query(self):
        """The article list's filter that shows this queue."""
        return f"review={self.state}" if self.state == IN_REVIEW else f"state={self.state}"


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


def queue_read(*, state, label, queryset, order, limit=LIST_LENGTH):
    """A queue's first rows and its count (stopped at COUNT_LIMIT + 1) in one query: the count rides along."""
    bounded = queryset.order_by().values("pk")[:COUNT_LIMIT + 1]
    # COUNT as a plain function, not an aggregate: no GROUP BY, one row, inside the list's own query.
    # Unordered: an ORDER BY beside a bare COUNT is an error on PostgreSQL.
    total = Subquery(Article.objects.filter(pk__in=bounded).order_by()
                     .annotate(n=Func(F("pk"), function="COUNT")).values("n"))
    articles = list(queryset.annotate(queue_total=total).only(*_ROW_FIELDS).order_by(*order)[:limit])
    found = articles[0].queue_total if articles else 0
    return Queue(state=state, label=label, count=BoundedCount(min(found, COUNT_LIMIT), found > COUNT_LIMIT),
                 articles=articles)


def articles_waiting_list(*, limit=LIST_LENGTH):
    """Each waiting state's count and its first articles, as the article list filtered by it shows them.

    The article list's own order (newest publication date, then newest id) is
    the one the (status, -published_at, -id) index holds, so the first rows are
    read straight off it.
    """
    queues = []
    for state, label in WAITING_STATES:
        if state == IN_REVIEW:
            queues.append(queue_read(state=state, label=label, queryset=articles_in_review(Article.objects),
                                     order=("-published_at", "-id"), limit=limit))
            continue
        articles = Article.objects.filter(status=state)
        queues.append(Queue(state=state, label=label, count=rows_count_bounded(queryset=articles),
                            articles=list(articles.only(*_ROW_FIELDS).order_by("-published_at", "-id")[:limit])))
    return queues


def articles_scheduled_list(*, now, hours=WINDOW_HOURS, limit=LIST_LENGTH):
    """Articles that go live within `hours` of `now`, soonest first, and how many there are."""
    articles = Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=now,
                                      published_at__lte=now + timedelta(hours=hours))
    return queue_read(state="scheduled", label="Scheduled", queryset=articles, order=("published_at", "id"),
                      limit=limit)


def articles_published_recently_list(*, now, hours=WINDOW_HOURS, limit=LIST_LENGTH):
    """The newest articles readers see, and how many went live in the last `hours`."""
    published = Article.objects.published()
    recent = published.filter(published_at__gt=now - timedelta(hours=hours))
    return Queue(state="published", label="Published", count=rows_count_bounded(queryset=recent),
                 articles=list(published.only(*_ROW_FIELDS).order_by("-published_at", "-id")[:limit]))


def articles_waiting_for_list(*, user, may_sign_off, may_review, limit=LIST_LENGTH):
    """What waits for `user` in particular: for Legal, the sign-offs asked for; for a writer, what came back.

    [(label, articles)], the oldest request first for Legal, newest first for a writer; nothing more for
    an editor, whose work is the desk's other parts.
    """
    if may_review and not may_sign_off:
        return []
    if may_sign_off:
        waiting = articles_awaiting_sign_off(Article.objects).only(*_ROW_FIELDS).order_by("sign_offs__requested_at")
        return [("Legal sign-off asked for", list(waiting[:limit]))]
    sent_back = articles_sent_back_to(Article.objects, user=user).only(*_ROW_FIELDS).order_by("-review__changed_at")
    return [("Sent back to you", list(sent_back[:limit]))]


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
