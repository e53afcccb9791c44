"""Search: relevant results with highlighted, escaped snippets, whatever is typed.

Runs on both databases: full-text search on PostgreSQL, the fallback on SQLite.
"""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from articles.models import Article
from articles.reader.search import clean_query
from devtools.factories import make_article

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL full-text search")


def search(client, query, **params):
    response = client.get("/search/", {"q": query, **params})
    assert response.status_code == 200
    return response.content.decode()


def test_search_finds_published_articles_by_headline_and_body_words(client):
    make_article(title="Floods in Basra", paragraphs=["Water covered the streets of the city."])
    make_article(title="Election day", paragraphs=["Voters queued in Basra since dawn."])
    make_article(title="Football final", paragraphs=["A late goal settled it."])
    make_article(title="Basra draft", status=Article.Status.DRAFT)
    html = search(client, "basra")
    assert "2 results for" in html
    assert "Floods in" in html and "Election day" in html
    assert "Football final" not in html and "Basra draft" not in html


def test_headline_matches_rank_above_body_matches(client):
    make_article(title="Election day", paragraphs=["Voters queued in Basra since dawn."])
    make_article(title="Floods in Basra", paragraphs=["Water covered the streets."])
    html = search(client, "Basra")
    assert html.index("Floods in") < html.index("Election day")


def test_every_word_must_match(client):
    make_article(title="Floods in Basra", paragraphs=["Water covered the streets."])
    make_article(title="Floods in Mosul", paragraphs=["Rain fell."])
    html = search(client, "floods basra")
    assert "1 result for" in html and "Mosul" not in html


def test_matches_are_highlighted_in_headline_and_snippet(client):
    make_article(title="Floods in Basra", paragraphs=["After the floods, the water covered Basra streets."])
    html = search(client, "basra")
    assert "Floods in <mark>Basra</mark>" in html
    assert "covered <mark>Basra</mark> streets" in html


def test_a_word_in_much_of_the_archive_ranks_only_its_newest_matches(client, monkeypatch):
    monkeypatch.setattr("articles.reader.search.RANKED_MATCHES", 3)
    now = timezone.now()
    # The oldest has the word in its headline, so it would rank first: it is
    # beyond the newest three, so it is not among the results at all.
    make_article(title="Basra floods", published_at=now - timedelta(days=9))
    for days in (4, 3, 2, 1):
        make_article(title=f"Story {days}", paragraphs=[f"Water in Basra, day {days}."],
                     published_at=now - timedelta(days=days))
    html = search(client, "basra")
    assert "The 3 most recent results for" in html
    assert "Basra floods" not in html and "Story 4" not in html
    assert html.index("Story 1") < html.index("Story 2") < html.index("Story 3")
    assert client.get("/api/articles/", {"q": "basra"}).json()["count"] == 3


def test_the_api_searches_within_a_tag_before_taking_the_newest_matches(client, monkeypatch):
    monkeypatch.setattr("articles.reader.search.RANKED_MATCHES", 3)
    now = timezone.now()
    tagged = make_article(title="Basra port", tags=["Iraq"], published_at=now - timedelta(days=9))
    for days in (3, 2, 1):
        make_article(title=f"Basra story {days}", published_at=now - timedelta(days=days))
    data = client.get("/api/articles/", {"q": "basra", "tag": "iraq"}).json()
    assert [result["title"] for result in data["results"]] == [tagged.title] and data["count"] == 1


def test_fewer_matches_than_the_cap_are_all_counted(client, monkeypatch):
    monkeypatch.setattr("articles.reader.search.RANKED_MATCHES", 3)
    make_article(title="Basra one")
    make_article(title="Basra two")
    assert "2 results for" in search(client, "basra")


def test_snippet_is_escaped_before_matches_are_marked(client):
    make_article(title="Markup <b>story</b>",
                 paragraphs=["Basra <script>alert(1)</script> and <img src=x onerror=alert(1)> text."])
    html = search(client, "basra")
    assert "<script>alert(1)" not in html and "<img src=x" not in html and "<b>story" not in html
    # (PostgreSQL's snippets leave out what its parser takes for tags; what is left is escaped.)
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<mark>Basra</mark>" in html


def test_search_results_are_paginated_keeping_the_query(client, settings):
    settings.NEWSROOM_PAGE_SIZE = 2
    for n in range(5):
        make_article(title=f"Basra story {n}")
    first = search(client, "basra")
    assert "5 results for" in first
    assert 'rel="next" href="?q=basra&amp;page=2"' in first
    assert "Page 3 of 3" in search(client, "basra", page=3)


