"""Tags editors choose to merge, and the vocabulary applied to stored articles."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from articles.ingest.vocabulary import vocabulary_apply
from articles.models import ArticleVersion, Tag, TagAlias
from devtools.factories import make_article, make_editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(make_editor())
    return client


def test_an_editor_merges_tags_of_their_choosing_from_the_tag_list_after_a_confirmation(editor_client):
    isis = Tag.objects.create(name="ISIS")
    islamic_state = Tag.objects.create(name="Islamic State")
    daesh = Tag.objects.create(name="Daesh")
    make_article(tags=[isis, islamic_state])
    make_article(tags=[isis])
    make_article(tags=[daesh])
    url = reverse("admin:articles_tag_changelist")
    selected = {"action": "merge_tags", "_selected_action": [isis.pk, islamic_state.pk, daesh.pk]}
    confirm = editor_client.post(url, selected)
    assert confirm.status_code == 200 and b"Yes, merge them" in confirm.content
    assert Tag.objects.count() == 3  # nothing yet
    # The tag on the most articles is offered first.
    assert confirm.content.decode().index("ISIS") < confirm.content.decode().index("Daesh")
    done = editor_client.post(url, {**selected, "confirm": "yes", "survivor": isis.pk}, follow=True)
    assert list(Tag.objects.values_list("name", flat=True)) == ["ISIS"]
    assert set(TagAlias.objects.values_list("name", flat=True)) == {"Islamic State", "Daesh"}
    assert isis.tagged_articles.count() == 3
    message = [str(m) for m in done.context["messages"]][0]
    assert f"#{islamic_state.pk}" in message and f"#{daesh.pk}" in message and f"into #{isis.pk}" in message


def test_the_vocabulary_tags_stored_articles_that_name_a_tag_or_an_old_spelling():
    gaza = Tag.objects.create(name="Gaza")
    isis = Tag.objects.create(name="ISIS")
    TagAlias.objects.create(name="Islamic State", slug="islamic-state", tag=isis)
    named = make_article(title="Talks on Gaza resume", paragraphs=["Fighters of the Islamic State were seen."])
    tagged = make_article(title="Gaza border reopens", tags=[gaza])
    untouched = make_article(title="Markets rally", paragraphs=["Gazans and others traded."])
    dry = vocabulary_apply(dry_run=True)
    assert (dry.articles_tagged, dry.tags_added) == (1, 2)
    assert not named.tags.exists()  # a dry run writes nothing
    version = named.version
    report = vocabulary_apply()
    assert (report.articles_checked, report.articles_tagged, report.tags_added) == (3, 1, 2)
    named.refresh_from_db()
    assert set(named.tags.values_list("name", flat=True)) == {"Gaza", "ISIS"}
    assert named.version == version + 1
    recorded = ArticleVersion.objects.filter(article_id=named.pk).first()
    assert recorded.snapshot["tags"] == ["Gaza", "ISIS"] and "vocabulary" in recorded.reason
    assert list(tagged.tags.values_list("name", flat=True)) == ["Gaza"]
    assert not untouched.tags.exists()  # "Gazans" is not "Gaza"
    assert vocabulary_apply().tags_added == 0  # once is enough


def test_apply_vocabulary_command_counts_with_dry_run_then_tags():
    Tag.objects.create(name="Basra")
    article = make_article(title="Floods in Basra")
    out = StringIO()
    call_command("apply_vocabulary", "--dry-run", stdout=out)
    assert "1 of 1 article(s) would gain 1 tag(s) (dry run: nothing written)." in out.getvalue()
    assert "Basra: 1 article(s)" in out.getvalue()
    assert not article.tags.exists()
    call_command("apply_vocabulary", stdout=StringIO())
    assert list(article.tags.values_list("name", flat=True)) == ["Basra"]


def test_the_article_list_action_shows_the_count_before_tagging(editor_client):
    Tag.objects.create(name="Basra")
    article = make_article(title="Floods in Basra")
    url = reverse("admin:articles_article_changelist")
    selected = {"action": "apply_vocabulary", "_selected_action": [article.pk]}
    confirm = editor_client.post(url, selected)
    assert b"1 of the 1 selected articles" in confirm.content and b"Basra" in confirm.content
    assert not article.tags.exists()
    editor_client.post(url, {**selected, "confirm": "yes"})
    assert list(article.tags.values_list("name", flat=True)) == ["Basra"]


def test_merging_a_tag_whose_name_is_already_an_alias_repoints_the_alias(editor_client):
    bar = Tag.objects.create(name="Bar")
    TagAlias.objects.create(name="Foo", slug="foo-old", tag=bar)
    foo = Tag.objects.create(name="foo")
    url = reverse("admin:articles_tag_changelist")
    response = editor_client.post(url, {"action": "merge_tags", "_selected_action": [bar.pk, foo.pk],
                                        "confirm": "yes", "survivor": bar.pk}, follow=True)
    assert response.status_code == 200
    assert list(Tag.objects.values_list("name", flat=True)) == ["Bar"]
    assert TagAlias.objects.get(name__iexact="foo").tag == bar


def test_a_malformed_survivor_is_asked_again_not_an_error(editor_client):
    first, second = Tag.objects.create(name="One"), Tag.objects.create(name="Two")
    response = editor_client.post(reverse("admin:articles_tag_changelist"), {
        "action": "merge_tags", "_selected_action": [first.pk, second.pk], "confirm": "yes", "survivor": "²"})
    assert response.status_code == 200 and b"Yes, merge them" in response.content
    assert Tag.objects.count() == 2


def test_tagging_every_article_of_the_list_goes_back_as_select_all_not_as_ids(editor_client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 20
    Tag.objects.create(name="Basra")
    articles = [make_article(title=f"Floods in Basra, day {n}") for n in range(30)]
    url = reverse("admin:articles_article_changelist")
    selected = {"action": "apply_vocabulary", "_selected_action": [articles[0].pk], "select_across": "1", "index": "0"}
    confirm = editor_client.post(url, selected)
    html = confirm.content.decode()
    assert "30 of the 30 selected articles" in html and 'name="select_across" value="1"' in html
    assert html.count('name="_selected_action"') == 1
    editor_client.post(url, {"action": "apply_vocabulary", "select_across": "1", "confirm": "yes",
                             "_selected_action": [articles[0].pk]})
    assert all(a.tags.filter(name="Basra").exists() for a in articles)


def test_merging_tags_from_the_tag_list_needs_the_same_permission_as_the_duplicates_queue(client):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    clerk = get_user_model().objects.create_user("clerk", password="x", is_staff=True)
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_tag", "change_tag"]))
    client.force_login(clerk)
    first, second = Tag.objects.create(name="Daesh"), Tag.objects.create(name="ISIS")
    url = reverse("admin:articles_tag_changelist")
    response = client.post(url, {"action": "merge_tags", "_selected_action": [first.pk, second.pk], "confirm": "yes",
                                 "survivor": second.pk})
    assert Tag.objects.count() == 2  # the action is not offered to someone who may not merge
    assert b"merge_tags" not in client.get(url).content and response.status_code in (200, 302)


def test_a_right_to_left_override_in_a_tag_name_cannot_reorder_the_merge_message(editor_client):
    spoof = Tag.objects.create(name="\u202eevil", slug="evil")
    keep = Tag.objects.create(name="Kept", slug="kept")
    url = reverse("admin:articles_tag_changelist")
    done = editor_client.post(url, {"action": "merge_tags", "_selected_action": [spoof.pk, keep.pk], "confirm": "yes",
                                    "survivor": keep.pk}, follow=True)
    message = [str(m) for m in done.context["messages"]][0]
    assert "“<bdi>\u202eevil</bdi>”" in message and "“<bdi>Kept</bdi>”" in message
