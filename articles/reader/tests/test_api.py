"""The read-only JSON API: the export format, for published articles only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.serializers import article_as_dict
from articles.models import Article, Tag, TagAlias
from articles.people.selectors import authors_attach
from articles.selectors import article_get_published
from devtools.factories import make_article, make_image

pytestmark = pytest.mark.django_db


def as_published(article):
    """The API's record of the article as it is stored now, authors included."""
    article = article_get_published(slug=article.slug)
    authors_attach([article])
    return article_as_dict(article)


def get_json(client, url, status=200, **params):
    response = client.get(url, params)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_list_gives_published_articles_in_the_export_format(client):
    article = make_article(title="Published", tags=["Iraq"], images=[make_image(caption="A photo.", credit="AFP")],
                           standfirst="Summary.", byline="Jane Doe", source="AP")
    make_article(title="Draft", status=Article.Status.DRAFT)
    make_article(title="Scheduled", published_at=timezone.now() + timedelta(days=1))
    data = get_json(client, "/api/articles/")
    assert data["count"] == 1 and data["next"] is None and data["previous"] is None
    assert data["results"] == [as_published(article)]
    assert {"id", "title", "slug", "url", "status", "published_at", "standfirst", "byline", "authors", "source",
            "body", "images", "tags"} <= set(data["results"][0])


def test_list_is_paginated_with_next_and_previous_links_keeping_the_filters(client, settings):
    settings.NEWSROOM_API_PAGE_SIZE = 2
    for n in range(5):
        make_article(title=f"Story {n}", tags=["Iraq"])
    first = get_json(client, "/api/articles/", tag="iraq", utm_source="x")
    assert first["count"] == 5 and len(first["results"]) == 2 and first["previous"] is None
    assert first["next"] == "http://testserver/api/articles/?tag=iraq&page=2"
    second = client.get(first["next"]).json()
    assert second["previous"] == "http://testserver/api/articles/?tag=iraq&page=1"
    assert {r["id"] for r in first["results"]}.isdisjoint(r["id"] for r in second["results"])
    assert get_json(client, "/api/articles/", page=3)["next"] is None


def test_page_past_the_end_is_not_found(client):
    make_article()
    assert "errors" in get_json(client, "/api/articles/", status=404, page=9)


def test_filter_by_tag_including_an_old_spelling(client):
    make_article(title="Iraq story", tags=["Iraq"])
    make_article(title="Gaza story", tags=["Gaza"])
    TagAlias.objects.create(name="Irak", slug="irak", tag=Tag.objects.get(name="Iraq"))
    assert [r["title"] for r in get_json(client, "/api/articles/", tag="iraq")["results"]] == ["Iraq story"]
    assert [r["title"] for r in get_json(client, "/api/articles/", tag="irak")["results"]] == ["Iraq story"]
    assert get_json(client, "/api/articles/", tag="nothing")["count"] == 0


def test_filter_by_search_query(client):
    make_article(title="Floods in Basra")
    make_article(title="Election day")
    assert [r["title"] for r in get_json(client, "/api/articles/", q="basra")["results"]] == ["Floods in Basra"]
    assert get_json(client, "/api/articles/", q="   ")["count"] == 2
    assert get_json(client, "/api/articles/", q="(((")["count"] == 0


def test_filter_by_publication_date(client):
    now = timezone.now()
    make_article(title="Last week", published_at=now - timedelta(days=7))
    make_article(title="Yesterday", published_at=now - timedelta(days=1))
    since = (now - timedelta(days=2)).isoformat()
    assert [r["title"] for r in get_json(client, "/api/articles/", since=since)["results"]] == ["Yesterday"]
    day = (now - timedelta(days=3)).date().isoformat()
    assert get_json(client, "/api/articles/", since=day)["count"] == 1


def test_bad_filters_are_a_bad_request_saying_why(client):
    data = get_json(client, "/api/articles/", status=400, since="last tuesday")
    assert data["errors"]["since"][0]["message"] == "Enter a valid date/time."
    assert "page" in get_json(client, "/api/articles/", status=400, page="two")["errors"]


def test_detail_gives_one_published_article(client):
    article = make_article(title="Factions meet", tags=["Iraq"])
    data = get_json(client, f"/api/articles/{article.slug}/")
    assert data == as_published(article)


def test_detail_of_a_draft_or_unknown_article_is_not_found(client):
    draft = make_article(status=Article.Status.DRAFT)
    assert "errors" in get_json(client, f"/api/articles/{draft.slug}/", status=404)
    assert "errors" in get_json(client, "/api/articles/nothing/", status=404)


def test_detail_of_a_merged_article_redirects_to_the_survivor(client):
    survivor = make_article()
    merged = make_article()
    merged.status, merged.merged_into = Article.Status.MERGED, survivor
    merged.save()
    response = client.get(f"/api/articles/{merged.slug}/")
    assert response.status_code == 301 and response["Location"] == f"/api/articles/{survivor.slug}/"


def test_markup_in_the_data_never_appears_raw_in_the_json_text(client):
    title = "<script>alert(1)</script>"
    make_article(title=title, tags=["<img src=x onerror=alert(1)>"],
                 images=[make_image(caption="</script><script>alert(2)</script>", credit="<b>AFP</b>")])
    response = client.get("/api/articles/")
    raw = response.content.decode()
    assert "<" not in raw and ">" not in raw
    result = response.json()["results"][0]
    assert result["title"] == title and result["tags"] == ["<img src=x onerror=alert(1)>"]
    assert result["images"][0]["credit"] == "<b>AFP</b>"
