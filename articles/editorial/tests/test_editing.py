"""Editors never lose work: two editors, one article; versions, restores, addresses, publishing."""

import html as html_lib
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.history.changes import content_change
from articles.models import Article
from articles.models import Article, ArticleAddress, ArticleVersion, Tag, TagAlias
from devtools.factories import make_article, make_editor, make_image

pytestmark = pytest.mark.django_db


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def opened_form(client, article):
    """What the editor's browser holds after opening the article: the form's fields as it sends them back."""
    html = client.get(change_url(article)).content.decode()
    version = re.search(r'name="base_version" value="(\d+)"', html).group(1)
    article.refresh_from_db()
    data = {
        "title": article.title, "slug": article.slug, "body": article.body.replace("\n", "\r\n"),
        "status": article.status, "standfirst": article.standfirst, "byline": article.byline,
        "source": article.source, "base_version": version,
        "published_at_0": article.published_at.strftime("%Y-%m-%d") if article.published_at else "",
        "published_at_1": article.published_at.strftime("%H:%M:%S") if article.published_at else "",
        "article_images-TOTAL_FORMS": "0", "article_images-INITIAL_FORMS": "0",
        # The tag box, and the tags as the form was opened with (to tell whether the editor changed them).
        "tags": input_value(html, "tags"), "initial-tags": input_value(html, "initial-tags"),
    }
    return data


def input_value(html, name):
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
    value = re.search(r'value="([^"]*)"', tag)
    return html_lib.unescape(value.group(1)) if value else ""


@pytest.fixture
def two_editors():
    first, second = Client(), Client()
    first.force_login(make_editor("alice"))
    second.force_login(make_editor("bob"))
    return first, second


# --- no lost update -------------------------------------------------------------------


def test_a_save_from_a_stale_form_never_overwrites_a_newer_headline(two_editors):
    alice, bob = two_editors
    article = make_article(title="Minister resigns", paragraphs=["First.", "Second."])
    alice_form, bob_form = opened_form(alice, article), opened_form(bob, article)

    assert alice.post(change_url(article), {**alice_form, "title": "Minister resigns over budget"}).status_code == 302
    response = bob.post(change_url(article), {**bob_form, "title": "Minister quits"})

    assert response.status_code == 409
    article.refresh_from_db()
    assert article.title == "Minister resigns over budget"
    html = response.content.decode()
    assert "not saved" in html and "alice" in html
    assert "Minister resigns over budget" in html and "Minister quits" in html  # theirs and mine, side by side
    assert "Save mine over theirs" in html


def test_changes_to_different_fields_are_both_kept_and_the_second_editor_is_told(two_editors):
    alice, bob = two_editors
    article = make_article(title="Typo in headlne", paragraphs=["First.", "Second."])
    alice_form, bob_form = opened_form(alice, article), opened_form(bob, article)

    alice.post(change_url(article), {**alice_form, "title": "Typo in headline"})
    response = bob.post(change_url(article), {**bob_form, "body": "First.\r\n\r\nSecond.\r\n\r\nA third paragraph."},
                        follow=True)

    article.refresh_from_db()
    assert article.title == "Typo in headline"
    assert article.paragraphs == ["First.", "Second.", "A third paragraph."]
    assert "your changes were saved on top of theirs" in response.content.decode()


def test_the_conflict_page_can_save_mine_over_theirs(two_editors):
    alice, bob = two_editors
    article = make_article(title="Original")
    alice_form, bob_form = opened_form(alice, article), opened_form(bob, article)
    alice.post(change_url(article), {**alice_form, "title": "Alice's headline"})
    conflict = bob.post(change_url(article), {**bob_form, "title": "Bob's headline"}).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', conflict).group(1)

    response = bob.post(reverse("admin:articles_article_reapply", args=[article.pk]), {"token": token})

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Bob's headline"
    # Alice's version is not lost: it is in the history.
    titles = [v.snapshot["title"] for v in ArticleVersion.objects.filter(article_id=article.pk)]
    assert "Alice's headline" in titles and "Bob's headline" in titles


