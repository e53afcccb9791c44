"""Reader pages. Each view asks a selector for its data and renders it.

Every page is cached with the versions of what it shows and answers
conditional GETs (articles/reader/cache.py). Drafts are not found; a merged
article's address and an old tag spelling's or merged author's address
redirect permanently.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import cached_property

from articles.reader import feeds, search, seo
from articles.reader.cache import cached_page
from articles.people.selectors import (
    article_list_for_author,
    author_get_by_alias,
    author_get_by_slug,
    authors_attach,
)
from articles.reader.cache_keys import LISTS, TAG_SET, page_keys
from articles.reader.selectors import article_search_published
from articles.selectors import (
    article_resolve,
    article_list_for_tag,
    article_list_published,
    article_list_related,
    tag_get_by_alias,
    tag_get_by_slug,
)


LISTED_ARTICLES = 10_000


class ListingPaginator(Paginator):
    """Counts at most LISTED_ARTICLES: counting a whole archive on every list page grew with it.

    Older articles stay reachable through their tags, search and the sitemap.
    """

    @cached_property
    def count(self):
        return self.object_list[:LISTED_ARTICLES].count()


def paginate(request, queryset, per_page=None):
    paginator = ListingPaginator(queryset, per_page or settings.NEWSROOM_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)  # read once: the page shows them, its cache keys name them
    return page


def keyed(response, **shown):
    """The response, tagged with the cache keys of what it shows (cache_keys.page_keys)."""
    response.cache_keys = page_keys(**shown)
    return response


@cached_page(params=("page",))
def home(request):
    page = paginate(request, article_list_published())
    title = "Latest news" if page.number == 1 else f"Latest news, page {page.number}"
    meta = seo.listing_meta(request, title=title, description="The latest news, as it is published.", page=page)
    return keyed(render(request, "articles/home.html", {"page": page, "meta": meta}), articles=page, lists=True)


@cached_page()
def article_detail(request, slug):
    article, target = article_resolve(slug=slug)
    if target is not None:
        # Where an old address leads changes with any article's address or status.
        return keyed(redirect(target, permanent=True), linked=[target], lists=True)
    if article is None:
        raise Http404("No such article")
    context = article_page_context(request, article)
    return keyed(render(request, "articles/article_detail.html", context), articles=[article],
                 linked=context["related"])


def article_page_context(request, article):
    """What the article page shows: for readers, and for editors' previews."""
    authors_attach([article])
    return {
        "article": article,
        "related": article_list_related(article=article),
        "meta": seo.article_meta(request, article),
        "structured_data": seo.news_article_data(request, article),
    }


def _found_or_redirect(slug, url_name, *, by_slug, by_alias, key):
    """(the tag or author, None) for its slug, (None, a 301 to its page) for an old address of it; else 404.

    `key` names the cache tag argument of `keyed` the redirect carries ("tags", "authors").
    """
    found = by_slug(slug=slug)
    if found is not None:
        return found, None
    found = by_alias(slug=slug)
    if found is None:
        raise Http404(f"No such {key[:-1]}")
    return None, keyed(redirect(reverse(url_name, kwargs={"slug": found.slug}), permanent=True), **{key: [found]})


def _tag_or_redirect(slug, url_name):
    return _found_or_redirect(slug, url_name, by_slug=tag_get_by_slug, by_alias=tag_get_by_alias, key="tags")


@cached_page(params=("page",))
def tag_detail(request, slug):
    tag, moved = _tag_or_redirect(slug, "articles:tag")
    if moved:
        return moved
    page = paginate(request, article_list_for_tag(tag=tag))
    meta = seo.listing_meta(request, title=tag.name, description=f"The latest articles tagged {tag.name}.",
                            page=page)
    return keyed(render(request, "articles/tag_detail.html", {"tag": tag, "page": page, "meta": meta}),
                 articles=page, tags=[tag], tag_lists=[tag])


def _tag_feed_view(feed, url_name):
    # Items list their other tags' names too: any tag's new name changes them.
    @cached_page(keys=[TAG_SET])
    def view(request, slug):
        tag, moved = _tag_or_redirect(slug, url_name)
        return moved or keyed(feed(request, slug=tag.slug), tags=[tag], tag_lists=[tag])

    return view


tag_feed = _tag_feed_view(feeds.TagFeed(), "articles:tag_feed")
tag_feed_atom = _tag_feed_view(feeds.TagAtomFeed(), "articles:tag_feed_atom")
def _author_or_redirect(slug, url_name):
    return _found_or_redirect(slug, url_name, by_slug=author_get_by_slug, by_alias=author_get_by_alias,
                              key="authors")


@cached_page(params=("page",))
def author_detail(request, slug):
    author, moved = _author_or_redirect(slug, "articles:author")
    if moved:
        return moved
    page = paginate(request, article_list_for_author(author=author))
    meta = seo.author_meta(request, author, page=page)
    return keyed(render(request, "articles/author_detail.html", {
        "author": author, "page": page, "meta": meta, "structured_data": seo.person_data(request, author),
    }), articles=page, authors=[author], author_lists=[author], images=[author.photo] if author.photo else ())


@cached_page(keys=[TAG_SET])
def author_feed_atom(request, slug):
    author, moved = _author_or_redirect(slug, "articles:author_feed_atom")
    return moved or keyed(feeds.AuthorAtomFeed()(request, slug=author.slug), authors=[author], author_lists=[author])


# What a feed shows changes with any article on the lists, and with any tag's name.
feed = cached_page(keys=[LISTS, TAG_SET])(feeds.LatestArticlesFeed())
feed_atom = cached_page(keys=[LISTS, TAG_SET])(feeds.LatestArticlesAtomFeed())


@cached_page(params=("q", "page"))
def search_results(request):
    query = search.clean_query(request.GET.get("q", ""))
    page = paginate(request, article_search_published(query=query))
    page.object_list = search.highlight(list(page.object_list), query=query)
    title = f"Search: {query}" if query else "Search"
    meta = seo.PageMeta(title=title, description="Search the news archive.",
                        url=seo.canonical_url(request, page=page, q=query), noindex=True)
    return keyed(render(request, "articles/search.html", {
        "query": query, "page": page, "meta": meta,
        # Only the newest matches are ranked (search.RANKED_MATCHES): say so
        # rather than give that number as the count.
        "capped": page.paginator.count >= search.RANKED_MATCHES,
    }), articles=page, lists=True)


@cached_page()
def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("articles:sitemap"))
    return render(request, "robots.txt", {"sitemap_url": sitemap_url}, content_type="text/plain; charset=utf-8")


def page_not_found(request, exception):
    meta = seo.PageMeta(title="Page not found", description="There is no page at this address.",
                        url=request.build_absolute_uri(request.path), noindex=True)
    return render(request, "404.html", {"meta": meta}, status=404)
