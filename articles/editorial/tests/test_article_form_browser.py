"""The article form in a real headless Chromium, at 1366 px, on a tablet and a phone: it fits, the publish panel
stays in view, and a new tag typed with Enter is saved."""

import pytest
from django.urls import reverse

from devtools.browser import ARTIFACTS, CHROMIUM, PASSWORD, chromium, errors_of, log_in
from devtools.factories import make_article, make_image

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM, reason="no chromium binary installed (apt-get install chromium)"),
]

VIEWPORTS = {"1366": {"width": 1366, "height": 768}, "768": {"width": 768, "height": 1024},
             "390": {"width": 390, "height": 844}}


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_the_article_form_fits_keeps_the_publish_panel_in_view_and_takes_new_tags_with_enter(
        live_server, transactional_db, width):
    from django.contrib.auth import get_user_model
    from playwright.sync_api import expect

    get_user_model().objects.create_superuser("form", "form@example.org", PASSWORD)
    article = make_article(
        title="Floods cut off southern Basra as the river rises for a third day", tags=["Iraq", "Weather"],
        paragraphs=[f"Paragraph {n}: the water rose again overnight and more roads were closed." for n in range(30)],
        images=[make_image(with_file=True, caption="Flood water in a Basra street."),
                make_image(caption="Caption only, from the dump.")])
    url = f"{live_server.url}{reverse('admin:articles_article_change', args=[article.pk])}"
    with chromium() as browser:
        page = browser.new_context(viewport=VIEWPORTS[width]).new_page()
        problems = errors_of(page)
        log_in(page, live_server.url, "form", url)

        share = page.evaluate("document.querySelector('#id_title').getBoundingClientRect().width"
                              " / document.querySelector('#article_form').getBoundingClientRect().width")
        assert share >= 0.6, share
        assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(ARTIFACTS / f"article-form-{width}.png"), full_page=True)

        page.evaluate("window.scrollTo(0, document.scrollingElement.scrollHeight)")
        in_view = ("(() => { const r = document.querySelector('.publish-actions').getBoundingClientRect();"
                   " return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; })()")
        page.wait_for_function(in_view)
        expect(page.locator(".publish-actions input[name=_publish]")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / f"article-form-{width}-bottom.png"))

        # Live counts follow the typing.
        page.fill("#id_title", "x" * 510)
        expect(page.locator('.text-count[data-count-of="title"]')).to_have_text(
            "510 of 500 characters · search results show about 60")
        page.fill("#id_title", "Floods cut off southern Basra")

        page.click("#id_tags")
        page.keyboard.type("Brand new")
        page.keyboard.press("Enter")  # takes the tag, does not submit the form
        expect(page.locator("#id_tags")).to_have_value("Iraq, Weather, Brand new, ")
        with page.expect_navigation():
            page.locator(".publish-actions input[name=_continue]").click()
        expect(page.locator(".messagelist")).to_contain_text("Saved “Floods cut off southern Basra” (published)")
    assert sorted(article.tags.names()) == ["Brand new", "Iraq", "Weather"]
    assert [p for p in problems if "favicon" not in p and "404" not in p] == []
