"""The desk lists what waits for review, and what waits for me: Legal's sign-offs, a writer's stories sent back."""

import pytest

from articles.models import Article
from articles.workflow.models import ArticleReview
from articles.workflow.services import review_move, sign_off_request
from devtools.factories import make_article

pytestmark = pytest.mark.django_db


def part(html, heading_id):
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start:html.index("</section>", start)]


def in_review(reporter, title):
    article = make_article(title=title, status=Article.Status.DRAFT)
    ArticleReview.objects.create(article=article)
    review_move(article=article, move="submit", user=reporter)
    return article


def test_waiting_for_review_lists_what_was_submitted_and_links_to_the_filtered_list(client, reporter, editor):
    in_review(reporter, "Bridge closed")
    client.force_login(editor)
    waiting = part(client.get("/admin/").content.decode(), "desk-waiting")
    assert "In review" in waiting and "Bridge closed" in waiting and "?review=in_review" in waiting
    listing = client.get("/admin/articles/article/?review=in_review").content.decode()
    assert "Bridge closed" in listing


def test_legal_sees_the_articles_waiting_for_their_sign_off(client, reporter, lawyer):
    article = make_article(title="Court case", status=Article.Status.DRAFT)
    sign_off_request(article=article, user=reporter)
    client.force_login(lawyer)
    mine = part(client.get("/admin/").content.decode(), "desk-mine")
    assert "Legal sign-off asked for" in mine and "Court case" in mine


def test_a_reporter_sees_their_stories_sent_back(client, reporter, editor):
    article = in_review(reporter, "Budget vote")
    review_move(article=article, move="send_back", user=editor, reason="Add the minister's reply.")
    client.force_login(reporter)
    mine = part(client.get("/admin/").content.decode(), "desk-mine")
    assert "Sent back to you" in mine and "Budget vote" in mine