def test_an_altered_reapply_form_is_refused(two_editors):
    _, bob = two_editors
    article = make_article()
    response = bob.post(reverse("admin:articles_article_reapply", args=[article.pk]), {"token": "forged"})
    assert response.status_code == 403


def test_two_saves_from_the_same_version_cannot_both_win():
    article = make_article()
    with content_change() as change:
        assert change.claim(Article.objects.get(pk=article.pk), expected=1) is True
        assert change.claim(Article.objects.get(pk=article.pk), expected=1) is False
    article.refresh_from_db()
    assert article.version == 2


def test_a_merge_racing_an_edit_is_not_overwritten_by_the_stale_form(two_editors):
    from articles.duplicates.merging import article_merge

    alice, _ = two_editors
    survivor = make_article(title="Survivor", tags=["Iraq"])
    merged = make_article(title="Copy", tags=["Syria"], images=[make_image(caption="A photo.")])
    stale = opened_form(alice, survivor)
    article_merge(survivor_id=survivor.pk, merged_id=merged.pk, reason="same story")

    response = alice.post(change_url(survivor), {**stale, "title": "Survivor, edited"}, follow=True)

    survivor.refresh_from_db()
    assert survivor.title == "Survivor, edited"
    assert sorted(survivor.tags.names()) == ["Iraq", "Syria"]  # what the merge brought is kept
    assert survivor.article_images.count() == 1
    assert "saved on top of theirs" in response.content.decode()


def test_the_form_says_who_else_has_the_article_open(two_editors):
    alice, bob = two_editors
    article = make_article()
    alice.get(change_url(article))
    html = bob.get(change_url(article)).content.decode()
    assert "Also open by alice" in html
    beat = alice.post(reverse("admin:articles_article_presence", args=[article.pk]))
    assert "Also open by bob" in beat.json()["message"]


# --- every version kept ------------------------------------------------------------------


def test_each_save_records_a_version_with_who_and_what(two_editors):
    alice, _ = two_editors
    article = make_article(title="Before", tags=["Iraq"])
    alice.post(change_url(article), {**opened_form(alice, article), "title": "After"})

    versions = list(ArticleVersion.objects.filter(article_id=article.pk).order_by("created_at", "id"))
    assert [v.snapshot["title"] for v in versions] == ["Before", "After"]
    assert versions[-1].user.username == "alice" and versions[-1].kind == "edited"
    assert versions[-1].snapshot["tags"] == ["Iraq"]


def test_history_lists_changes_compares_and_restores(two_editors):
    alice, _ = two_editors
    photo = make_image(caption="Kept photo.")
    article = make_article(title="First headline", paragraphs=["One.", "Two."], tags=["Iraq"], images=[photo])
    alice.post(change_url(article), {**opened_form(alice, article), "title": "Second headline",
                                     "body": "One.\r\n\r\nTwo, changed.\r\n\r\nThree."})
    article.refresh_from_db()
    article.tags.clear()

    history = alice.get(reverse("admin:articles_article_history", args=[article.pk])).content.decode()
    assert "First headline" in history and "Second headline" in history
    assert "1 paragraph changed, 1 added" in history

    first, second = ArticleVersion.objects.filter(article_id=article.pk).order_by("created_at", "id")
    compare = alice.get(reverse("admin:articles_article_compare", args=[article.pk]),
                        {"a": first.pk, "b": second.pk}).content.decode()
    assert "<mark>changed.</mark>" in compare or "<mark>Two, changed.</mark>" in compare

    response = alice.post(reverse("admin:articles_article_restore", args=[article.pk]),
                          {"version": first.pk, "expected_version": article.version})
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "First headline" and article.paragraphs == ["One.", "Two."]
    assert list(article.tags.names()) == ["Iraq"]
    assert list(article.article_images.values_list("image_id", flat=True)) == [photo.pk]
    assert ArticleVersion.objects.filter(article_id=article.pk).order_by("-created_at", "-id").first().kind == "restored"


