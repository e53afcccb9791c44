"""The photo desk in the admin: uploads from the article form, metadata before saving, originals for editors."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image as PILImage

from articles.models import ArticleImage
from devtools.factories import make_article, make_editor, make_image
from media.models import Image

pytestmark = pytest.mark.django_db


def jpeg_bytes(size=(900, 600), exif_caption=None):
    picture = PILImage.linear_gradient("L").resize(size).convert("RGB")
    options = {"quality": 85}
    if exif_caption:
        exif = PILImage.Exif()
        exif[0x010E], exif[0x013B] = exif_caption, "Ali Hassan"
        options["exif"] = exif.tobytes()
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", **options)
    return buffer.getvalue()


@pytest.fixture
def editor_client(client):
    client.force_login(make_editor())
    return client


def article_form_data(client, article, **rows):
    """The article form as the editor's browser sends it back, with photo rows."""
    html = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    version = re.search(r'name="base_version" value="(\d+)"', html).group(1)
    data = {
        "title": article.title, "slug": article.slug, "body": article.body, "status": article.status,
        "standfirst": "", "byline": "", "source": "", "base_version": version,
        "published_at_0": article.published_at.strftime("%Y-%m-%d"),
        "published_at_1": article.published_at.strftime("%H:%M:%S"),
        "taggedarticle_set-TOTAL_FORMS": "0", "taggedarticle_set-INITIAL_FORMS": "0",
        "article_images-TOTAL_FORMS": "0", "article_images-INITIAL_FORMS": "0",
    }
    data.update(rows)
    return data


def test_a_photo_is_uploaded_straight_from_the_article_form_with_metadata_from_the_file(editor_client):
    article = make_article(title="Floods in Mosul")
    data = article_form_data(editor_client, article, **{
        "article_images-TOTAL_FORMS": "1", "article_images-0-position": "0",
        "article_images-0-upload": SimpleUploadedFile("IMG_0001.JPG", jpeg_bytes(exif_caption="A flooded street.")),
        "article_images-0-new_caption": "", "article_images-0-new_credit": "Reuters",
    })
    response = editor_client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    placement = ArticleImage.objects.get(article=article)
    photo = placement.image
    assert photo.caption == "A flooded street." and photo.credit == "Reuters"  # the editor's credit wins
    assert photo.has_renditions


def test_a_bad_upload_is_refused_on_its_row_and_nothing_is_saved(editor_client, settings):
    settings.NEWSROOM_PHOTO_MAX_PIXELS = 100_000
    article = make_article(title="Floods in Mosul")
    data = article_form_data(editor_client, article, **{
        "article_images-TOTAL_FORMS": "1", "article_images-0-position": "0",
        "article_images-0-upload": SimpleUploadedFile("big.jpg", jpeg_bytes()),
    })
    response = editor_client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 200
    assert "900×600 pixels" in response.content.decode() and "the limit is 0.1 megapixels" in response.content.decode()
    assert not Image.objects.exists() and not ArticleImage.objects.exists()


def test_the_metadata_endpoint_reads_the_file_before_saving_and_checks_the_limits(editor_client, settings):
    url = reverse("admin:media_image_read_metadata")
    answer = editor_client.post(url, {"file": SimpleUploadedFile("p.jpg", jpeg_bytes(exif_caption="A street."))})
    assert answer.json() == {"width": 900, "height": 600, "caption": "A street.", "credit": "Ali Hassan"}
    settings.NEWSROOM_PHOTO_MAX_BYTES = 1000
    refused = editor_client.post(url, {"file": SimpleUploadedFile("p.jpg", jpeg_bytes())})
    assert refused.status_code == 422 and "the limit is" in refused.json()["error"]
    assert not Image.objects.exists()
    assert Client().post(url, {"file": SimpleUploadedFile("p.jpg", jpeg_bytes())}).status_code == 302  # to login


def test_the_original_is_for_editors_only_and_always_a_download(editor_client):
    photo = make_image(with_file=True)
    url = photo.file.url
    assert url.startswith("/admin/")
    response = editor_client.get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response["Content-Security-Policy"]
    assert Client().get(url).status_code == 302  # readers are sent to log in
    assert editor_client.get("/admin/media/image/original/images/../../settings.py").status_code == 404


def test_thumbnails_are_sized_by_classes_never_inline_styles(editor_client):
    photo = make_image(with_file=True, caption="A photo")
    article = make_article(images=[photo, make_image(caption="Caption only")])
    pages = [reverse("admin:media_image_changelist"), reverse("admin:media_image_change", args=[photo.pk]),
             reverse("admin:articles_article_change", args=[article.pk])]
    for url in pages:
        html = editor_client.get(url).content.decode()
        assert 'class="thumb thumb--' in html, url
        ours = re.findall(r'<(?:img|span)[^>]*class="(?:thumb|caption-only)[^>]*>', html)
        assert ours and not any("style=" in tag for tag in ours), url


def test_the_image_list_shows_where_each_photo_is_used(editor_client):
    photo = make_image(caption="Used twice")
    make_article(title="First story", images=[photo])
    make_article(title="Second story", images=[photo])
    html = editor_client.get(reverse("admin:media_image_changelist")).content.decode()
    assert "First story" in html and "Second story" in html


def test_a_caption_only_image_from_the_dump_gets_its_file_in_the_admin(editor_client):
    photo = make_image(caption="From the dump.", credit="AP")
    article = make_article(images=[photo])
    form = editor_client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert reverse("admin:media_image_change", args=[photo.pk]) in form and "Attach its file" in form
    page = editor_client.get(reverse("admin:media_image_change", args=[photo.pk])).content.decode()
    version = re.search(r'name="base_version" value="(\d+)"', page).group(1)
    response = editor_client.post(reverse("admin:media_image_change", args=[photo.pk]), {
        "file": SimpleUploadedFile("later.jpg", jpeg_bytes()), "caption": "From the dump.", "credit": "AP",
        "copyright": "", "alt_text": "", "focal_x": "0.5", "focal_y": "0.5", "base_version": version,
    })
    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.file and photo.has_renditions and (photo.caption, photo.credit) == ("From the dump.", "AP")
