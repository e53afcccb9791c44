"""The editors' pages in a real headless Chromium: no serious or critical axe finding, at laptop and phone widths.

The desk, the article list, the article form, the conflict page, an
article's history and the duplicate desk, each with real content on it.
"""

import re

import pytest
from django.urls import reverse

from articles.models import DuplicateCandidate
from devtools.browser import ARTIFACTS, CHROMIUM, PASSWORD, chromium, log_in
from devtools.factories import make_article, make_image

VIEWPORTS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM, reason="no chromium binary installed (apt-get install chromium)"),
]


@pytest.fixture
def newsroom(transactional_db):
    """A story with photos and tags, its history, a duplicate pair, and an editor."""
    from django.contrib.auth import get_user_model

    # A superuser: a transactional test starts without the Editors group its migration made.
    get_user_model().objects.create_superuser("editor", "editor@example.org", PASSWORD)
    story = make_article(title="Floods cut off southern Basra", standfirst="Rain fell for a week.",
                         tags=["Iraq", "Weather"], paragraphs=["The river rose.", "Roads closed.", "Schools shut."],
                         images=[make_image(caption="Flood water in a Basra street.", credit="Reuters")])
    lead = "Rescue teams reached the village of Hamdaniya on Tuesday after the floods cut the road."
    first = make_article(title="Floods reach the village", paragraphs=[lead, "Update one."])
    second = make_article(title="Floods reach the village again", paragraphs=[lead, "Update two."])
    DuplicateCandidate.objects.create(kind="article", article_a=first, article_b=second, score=0.95,
                                      reason="headline 90% alike")
    return story


def assert_no_serious_findings(page, where):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, f"{where}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} {[node['target'] for node in v['nodes'][:5]]}" for v in serious)


def conflict_page(page, live_url, story):
    """Open the form twice, save from one, then from the other: the conflict page."""
    change = f"{live_url}{reverse('admin:articles_article_change', args=[story.pk])}"
    other = page.context.new_page()
    other.goto(change)
    page.goto(change)
    page.fill("#id_title", "Floods cut off southern Basra for a week")
    with page.expect_navigation():
        page.locator("input[name=_continue]").first.click()
    other.fill("#id_title", "Floods isolate southern Basra")
    with other.expect_navigation():
        other.locator("input[name=_continue]").first.click()
    assert "Someone else saved this article" in other.content()
    return other


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_the_editors_pages_have_no_serious_accessibility_problems(live_server, newsroom, width):
    pages = {
        "desk": reverse("admin:index"),
        "article-list": reverse("admin:articles_article_changelist"),
        "article-form": reverse("admin:articles_article_change", args=[newsroom.pk]),
        "history": reverse("admin:articles_article_history", args=[newsroom.pk]),
        "duplicate-desk": reverse("admin:articles_duplicatecandidate_stories"),
    }
    with chromium() as browser:
        page = browser.new_context(viewport=VIEWPORTS[width]).new_page()
        log_in(page, live_server.url, "editor", live_server.url + pages["desk"])
        for name, url in pages.items():
            response = page.goto(live_server.url + url)
            assert response.status == 200, name
            assert_no_serious_findings(page, name)
            page.screenshot(path=str(ARTIFACTS / f"a11y-{name}-{width}.png"), full_page=True)
        conflict = conflict_page(page, live_server.url, newsroom)
        assert_no_serious_findings(conflict, "conflict")
        conflict.screenshot(path=str(ARTIFACTS / f"a11y-conflict-{width}.png"), full_page=True)


def test_the_article_form_is_usable_by_keyboard_alone(live_server, newsroom):
    """From the headline, Tab reaches every field and a save button, and Enter on it saves."""
    url = live_server.url + reverse("admin:articles_article_change", args=[newsroom.pk])
    with chromium() as browser:
        page = browser.new_context(viewport=VIEWPORTS["laptop"]).new_page()
        log_in(page, live_server.url, "editor", url)
        page.focus("#id_title")
        page.keyboard.press("End")
        page.keyboard.type(" today")
        reached = []
        for _ in range(80):
            page.keyboard.press("Tab")
            focused = page.evaluate("document.activeElement.name || document.activeElement.id || ''")
            reached.append(focused)
            if re.fullmatch(r"_save|_continue", focused or ""):
                break
        assert {"standfirst", "body"} <= set(reached), reached
        assert reached[-1] in ("_save", "_continue"), reached
        with page.expect_navigation():
            page.keyboard.press("Enter")
    newsroom.refresh_from_db()
    assert newsroom.title == "Floods cut off southern Basra today"
