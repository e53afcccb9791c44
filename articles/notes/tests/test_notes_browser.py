"""The notes panel and the desk's mentions in a real Chromium: no serious axe finding, at laptop and phone widths.

Axe looks at these two parts only; the whole pages are the editorial accessibility test's.
"""

import pytest
from django.urls import reverse

from articles.editorial.tests.test_accessibility_browser import VIEWPORTS
from articles.notes.services import note_add, note_resolve
from devtools.browser import CHROMIUM, PASSWORD, chromium, log_in
from devtools.factories import make_article

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM, reason="no chromium binary installed (apt-get install chromium)"),
]


def assert_no_serious_findings(page, selector):
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page, context=selector).response["violations"]
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, f"{selector}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} {[node['target'] for node in v['nodes'][:5]]}" for v in serious)


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_notes_and_mentions_have_no_serious_accessibility_problems(live_server, transactional_db, width):
    from django.contrib.auth import get_user_model

    editor = get_user_model().objects.create_superuser("editor", "editor@example.org", PASSWORD)
    other = get_user_model().objects.create_superuser("jane", "jane@example.org", PASSWORD)
    story = make_article(title="Floods cut off southern Basra", paragraphs=["The river rose.", "Roads closed."])
    note_add(article=story, author=other, text="@editor which river? <b>not bold</b>", paragraph=1)
    note_resolve(note=note_add(article=story, author=other, text="Headline fixed."), user=editor)
    with chromium() as browser:
        page = browser.new_context(viewport=VIEWPORTS[width]).new_page()
        log_in(page, live_server.url, "editor", live_server.url + reverse("admin:index"))
        assert "which river?" in page.inner_text("[aria-labelledby=desk-mentions]")
        assert_no_serious_findings(page, "[aria-labelledby=desk-mentions]")
        with page.expect_navigation():
            page.click("[aria-labelledby=desk-mentions] button")
        assert page.url.endswith("#notes")
        page.click(".notes-resolved summary")
        assert "Headline fixed." in page.inner_text("#notes")
        assert_no_serious_findings(page, "#notes")
        page.fill("#id_note_text", "Checked with the ministry.")
        with page.expect_navigation():
            page.click("text=Add the note")
        assert "Checked with the ministry." in page.inner_text("#notes")
