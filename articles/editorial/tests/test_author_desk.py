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


def test_an_editor_merges_authors_of_their_choosing_from_the_author_list_after_a_confirmation(editor_client):
    jane, initial, other = (Author.objects.create(name=name) for name in ("Jane Doe", "J. Doe", "Janie Doe"))
    for article in (make_article(), make_article()):
        ArticleAuthor.objects.create(article=article, author=jane)
    ArticleAuthor.objects.create(article=make_article(), author=other)
    url = reverse("admin:people_author_changelist")
    selected = {"action": "merge_authors", "_selected_action": [jane.pk, initial.pk, other.pk]}
    confirm = editor_client.post(url, selected)
    assert confirm.status_code == 200 and b"Yes, merge them" in confirm.content
    assert Author.objects.count() == 3  # nothing yet
    # The author on the most articles is offered first.
    html = confirm.content.decode()
    assert html.index("<bdi>Jane Doe</bdi>") < html.index("<bdi>Janie Doe</bdi>") < html.index("<bdi>J. Doe</bdi>")
    done = editor_client.post(url, {**selected, "confirm": "yes", "survivor": jane.pk}, follow=True)
    assert list(Author.objects.values_list("name", flat=True)) == ["Jane Doe"]
    assert set(AuthorAlias.objects.values_list("name", flat=True)) == {"J. Doe", "Janie Doe"}
    assert jane.article_authors.count() == 3
    message = [str(m) for m in done.context["messages"]][0]
    assert f"#{initial.pk} “<bdi>J. Doe</bdi>”" in message and f"into #{jane.pk} “<bdi>Jane Doe</bdi>”" in message


def test_merging_authors_from_the_author_list_needs_the_merge_permission(client):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    clerk = get_user_model().objects.create_user("clerk", password="x", is_staff=True)
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_author", "change_author"]))
    client.force_login(clerk)
    first, second = Author.objects.create(name="Jane Doe"), Author.objects.create(name="J. Doe")
    url = reverse("admin:people_author_changelist")
    response = client.post(url, {"action": "merge_authors", "_selected_action": [first.pk, second.pk],
                                 "confirm": "yes", "survivor": first.pk})
    assert Author.objects.count() == 2 and response.status_code in (200, 302)
    assert b"merge_authors" not in client.get(url).content


def test_saving_an_author_who_looks_like_another_proposes_the_pair(editor_client):
    jane = Author.objects.create(name="Jane Doe")
    response = editor_client.post(reverse("admin:people_author_add"), {
        "name": "Jane Q. Doe", "slug": "jane-q-doe", "bio": "", "links": "[]",
        "aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0"}, follow=True)
    assert response.status_code == 200
    added = Author.objects.get(slug="jane-q-doe")
    pair = DuplicateCandidate.objects.get(kind="author")
    assert (pair.author_a, pair.author_b) == (jane, added)
    assert any("looks like the same person" in str(m) for m in response.context["messages"])
