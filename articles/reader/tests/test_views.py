"""Reader pages: what a reader may and may not see."""

from datetime import timedelta

import pytest
from django.urls import reverse

from articles.models import Article
from devtools.factories import make_article, make_image

pytestmark = pytest.mark.django_db


def test_home_lists_published_articles_newest_first_and_hides_drafts(client):
    older = make_article(title="Older story")
    make_article(title="Newer story", published_at=older.published_at + timedelta(hours=1))
    make_article(title="Secret draft", status=Article.Status.DRAFT)
    html = client.get("/").content.decode()
    assert html.index("Newer story") < html.index("Older story")
    assert "Secret draft" not in html


def test_article_page_shows_headline_figures_paragraphs_and_tags(client):
    image = make_image(caption="Members at a rally in Baghdad.", credit="AFP")
    article = make_article(title="Factions meet", paragraphs=["First paragraph.", "Second paragraph."],
                           tags=["Iraq"], images=[image])
    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1 dir=\"auto\">Factions meet</h1>" in html
    assert "<figure" in html and "<figcaption" in html
    assert "Members at a rally in Baghdad." in html and "(AFP)" in html
    assert html.index("First paragraph.") < html.index("Second paragraph.")
    assert f'href="{reverse("articles:tag", args=["iraq"])}"' in html


def test_draft_article_page_is_not_found(client):
    draft = make_article(status=Article.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_markup_from_the_data_is_escaped_on_reader_pages(client):
    image = make_image(caption="<script>alert(1)</script>", credit="<img src=x onerror=alert(1)>")
    article = make_article(title="<em>Headline</em>", paragraphs=["<b>bold</b>"], tags=["<i>tag</i>"], images=[image])
    for url in ["/", article.get_absolute_url()]:
        html = client.get(url).content.decode()
        assert "<script>alert(1)" not in html
        assert "<img src=x" not in html
        assert "<em>Headline" not in html and "<b>bold" not in html and "<i>tag" not in html
        assert "&lt;em&gt;Headline&lt;/em&gt;" in html


def test_caption_only_image_is_shown_as_a_captioned_placeholder(client):
    article = make_article(images=[make_image(caption="No file here.")])
    html = client.get(article.get_absolute_url()).content.decode()
    assert "figure--caption-only" in html
    assert "<img" not in html