def test_a_restore_from_a_stale_history_page_is_refused(two_editors):
    alice, _ = two_editors
    article = make_article(title="One")
    alice.post(change_url(article), {**opened_form(alice, article), "title": "Two"})
    first = ArticleVersion.objects.filter(article_id=article.pk).order_by("created_at", "id").first()
    alice.post(reverse("admin:articles_article_restore", args=[article.pk]),
               {"version": first.pk, "expected_version": 1})
    article.refresh_from_db()
    assert article.title == "Two"


def test_a_deleted_article_is_recovered_from_history_with_its_id(two_editors):
    alice, _ = two_editors
    article = make_article(title="Deleted by mistake", tags=["Iraq"])
    pk = article.pk
    alice.post(reverse("admin:articles_article_delete", args=[pk]), {"post": "yes"})
    assert not Article.objects.filter(pk=pk).exists()
    listing = alice.get(reverse("admin:articles_article_deleted")).content.decode()
    assert "Deleted by mistake" in listing

    alice.post(reverse("admin:articles_article_recover", args=[pk]))

    article = Article.objects.get(pk=pk)
    assert article.title == "Deleted by mistake" and list(article.tags.names()) == ["Iraq"]


def test_an_imported_article_starts_with_its_imported_text_as_the_first_version(tmp_path):
    from devtools.dumps import article_text, dump, run_import

    run_import(dump(article_text("Imported headline", ["Body one.", "Body two."], captions=["A photo. (AFP)"]),
                    tmp_path), "--tag", "Iraq")
    article = Article.objects.get()
    version = ArticleVersion.objects.get(article_id=article.pk)
    assert version.kind == "imported" and version.number == 1
    assert version.snapshot["title"] == "Imported headline"
    assert version.snapshot["tags"] == ["Iraq"]
    assert version.snapshot["images"] == list(article.article_images.values_list("image_id", flat=True))
    assert ArticleAddress.objects.get(slug=article.slug).article_id == article.pk


def test_saving_only_tags_does_not_log_a_body_change(two_editors):
    from django.contrib.admin.models import LogEntry

    alice, _ = two_editors
    article = make_article(paragraphs=["One.", "Two."])
    tag = Tag.objects.create(name="Iraq")
    form = opened_form(alice, article)
    form["tags"] = tag.name
    assert alice.post(change_url(article), form).status_code == 302
    message = LogEntry.objects.filter(object_id=str(article.pk)).latest("action_time").get_change_message()
    assert "Body" not in message


# --- addresses that last ------------------------------------------------------------------


def test_old_addresses_answer_301_to_the_current_one_in_pages_and_api(client, two_editors):
    alice, _ = two_editors
    article = make_article(slug="first-address")
    alice.post(change_url(article), {**opened_form(alice, article), "slug": "second-address"})
    article.refresh_from_db()
    alice.post(change_url(article), {**opened_form(alice, article), "slug": "third-address"})

    response = client.get("/articles/first-address/")
    assert response.status_code == 301 and response["Location"] == "/articles/third-address/"  # one hop
    assert client.get("/articles/second-address/")["Location"] == "/articles/third-address/"
    api = client.get("/api/articles/first-address/")
    assert api.status_code == 301 and api["Location"] == "/api/articles/third-address/"


def test_no_article_can_take_an_address_another_one_had(two_editors):
    from django.db import IntegrityError, transaction

    alice, _ = two_editors
    renamed = make_article(slug="old-address")
    alice.post(change_url(renamed), {**opened_form(alice, renamed), "slug": "new-address"})
    other = make_article(slug="other")

    response = alice.post(change_url(other), {**opened_form(alice, other), "slug": "old-address"})

    assert response.status_code == 200
    assert "belongs to another article" in response.content.decode()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=other.pk).update(slug="x")  # the database itself, not only the form:
        ArticleAddress.objects.create(slug="old-address", article=other)


