"""The editors' image admin: usage, uploads, duplicate warnings, escaping."""

import hashlib
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.models import DuplicateCandidate
from devtools.factories import make_article, make_editor, make_image
from media.hashing import perceptual_hash
from media import models as media_models
from media.models import Image, originals_storage
from media.tests.pictures import encode, png_html_polyglot, scene

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:media_image_changelist")
ADD = reverse("admin:media_image_add")
CAPTION = "Rescuers search the rubble in Aleppo."
WARNING = "may duplicate"


def change_url(image):
    return reverse("admin:media_image_change", args=[image.pk])


@pytest.fixture
def editor(client):
    client.force_login(make_editor())
    return client


def add_through_admin(client, *, data=None, caption=CAPTION, credit="AFP", name="photo.png", content_type=None):
    form = {"caption": caption, "credit": credit, "alt_text": ""}
    if data is not None:
        form["file"] = SimpleUploadedFile(name, data, **({"content_type": content_type} if content_type else {}))
    return client.post(ADD, form, follow=True)


def usage_counts(html):
    """{image id: the number in its "Used in" column} from a changelist page."""
    rows = re.findall(r'value="(\d+)" class="action-select".*?class="field-usage_count">(\d+)</td>', html, re.DOTALL)
    return {int(pk): int(count) for pk, count in rows}


def image_pairs():
    return set(DuplicateCandidate.objects.filter(kind="image").values_list("image_a", "image_b"))


# --- reading -------------------------------------------------------------------------


def test_changelist_shows_how_many_articles_use_each_image(editor):
    twice, never, once = make_image(), make_image(), make_image(with_file=True)
    make_article(images=[twice])
    make_article(images=[twice, once])
    response = editor.get(CHANGELIST)
    assert response.status_code == 200
    assert usage_counts(response.content.decode()) == {twice.pk: 2, never.pk: 0, once.pk: 1}


def test_change_form_links_to_the_articles_that_use_the_image(editor):
    image, unused = make_image(), make_image()
    first = make_article(title="Quake survivors pulled from rubble", images=[image])
    second = make_article(title="Aid convoy reaches Aleppo", images=[image])
    html = editor.get(change_url(image)).content.decode()
    assert "Used in articles" in html
    for article in (first, second):
        link = f'<a href="{reverse("admin:articles_article_change", args=[article.pk])}">{article.title}</a>'
        assert link in html
    assert "Not used in any article." in editor.get(change_url(unused)).content.decode()


# --- uploading -------------------------------------------------------------------------


def test_uploading_through_the_add_form_stores_the_file_and_its_hashes(editor):
    data = encode(scene(1, size=(320, 240)), "JPEG", quality=85)
    response = add_through_admin(editor, data=data, name="Quake.JPG")
    assert response.status_code == 200
    image = Image.objects.get()
    assert re.fullmatch(r"images/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", image.file.name)
    with image.file.open("rb") as stored:
        assert stored.read() == data
    assert image.file_hash == hashlib.sha256(data).hexdigest()
    assert image.perceptual_hash == perceptual_hash(io.BytesIO(data)) is not None
    assert (image.width, image.height) == (320, 240)
    assert WARNING not in response.content.decode()


def test_a_photo_with_the_same_caption_and_credit_is_flagged_as_a_possible_duplicate(editor):
    original = make_image(caption=CAPTION, credit="AFP", with_file=True)
    response = add_through_admin(editor, data=encode(scene(2)), caption="rescuers search the rubble, in Aleppo",
                                 credit="afp")
    copy = Image.objects.exclude(pk=original.pk).get()  # saved all the same: an editor decides
    assert f"{WARNING} 1 other image" in response.content.decode()
    assert image_pairs() == {(original.pk, copy.pk)}


def test_the_same_file_under_another_caption_is_flagged_as_a_possible_duplicate(editor):
    data = encode(scene(3))
    first = add_through_admin(editor, data=data, caption="Shelling in the north.", credit="Reuters")
    assert WARNING not in first.content.decode()
    response = add_through_admin(editor, data=data, caption="A different caption altogether.", credit="AP")
    assert f"{WARNING} 1 other image" in response.content.decode()
    original, copy = Image.objects.order_by("pk")
    assert original.file_hash == copy.file_hash
    assert image_pairs() == {(original.pk, copy.pk)}


