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