def test_renaming_a_tag_keeps_its_old_address_and_no_tag_can_take_it(client, two_editors):
    alice, _ = two_editors
    tag = Tag.objects.create(name="Isis")
    make_article(tags=[tag])
    alice.post(reverse("admin:articles_tag_change", args=[tag.pk]),
               {"name": "Islamic State", "slug": "islamic-state", "base_version": str(tag.version), "aliases-TOTAL_FORMS": "0",
                "aliases-INITIAL_FORMS": "0"})
    assert client.get("/tags/isis/")["Location"] == "/tags/islamic-state/"
    assert TagAlias.objects.get(slug="isis").tag == tag

    response = alice.post(reverse("admin:articles_tag_add"), {"name": "Isis", "slug": "isis",
                                                              "aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0"})
    assert response.status_code == 200 and "belongs to the tag" in response.content.decode()


def test_a_new_tag_never_takes_a_merged_tags_alias_address():
    from articles.duplicates.merging import tag_merge

    survivor, merged = Tag.objects.create(name="ISIS"), Tag.objects.create(name="Daesh")
    tag_merge(survivor_id=survivor.pk, merged_id=merged.pk)
    new = Tag.objects.create(name="Daesh!")  # slugifies to the alias's address
    assert new.slug != "daesh"


# --- publishing in one step ---------------------------------------------------------------


def test_publish_now_without_a_date_publishes_at_once(two_editors):
    alice, _ = two_editors
    article = make_article(status=Article.Status.DRAFT)
    form = opened_form(alice, article)
    response = alice.post(change_url(article), {**form, "_publish": "1", "published_at_0": "", "published_at_1": ""})
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.is_visible_to_readers()
    assert ArticleVersion.objects.filter(article_id=article.pk, kind="published").exists()


def test_publishing_by_the_status_field_without_a_date_is_not_a_database_error(two_editors):
    alice, _ = two_editors
    article = make_article(status=Article.Status.DRAFT)
    response = alice.post(change_url(article), {**opened_form(alice, article), "status": "published"})
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.published_at is not None


def test_schedule_needs_a_future_date_and_shows_as_scheduled(two_editors):
    alice, _ = two_editors
    article = make_article(status=Article.Status.DRAFT)
    past = opened_form(alice, article)
    past.update({"_schedule": "1", "published_at_0": "2020-01-01", "published_at_1": "10:00:00"})
    assert "choose a date and time in the future" in alice.post(change_url(article), past).content.decode()

    future = timezone.localtime() + timedelta(days=2)
    form = opened_form(alice, article)
    form.update({"_schedule": "1", "published_at_0": future.strftime("%Y-%m-%d"),
                 "published_at_1": future.strftime("%H:%M:%S")})
    assert alice.post(change_url(article), form).status_code == 302
    listing = alice.get(reverse("admin:articles_article_changelist"), {"state": "scheduled"}).content.decode()
    assert article.title in listing and "Scheduled" in listing


def test_list_actions_publish_and_unpublish_after_a_confirmation(two_editors):
    alice, _ = two_editors
    draft = make_article(status=Article.Status.DRAFT)
    url = reverse("admin:articles_article_changelist")
    confirm = alice.post(url, {"action": "publish_now", "_selected_action": [draft.pk]})
    assert confirm.status_code == 200 and "Yes, published now" in confirm.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"
    alice.post(url, {"action": "publish_now", "_selected_action": [draft.pk], "confirm": "yes"})
    draft.refresh_from_db()
    assert draft.is_visible_to_readers()
    alice.post(url, {"action": "unpublish", "_selected_action": [draft.pk], "confirm": "yes"})
    draft.refresh_from_db()
    assert draft.status == "draft"


# --- plain errors ---------------------------------------------------------------------------


def test_a_right_to_left_override_in_a_headline_cannot_reorder_the_message(two_editors):
    alice, _ = two_editors
    article = make_article(title="Evil \u202eheadline")
    response = alice.post(change_url(article), opened_form(alice, article), follow=True)
    html = response.content.decode()
    assert "<bdi>Evil \u202eheadline</bdi>" in html