def test_an_unrelated_photo_is_not_flagged(editor):
    make_image(caption=CAPTION, credit="AFP", with_file=True)
    add_through_admin(editor, data=encode(scene(4)), caption="Shelling in the north.", credit="Reuters")
    response = add_through_admin(editor, data=encode(scene(5)), caption="Crowds gather in the square.", credit="AP")
    assert WARNING not in response.content.decode()
    assert image_pairs() == set()


def test_adding_a_caption_only_image_that_already_exists_shows_a_form_error(editor):
    make_image(caption=CAPTION, credit="AFP")
    response = add_through_admin(editor, caption="rescuers search the rubble in aleppo", credit="afp")
    assert response.status_code == 200
    assert "A caption-only image with this caption and credit already exists." in response.content.decode()
    assert Image.objects.count() == 1


def test_saving_an_upload_reads_its_metadata_and_hashes_it_once(editor, monkeypatch):
    calls = {"metadata": 0, "perceptual hash": 0}

    def counted(name, function):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return function(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(media_models, "photo_metadata", counted("metadata", media_models.photo_metadata))
    monkeypatch.setattr(media_models, "perceptual_hash", counted("perceptual hash", media_models.perceptual_hash))
    add_through_admin(editor, data=encode(scene(7)), caption="")
    assert Image.objects.get().file
    assert calls == {"metadata": 1, "perceptual hash": 1}


# --- originals -------------------------------------------------------------------------


def original_url(image):
    return reverse("admin:media_image_original", args=[image.file.name])


def test_a_polyglot_original_is_downloaded_as_the_png_it_is_never_shown_as_a_page(editor):
    add_through_admin(editor, data=png_html_polyglot(), name="x.html", content_type="text/html")
    image = Image.objects.get()
    response = editor.get(original_url(image))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment") and ".png" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_original_stored_under_its_senders_name_is_still_downloaded_but_never_as_what_the_name_says(editor):
    image = make_image(with_file=True)
    name = originals_storage.save("images/2020/01/0123456789abcdef0123456789abcdef.html",
                                  io.BytesIO(png_html_polyglot()))
    Image.objects.filter(pk=image.pk).update(file=name)
    image.refresh_from_db()
    response = editor.get(original_url(image))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_image_form_links_the_current_file_to_the_download_view(editor):
    image = make_image(with_file=True)
    html = editor.get(change_url(image)).content.decode()
    assert re.search(r'Currently:\s*<a href="' + re.escape(original_url(image)) + '"', html)


def test_staff_who_may_only_view_images_cannot_download_originals(client):
    image = make_image(with_file=True)
    viewer = get_user_model().objects.create_user(username="viewer", password="correct horse battery", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_image", content_type__app_label="media"))
    client.force_login(viewer)
    assert client.get(change_url(image)).status_code == 200
    assert client.get(original_url(image)).status_code == 403


# --- escaping ------------------------------------------------------------------------


def test_markup_in_captions_is_shown_as_text(editor):
    markup = "<script>alert(1)</script>"
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    credit = '"><img src=x onerror=alert(2)>'
    with_file = make_image(caption=markup, credit=credit, alt_text=markup, with_file=True)
    caption_only = make_image(caption=markup + " caption only", credit=credit)  # shown in its placeholder
    make_article(title=markup, images=[with_file, caption_only])
    added = add_through_admin(editor, data=encode(scene(6)), caption=markup)  # the "was added" message names it
    pages = {
        "changelist": editor.get(CHANGELIST),
        "search": editor.get(CHANGELIST, {"q": markup}),
        "change with file": editor.get(change_url(with_file)),
        "change caption-only": editor.get(change_url(caption_only)),
        "after adding": added,
    }
    for name, response in pages.items():
        html = response.content.decode()
        assert response.status_code == 200, name
        assert escaped in html, name  # the caption is there, as text
        assert "<script>alert" not in html, name
        assert "<img src=x onerror" not in html, name
