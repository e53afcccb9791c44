"""The article form for daily use: limits said in words, no empty article published, messages that say what happened."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.editorial.tests.test_editing import change_url, opened_form, two_editors  # noqa: F401 (a fixture)
from articles.models import Article, ArticleVersion, Tag, TagAlias
from devtools.factories import make_article, make_editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    client.force_login(make_editor("alice"))
    return client


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- limits said in words, nothing cut --------------------------------------------------------


def test_an_over_long_headline_is_refused_with_its_length_and_the_limit_and_nothing_is_cut(editor):
    article = make_article(title="Short headline")
    response = editor.post(change_url(article), {**opened_form(editor, article), "title": "x" * 600})

    assert response.status_code == 200
    assert "The headline is 600 characters; the limit is 500." in response.content.decode()
    article.refresh_from_db()
    assert article.title == "Short headline"


def test_the_headline_box_does_not_let_the_browser_cut_a_pasted_headline(editor):
    article = make_article()
    html = editor.get(change_url(article)).content.decode()
    title_input = html[html.index('id="id_title"') - 200:html.index('id="id_title"') + 200]
    assert "maxlength" not in title_input


def test_a_slug_with_a_slash_gets_a_plain_message_saying_what_is_allowed(editor):
    article = make_article(slug="floods")
    response = editor.post(change_url(article), {**opened_form(editor, article), "slug": "floods/basra"})

    html = response.content.decode()
    assert "letters (of any script), digits, hyphens and underscores" in html
    assert "“slug”" not in html
    article.refresh_from_db()
    assert article.slug == "floods"


# --- an empty body is never published ------------------------------------------------------------


@pytest.mark.parametrize("button", ["_publish", "_schedule"])
def test_an_empty_body_cannot_be_published_now_or_scheduled(editor, button):
    article = make_article(status=Article.Status.DRAFT)
    when = timezone.localtime() + timedelta(days=1)
    response = editor.post(change_url(article), {
        **opened_form(editor, article), "body": "  \r\n ", button: "1",
        "published_at_0": when.strftime("%Y-%m-%d"), "published_at_1": when.strftime("%H:%M:%S")})

    assert response.status_code == 200
    html = response.content.decode()
    assert "needs a body before it can be published" in html
    assert "State: <strong>Draft</strong>" in html  # what is stored, not what was refused
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT and article.body


def test_a_draft_may_be_saved_with_an_empty_body(editor):
    article = make_article(status=Article.Status.DRAFT)
    response = editor.post(change_url(article), {**opened_form(editor, article), "body": ""})

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == "" and article.status == Article.Status.DRAFT


# --- messages that say what happened --------------------------------------------------------------


def test_publishing_says_published_with_the_headline_and_the_time(editor):
    article = make_article(title="Floods in Basra", status=Article.Status.DRAFT)
    response = editor.post(change_url(article), {**opened_form(editor, article), "_publish": "1"})

    article.refresh_from_db()
    time = timezone.localtime(article.published_at).strftime("%H:%M")
    assert messages_of(response) == [f"Published “<bdi>Floods in Basra</bdi>” at {time}."]


def test_scheduling_says_for_which_day_and_time(editor):
    article = make_article(title="Floods in Basra", status=Article.Status.DRAFT)
    when = (timezone.localtime() + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    response = editor.post(change_url(article), {
        **opened_form(editor, article), "_schedule": "1",
        "published_at_0": when.strftime("%Y-%m-%d"), "published_at_1": "09:00:00"})

    day = f"{when.day} {when.strftime('%B')}" + ("" if when.year == timezone.localtime().year else f" {when.year}")
    assert messages_of(response) == [f"Scheduled “<bdi>Floods in Basra</bdi>” for {day} at 09:00."]


def test_unpublishing_says_the_article_is_a_draft_again(editor):
    article = make_article(title="Floods in Basra")
    response = editor.post(change_url(article), {**opened_form(editor, article), "_unpublish": "1"})

    assert messages_of(response) == [
        "Unpublished “<bdi>Floods in Basra</bdi>”: it is a draft again and readers no longer see it."]


def test_a_plain_save_says_saved_and_the_state(editor):
    draft = make_article(title="Floods in Basra", status=Article.Status.DRAFT)
    response = editor.post(change_url(draft), {**opened_form(editor, draft), "_continue": "1"})

    assert messages_of(response) == ["Saved “<bdi>Floods in Basra</bdi>” (draft)."]
    assert response["Location"] == change_url(draft)


# --- counts, written by the server for the first view ------------------------------------------


def test_the_form_shows_the_headline_and_standfirst_lengths_and_the_bodys_words_and_reading_time(editor):
    article = make_article(title="Floods in Basra", standfirst="Rain fell for a week.",
                           paragraphs=[" ".join(["word"] * 240), "Two more."])
    html = editor.get(change_url(article)).content.decode()

    assert "15 of 500 characters · search results show about 60" in html
    assert "21 characters · search results show about 160" in html
    assert "242 words · about 2 min to read" in html


def test_the_publish_panel_says_the_state_and_links_to_the_preview(editor):
    article = make_article(status=Article.Status.DRAFT)
    html = editor.get(change_url(article)).content.decode()

    panel = html[html.index('class="publish-panel"'):html.index("</aside>")]
    assert "State: <strong>Draft</strong>" in panel
    assert f'/admin/articles/article/{article.pk}/preview/' in panel
    for button in ("_continue", "_publish", "_schedule", "_unpublish"):
        assert f'name="{button}"' in panel
    assert 'name="published_at_0"' in panel  # the date Schedule uses is beside the button


# --- tags typed in one box -----------------------------------------------------------------------


def test_typed_tags_reuse_existing_ones_whatever_the_case_and_create_new_ones(editor):
    iraq = Tag.objects.create(name="iraq")
    article = make_article()
    response = editor.post(change_url(article), {**opened_form(editor, article), "tags": "Iraq, new tag,  , IRAQ"})

    assert response.status_code == 302
    assert sorted(article.tags.values_list("pk", flat=True)) == sorted([iraq.pk, Tag.objects.get(name="new tag").pk])
    assert Tag.objects.count() == 2


def test_an_alias_typed_in_the_tag_box_is_its_tag(editor):
    isis = Tag.objects.create(name="Islamic State")
    TagAlias.objects.create(name="Daesh", slug="daesh", tag=isis)
    article = make_article()
    editor.post(change_url(article), {**opened_form(editor, article), "tags": "daesh"})

    assert list(article.tags.all()) == [isis]
    assert not Tag.objects.filter(name__iexact="daesh").exists()


def test_tags_can_be_removed_and_the_version_records_them(editor):
    article = make_article(tags=["Iraq", "Syria"])
    editor.post(change_url(article), {**opened_form(editor, article), "tags": "Syria"})

    assert list(article.tags.names()) == ["Syria"]
    assert ArticleVersion.objects.filter(article_id=article.pk).latest("number").snapshot["tags"] == ["Syria"]


def test_a_tag_name_over_the_limit_is_refused_in_words(editor):
    article = make_article()
    response = editor.post(change_url(article), {**opened_form(editor, article), "tags": "Iraq, " + "y" * 120})

    assert response.status_code == 200
    assert "is 120 characters; the limit is 100." in response.content.decode()
    assert not Tag.objects.filter(name="Iraq").exists()


@pytest.mark.parametrize("alice_changes, bob_changes, status, tags", [
    # Bob left the tags alone: Alice's new tag is kept, his headline goes on top.
    ({"tags": "Iraq, Weather"}, {"title": "Floods in Basra"}, 302, ["Iraq", "Weather"]),
    # Both changed the tags differently: nothing of Bob's is written, he gets the conflict page.
    ({"tags": "Iraq, Weather"}, {"tags": "Iraq, Basra"}, 409, ["Iraq", "Weather"]),
    # "iraq" is the tag he had, in another case: only the new one is his change, and it is saved.
    ({"title": "Floods in Basra"}, {"tags": "iraq, weather"}, 302, ["Iraq", "weather"]),
], ids=["theirs-kept", "both-changed", "case-is-no-change"])
def test_tags_from_a_stale_form_go_through_the_conflict_rules(two_editors, alice_changes, bob_changes, status,
                                                                tags):
    alice, bob = two_editors
    article = make_article(title="Floods", tags=["Iraq"])
    alice_form, bob_form = opened_form(alice, article), opened_form(bob, article)

    assert alice.post(change_url(article), {**alice_form, **alice_changes}).status_code == 302
    assert bob.post(change_url(article), {**bob_form, **bob_changes}).status_code == status

    assert sorted(article.tags.names(), key=str.casefold) == tags
    assert not Tag.objects.filter(name="Basra").exists()


def test_the_tag_box_suggests_tags_and_aliases_to_editors_only(editor):
    iraq = Tag.objects.create(name="Iraq")
    TagAlias.objects.create(name="Irak", slug="irak", tag=iraq)
    Tag.objects.create(name="Syria")
    url = reverse("admin:articles_article_tag_suggestions")

    assert editor.get(url, {"q": "IRA"}).json() == {"results": [{"name": "Iraq", "alias": ""},
                                                                 {"name": "Iraq", "alias": "Irak"}]}
    outsider = Client()
    outsider.force_login(get_user_model().objects.create_user("reader", password="x", is_staff=True))
    assert outsider.get(url, {"q": "ira"}).status_code == 403
