"""What readers and machines see of authors: pages, feeds, JSON-LD, the API, and when those pages change."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse

from articles.history.changes import content_change
from articles.models import Article
from articles.people.models import Author, AuthorAlias
from articles.people.services import article_authors_set
from devtools.factories import make_article

pytestmark = pytest.mark.django_db


def written_by(*authors, **fields):
    article = make_article(**fields)
    article_authors_set(article=article, authors=authors)
    return article


def json_ld(html):
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def jane():
    return Author.objects.create(name="Jane Doe", bio="Covers Iraq.", links=["https://example.org/jane"])


def test_an_author_page_lists_their_published_articles_newest_first(client, jane):
    older = written_by(jane, title="Older story")
    newer = written_by(jane, title="Newer story", published_at=older.published_at + timedelta(seconds=30))
    written_by(jane, title="Secret draft", status=Article.Status.DRAFT)
    make_article(title="Someone else's story")
    response = client.get("/authors/jane-doe/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1 dir=\"auto\">Jane Doe</h1>" in html and "Covers Iraq." in html
    assert html.index(newer.title) < html.index(older.title)
    assert "Secret draft" not in html and "Someone else" not in html
    assert 'href="https://example.org/jane"' in html
    assert f'href="{reverse("articles:author_feed_atom", args=["jane-doe"])}"' in html


def test_an_author_page_is_paginated(client, settings, jane):
    settings.NEWSROOM_PAGE_SIZE = 2
    for n in range(3):
        written_by(jane, title=f"Story {n}")
    assert "Page 1 of 2" in client.get("/authors/jane-doe/").content.decode()
    assert "Page 2 of 2" in client.get("/authors/jane-doe/?page=2").content.decode()


def test_an_old_address_of_a_merged_author_redirects_permanently(client, jane):
    AuthorAlias.objects.create(author=jane, name="J. Doe", slug="j-doe")
    for old, new in [("/authors/j-doe/", "/authors/jane-doe/"),
                     ("/authors/j-doe/feed/atom/", "/authors/jane-doe/feed/atom/")]:
        response = client.get(old)
        assert response.status_code == 301 and response["Location"] == new
    assert client.get("/authors/nobody/").status_code == 404


def test_an_authors_atom_feed_lists_their_articles(client, jane):
    written_by(jane, title="Her story")
    make_article(title="Not hers")
    response = client.get("/authors/jane-doe/feed/atom/")
    xml = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    assert "<title>Jane Doe · " in xml and "Her story" in xml and "Not hers" not in xml


def test_an_article_page_links_its_authors_in_order(client, jane):
    john = Author.objects.create(name="John Smith")
    article = written_by(jane, john, title="Joint story", byline="J. Doe and J. Smith")
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'By <a href="/authors/jane-doe/" rel="author" dir="auto">Jane Doe</a> and ' \
           '<a href="/authors/john-smith/" rel="author" dir="auto">John Smith</a>' in html


def test_an_article_without_authors_still_shows_its_byline(client):
    article = make_article(byline="Staff")
    assert '<span dir="auto">Staff</span>' in client.get(article.get_absolute_url()).content.decode()


def test_json_ld_names_each_author_as_a_person_with_their_page(client, jane):
    john = Author.objects.create(name="John Smith")
    article = written_by(jane, john)
    data = json_ld(client.get(article.get_absolute_url()).content.decode())
    assert data["author"] == [
        {"@type": "Person", "name": "Jane Doe", "url": "http://testserver/authors/jane-doe/",
         "sameAs": ["https://example.org/jane"]},
        {"@type": "Person", "name": "John Smith", "url": "http://testserver/authors/john-smith/"},
    ]
    page = json_ld(client.get("/authors/jane-doe/").content.decode())
    assert page["@type"] == "Person" and page["url"] == "http://testserver/authors/jane-doe/"


def test_only_web_addresses_are_given_as_an_authors_links(client):
    author = Author.objects.create(name="Odd Links", links=["javascript:alert(1)", "https://example.org/odd"])
    article = written_by(author)
    html = client.get("/authors/odd-links/").content.decode()
    assert "javascript:" not in html
    assert json_ld(client.get(article.get_absolute_url()).content.decode())["author"][0]["sameAs"] == [
        "https://example.org/odd"]


def test_the_api_gives_each_articles_authors_with_their_pages(client, jane):
    article = written_by(jane, title="Story")
    expected = [{"name": "Jane Doe", "url": "/authors/jane-doe/"}]
    assert client.get(f"/api/articles/{article.slug}/").json()["authors"] == expected
    assert client.get("/api/articles/").json()["results"][0]["authors"] == expected


def test_author_pages_are_in_the_sitemap(client, jane):
    written_by(jane)
    Author.objects.create(name="No Articles Yet")
    xml = client.get("/sitemap-authors.xml").content.decode()
    assert "/authors/jane-doe/" in xml and "no-articles-yet" not in xml


# Pages go stale when a change commits: these tests run the commit's callbacks as it would.


def test_an_edit_to_an_article_shows_at_once_on_its_authors_page_and_feed(client, jane, committed):
    article = written_by(jane, title="Old headline")
    for url in ("/authors/jane-doe/", "/authors/jane-doe/feed/atom/"):
        assert "Old headline" in client.get(url).content.decode()
    with committed(execute=True), content_change() as change:
        Article.objects.filter(pk=article.pk).update(title="New headline")
        change.touch(articles=[article.pk])
    for url in ("/authors/jane-doe/", "/authors/jane-doe/feed/atom/"):
        html = client.get(url).content.decode()
        assert "New headline" in html and "Old headline" not in html


def test_renaming_an_author_shows_at_once_on_their_articles_pages(client, jane, committed):
    article = written_by(jane)
    assert "Jane Doe" in client.get(article.get_absolute_url()).content.decode()
    jane.name = "Jane Q. Doe"
    with committed(execute=True):
        jane.save()
    assert "Jane Q. Doe" in client.get(article.get_absolute_url()).content.decode()


def test_a_new_author_of_an_article_finds_it_on_their_page_and_a_removed_one_loses_it(client, jane, committed):
    john = Author.objects.create(name="John Smith")
    article = written_by(jane, title="Shared story")
    assert "Shared story" not in client.get("/authors/john-smith/").content.decode()
    assert "Shared story" in client.get("/authors/jane-doe/").content.decode()
    with committed(execute=True):
        article_authors_set(article=article, authors=[john])
    assert "Shared story" in client.get("/authors/john-smith/").content.decode()
    assert "Shared story" not in client.get("/authors/jane-doe/").content.decode()


def test_an_import_shows_at_once_on_its_authors_pages(client, jane, tmp_path, committed):
    from devtools.dumps import run_import

    assert "Imported story" not in client.get("/authors/jane-doe/").content.decode()
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"title": "Imported story", "body": ["Text."], "status": "published",
                                "byline": "By Jane Doe"}) + "\n", encoding="utf-8")
    with committed(execute=True):
        assert not run_import(path)[2]
    assert "Imported story" in client.get("/authors/jane-doe/").content.decode()


def test_author_names_are_escaped_on_pages_in_feeds_and_in_json_ld(client):
    author = Author.objects.create(name="<script>alert(1)</script> Doe", slug="x-doe", bio="<b>bold</b>")
    article = written_by(author)
    for url in (article.get_absolute_url(), "/authors/x-doe/"):
        html = client.get(url).content.decode()
        assert "<script>alert(1)" not in html and "<b>bold" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Doe" in html
        assert "\\u003Cscript\\u003Ealert(1)\\u003C/script\\u003E Doe" in html  # the JSON-LD
    xml = client.get("/authors/x-doe/feed/atom/").content.decode()
    assert "<script>" not in xml and "&lt;script&gt;alert(1)&lt;/script&gt; Doe" in xml
    assert "<script>" not in client.get(f"/api/articles/{article.slug}/").content.decode()
