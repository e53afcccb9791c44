"""A reader's visit in a real headless Chromium, at phone and desktop widths.

Home → article → tag page → search → feed, checking what is on screen, that
the Content-Security-Policy blocks nothing the pages need, that nothing is
wider than a phone, and that axe finds no serious accessibility problem.
Screenshots go to test-artifacts/ for people to look at.
"""

import pytest

from devtools.browser import ARTIFACTS, CHROMIUM, PASSWORD, chromium, errors_of, log_in
from devtools.factories import make_article, make_image
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM, reason="no chromium binary installed (apt-get install chromium)"),
]


@pytest.fixture
def newsroom(transactional_db):
    """A small news site: a story with photos and tags, an Arabic one, and others."""
    photo = make_image(caption="Flood water in a Basra street.", credit="Reuters", alt_text="A flooded street",
                       with_file=True)
    story = make_article(
        title="Floods cut off southern Basra", standfirst="Rain fell for a week; thousands left their homes.",
        byline="Jane Doe", source="Asharq Al-Awsat", tags=["Iraq", "Weather"],
        images=[photo, make_image(caption="Volunteers filled sandbags.", credit="AFP")],
        paragraphs=["The river burst its banks on Monday night.", "Schools stayed closed on Tuesday."],
        slug="floods-cut-off-basra",
    )
    make_article(title="Weather service warns of more rain", tags=["Weather"], slug="more-rain")
    make_article(title="فيضانات في البصرة", paragraphs=["غمرت المياه الشوارع."], tags=["Iraq"], slug="فيضانات")
    for n in range(3):
        make_article(title=f"Other news {n}", tags=["Sport"])
    return story


def visit(page, url):
    response = page.goto(url)
    assert response.status == 200, url
    return response


def assert_no_accessibility_violations(page, where):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, f"{where}: " + "; ".join(f"{v['id']}: {v['help']}" for v in serious)


def assert_fits_the_screen(page, where):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{where} is {overflow}px wider than the screen"


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_a_reader_goes_from_home_to_article_tag_search_and_feed(live_server, newsroom, device):
    from playwright.sync_api import expect

    with chromium() as browser:
        page = browser.new_page(viewport=VIEWPORTS[device])
        # CSP violations and failed loads show up as console errors.
        problems = errors_of(page)

        # Home: the latest stories, with headline, photo, summary and tags.
        visit(page, live_server.url + "/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Latest news")
        card = page.locator("article.card", has_text="Floods cut off southern Basra")
        expect(card.get_by_role("img", name="A flooded street")).to_be_visible()
        expect(card).to_contain_text("Rain fell for a week")
        expect(card.get_by_role("link", name="Weather")).to_be_visible()
        assert_fits_the_screen(page, "home")
        page.screenshot(path=ARTIFACTS / f"home-{device}.png", full_page=True)

        # Article: everything a reader came for, photo actually loaded.
        card.get_by_role("link", name="Floods cut off southern Basra").click()
        expect(page).to_have_url(live_server.url + newsroom.get_absolute_url())
        expect(page.get_by_role("heading", level=1)).to_have_text("Floods cut off southern Basra")
        expect(page.locator(".standfirst")).to_have_text("Rain fell for a week; thousands left their homes.")
        expect(page.locator("figure figcaption").first).to_contain_text("Flood water in a Basra street. (Reuters)")
        expect(page.locator("figure figcaption").nth(1)).to_contain_text("Volunteers filled sandbags. (AFP)")
        assert page.eval_on_selector("figure img", "img => img.complete && img.naturalWidth > 0")
        expect(page.get_by_role("complementary")).to_contain_text("Weather service warns of more rain")
        assert_fits_the_screen(page, "article")
        assert_no_accessibility_violations(page, "article page")
        page.screenshot(path=ARTIFACTS / f"article-{device}.png", full_page=True)

        # Tag page, reached from the article's tags.
        page.locator(".article__footer").get_by_role("link", name="Iraq").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Iraq")
        expect(page.locator("article.card")).to_have_count(2)
        arabic = page.locator("article.card", has_text="فيضانات في البصرة")
        assert arabic.evaluate("card => getComputedStyle(card).direction") == "rtl"
        assert_fits_the_screen(page, "tag page")
        assert_no_accessibility_violations(page, "tag page")
        page.screenshot(path=ARTIFACTS / f"tag-{device}.png", full_page=True)

        # Search from the header: highlighted results.
        page.get_by_role("searchbox", name="Search articles").fill("basra floods")
        page.keyboard.press("Enter")
        expect(page.get_by_role("status")).to_contain_text("1 result")
        expect(page.locator("mark").first).to_be_visible()
        assert_no_accessibility_violations(page, "search page")
        page.screenshot(path=ARTIFACTS / f"search-{device}.png", full_page=True)

        # The feed link in the footer leads to a feed listing the story.
        href = page.get_by_role("link", name="RSS feed").get_attribute("href")
        feed = page.request.get(live_server.url + href)
        assert feed.ok and feed.headers["content-type"].startswith("application/rss+xml")
        assert "Floods cut off southern Basra" in feed.text()

        # A missing page is friendly, not a bare error.
        response = page.goto(live_server.url + "/articles/no-such-story/")
        assert response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    # 404 responses are logged by Chromium as console errors; nothing else may be.
    assert [p for p in problems if "404" not in p] == []


def test_an_editor_edits_an_article_in_the_admin_without_accessibility_problems(live_server, newsroom):
    """The article form (tag and photo rows included) passes axe, and a second editor is told who else is there."""
    from axe_playwright_python.sync_playwright import Axe
    from django.contrib.auth import get_user_model

    # Superusers: a transactional test starts without the Editors group its migration made.
    for name in ("alice", "bob"):
        get_user_model().objects.create_superuser(name, f"{name}@example.org", PASSWORD)
    url = f"{live_server.url}/admin/articles/article/{newsroom.pk}/change/"
    with chromium() as browser:
        pages = {}
        for name in ("alice", "bob"):
            page = browser.new_context(viewport=VIEWPORTS["desktop"]).new_page()
            log_in(page, live_server.url, name, url)
            pages[name] = page
        page = pages["bob"]
        assert "Also open by alice" in page.inner_text("#presence-notice")
        page.screenshot(path=str(ARTIFACTS / "admin-article-form.png"), full_page=True)
        results = Axe().run(page)
        critical = [v for v in results.response["violations"] if v["impact"] == "critical"]
        assert not critical, "; ".join(f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']]}" for v in critical)
