"""Notes between editors: on an article or a paragraph, @mentions that tell the editor named, resolvable,
kept, and never shown to readers."""

import json
import re
from html import unescape
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from articles.models import body_from_paragraphs
from articles.notes.models import Mention, Note
from articles.notes.services import mentions_notify, mentions_parse, note_add
from devtools.factories import make_article, make_editor

pytestmark = pytest.mark.django_db

DESK = "/admin/"


def text_of(response):
    """The page's words, tags dropped and spaces folded, as an editor reads them."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def notes_panel(response):
    html = response.content.decode()
    start = html.index('<section id="notes"')
    return html[start:html.index("</section>", start)]


def desk_mentions(response):
    html = response.content.decode()
    start = html.index('aria-labelledby="desk-mentions"')
    return html[start:html.index("</section>", start)]


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def add_url(article):
    return reverse("admin:articles_article_note_add", args=[article.pk])


@pytest.fixture
def editor(client):
    user = make_editor("sam")
    client.force_login(user)
    return user


@pytest.fixture
def jane():
    user = make_editor("jane")
    user.email = "jane@newsroom.example"
    user.save()
    return user


@pytest.fixture
def story():
    return make_article(title="Floods cut off southern Basra",
                        paragraphs=["The river rose overnight.", "Roads were closed.", "Schools shut."])


def test_an_editor_adds_a_note_and_finds_it_in_the_notes_panel(client, editor, story):
    response = client.post(add_url(story), {"text": "Check the toll with the ministry.", "paragraph": ""})

    assert response.status_code == 302
    assert response["Location"] == change_url(story) + "#notes"
    note = Note.objects.get()
    assert (note.article_id, note.author, note.paragraph) == (story.pk, editor, None)
    page = client.get(change_url(story))
    assert "Check the toll with the ministry." in notes_panel(page)
    assert "Note added." in text_of(page)


def test_a_note_on_a_paragraph_shows_that_paragraph_as_it_read_when_the_note_was_written(client, editor, story):
    client.post(add_url(story), {"text": "Which river?", "paragraph": "1"})
    story.body = body_from_paragraphs(["The Tigris rose overnight.", "Roads were closed."])
    story.save()

    panel = notes_panel(client.get(change_url(story)))

    assert "on paragraph 1" in panel
    assert re.search(r'<blockquote class="note-paragraph"[^>]*>The river rose overnight\.</blockquote>', panel)


def test_a_paragraph_the_article_does_not_have_is_refused_with_the_reason(client, editor, story):
    response = client.post(add_url(story), {"text": "Cut this.", "paragraph": "9"}, follow=True)

    assert not Note.objects.exists()
    assert "The article has 3 paragraph(s); there is no paragraph 9." in text_of(response)


def test_a_mention_emails_the_editor_once_after_the_note_is_committed(client, editor, jane, story,
                                                                       django_capture_on_commit_callbacks, settings):
    settings.DEFAULT_FROM_EMAIL = "desk@newsroom.example"
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(add_url(story), {"text": "@jane can you confirm the toll?", "paragraph": "2"})
        assert mail.outbox == []  # nothing leaves before the note is stored
    for callback in callbacks:
        callback()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["jane@newsroom.example"]
    assert message.from_email == "desk@newsroom.example"
    assert "Floods cut off southern Basra" in message.subject
    assert "@jane can you confirm the toll?" in message.body
    assert "“Roads were closed.”" in message.body
    assert f"http://testserver{change_url(story)}#notes" in message.body
    mention = Mention.objects.get()
    assert mention.user == jane and mention.notified_at is not None

    mentions_notify(note_id=mention.note_id, link="")  # told already: not twice
    assert len(mail.outbox) == 1


def test_the_mentioned_editor_finds_it_on_their_desk_and_opening_it_marks_it_seen(client, editor, jane, story):
    note_add(article=story, author=editor, text="@jane please check the <b>toll</b>")
    client.force_login(jane)

    part = desk_mentions(client.get(DESK))
    assert "Floods cut off southern Basra" in part
    assert "1</span> unread note names you" in part
    assert "please check the &lt;b&gt;toll&lt;/b&gt;" in part
    opened = reverse("admin:articles_article_notes_open", args=[story.pk])
    assert f'action="{opened}"' in part

    response = client.post(opened)

    assert response.status_code == 302
    assert response["Location"] == change_url(story) + "#notes"
    assert Mention.objects.get().seen_at is not None
    assert "No note names you that you have not read." in desk_mentions(client.get(DESK))


def test_opening_is_a_post_a_link_followed_changes_nothing(client, jane, story, editor):
    note_add(article=story, author=editor, text="@jane look")
    client.force_login(jane)

    assert client.get(reverse("admin:articles_article_notes_open", args=[story.pk])).status_code == 405
    assert Mention.objects.get().seen_at is None


def test_only_active_staff_who_may_read_articles_can_be_mentioned():
    User = get_user_model()
    make_editor("jane")
    User.objects.create_user("gone", is_staff=True, is_active=False).groups.add(
        *make_editor("tmp").groups.all())
    User.objects.create_user("reader")  # not staff
    User.objects.create_user("photos", is_staff=True)  # staff, but no permission on articles
    viewer = User.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
    User.objects.create_superuser("chief")

    named = mentions_parse(text="@jane @gone @reader @photos @viewer @chief @nobody")

    assert [user.username for user in named] == ["jane", "viewer", "chief"]


@pytest.mark.parametrize("text, expected", [
    ("write to jane@example.org about it", []),
    ("me@example.org", []),
    ("ask @jane.", ["jane"]),
    ("(@jane) and @jane again", ["jane"]),
    ("@jane.doe has it", ["jane.doe"]),
    ("@JANE", []),
])
def test_mentions_are_usernames_after_an_at_sign_and_email_addresses_are_not_mentions(text, expected):
    make_editor("jane")
    make_editor("jane.doe")

    assert [user.username for user in mentions_parse(text=text)] == expected


def test_mentioning_yourself_sends_nothing(editor, story, django_capture_on_commit_callbacks):
    editor.email = "sam@newsroom.example"
    editor.save()
    with django_capture_on_commit_callbacks(execute=True):
        note_add(article=story, author=editor, text="note to self, @sam")

    assert mail.outbox == [] and not Mention.objects.exists()


def test_a_resolved_note_is_kept_folded_under_resolved_notes(client, editor, story):
    note = note_add(article=story, author=editor, text="Headline too long.")

    response = client.post(reverse("admin:articles_article_note_resolve", args=[story.pk, note.pk]))

    assert response.status_code == 302
    note.refresh_from_db()
    assert note.resolved_by == editor and note.resolved_at is not None
    panel = notes_panel(client.get(change_url(story)))
    assert "No open notes." in panel
    resolved = panel[panel.index("<details"):]
    assert "Resolved notes (1)" in resolved and "Headline too long." in resolved
    assert "Resolved by sam" in resolved


def test_a_note_of_another_article_cannot_be_resolved_through_this_one(client, editor, story):
    note = note_add(article=make_article(), author=editor, text="Elsewhere.")

    response = client.post(reverse("admin:articles_article_note_resolve", args=[story.pk, note.pk]))

    assert response.status_code == 404
    note.refresh_from_db()
    assert note.resolved_at is None


def test_notes_outlive_their_article_and_come_back_with_it(editor, story):
    from articles.history.services import article_delete, article_recover

    note_add(article=story, author=editor, text="Keep this.")
    article_id = story.pk
    article_delete(article=story, user=editor)
    assert Note.objects.filter(article_id=article_id).count() == 1

    article_recover(article_id=article_id, user=editor)
    assert Note.objects.get(article_id=article_id).text == "Keep this."


def test_note_text_is_plain_text_on_the_article_page_and_the_desk(client, editor, jane, story):
    note_add(article=story, author=editor, text='<script>alert("x")</script> @jane')

    panel = notes_panel(client.get(change_url(story)))
    assert "<script>alert" not in panel
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in panel
    client.force_login(jane)
    part = desk_mentions(client.get(DESK))
    assert "<script>alert" not in part and "&lt;script&gt;" in part


# -- who may read and write ---------------------------------------------------------


@pytest.fixture
def viewer(client):
    user = get_user_model().objects.create_user("viewer", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_article"))
    return user


def test_staff_who_may_only_view_articles_read_the_notes_but_cannot_add_or_resolve(client, viewer, editor, story):
    note = note_add(article=story, author=editor, text="Needs a second source.")
    client.force_login(viewer)

    panel = notes_panel(client.get(change_url(story)))
    assert "Needs a second source." in panel
    assert "<form" not in panel

    assert client.post(add_url(story), {"text": "Mine."}).status_code == 403
    assert client.post(reverse("admin:articles_article_note_resolve", args=[story.pk, note.pk])).status_code == 403
    assert Note.objects.count() == 1 and Note.objects.get().resolved_at is None


@pytest.mark.parametrize("who", ["anonymous", "not staff"])
def test_anyone_but_staff_is_sent_to_the_login(client, story, who):
    if who == "not staff":
        client.force_login(get_user_model().objects.create_user("reader"))

    response = client.post(add_url(story), {"text": "Hello."})

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
    assert not Note.objects.exists()


def test_staff_without_any_permission_on_articles_are_refused(client, story):
    client.force_login(get_user_model().objects.create_user("photos", is_staff=True))

    assert client.post(add_url(story), {"text": "Hello."}).status_code == 403
    assert client.post(reverse("admin:articles_article_notes_open", args=[story.pk])).status_code == 403


# -- never shown to readers ---------------------------------------------------------


def test_readers_and_machines_never_get_a_note(client, editor, story):
    secret = "Lawyers say hold the name"
    note_add(article=story, author=editor, text=secret, paragraph=1)
    note_add(article=story, author=editor, text=secret + " again")
    client.logout()

    pages = [
        story.get_absolute_url(),
        reverse("articles:home"),
        reverse("articles:feed"),
        reverse("articles:feed_atom"),
        reverse("articles:api_list"),
        reverse("articles:api_detail", args=[story.slug]),
        reverse("articles:sitemap"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert secret.encode() not in body, url
    out = StringIO()
    call_command("export_articles", stdout=out)
    assert secret not in out.getvalue()
    assert all("notes" not in json.loads(line) for line in out.getvalue().splitlines())


def test_the_desk_lists_the_newest_mentions_and_says_when_there_are_more(client, editor, jane, story):
    for n in range(7):
        note_add(article=story, author=editor, text=f"@jane question {n}")
    client.force_login(jane)

    part = desk_mentions(client.get(DESK))

    assert "6+</span> unread notes name you" in part
    assert "question 6" in part and "question 0" not in part