def test_empty_query_shows_the_form_and_no_results(client):
    make_article(title="Anything")
    html = search(client, "")
    assert 'name="q"' in html and "result" not in html and "Anything" not in html


@pytest.mark.parametrize("query", ["%", "_", "(((", ")", "\"", "'", "!", "&|!", "a:*", "<b>bold</b>", "\\",
                                   "<script>alert(1)</script>", "-", "OR", "\x00", "\u202e", "💥", "a" * 5000,
                                   "word " * 1000])
def test_any_query_answers_quickly_with_escaped_output(client, query):
    make_article(title="Basra 100% certain_thing", paragraphs=["Some (((text))) here."])
    started = time.perf_counter()
    html = search(client, query)
    assert time.perf_counter() - started < 2
    assert "<script>alert(1)" not in html and "<b>bold" not in html


def test_percent_and_underscore_are_not_wildcards(client):
    make_article(title="Plain headline", paragraphs=["Nothing special."])
    assert "No published article matches" in search(client, "%")
    assert "No published article matches" in search(client, "_")


def test_query_is_cleaned_and_capped_at_200_characters():
    assert clean_query("  floods \x00 in\tbasra\n ") == "floods in basra"
    assert len(clean_query("a" * 5000)) == 200
    assert clean_query(None) == ""


def test_arabic_words_are_found(client):
    make_article(title="اجتماع الفصائل في بغداد", paragraphs=["عقد الاجتماع في بغداد يوم الاثنين."])
    html = search(client, "بغداد")
    assert "1 result for" in html and "<mark>بغداد</mark>" in html


@on_postgres
def test_postgres_understands_web_search_syntax(client):
    make_article(title="Floods in Basra", paragraphs=["The water rose."])
    make_article(title="Floods in Mosul", paragraphs=["The water rose."])
    html = search(client, 'floods -mosul')
    assert "1 result for" in html and "Basra" in html
    assert "1 result for" in search(client, '"floods in basra"')


@on_postgres
def test_postgres_matches_word_forms(client):
    make_article(title="Flooding continues", paragraphs=["Rivers flooded the plain."])
    assert "1 result for" in search(client, "floods")


@on_postgres
def test_postgres_matches_search_documents_through_the_gin_index():
    from django.contrib.postgres.search import SearchQuery

    from articles.models import ArticleSearchDocument

    make_article(title="Floods in Basra", paragraphs=["The water rose."])
    matches = ArticleSearchDocument.objects.filter(document=SearchQuery("basra", config="english")).values("pk")
    sql, params = matches.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "articles_search_document_gin" in plan, plan
    assert matches.count() == 1


@on_postgres
@pytest.mark.django_db(transaction=True)  # the cached results page moves on when the save commits
def test_postgres_keeps_the_search_document_in_step_with_the_text(client):
    article = make_article(title="Floods in Basra", paragraphs=["The water rose."])
    assert "1 result for" in search(client, "floods")
    article.title = "Drought in Basra"
    article.body = "The rivers dried up."
    article.save()
    assert "1 result for" in search(client, "drought")
    assert "1 result for" not in search(client, "floods")


# --- relevance for this beat (PostgreSQL) -----------------------------------------------


@on_postgres
def test_a_name_is_not_merged_with_another_name_by_stemming(client):
    make_article(title="Hamas leaders meet in Doha", paragraphs=["Hamas said talks would go on."])
    for n in range(3):
        make_article(title=f"Shelling near Hama, day {n}", paragraphs=["Hama was shelled again."])
    html = search(client, "Hamas")
    assert "1 result for" in html and "Doha" in html and "Shelling near Hama" not in html


@on_postgres
def test_exact_words_rank_above_words_found_through_their_stem(client):
    from articles.reader.selectors import article_search_published

    make_article(title="Shelling near Hama", paragraphs=["Hama was shelled again, and again."])
    make_article(title="Hamas leaders meet", paragraphs=["Hamas said talks would go on."])
    found = [article.title for article in article_search_published(query="hamas")]
    assert found[0] == "Hamas leaders meet"


@on_postgres
def test_arabic_articles_are_searched_with_arabic_stems(client):
    make_article(title="اجتماع الحكومة في بغداد", paragraphs=["ناقشت الحكومة الميزانية."])
    # "حكومة" without the article "ال": the same stem, found only by Arabic stemming.
    assert "1 result for" in search(client, "حكومة")
