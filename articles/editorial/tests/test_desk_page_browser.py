"""The desk in a real headless Chromium, on a laptop and on a phone: every part readable, every action by keyboard."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, ArticleVersion, DuplicateCandidate, ImportRun
from devtools.browser import ARTIFACTS, CHROMIUM, PASSWORD, chromium, errors_of, log_in
from devtools.factories import make_article

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM, reason="no chromium binary installed (apt-get install chromium)"),
]

WIDTHS = {"laptop": (1366, 900), "phone": (390, 844)}


@pytest.fixture
def newsroom(transactional_db):
    """A morning's desk: drafts, stories going live, a failed import, copies to decide, an editor's own edits."""
    from django.contrib.auth import get_user_model

    editor = get_user_model().objects.create_superuser("desk", "desk@example.org", PASSWORD)
    now = timezone.now()
    for n in range(4):
        make_article(status=Article.Status.DRAFT, title=f"Draft about the budget vote, part {n}")
        make_article(title=f"Storm warning update {n}", published_at=now + timedelta(hours=2 + 3 * n))
    make_article(status=Article.Status.DRAFT, title="غارة جوية على ريف حلب")
    published = [make_article(title=f"Minister resigns after inquiry, reaction {n}") for n in range(4)]
    for minutes, article in enumerate(published):
        ArticleVersion.objects.create(article_id=article.pk, number=2, kind="edited", snapshot={}, user=editor,
                                      created_at=now - timedelta(minutes=minutes * 7))
    first, second = (make_article(title=f"Floods reach the valley, copy {n}") for n in range(2))
    DuplicateCandidate.objects.create(kind="article", article_a=first, article_b=second, score=0.97,
                                      reason="headline 90% alike")
    ImportRun.objects.create(file_name="wire-2024-05-01.txt", status=ImportRun.Status.FINISHED, articles_created=120)
    ImportRun.objects.create(file_name="archive-1998.txt.gz", status=ImportRun.Status.FAILED, articles_created=800,
                             articles_failed=3, errors=["line 12: headline but no body"])
    return editor


@pytest.mark.parametrize("device", WIDTHS)
def test_the_desk_reads_on_laptop_and_phone_and_works_by_keyboard(live_server, newsroom, device):
    from playwright.sync_api import expect

    width, height = WIDTHS[device]
    desk = f"{live_server.url}/admin/"
    with chromium() as browser:
        page = browser.new_page(viewport={"width": width, "height": height})
        problems = errors_of(page)
        log_in(page, live_server.url, "desk", desk)
        expect(page.locator("h1")).to_have_text("Editorial desk")
        for heading in ("Duplicate stories", "Waiting for review", "Scheduled in the next 24 hours", "Imports",
                        "My recent edits", "Recently published"):
            expect(page.get_by_role("region", name=heading)).to_be_visible()
        expect(page.get_by_role("region", name="Scheduled in the next 24 hours")).to_contain_text("4 going live")
        expect(page.get_by_role("region", name="Imports")).to_contain_text("3 failed")
        # Nothing is wider than the screen: no sideways scrolling on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(ARTIFACTS / f"admin-desk-{width}.png"), full_page=True)

        # From the top of the page, Tab reaches "Write a story" with a visible focus ring, and Enter opens the form.
        for _ in range(30):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent.trim()") == "Write a story":
                break
        else:
            pytest.fail("Tab never reached Write a story")
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("", "none")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page).to_have_url(f"{live_server.url}/admin/articles/article/add/")

        # The duplicate story waiting is one click from the desk.
        page.goto(desk)
        with page.expect_navigation():
            page.get_by_role("link", name="Open the next story").click()
        expect(page.locator(".dup-summary")).to_contain_text("Story 1 of 1 undecided")
    # Chromium asks for /favicon.ico, which the site does not serve; nothing else may fail.
    assert [p for p in problems if "404" not in p] == []
