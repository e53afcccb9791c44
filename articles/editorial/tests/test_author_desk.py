"""Authors who look like one person, on the duplicates queue and merged from the author list."""

import pytest
from django.urls import reverse

from articles.duplicates.finder import authors_rescan
from articles.models import DuplicateCandidate
from articles.people.models import ArticleAuthor, Author, AuthorAlias
from devtools.factories import make_article, make_editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(make_editor())
    return client


@pytest.fixture
def pair():
    jane = Author.objects.create(name="Jane <b>Doe</b>", slug="jane-doe")
    initial = Author.objects.create(name="J. <b>Doe</b>", slug="j-doe")
    AuthorAlias.objects.create(author=initial, name="JD", slug="jd")
    ArticleAuthor.objects.create(article=make_article(), author=initial)
    authors_rescan()
    return jane, initial, DuplicateCandidate.objects.get(kind="author")


def test_the_compare_page_shows_both_authors_escaped_with_their_articles_and_aliases(editor_client, pair):
    jane, initial, candidate = pair
    html = editor_client.get(reverse("admin:articles_duplicatecandidate_compare", args=[candidate.pk])).content.decode()
    assert "<bdi>Jane &lt;b&gt;Doe&lt;/b&gt;</bdi>" in html and "<bdi>J. &lt;b&gt;Doe&lt;/b&gt;</bdi>" in html
    assert "<b>Doe</b>" not in html
    assert "1 article(s)" in html and "0 article(s)" in html and "<bdi>JD</bdi>" in html and "j-doe" in html
    # The fuller name is suggested.
    assert f'value="{jane.pk}" required checked' in html or f'value="{jane.pk}" checked' in html


def test_an_editor_merges_an_author_pair_from_the_queue(editor_client, pair):
    jane, initial, candidate = pair
    url = reverse("admin:articles_duplicatecandidate_merge", args=[candidate.pk])
    confirm = editor_client.post(url, {"survivor": jane.pk, "reason": "same reporter"})
    assert confirm.status_code == 200 and Author.objects.count() == 2
    editor_client.post(url, {"survivor": jane.pk, "reason": "same reporter", "confirm": "yes"})
    assert list(Author.objects.all()) == [jane]
    assert set(jane.aliases.values_list("slug", flat=True)) == {"j-doe", "jd"}
    assert ArticleAuthor.objects.get().author == jane


def test_an_author_pair_marked_not_duplicates_is_not_proposed_again(editor_client, pair):
    jane, initial, candidate = pair
    editor_client.post(reverse("admin:articles_duplicatecandidate_dismiss", args=[candidate.pk]), {"confirm": "yes"})
    authors_rescan()
    candidate.refresh_from_db()
    assert candidate.status == DuplicateCandidate.Status.DISMISSED
    assert Author.objects.count() == 2


def test_the_queue_lists_author_pairs(editor_client, pair):
    html = editor_client.get(reverse("admin:articles_duplicatecandidate_changelist") + "?kind=author").content.decode()
    assert "Jane &lt;b&gt;Doe&lt;/b&gt;" in html and "J. &lt;b&gt;Doe&lt;/b&gt;" in html
