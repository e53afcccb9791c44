"""Full-text search over articles, and its highlighted snippets.

On PostgreSQL: a weighted tsvector (headline, standfirst, body), stored per
article by a database trigger (migrations 0007, 0015) and GIN-indexed,
matched by `websearch_to_tsquery`, which accepts anything a reader types
without a syntax error, ranked by `ts_rank` and highlighted by
`ts_headline`. The document holds stems (English, or Arabic for articles in
Arabic script) and every word as written: exact matches rank above matches
through a stem, and a name (see names_in) matches only as written, so
"Hamas" does not find Hama.

Elsewhere (SQLite): every word of the query must appear in the headline,
standfirst or body, case-insensitively; headline matches rank first.

Either way the snippets are escaped before the matches are marked, so text
from the data can never become markup.
"""

import re
import secrets
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

MAX_QUERY_LENGTH = 200
MAX_FALLBACK_TERMS = 8
SEARCH_CONFIG = "english"
ARABIC_CONFIG = "arabic"
EXACT_CONFIG = "simple"
# Exact words count this much more than stems in the rank.
EXACT_WEIGHT = 2.0
_ARABIC = re.compile("[\u0600-\u06ff]")
_NAME = re.compile(r"(?<![\w-])[A-Z][\w'’-]*")
SNIPPET_WORDS = 40
RANKED_MATCHES = 1000
# ts_headline marks matches with these; a per-process secret, so no article
# text can contain them and smuggle markup through the highlighting.
_TOKEN = secrets.token_hex(8)
START_MARK = f"{{{{mark-{_TOKEN}}}}}"
STOP_MARK = f"{{{{/mark-{_TOKEN}}}}}"
_WORD = re.compile(r"\w+")


def clean_query(raw):
    """The query as searched: printable, single-spaced, at most 200 characters.

    NUL and other control characters are dropped (PostgreSQL rejects NUL in
    a string), and the length cap keeps a 5,000-character query cheap.
    """
    text = "".join(ch if ch.isprintable() else " " for ch in str(raw or "")[: MAX_QUERY_LENGTH * 4])
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


def uses_postgres():
    return connection.vendor == "postgresql"


def search(queryset, query, *, newest=None):
    """Articles of `queryset` matching the cleaned `query`, most relevant first.

    Only the `newest` matches (RANKED_MATCHES by default; 0 for all, for
    the benchmark) are ranked: a word found in much of the archive
    ("minister") would otherwise rank, and count, every article it is in,
    on every search for it.
    """
    if not query:
        return queryset.none()
    search = _postgres_search if uses_postgres() else _fallback_search
    return search(queryset, query, newest=RANKED_MATCHES if newest is None else newest)


def _newest(queryset, matching, newest):
    """`queryset` narrowed to the `newest` articles of `matching` (all if 0).

    The ids are fetched first and handed back as a list: as a subquery,
    PostgreSQL without statistics (a freshly imported archive) planned it
    as a loop that re-ran the ordered, limited match for every row.
    """
    if not newest:
        return matching
    ids = list(matching.order_by("-published_at", "-id").values_list("pk", flat=True)[:newest])
    return queryset.filter(pk__in=ids)


def stem_config(query):
    return ARABIC_CONFIG if _ARABIC.search(query) else SEARCH_CONFIG


def names_in(query):
    """The names in a query, matched only as written: its capitalised words.

    A phone capitalises the first word of whatever is typed, so that one
    counts as a name only when it is the whole query ("Hamas").
    """
    words = query.split()
    names = _NAME.findall(" ".join(words[1:]))
    if len(words) == 1 and _NAME.fullmatch(words[0]):
        names.append(words[0])
    return names


def _postgres_search(queryset, query, *, newest):
    from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank

    config = stem_config(query)
    exact = SearchQuery(query, search_type="websearch", config=EXACT_CONFIG)
    stemmed = SearchQuery(query, search_type="websearch", config=config)
    # A name must be there as written; other words may match through their stem.
    matching = exact if names_in(query) else exact | stemmed
    document = F("search_document__document")
    marks = {"start_sel": START_MARK, "stop_sel": STOP_MARK, "config": config}
    return (
        _newest(queryset, queryset.filter(search_document__document=matching), newest)
        .annotate(
            search_rank=SearchRank(document, exact) * EXACT_WEIGHT + SearchRank(document, stemmed),
            search_title=SearchHeadline("title", matching, highlight_all=True, **marks),
            search_snippet=SearchHeadline("body", matching, max_words=SNIPPET_WORDS, min_words=15,
                                          max_fragments=2, fragment_delimiter=" … ", **marks),
        )
        .order_by("-search_rank", "-published_at", "-id")
    )


def terms(query):
    """The words of a query, without repeats, for the fallback search."""
    seen = []
    for word in _WORD.findall(query.casefold()):
        if word not in seen:
            seen.append(word)
    return seen[:MAX_FALLBACK_TERMS]


def _fallback_search(queryset, query, *, newest):
    words = terms(query)
    if not words:
        return queryset.none()
    matching = queryset
    for word in words:
        matching = matching.filter(Q(title__icontains=word) | Q(standfirst__icontains=word) | Q(body__icontains=word))
    in_title = reduce(or_, [Q(title__icontains=word) for word in words])
    rank = Case(When(in_title, then=Value(1)), default=Value(0), output_field=IntegerField())
    return _newest(queryset, matching, newest).annotate(search_rank=rank).order_by("-search_rank", "-published_at", "-id")


def highlight(articles, *, query):
    """Give each found article `title_html` and `snippet_html`: escaped, matches in <mark>."""
    if uses_postgres():
        for article in articles:
            article.title_html = _marks_to_html(article.search_title)
            article.snippet_html = _marks_to_html(article.search_snippet)
        return articles
    pattern = _pattern(terms(query))
    for article in articles:
        article.title_html = _mark_matches(article.title, pattern)
        article.snippet_html = _mark_matches(_excerpt(article.body or article.standfirst, pattern), pattern)
    return articles


def _marks_to_html(text):
    return mark_safe(escape(text).replace(START_MARK, "<mark>").replace(STOP_MARK, "</mark>"))


def _pattern(words):
    if not words:
        return None
    # Longest first, so "gazan" wins over "gaza" where both were asked for.
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(alternatives, re.IGNORECASE)


def _excerpt(text, pattern, context=160):
    """About SNIPPET_WORDS words of `text` around its first match."""
    match = pattern.search(text) if pattern else None
    if match is None or match.start() < context:
        return Truncator(text).words(SNIPPET_WORDS)
    start = min(text.find(" ", match.start() - context) + 1, match.start())
    return "… " + Truncator(text[start:]).words(SNIPPET_WORDS)


def _mark_matches(text, pattern):
    if pattern is None:
        return escape(text)
    parts, position = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[position:match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        position = match.end()
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))
