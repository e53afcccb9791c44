"""Whatever a stranger sends, the site answers in words: never a 500, never a halt."""

import pytest
from django.test import override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings, strategies as st

from articles.models import Article
from devtools.factories import make_article

pytestmark = pytest.mark.django_db

READER_PAGES = ["/", "/articles/a-story/", "/tags/iraq/", "/tags/iraq/feed/", "/tags/iraq/feed/atom/", "/search/?q=x",
                "/feed/", "/feed/atom/", "/sitemap.xml", "/sitemap-articles.xml", "/robots.txt", "/api/articles/",
                "/api/articles/a-story/"]


@pytest.fixture
def site():
    return make_article(title="A story", slug="a-story", tags=["Iraq"])


@pytest.mark.parametrize("path", ["/articles/%00/", "/tags/%00/", "/tags/%00/feed/", "/tags/%00/feed/atom/",
                                  "/api/articles/%00/", "/articles/a%00b/"])
def test_a_nul_byte_in_a_path_is_not_found(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("since", ["2024-01-01T00:00:00-23:59", "2024-01-01T00:00:00+23:59", "0001-01-01T00:00:00+14:00",
                                   "9999-12-31T23:59:59-14:00"])
def test_api_dates_postgresql_cannot_store_are_answered_in_words(client, since):
    response = client.get("/api/articles/", {"since": since})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert "since" in response.json()["errors"]


def test_an_api_date_with_an_offset_is_read_in_utc(client):
    story = make_article(title="Late story")
    Article.objects.filter(pk=story.pk).update(published_at="2024-01-01T12:00:00Z")
    found = client.get("/api/articles/", {"since": "2024-01-01T00:00:00-11:59"}).json()["results"]
    assert [a["title"] for a in found] == ["Late story"]
    assert client.get("/api/articles/", {"since": "2024-01-01T01:00:00-11:59"}).json()["results"] == []


@pytest.mark.parametrize("path", READER_PAGES)
@pytest.mark.parametrize("method", ["post", "put", "delete", "patch", "options"])
def test_reader_pages_refuse_other_methods_with_405(client, site, path, method):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_a_search_on_a_never_analysed_database_is_a_plain_list_of_ids(client, site, django_assert_max_num_queries):
    # The newest matches are fetched as ids first, so no plan can re-run a
    # limited subquery per row (PostgreSQL without statistics did).
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/search/", {"q": "story"}).status_code == 200
    assert not any("LIMIT 1000" in q["sql"] and " IN (SELECT" in q["sql"] for q in queries.captured_queries)


# --- fuzzing --------------------------------------------------------------------------------

SEGMENT = st.text(st.characters(codec="utf-8"), min_size=1, max_size=40)
QUERY = st.dictionaries(st.sampled_from(["q", "page", "tag", "since", "p", "utm_source"]),
                        st.text(st.characters(codec="utf-8"), max_size=60), max_size=4)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(["/articles/{}/", "/tags/{}/", "/tags/{}/feed/", "/tags/{}/feed/atom/",
                              "/api/articles/{}/", "/sitemap-{}.xml", "/{}"]),
       segment=SEGMENT, query=QUERY)
def test_no_path_or_query_string_gets_a_500(client, site, route, segment, query):
    from urllib.parse import quote

    with override_settings(DEBUG_PROPAGATE_EXCEPTIONS=False):
        response = client.get(route.format(quote(segment, safe="")), query)
    assert response.status_code < 500, (route, segment, query)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(page=st.sampled_from(["/", "/search/", "/api/articles/", "/tags/iraq/", "/sitemap-articles.xml"]),
       query=QUERY)
def test_no_query_string_on_a_listing_gets_a_500(client, site, page, query):
    assert client.get(page, query).status_code < 500, (page, query)


def test_reverse_of_every_reader_route_survives_odd_slugs():
    for name in ("articles:detail", "articles:tag", "articles:api_detail"):
        for slug in ("a/b", "what?", "with space", "عربي"):
            assert reverse(name, kwargs={"slug": slug})