# --- found in review -----------------------------------------------------------------------


def photo_rows(article):
    rows = {}
    placements = list(article.article_images.order_by("position", "id"))
    for index, placement in enumerate(placements):
        rows.update({f"article_images-{index}-id": str(placement.pk), f"article_images-{index}-image": str(placement.image_id),
                     f"article_images-{index}-position": str(placement.position),
                     f"article_images-{index}-article": str(article.pk)})
    rows["article_images-TOTAL_FORMS"] = rows["article_images-INITIAL_FORMS"] = str(len(placements))
    return rows


def test_a_stale_form_does_not_put_back_the_photo_order_another_editor_changed(two_editors):
    alice, bob = two_editors
    first, second = make_image(caption="First."), make_image(caption="Second.")
    article = make_article(title="Photos", images=[first, second])
    alice_form = {**opened_form(alice, article), **photo_rows(article)}
    bob_form = {**opened_form(bob, article), **photo_rows(article)}
    alice_form.update({"article_images-0-position": "1", "article_images-1-position": "0"})
    assert alice.post(change_url(article), alice_form).status_code == 302
    assert bob.post(change_url(article), {**bob_form, "title": "Photos, retitled"}).status_code == 302
    article.refresh_from_db()
    assert article.title == "Photos, retitled"
    assert list(article.article_images.order_by("position").values_list("image_id", flat=True)) == [second.pk,
                                                                                                     first.pk]


def test_a_stale_save_of_an_article_merged_meanwhile_is_not_an_error(two_editors):
    from articles.duplicates.merging import article_merge

    _, bob = two_editors
    survivor, merged = make_article(title="Survivor"), make_article(title="Merged")
    stale = opened_form(bob, merged)
    article_merge(survivor_id=survivor.pk, merged_id=merged.pk)
    response = bob.post(change_url(merged), {**stale, "body": "A late correction."})
    assert response.status_code in (302, 409)
    merged.refresh_from_db()
    assert merged.status == "merged" and merged.merged_into_id == survivor.pk


def test_restoring_after_a_tag_was_renamed_keeps_the_tag(two_editors):
    alice, _ = two_editors
    article = make_article(title="One", tags=["Irak"])
    tag = Tag.objects.get(name="Irak")
    alice.post(change_url(article), {**opened_form(alice, article), "title": "Two"})
    alice.post(reverse("admin:articles_tag_change", args=[tag.pk]),
               {"name": "Iraq", "slug": tag.slug, "base_version": str(tag.version), "aliases-TOTAL_FORMS": "0",
                "aliases-INITIAL_FORMS": "0"})
    first = ArticleVersion.objects.filter(article_id=article.pk).order_by("created_at", "id").first()
    article.refresh_from_db()
    alice.post(reverse("admin:articles_article_restore", args=[article.pk]),
               {"version": first.pk, "expected_version": article.version})
    assert list(article.tags.names()) == ["Iraq"]
    assert Tag.objects.count() == 1


@pytest.mark.parametrize("url", ["/admin/articles/article/abc/history/", "/admin/articles/article/abc/history/compare/"])
def test_odd_ids_in_history_addresses_are_not_found(two_editors, url):
    alice, _ = two_editors
    assert alice.get(url).status_code in (302, 404)


def test_an_imported_slug_near_the_limit_stays_within_it(tmp_path):
    import json

    from devtools.dumps import dump, run_import

    long = "s" * 252
    make_article(slug=long)
    record = {"title": "Same slug", "slug": long, "body": ["Text."]}
    run_import(dump(json.dumps(record) + "\n", tmp_path, "a.jsonl"))
    imported = Article.objects.get(title="Same slug")
    assert len(imported.slug) <= 255 and imported.slug != long


# --- tags and photos: the same rule ----------------------------------------------------------


