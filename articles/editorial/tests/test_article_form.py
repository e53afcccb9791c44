"""The article form for daily use: limits said in words, no empty article published, messages that say what happened."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from articles.editorial.tests.test_editing import change_url, opened_form
from articles.models import Article
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
    assert "needs a body before it can be published" in response.content.decode()
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
