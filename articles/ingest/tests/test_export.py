"""`export_articles`: every article as one JSON object per line."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from articles.models import Article
from devtools.factories import make_article, make_image

pytestmark = pytest.mark.django_db


def export():
    out = StringIO()
    call_command("export_articles", stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_export_writes_one_json_object_per_article_including_drafts():
    lead = make_image(caption="Members at a rally.", credit="AFP", alt_text="A crowd")
    published = make_article(title="Published story", paragraphs=["One.", "Two."], tags=["Iraq", "Hamas"],
                             images=[lead, make_image(caption="Second photo.", credit="AP")], source="Asharq Al-Awsat")
    draft = make_article(title="Draft story", status=Article.Status.DRAFT)

    rows = export()

    assert [row["id"] for row in rows] == [published.pk, draft.pk]
    first = rows[0]
    assert first["title"] == "Published story"
    assert first["slug"] == published.slug
    assert first["url"] == published.get_absolute_url()
    assert first["status"] == "published"
    assert first["published_at"] == published.published_at.isoformat()
    assert first["body"] == ["One.", "Two."]
    assert first["images"] == [
        {"id": lead.pk, "caption": "Members at a rally.", "credit": "AFP", "alt_text": "A crowd", "copyright": "",
         "file_url": None},
        {"id": lead.pk + 1, "caption": "Second photo.", "credit": "AP", "alt_text": "", "copyright": "",
         "file_url": None},
    ]
    assert sorted(first["tags"]) == ["Hamas", "Iraq"]
    assert first["source"] == "Asharq Al-Awsat"
    assert rows[1]["status"] == "draft"
    assert rows[1]["published_at"] is None


def test_export_gives_the_url_readers_get_for_an_uploaded_image_never_the_original():
    image = make_image(with_file=True)
    make_article(images=[image])
    url = export()[0]["images"][0]["file_url"]
    assert url == image.largest_rendition()[0] and url.endswith(".jpg") and "renditions/" in url


def test_export_keeps_non_latin_text_readable():
    make_article(title="عنوان عربي", slug="عنوان")
    out = StringIO()
    call_command("export_articles", stdout=out)
    assert "عنوان عربي" in out.getvalue()


def test_export_query_count_does_not_grow_with_articles(django_assert_max_num_queries):
    for _ in range(20):
        make_article(tags=["a", "b"], images=[make_image()])
    with django_assert_max_num_queries(4):
        assert len(export()) == 20
