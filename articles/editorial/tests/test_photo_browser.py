"""The photo desk in a real headless Chromium: metadata appears before saving, and the CSP blocks nothing."""

import io

import pytest
from PIL import Image as PILImage

from devtools.browser import ARTIFACTS, CHROMIUM, PASSWORD, chromium, errors_of, log_in
from devtools.factories import make_article, make_image

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM, reason="no chromium binary installed (apt-get install chromium)"),
]


def test_an_editor_sees_the_files_caption_and_credit_before_saving(live_server, transactional_db, tmp_path):
    from django.contrib.auth import get_user_model
    from playwright.sync_api import expect

    get_user_model().objects.create_superuser("photo", "photo@example.org", PASSWORD)
    article = make_article(title="Floods in Basra", images=[make_image(caption="Caption only"),
                                                             make_image(with_file=True, caption="With a file")])
    exif = PILImage.Exif()
    exif[0x010E], exif[0x013B], exif[0x8298] = "Flood water in a Basra street.", "Ali Hassan", "(c) Ali Hassan"
    photo = tmp_path / "IMG_2041.JPG"
    buffer = io.BytesIO()
    PILImage.linear_gradient("L").resize((1200, 800)).convert("RGB").save(buffer, "JPEG", exif=exif.tobytes())
    photo.write_bytes(buffer.getvalue())
    add_url = f"{live_server.url}/admin/media/image/add/"
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        problems = errors_of(page)
        log_in(page, live_server.url, "photo", add_url)
        page.set_input_files("#id_file", str(photo))
        expect(page.locator(".photo-metadata-note")).to_contain_text("Filled from the file: caption, credit")
        expect(page.locator("#id_caption")).to_have_value("Flood water in a Basra street.")
        expect(page.locator("#id_credit")).to_have_value("Ali Hassan")
        expect(page.locator("#id_copyright")).to_have_value("(c) Ali Hassan")
        with page.expect_navigation():
            page.click("input[name=_continue]")
        expect(page.locator("img.thumb--large")).to_be_visible()
        assert page.eval_on_selector("img.thumb--large", "img => img.naturalWidth > 0 && img.width <= 480")
        page.screenshot(path=str(ARTIFACTS / "admin-image-form.png"), full_page=True)
        # The article form with a photo and a caption-only one: thumbnails bounded, nothing blocked.
        page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
        assert page.eval_on_selector("img.thumb--small", "img => img.naturalWidth > 0 && img.width <= 80")
        page.screenshot(path=str(ARTIFACTS / "admin-article-photos.png"), full_page=True)
    # Content-Security-Policy violations are console errors: there must be none.
    assert [p for p in problems if "favicon" not in p and "404" not in p] == []