def test_a_stale_save_of_a_photo_never_overwrites_a_newer_caption(two_editors):
    alice, bob = two_editors
    photo = make_image(caption="Original caption.", credit="AFP")
    url = reverse("admin:media_image_change", args=[photo.pk])
    form = {"caption": photo.caption, "credit": photo.credit, "alt_text": "", "base_version": str(photo.version)}
    assert alice.post(url, {**form, "caption": "Alice's caption."}).status_code == 302
    response = bob.post(url, {**form, "credit": "Reuters"})
    assert response.status_code == 409
    photo.refresh_from_db()
    assert (photo.caption, photo.credit) == ("Alice's caption.", "AFP")
    html = response.content.decode()
    assert "not saved" in html and "Alice&#x27;s caption." in html and "Reuters" in html


def test_a_stale_save_of_a_tag_never_overwrites_a_newer_name(two_editors):
    alice, bob = two_editors
    tag = Tag.objects.create(name="Irak")
    url = reverse("admin:articles_tag_change", args=[tag.pk])
    form = {"name": "Irak", "slug": tag.slug, "base_version": str(tag.version), "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0"}
    assert alice.post(url, {**form, "name": "Iraq"}).status_code == 302
    assert bob.post(url, {**form, "name": "IRAK"}).status_code == 409
    tag.refresh_from_db()
    assert tag.name == "Iraq"


def test_a_tag_merge_moves_the_version_of_the_articles_it_retags(two_editors):
    from articles.duplicates.merging import tag_merge

    alice, _ = two_editors
    article = make_article(tags=["Daesh"])
    stale = opened_form(alice, article)
    survivor = Tag.objects.create(name="ISIS")
    tag_merge(survivor_id=survivor.pk, merged_id=Tag.objects.get(name="Daesh").pk)
    article.refresh_from_db()
    assert str(article.version) != stale["base_version"]


def test_a_deleted_articles_addresses_stay_its_own_and_work_again_when_recovered(client, two_editors):
    alice, _ = two_editors
    article = make_article(slug="first-address")
    alice.post(change_url(article), {**opened_form(alice, article), "slug": "second-address"})
    pk = article.pk
    alice.post(reverse("admin:articles_article_delete", args=[pk]), {"post": "yes"})
    other = make_article(slug="other")
    taken = alice.post(change_url(other), {**opened_form(alice, other), "slug": "first-address"})
    assert "belongs to another article" in taken.content.decode()
    alice.post(reverse("admin:articles_article_recover", args=[pk]))
    assert client.get("/articles/first-address/")["Location"] == "/articles/second-address/"


def test_the_delete_confirmation_isolates_the_headline(two_editors):
    alice, _ = two_editors
    article = make_article(title="Evil \u202eheadline")
    html = alice.get(reverse("admin:articles_article_delete", args=[article.pk])).content.decode()
    assert "“<bdi>Evil \u202eheadline</bdi>”" in html and "Recover deleted articles" in html


# --- body edits merged paragraph by paragraph -------------------------------------------

FLOODS = ["The river rose.", "Roads closed.", "Schools shut."]


def racing_body_edits(two_editors, alice_paragraphs, bob_paragraphs, **bob_options):
    """Both open the same article; Alice saves her body first, then Bob saves his from the same version."""
    alice, bob = two_editors
    article = make_article(title="Floods", paragraphs=FLOODS)
    alice_form, bob_form = opened_form(alice, article), opened_form(bob, article)
    alice.post(change_url(article), {**alice_form, "body": "\r\n\r\n".join(alice_paragraphs)})
    response = bob.post(change_url(article), {**bob_form, "body": "\r\n\r\n".join(bob_paragraphs)}, **bob_options)
    return article, response


def test_two_editors_changing_different_paragraphs_keep_both_changes_and_are_told(two_editors):
    article, response = racing_body_edits(
        two_editors, ["The river rose by two metres.", "Roads closed.", "Schools shut."],
        ["The river rose.", "Roads closed.", "Schools shut until Monday."], follow=True)

    article.refresh_from_db()
    assert article.paragraphs == ["The river rose by two metres.", "Roads closed.", "Schools shut until Monday."]
    html = response.content.decode()
    assert "your changes were saved on top of theirs" in html and "both kept" in html
    version = ArticleVersion.objects.get(article_id=article.pk, number=article.version)
    assert "both kept" in version.reason and version.user.username == "bob"


