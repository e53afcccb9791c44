"""An editor's whole day in a real headless Chromium, at laptop and phone widths.

Open the desk; decide a duplicate story; write and publish an article
with a new tag and a photo; schedule another; and settle an edit race
with a second editor who changed another paragraph, both changes kept.
Screenshots of each step go to test-artifacts/.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, DuplicateCandidate
from devtools.browser import ARTIFACTS, CHROMIUM, PASSWORD, chromium, errors_of, log_in
from devtools.factories import make_article, png_bytes

VIEWPORTS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM, reason="no chromium binary installed (apt-get install chromium)"),
]


@pytest.fixture
def morning(transactional_db):
    """What waits at the start of the day: a story imported twice, and yesterday's article."""
    from django.contrib.auth import get_user_model

    # Superusers: a transactional test starts without the Editors group its migration made.
    for name in ("alice", "bob"):
        get_user_model().objects.create_superuser(name, f"{name}@example.org", PASSWORD)
    lead = "Rescue teams reached the village of Hamdaniya on Tuesday after the floods cut the only road."
    first = make_article(title="Floods reach Hamdaniya", paragraphs=[lead, "Two bridges were closed."])
    copy = make_article(title="Floods reach Hamdaniya village", paragraphs=[lead, "Two bridges were shut."])
    DuplicateCandidate.objects.create(kind="article", article_a=first, article_b=copy, score=0.95,
                                      reason="headline 90% alike")
    yesterday = make_article(title="Power cuts across Basra",
                             paragraphs=["Power failed at noon.", "Hospitals ran on generators.",
                                         "The ministry promised repairs."])
    return {"copies": (first, copy), "yesterday": yesterday}


def shot(page, width, step):
    page.screenshot(path=str(ARTIFACTS / f"day-{width}-{step}.png"), full_page=True)


def write_story(page, *, title, paragraphs):
    page.get_by_role("link", name="Write a story").first.click()
    page.wait_for_selector("#id_title")
    page.fill("#id_title", title)
    page.fill("#id_body", "\n\n".join(paragraphs))


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_an_editors_day_from_the_desk_to_a_settled_edit_race(live_server, morning, width, tmp_path, monkeypatch):
    from playwright.sync_api import expect

    # Playwright's sync API runs an event loop in this thread; the checks on the database between
    # steps are plain synchronous queries all the same.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    desk = live_server.url + reverse("admin:index")
    photo = tmp_path / "flood.png"
    photo.write_bytes(png_bytes(size=(800, 600), color=(40, 90, 160)))
    with chromium() as browser:
        alice = browser.new_context(viewport=VIEWPORTS[width]).new_page()
        problems = errors_of(alice)
        log_in(alice, live_server.url, "alice", desk)

        # The desk says what waits: one undecided duplicate story.
        expect(alice.get_by_role("heading", name="Duplicate stories")).to_be_visible()
        expect(alice.locator("#desk-duplicates ~ .desk-count")).to_contain_text("1 undecided story")
        shot(alice, width, "1-desk")

        # Decide it: the copies are one story; merge them into the suggested survivor.
        alice.get_by_role("link", name="Open the next story").click()
        expect(alice.locator(".dup-summary")).to_contain_text("Story 1 of 1 undecided")
        shot(alice, width, "2-duplicate-story")
        with alice.expect_navigation():
            alice.keyboard.press("m")
        assert DuplicateCandidate.objects.get().status == DuplicateCandidate.Status.MERGED
        assert Article.objects.filter(pk__in=[a.pk for a in morning["copies"]], status="merged").count() == 1

        # Write and publish a story with a new tag and a photo.
        alice.goto(desk)
        write_story(alice, title="Floodwater reaches the old market",
                    paragraphs=["Shops in the old market flooded overnight.", "Traders moved stock upstairs."])
        alice.click("#id_tags")
        alice.keyboard.type("Old market")
        alice.keyboard.press("Enter")
        alice.set_input_files("#id_article_images-0-upload", str(photo))
        alice.fill("#id_article_images-0-new_caption", "Water in the old market.")
        alice.fill("#id_article_images-0-new_credit", "Newsroom")
        shot(alice, width, "3-new-story")
        with alice.expect_navigation():
            alice.locator(".publish-actions input[name=_publish]").click()
        expect(alice.locator(".messagelist")).to_contain_text("Published “Floodwater reaches the old market” at")
        published = Article.objects.get(title="Floodwater reaches the old market")
        assert published.is_visible_to_readers() and list(published.tags.names()) == ["Old market"]
        assert published.article_images.get().image.caption == "Water in the old market."
        assert alice.request.get(live_server.url + published.get_absolute_url()).status == 200

        # Schedule another for tomorrow morning.
        alice.goto(desk)
        write_story(alice, title="Market reopens tomorrow", paragraphs=["Traders expect to reopen at nine."])
        when = timezone.localtime(timezone.now() + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
        alice.fill("#id_published_at_0", when.strftime("%Y-%m-%d"))
        alice.fill("#id_published_at_1", when.strftime("%H:%M:%S"))
        with alice.expect_navigation():
            alice.locator(".publish-actions input[name=_schedule]").click()
        expect(alice.locator(".messagelist")).to_contain_text("Scheduled “Market reopens tomorrow” for")
        scheduled = Article.objects.get(title="Market reopens tomorrow")
        assert scheduled.status == Article.Status.PUBLISHED and not scheduled.is_visible_to_readers()

        # The desk now lists it with its time.
        alice.goto(desk)
        expect(alice.locator("#desk-scheduled ~ .desk-list")).to_contain_text("Market reopens tomorrow")
        expect(alice.locator("#desk-scheduled ~ .desk-list time").first).to_have_attribute(
            "datetime", when.isoformat())
        shot(alice, width, "4-desk-after")

        # An edit race: Alice and Bob open yesterday's article; each fixes a different paragraph.
        bob = browser.new_context(viewport=VIEWPORTS[width]).new_page()
        article_url = live_server.url + reverse("admin:articles_article_change", args=[morning["yesterday"].pk])
        log_in(bob, live_server.url, "bob", article_url)
        alice.goto(article_url)
        alice.fill("#id_body", "Power failed at noon on Monday.\n\nHospitals ran on generators.\n\n"
                               "The ministry promised repairs.")
        bob.fill("#id_body", "Power failed at noon.\n\nHospitals ran on generators.\n\n"
                             "The ministry promised repairs by Friday.")
        with alice.expect_navigation():
            alice.locator(".publish-actions input[name=_continue]").click()
        with bob.expect_navigation():
            bob.locator(".publish-actions input[name=_continue]").click()
        expect(bob.locator(".messagelist")).to_contain_text("both kept")
        shot(bob, width, "5-race-settled")
        morning["yesterday"].refresh_from_db()
        assert morning["yesterday"].paragraphs == ["Power failed at noon on Monday.", "Hospitals ran on generators.",
                                                   "The ministry promised repairs by Friday."]
    assert [p for p in problems if "404" not in p and "favicon" not in p] == []
