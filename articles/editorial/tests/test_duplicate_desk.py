"""The duplicate desk: copies of one story decided together, one click each, every decision undoable."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.duplicates.merging import MergeError, article_merge, article_merge_undo, cluster_merge
from articles.models import Article, ArticleMerge, DuplicateCandidate
from devtools.factories import make_article, make_editor, make_image

pytestmark = pytest.mark.django_db

LEAD = "Rescue teams pulled 14 people from the rubble of a collapsed block in Mosul on Tuesday night."
CAUSE = "The civil defence said the building had been weakened by heavy rain over the past week."
GOVERNOR = "The governor ordered an inspection of every building of that age in the old city."


def pair(a, b, score=0.8, reason="headline 90% alike"):
    low, high = sorted((a.pk, b.pk))
    return DuplicateCandidate.objects.create(kind="article", article_a_id=low, article_b_id=high, score=score,
                                             reason=reason)


@pytest.fixture
def story():
    """Three copies of one story (brief ~ update ~ late copy) and an unrelated pair."""
    now = timezone.now()
    photo = make_image(caption="Rescuers in Mosul.")
    brief = make_article(title="Block collapses in Mosul", paragraphs=[LEAD, CAUSE], tags=["Iraq"],
                         published_at=now - timedelta(hours=6), slug="block-collapses")
    update = make_article(title="Block collapses in Mosul, 14 rescued", paragraphs=[LEAD, GOVERNOR, CAUSE],
                          tags=["Mosul"], published_at=now - timedelta(hours=1), slug="block-collapses-update")
    late = make_article(title="Block collapses in old Mosul", paragraphs=[LEAD], images=[photo],
                        tags=["Rain"], published_at=now - timedelta(hours=3), slug="block-collapses-late")
    pair(brief, update, 0.9)
    pair(update, late, 0.7)
    other_a = make_article(title="Dam talks resume", paragraphs=["Talks on the dam resumed in Cairo."])
    other_b = make_article(title="Dam talks resume in Cairo", paragraphs=["Talks on the dam resumed in Cairo."])
    pair(other_a, other_b, 0.6)
    return brief, update, late, photo


@pytest.fixture
def editor_client(client):
    client.force_login(make_editor())
    return client


def story_url(article, action=""):
    name = f"admin:articles_duplicatecandidate_story{'_' + action if action else ''}"
    return reverse(name, args=[article.pk])


def test_copies_of_one_story_are_one_row_with_ids_dates_sources_and_lengths(editor_client, story):
    brief, update, late, _ = story
    html = editor_client.get(reverse("admin:articles_duplicatecandidate_stories")).content.decode()
    assert html.count('<ul class="dup-members">') == 2  # two stories, not three pairs
    for article in (brief, update, late):
        assert f"#{article.pk} · " in html
    assert "words" in html and "no source" in html
    # The update is kept: all are published and it is the newest.
    assert f"#{update.pk}: the newest" in html


def test_one_click_merges_the_whole_story_into_the_suggested_survivor_and_opens_the_next(editor_client, story):
    brief, update, late, photo = story
    page = editor_client.get(story_url(brief)).content.decode()
    assert f'name="survivor" value="{update.pk}"' in page and 'data-key="m"' in page
    response = editor_client.post(story_url(brief, "merge"), {
        "survivor": update.pk, "merge": [brief.pk, late.pk], "photo": [f"{late.pk}:{photo.pk}"],
    })
    other = DuplicateCandidate.objects.get(status="open")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:articles_duplicatecandidate_story", args=[other.pair_ids[0]])
    for article in (brief, late):
        article.refresh_from_db()
        assert article.status == Article.Status.MERGED and article.merged_into_id == update.pk
    assert {tag.name for tag in update.tags.all()} == {"Iraq", "Mosul", "Rain"}
    assert list(update.article_images.values_list("image_id", flat=True)) == [photo.pk]
    message = [str(m) for m in editor_client.get(response["Location"]).context["messages"]][0]
    assert f"#{brief.pk}" in message and f"#{late.pk}" in message and f"into #{update.pk}" in message
    assert "Undo" in message


def test_undoing_a_merge_brings_the_article_back_with_its_address_tags_and_photos(editor_client, story, client):
    brief, update, late, photo = story
    editor_client.post(story_url(brief, "merge"), {
        "survivor": brief.pk, "merge": [late.pk], "photo": [f"{late.pk}:{photo.pk}"], "take": [f"{late.pk}:0"],
    })
    merge = ArticleMerge.objects.get()
    brief.refresh_from_db()
    assert LEAD in brief.body and "Rain" in {tag.name for tag in brief.tags.all()}
    response = editor_client.post(reverse("admin:articles_duplicatecandidate_undo"), {"merge": merge.pk})
    assert response.status_code == 302
    late.refresh_from_db()
    brief.refresh_from_db()
    assert late.status == Article.Status.PUBLISHED and late.merged_into_id is None
    assert {tag.name for tag in late.tags.all()} == {"Rain"}
    assert list(late.article_images.values_list("image_id", flat=True)) == [photo.pk]
    # The kept article loses what the merge gave it, and only that.
    assert {tag.name for tag in brief.tags.all()} == {"Iraq"}
    assert not brief.article_images.exists()
    assert brief.paragraphs == [LEAD, CAUSE]
    assert DuplicateCandidate.objects.get(article_a=min(brief.pk, late.pk), article_b=max(brief.pk, late.pk)) \
        .status == "open"
    assert client.get(late.get_absolute_url()).status_code == 200
    merge.refresh_from_db()
    assert merge.undone_at is not None
    # Twice is refused, plainly.
    again = editor_client.post(reverse("admin:articles_duplicatecandidate_undo"), {"merge": merge.pk}, follow=True)
    assert any("undone already" in str(m) for m in again.context["messages"])


def test_photos_left_unticked_stay_with_the_merged_copy(editor_client, story):
    brief, update, late, photo = story
    page = editor_client.get(story_url(brief)).content.decode()
    assert f'name="photo" value="{late.pk}:{photo.pk}" checked' in page
    editor_client.post(story_url(brief, "merge"), {"survivor": update.pk, "merge": [late.pk]})
    assert not update.article_images.exists()
    assert list(late.article_images.values_list("image_id", flat=True)) == [photo.pk]


def test_paragraphs_taken_from_a_copy_go_where_they_stood():
    kept = make_article(title="Block collapses", paragraphs=[LEAD, CAUSE])
    copy = make_article(title="Block collapses, update", paragraphs=[LEAD, GOVERNOR, CAUSE])
    article_merge(survivor_id=kept.pk, merged_id=copy.pk, paragraphs=[1])
    kept.refresh_from_db()
    assert kept.paragraphs == [LEAD, GOVERNOR, CAUSE]
    # Undone, the paragraph leaves again; an edit made since stays.
    Article.objects.filter(pk=kept.pk).update(title="Block collapses (edited)")
    article_merge_undo(merge_id=ArticleMerge.objects.get().pk)
    kept.refresh_from_db()
    assert kept.paragraphs == [LEAD, CAUSE] and kept.title == "Block collapses (edited)"


def test_not_duplicates_is_one_click_for_the_whole_story_and_can_be_undone(editor_client, story):
    brief, update, late, _ = story
    response = editor_client.post(story_url(update, "dismiss"))
    assert response.status_code == 302
    decided = DuplicateCandidate.objects.filter(article_a__in=[brief, update, late])
    assert set(decided.values_list("status", flat=True)) == {"dismissed"}
    editor_client.post(reverse("admin:articles_duplicatecandidate_undo"),
                       {"pair": list(decided.values_list("pk", flat=True))})
    assert set(decided.values_list("status", flat=True)) == {"open"}


def test_a_story_merge_moves_everything_or_nothing(story):
    brief, update, late, _ = story
    # Meanwhile another editor merged the late copy elsewhere.
    elsewhere = make_article(title="Another home")
    article_merge(survivor_id=elsewhere.pk, merged_id=late.pk)
    with pytest.raises(MergeError):
        cluster_merge(survivor_id=update.pk, merged_ids=[brief.pk, late.pk])
    brief.refresh_from_db()
    assert brief.status == Article.Status.PUBLISHED
    assert not ArticleMerge.objects.filter(survivor=update).exists()


def test_links_to_pairs_and_stories_an_earlier_merge_folded_lead_to_their_successors(editor_client, story):
    brief, update, late, _ = story
    folded = DuplicateCandidate.objects.get(article_a=min(update.pk, late.pk), article_b=max(update.pk, late.pk))
    article_merge(survivor_id=brief.pk, merged_id=update.pk)
    folded.refresh_from_db()
    assert folded.status == "folded"
    response = editor_client.get(reverse("admin:articles_duplicatecandidate_compare", args=[folded.pk]), follow=True)
    assert response.status_code == 200
    assert response.context["candidate"].pair_ids == tuple(sorted((brief.pk, late.pk)))
    assert "was folded into this one" in [str(m) for m in response.context["messages"]][0]
    story_page = editor_client.get(story_url(update), follow=True)
    assert story_page.status_code == 200 and f"merged into article {brief.pk}" in story_page.content.decode()


def test_the_compare_page_highlights_the_headline_difference(editor_client, story):
    brief, update, _, _ = story
    candidate = DuplicateCandidate.objects.get(article_a=min(brief.pk, update.pk), article_b=max(brief.pk, update.pk))
    html = editor_client.get(reverse("admin:articles_duplicatecandidate_compare", args=[candidate.pk])).content.decode()
    assert '<tr class="dup-headline">' in html
    assert "Block collapses in <mark>Mosul, 14 rescued</mark>" in html


def test_viewers_without_the_merge_permission_cannot_decide_stories(client, story):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    brief, _, _, _ = story
    user = get_user_model().objects.create_user("viewer", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_duplicatecandidate"))
    client.force_login(user)
    assert client.get(story_url(brief)).status_code == 200
    assert client.post(story_url(brief, "dismiss")).status_code == 403
    assert client.post(reverse("admin:articles_duplicatecandidate_undo"), {"pair": [1]}).status_code == 403


def test_the_survivors_history_offers_to_undo_the_merge(editor_client, story):
    brief, update, late, _ = story
    article_merge(survivor_id=update.pk, merged_id=late.pk)
    merge = ArticleMerge.objects.get()
    html = editor_client.get(reverse("admin:articles_article_history", args=[update.pk])).content.decode()
    assert "Undo this merge" in html and f'name="merge" value="{merge.pk}"' in html
    editor_client.post(reverse("admin:articles_duplicatecandidate_undo"), {"merge": merge.pk})
    assert "Undo this merge" not in editor_client.get(
        reverse("admin:articles_article_history", args=[update.pk])).content.decode()


@pytest.mark.parametrize("field,value", [("take", "5"), ("take", "a:b:c"), ("photo", ":"), ("merge", "x"),
                                         ("survivor", "")])
def test_a_malformed_decision_is_refused_plainly_never_a_server_error(editor_client, story, field, value):
    brief, update, late, _ = story
    data = {"survivor": update.pk, "merge": [brief.pk], field: value}
    response = editor_client.post(story_url(brief, "merge"), data, follow=True)
    assert response.status_code == 200
    assert "Choose the article to keep" in response.content.decode()
    brief.refresh_from_db()
    assert brief.status == Article.Status.PUBLISHED


def test_undo_with_ids_no_column_holds_is_not_an_error(editor_client):
    response = editor_client.post(reverse("admin:articles_duplicatecandidate_undo"),
                                  {"pair": ["99999999999999999999"], "merge": ["-1"]})
    assert response.status_code == 302


def test_undoing_one_merge_keeps_what_another_copy_still_merged_brought_too():
    photo = make_image(caption="Shared photo")
    kept = make_article(title="Kept", paragraphs=[LEAD])
    first = make_article(title="First copy", paragraphs=[LEAD, CAUSE], tags=["Rain"], images=[photo])
    second = make_article(title="Second copy", paragraphs=[LEAD, CAUSE], tags=["Rain"], images=[photo])
    merges = cluster_merge(survivor_id=kept.pk, merged_ids=[first.pk, second.pk], paragraphs={first.pk: [1]})
    undo_first = next(m for m in merges if m.merged_id == first.pk)
    article_merge_undo(merge_id=undo_first.pk)
    kept.refresh_from_db()
    # The second copy, still merged into it, carries the tag, the photo and the paragraph too.
    assert list(kept.tags.values_list("name", flat=True)) == ["Rain"]
    assert list(kept.article_images.values_list("image_id", flat=True)) == [photo.pk]
    assert kept.paragraphs == [LEAD, CAUSE]


def test_undoing_a_merge_gives_the_merged_article_its_pairs_back(story):
    brief, update, late, _ = story
    folded = DuplicateCandidate.objects.get(article_a=min(update.pk, late.pk), article_b=max(update.pk, late.pk))
    article_merge(survivor_id=brief.pk, merged_id=update.pk)
    made = DuplicateCandidate.objects.get(article_a=min(brief.pk, late.pk), article_b=max(brief.pk, late.pk))
    article_merge_undo(merge_id=ArticleMerge.objects.get().pk)
    folded.refresh_from_db()
    assert folded.status == "open" and folded.successor_id is None
    assert not DuplicateCandidate.objects.filter(pk=made.pk).exists()
