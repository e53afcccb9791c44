"""Editors' admin: authors searchable, found by autocomplete, and listing their articles."""

import pytest

from articles.people.models import Author
from articles.people.services import article_authors_set
from devtools.factories import make_article

pytestmark = pytest.mark.django_db


def test_authors_are_found_by_name_and_list_their_latest_articles(admin_client):
    jane = Author.objects.create(name="Jane Doe")
    Author.objects.create(name="John Smith")
    article_authors_set(article=make_article(title="Her story"), authors=[jane])
    html = admin_client.get("/admin/people/author/?q=jane").content.decode()
    assert "Jane Doe" in html and "John Smith" not in html
    html = admin_client.get(f"/admin/people/author/{jane.pk}/change/").content.decode()
    assert "Her story" in html
    found = admin_client.get("/admin/autocomplete/", {"app_label": "people", "model_name": "articleauthor",
                                                      "field_name": "author", "term": "jan"}).json()
    assert [item["text"] for item in found["results"]] == ["Jane Doe"]


def test_an_editor_sets_an_articles_authors_in_order_on_its_form(admin_client):
    import re

    from django.urls import reverse

    jane, john = Author.objects.create(name="Jane Doe"), Author.objects.create(name="John Smith")
    article = make_article(title="Two bylines")
    url = reverse("admin:articles_article_change", args=[article.pk])
    html = admin_client.get(url).content.decode()
    assert 'name="article_authors-TOTAL_FORMS"' in html
    article.refresh_from_db()
    data = {
        "title": article.title, "slug": article.slug, "body": article.body, "status": article.status,
        "standfirst": "", "byline": "", "source": "", "tags": "", "initial-tags": "",
        "base_version": re.search(r'name="base_version" value="(\d+)"', html).group(1),
        "published_at_0": article.published_at.strftime("%Y-%m-%d"),
        "published_at_1": article.published_at.strftime("%H:%M:%S"),
        "article_images-TOTAL_FORMS": "0", "article_images-INITIAL_FORMS": "0",
        "article_authors-TOTAL_FORMS": "2", "article_authors-INITIAL_FORMS": "0",
        "article_authors-0-author": str(john.pk), "article_authors-0-position": "1",
        "article_authors-1-author": str(jane.pk), "article_authors-1-position": "0",
        "_continue": "Save",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [a.author.name for a in article.article_authors.order_by("position")] == ["Jane Doe", "John Smith"]
