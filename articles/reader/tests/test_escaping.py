"""Markup in the data is text everywhere, and pages run no inline code.

One hostile article (headline, standfirst, byline, caption, credit, tag all
carrying <script> or onerror=) is shown on every reader page, in the feeds,
the JSON-LD, the API and the admin; none of it may come out as markup.
"""

import json
import re
from html.parser import HTMLParser

import pytest

from articles.models import Tag
from devtools.factories import make_article, make_image

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ONERROR = "<img src=x onerror=alert(1)>"
BREAKOUT = "</script><script>alert(2)</script>"


@pytest.fixture
def hostile():
    photo = make_image(caption=f"Caption {SCRIPT}", credit=f"Credit {ONERROR}", alt_text=f'Alt " {ONERROR}',
                       with_file=True)
    caption_only = make_image(caption=f"Second {ONERROR}", credit=SCRIPT)
    article = make_article(
        title=f"Headline {BREAKOUT} {ONERROR}", standfirst=f"Standfirst {SCRIPT}", byline=f"Byline {ONERROR}",
        source=f"Source {SCRIPT}", paragraphs=[f"Body {SCRIPT}", f"Second {ONERROR}"],
        tags=[f"Tag {SCRIPT}", "Headline"], images=[photo, caption_only], slug="hostile",
    )
    make_article(title="Neighbour", tags=[f"Tag {SCRIPT}"])  # so the hostile one is "related" somewhere
    return article


def assert_inert(text, where):
    for needle in ("<script>alert", "<img src=x", "onerror=alert(1)>", "</script><script>"):
        assert needle not in text, f"{needle!r} came out raw in {where}"


def reader_urls(article):
    tag = Tag.objects.get(name=f"Tag {SCRIPT}")
    return ["/", article.get_absolute_url(), tag.get_absolute_url(), "/search/?q=headline",
            f"/search/?q={SCRIPT}", "/feed/", "/feed/atom/", f"{tag.get_absolute_url()}feed/",
            f"{tag.get_absolute_url()}feed/atom/", "/api/articles/", f"/api/articles/{article.slug}/",
            "/sitemap-articles.xml", "/sitemap-tags.xml"]


def test_hostile_data_is_inert_on_every_reader_url(client, hostile):
    for url in reader_urls(hostile):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content.decode(), url)


def test_hostile_data_is_shown_as_text_on_the_article_page(client, hostile):
    html = client.get(hostile.get_absolute_url()).content.decode()
    assert "Headline &lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;" in html
    assert "Caption &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Credit &lt;img src=x onerror=alert(1)&gt;" in html
    assert 'alt="Alt &quot; &lt;img src=x onerror=alert(1)&gt;"' in html
    assert "Tag &lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_json_ld_cannot_be_broken_out_of_and_keeps_the_exact_text(client, hostile):
    html = client.get(hostile.get_absolute_url()).content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1, "a </script> in the data would have split the block"
    data = json.loads(blocks[0])
    assert data["headline"] == f"Headline {BREAKOUT} {ONERROR}"
    assert data["image"][0]["caption"] == f"Caption {SCRIPT}"
    assert data["image"][0]["creditText"] == f"Credit {ONERROR}"
    assert data["author"][0]["name"] == f"Byline {ONERROR}"


def test_opengraph_tags_hold_escaped_text(client, hostile):
    html = client.get(hostile.get_absolute_url()).content.decode()
    assert '<meta property="og:title" content="Headline &lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;' in html
    assert '<meta property="og:description" content="Standfirst &lt;script&gt;' in html


def test_hostile_data_is_inert_in_the_admin(client, hostile, django_user_model):
    admin = django_user_model.objects.create_superuser("boss", "boss@example.org", "correct horse battery")
    client.force_login(admin)
    image = hostile.article_images.first().image
    tag = Tag.objects.get(name=f"Tag {SCRIPT}")
    for url in ["/admin/articles/article/", f"/admin/articles/article/{hostile.pk}/change/",
                "/admin/media/image/", f"/admin/media/image/{image.pk}/change/",
                "/admin/articles/tag/", f"/admin/articles/tag/{tag.pk}/change/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content.decode(), url)


# --- Content-Security-Policy and no inline code --------------------------------------


def test_every_response_carries_a_content_security_policy_without_inline_scripts(client, hostile):
    for url in ["/", hostile.get_absolute_url(), "/articles/missing/", "/feed/", "/api/articles/"]:
        policy = client.get(url)["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
        assert "unsafe-inline" not in policy and directives["object-src"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"


class Elements(HTMLParser):
    """Every start tag of a page with its attributes, as a browser would read them."""

    def __init__(self, html):
        super().__init__()
        self.tags = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_reader_pages_have_no_inline_scripts_styles_or_event_handlers(client, hostile):
    tag = Tag.objects.get(name=f"Tag {SCRIPT}")
    for url in ["/", hostile.get_absolute_url(), tag.get_absolute_url(), "/search/?q=headline", "/articles/missing/"]:
        elements = Elements(client.get(url).content.decode()).tags
        scripts = [attrs for name, attrs in elements if name == "script"]
        assert all(attrs == {"type": "application/ld+json"} for attrs in scripts), (url, scripts)
        assert not [name for name, attrs in elements if name == "style" or "style" in attrs], url
        assert not [(name, attrs) for name, attrs in elements if any(a.startswith("on") for a in attrs)], url
