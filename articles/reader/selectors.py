"""The reader site's searches: published articles matching a reader's words."""

from articles.reader import search
from articles.selectors import article_list_published


def article_search_published(*, query):
    """Published articles matching a reader's query, most relevant first.

    The query is cleaned (see search.clean_query); an empty one finds nothing.
    """
    return search.search(article_list_published(), search.clean_query(query))


def article_list_api(*, tag=None, query="", since=None):
    """The API's list: published articles, optionally filtered.

    Tag and date filter before searching: search ranks only the newest
    matches, which must be the newest matches *with* that tag.
    """
    articles = article_list_published()
    if tag is not None:
        articles = articles.filter(tags=tag)
    if since is not None:
        articles = articles.filter(published_at__gte=since)
    query = search.clean_query(query)
    return search.search(articles, query) if query else articles
