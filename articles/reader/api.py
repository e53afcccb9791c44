"""The read-only JSON API: published articles in the export format.

    GET /api/articles/?tag=<slug>&q=<words>&since=<ISO date or time>&page=<n>
    GET /api/articles/<slug>/

A list answers {count, next, previous, results}; each result, like the
detail, is `article_as_dict` (articles/serializers.py, also the record of
each `export_articles` line). <, > and & are
\\u-escaped in the JSON text, so a browser never finds markup in it.
"""

import datetime

from django import forms
from django.conf import settings
from django.core.paginator import InvalidPage
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse

from articles.people.selectors import authors_attach
from articles.reader.cache import cached_page
from articles.reader.cache_keys import TAG_SET, page_keys
from articles.reader.selectors import article_list_api
from articles.reader.views import ListingPaginator
from articles.selectors import (
    article_resolve,
    tag_get_by_alias,
    tag_get_by_slug,
)
from articles.reader.seo import json_dumps_html_safe
from articles.serializers import article_as_dict

FILTERS = ("tag", "q", "since")


class ArticleFilters(forms.Form):
    tag = forms.CharField(required=False, max_length=100, help_text="A tag's slug.")
    q = forms.CharField(required=False, help_text="Words to search for.")
    since = forms.DateTimeField(required=False, help_text="Published at or after this date or time.")
    page = forms.IntegerField(required=False, min_value=1)

    def clean_since(self):
        since = self.cleaned_data["since"]
        if since is None:
            return None
        # In UTC: Python accepts offsets up to ±23:59, PostgreSQL only ±15:59.
        try:
            return since.astimezone(datetime.timezone.utc)
        except (OverflowError, ValueError):
            raise forms.ValidationError("This date is out of range.", code="invalid")


def json_response(data, status=200):
    return HttpResponse(json_dumps_html_safe(data), status=status, content_type="application/json")


def _page_url(request, number):
    """This list's URL at another page, keeping only the filters."""
    params = request.GET.copy()
    for name in list(params):
        if name not in FILTERS:
            del params[name]
    params["page"] = number
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


@cached_page(params=(*FILTERS, "page"))
def article_list(request):
    filters = ArticleFilters(request.GET)
    if not filters.is_valid():
        return json_response({"errors": filters.errors.get_json_data()}, status=400)
    data = filters.cleaned_data
    tag = None
    if data["tag"]:
        tag = tag_get_by_slug(slug=data["tag"]) or tag_get_by_alias(slug=data["tag"])
        if tag is None:
            response = json_response({"count": 0, "next": None, "previous": None, "results": []})
            response.cache_keys = page_keys(lists=True) | {TAG_SET}  # until such a tag or alias exists
            return response
    articles = article_list_api(tag=tag, query=data["q"], since=data["since"])
    paginator = ListingPaginator(articles, settings.NEWSROOM_API_PAGE_SIZE)
    try:
        page = paginator.page(data["page"] or 1)
    except InvalidPage:
        return json_response({"errors": {"page": [{"message": "No such page.", "code": "invalid"}]}}, status=404)
    shown = list(page.object_list)
    authors_attach(shown)
    response = json_response({
        "count": paginator.count,
        "next": _page_url(request, page.next_page_number()) if page.has_next() else None,
        "previous": _page_url(request, page.previous_page_number()) if page.has_previous() else None,
        "results": [article_as_dict(article) for article in shown],
    })
    response.cache_keys = page_keys(articles=shown, tags=[tag] if tag else (),
                                    tag_lists=[tag] if tag else (), lists=True)
    return response


@cached_page()
def article_detail(request, slug):
    article, target = article_resolve(slug=slug)
    if target is not None:
        response = HttpResponsePermanentRedirect(reverse("articles:api_detail", kwargs={"slug": target.slug}))
        response.cache_keys = page_keys(linked=[target], lists=True)
        return response
    if article is None:
        return json_response({"errors": {"slug": [{"message": "No such article.", "code": "not_found"}]}},
                             status=404)
    authors_attach([article])
    response = json_response(article_as_dict(article))
    response.cache_keys = page_keys(articles=[article])
    return response