def test_the_same_paragraph_changed_by_both_is_shown_paragraph_by_paragraph_and_settled_by_choice(two_editors):
    article, response = racing_body_edits(
        two_editors, ["The river rose by two metres.", "Roads closed.", "Schools shut."],
        ["The river rose by a metre.", "Roads closed.", "Schools shut until Monday."])

    assert response.status_code == 409
    html = response.content.decode()
    # The clash: what both started from, theirs and mine, each with its choice.
    assert "Changed by both" in html and 'name="clash-0"' in html
    assert "The river rose by two metres." in html and "The river rose by a metre." in html
    # Bob's change to another paragraph is merged, not offered as a clash.
    assert html.count('name="clash-') == 2
    article.refresh_from_db()
    assert article.paragraphs[0] == "The river rose by two metres."  # nothing was saved yet

    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    two_editors[1].post(reverse("admin:articles_article_reapply", args=[article.pk]),
                        {"token": token, "clash-0": "theirs"})
    article.refresh_from_db()
    assert article.paragraphs == ["The river rose by two metres.", "Roads closed.", "Schools shut until Monday."]


def test_save_mine_over_theirs_keeps_their_changes_to_other_paragraphs(two_editors):
    article, response = racing_body_edits(
        two_editors, ["The river rose by two metres.", "Roads reopened.", "Schools shut."],
        ["The river rose by a metre.", "Roads closed.", "Schools shut."])
    token = re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)

    two_editors[1].post(reverse("admin:articles_article_reapply", args=[article.pk]), {"token": token})

    article.refresh_from_db()
    assert article.paragraphs == ["The river rose by a metre.", "Roads reopened.", "Schools shut."]


def test_view_only_staff_are_never_announced_as_editing(client):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    reader = get_user_model().objects.create_user("viewer", password="x", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(reader)
    article = make_article()
    response = client.post(reverse("admin:articles_article_presence", args=[article.pk]))
    assert response.status_code == 403
    assert client.get(change_url(article)).status_code == 200  # looking is allowed
    editor = Client()
    editor.force_login(make_editor("alice"))
    assert "viewer" not in editor.get(change_url(article)).content.decode()


def test_a_right_to_left_override_in_a_caption_cannot_reorder_the_image_merge_confirmation(two_editors):
    from articles.models import DuplicateCandidate

    alice, _ = two_editors
    spoof, keep = make_image(caption="\u202eevil caption"), make_image(caption="Kept caption")
    candidate = DuplicateCandidate.objects.create(kind="image", image_a=min(spoof, keep, key=lambda i: i.pk),
                                                  image_b=max(spoof, keep, key=lambda i: i.pk), score=0.9)
    html = alice.post(reverse("admin:articles_duplicatecandidate_merge", args=[candidate.pk]),
                      {"survivor": keep.pk}).content.decode()
    assert "<bdi>\u202eevil caption</bdi>" in html and "<bdi>Kept caption</bdi>" in html


def test_saving_without_touching_the_date_keeps_it_to_the_microsecond(two_editors):
    alice, _ = two_editors
    article = make_article(title="Exact time")
    article.refresh_from_db()
    assert article.published_at.microsecond  # as imported or made by code, with microseconds
    alice.post(change_url(article), {**opened_form(alice, article), "standfirst": "Only this changed."})
    before = article.published_at
    article.refresh_from_db()
    assert article.published_at == before
    version = ArticleVersion.objects.get(article_id=article.pk, number=article.version)
    previous = ArticleVersion.objects.get(article_id=article.pk, number=article.version - 1)
    assert version.snapshot["published_at"] == previous.snapshot["published_at"]
