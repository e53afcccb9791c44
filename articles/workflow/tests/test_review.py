"""Review before publishing: draft → in review → approved → published, sign-offs, and every move in History."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from articles.history.services import article_publish
from articles.models import Article
from articles.workflow.models import ArticleReview, ReviewEvent, SignOff
from articles.workflow.services import review_move, sign_off_give, sign_off_request
from devtools.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(reporter):
    article = make_article(status=Article.Status.DRAFT)
    ArticleReview.objects.create(article=article)
    return article


def state_of(article):
    return ArticleReview.objects.get(article=article).state


def test_a_new_article_written_in_the_admin_starts_as_a_draft(client, reporter):
    client.force_login(reporter)
    client.post(reverse("admin:articles_article_add"), {
        "title": "Market floods", "slug": "market-floods", "body": "Water rose.", "status": "draft",
        "base_version": "0", "article_images-TOTAL_FORMS": "0", "article_images-INITIAL_FORMS": "0",
        "article_authors-TOTAL_FORMS": "0", "article_authors-INITIAL_FORMS": "0", "tags": ""})
    assert state_of(Article.objects.get(slug="market-floods")) == ArticleReview.State.DRAFT


def test_submitted_approved_then_published_each_move_by_its_role(draft, reporter, editor):
    review_move(article=draft, move="submit", user=reporter)
    assert state_of(draft) == ArticleReview.State.IN_REVIEW
    with pytest.raises(PermissionDenied):
        review_move(article=draft, move="approve", user=reporter)
    review_move(article=draft, move="approve", user=editor)
    article_publish(article_id=draft.pk, user=editor)
    draft.refresh_from_db()
    assert draft.is_visible_to_readers()


def test_an_editor_cannot_publish_what_is_in_review_without_their_approval_being_recorded(draft, reporter, editor):
    review_move(article=draft, move="submit", user=reporter)
    article_publish(article_id=draft.pk, user=editor)
    # The editor is the reviewer: publishing approved it, and History says so.
    assert state_of(draft) == ArticleReview.State.APPROVED
    approval = ReviewEvent.objects.get(article=draft, what=ReviewEvent.What.APPROVED)
    assert approval.user == editor and approval.reason == "Approved by publishing it."


def test_sending_back_needs_a_reason_and_the_reason_reaches_the_writer(draft, reporter, editor):
    review_move(article=draft, move="submit", user=reporter)
    with pytest.raises(ValidationError, match="Say why"):
        review_move(article=draft, move="send_back", user=editor, reason="  ")
    review_move(article=draft, move="send_back", user=editor, reason="Check the death toll with a second source.")
    review = ArticleReview.objects.get(article=draft)
    assert review.state == ArticleReview.State.DRAFT and review.reason.startswith("Check the death toll")


def test_a_required_legal_sign_off_blocks_publishing_until_legal_gives_it(draft, reporter, editor, lawyer):
    sign_off_request(article=draft, user=reporter)
    review_move(article=draft, move="approve", user=editor)
    with pytest.raises(ValidationError, match="legal sign-off"):
        article_publish(article_id=draft.pk, user=editor)
    with pytest.raises(PermissionDenied):
        sign_off_give(article=draft, user=editor)
    sign_off_give(article=draft, user=lawyer)
    article_publish(article_id=draft.pk, user=editor)
    draft.refresh_from_db()
    assert draft.is_visible_to_readers()
    assert SignOff.objects.get(article=draft).given_by == lawyer


def test_legal_signs_off_from_the_article_page_without_editing_it(client, draft, reporter, lawyer):
    sign_off_request(article=draft, user=reporter)
    client.force_login(lawyer)
    url = reverse("admin:articles_article_change", args=[draft.pk])
    assert 'value="sign_off_legal">Sign off (legal)' in client.get(url).content.decode()
    response = client.post(url, {"_review": "sign_off_legal", "review_reason": "Nothing defamatory."})
    assert response.status_code == 302
    assert SignOff.objects.get(article=draft).given_at is not None


def test_each_move_is_on_the_history_page_with_who_and_when(client, draft, reporter, editor, lawyer):
    review_move(article=draft, move="submit", user=reporter)
    sign_off_request(article=draft, user=editor)
    review_move(article=draft, move="send_back", user=editor, reason="Too long.")
    client.force_login(editor)
    html = client.get(reverse("admin:articles_article_history", args=[draft.pk])).content.decode()
    for what, who in (("Submitted for review", "rita"), ("Sign-off requested", "eddie"), ("Sent back", "eddie")):
        assert what in html and who in html
    assert "Too long." in html
    events = ReviewEvent.objects.filter(article=draft)
    assert all(event.created_at and event.user for event in events) and events.count() == 3


def test_the_review_buttons_save_what_was_typed_then_move(client, draft, reporter):
    from articles.workflow.tests.test_roles import form_data

    client.force_login(reporter)
    url = reverse("admin:articles_article_change", args=[draft.pk])
    response = client.post(url, {**form_data(client, draft, title="Market floods, update"), "_review": "submit"})
    assert response.status_code == 302 and response.url == url
    draft.refresh_from_db()
    assert draft.title == "Market floods, update" and state_of(draft) == ArticleReview.State.IN_REVIEW
