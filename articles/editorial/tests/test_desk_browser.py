"""The duplicate desk in a real headless Chromium: a queue of 20 stories resolved by keyboard alone."""

import pytest

from articles.models import Article, DuplicateCandidate
from devtools.browser import ARTIFACTS, CHROMIUM, PASSWORD, chromium, errors_of, log_in
from devtools.factories import make_article

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM, reason="no chromium binary installed (apt-get install chromium)"),
]


@pytest.fixture
def queue(transactional_db):
    """20 stories of two or three copies each; the odd ones are real copies, the even ones are not."""
    stories = []
    for n in range(20):
        lead = f"Story {n}: rescue teams reached the village of Number {n} on Tuesday after the floods."
        copies = [make_article(title=f"Floods reach village {n}", paragraphs=[lead, f"Update {n}.{c}"])
                  for c in range(2 + n % 2)]
        for first, second in zip(copies, copies[1:]):
            DuplicateCandidate.objects.create(kind="article", article_a=first, article_b=second,
                                              score=0.99 - n / 100, reason="headline 100% alike")
        stories.append(copies)
    return stories


def test_an_editor_resolves_20_stories_by_keyboard_alone(live_server, queue):
    from django.contrib.auth import get_user_model
    from playwright.sync_api import expect

    get_user_model().objects.create_superuser("desk", "desk@example.org", PASSWORD)
    stories_url = f"{live_server.url}/admin/articles/duplicatecandidate/stories/"
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        problems = errors_of(page)
        log_in(page, live_server.url, "desk", stories_url)
        expect(page.locator("ul.dup-members")).to_have_count(20)
        page.screenshot(path=str(ARTIFACTS / "admin-duplicate-stories.png"), full_page=True)
        page.keyboard.press("j")
        for n in range(20):
            expect(page.locator(".dup-summary")).to_contain_text(f"Story 1 of {20 - n} undecided")
            if n == 0:
                page.screenshot(path=str(ARTIFACTS / "admin-duplicate-story.png"), full_page=True)
            with page.expect_navigation():
                page.keyboard.press("m" if n % 2 else "n")
            if n == 3:
                # Changed our mind about the last decision: undo it, then decide again.
                with page.expect_navigation():
                    page.keyboard.press("u")
                expect(page.locator(".messagelist")).to_contain_text("back")
                with page.expect_navigation():
                    page.keyboard.press("m")
        expect(page.locator(".messagelist")).to_contain_text("No undecided duplicate stories are left")
    # Chromium asks for /favicon.ico, which the site does not serve; nothing else may fail.
    assert [p for p in problems if "404" not in p] == []
    assert not DuplicateCandidate.objects.filter(status="open").exists()
    # Stories were taken best score first: 0, 1, 2, ...; odd ones merged, even ones dismissed, and story 3 merged
    # again after its undo.
    for n, copies in enumerate(queue):
        statuses = {article.status for article in Article.objects.filter(pk__in=[c.pk for c in copies])}
        if n % 2:
            assert Article.Status.MERGED in statuses and Article.Status.PUBLISHED in statuses
        else:
            assert statuses == {Article.Status.PUBLISHED}
