"""Images: caption and credit always, a file sometimes, and what is derived from them."""

import hashlib
import io
import re
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from devtools.factories import make_image
from media.hashing import perceptual_hash
from media.models import Image, image_upload_to
from media.tests.pictures import encode, grey, scene

pytestmark = pytest.mark.django_db

CAPTION = "Rescuers search the rubble in Aleppo."


def upload(data, name="photo.png"):
    return SimpleUploadedFile(name, data, content_type="image/png")


# --- caption_key -----------------------------------------------------------------


def test_caption_key_ignores_case_punctuation_and_spacing():
    image = make_image(caption=CAPTION, credit="AFP")
    variant = make_image(caption="  RESCUERS search the rubble, in Aleppo! ", credit="(afp)", with_file=True)
    assert len(image.caption_key) == 64
    assert variant.caption_key == image.caption_key


@pytest.mark.parametrize("caption,credit", [
    ("Rescuers search the rubble in Homs.", "AFP"),  # another caption
    (CAPTION, "Reuters"),  # another agency's photo
    (CAPTION, ""),  # no credit
    ("Rescuers search the rubble in Aleppo. AFP", ""),  # the credit's words moved into the caption
])
def test_caption_key_tells_different_captions_and_credits_apart(caption, credit):
    assert make_image(caption=caption, credit=credit).caption_key != make_image(caption=CAPTION).caption_key


def test_caption_key_follows_edits_to_the_caption():
    image = make_image(caption=CAPTION, credit="AFP")
    image.caption = "Rescuers search the rubble in Homs."
    image.save()
    image.refresh_from_db()
    same = make_image(caption="rescuers search the rubble in homs", credit="afp", with_file=True)
    assert image.caption_key == same.caption_key


def test_a_second_caption_only_image_with_the_same_caption_and_credit_is_refused():
    make_image(caption=CAPTION, credit="AFP")
    with pytest.raises(IntegrityError, match="caption_key|media_image_caption_only_unique"), transaction.atomic():
        Image.objects.create(caption="rescuers search the rubble in aleppo", credit="afp")
    assert Image.objects.count() == 1


def test_images_with_files_may_share_a_caption():
    make_image(caption=CAPTION, credit="AFP")
    make_image(caption=CAPTION, credit="AFP", with_file=True)
    make_image(caption=CAPTION, credit="AFP", with_file=True)
    assert Image.objects.filter(caption=CAPTION).count() == 3


# --- the file and what is derived from it -------------------------------------------


def test_uploading_a_file_records_its_hashes_and_size():
    data = encode(scene(1, size=(320, 240)))
    image = Image.objects.create(caption=CAPTION, credit="AFP", file=upload(data))
    image.refresh_from_db()
    assert image.file_hash == hashlib.sha256(data).hexdigest()
    assert image.perceptual_hash == perceptual_hash(io.BytesIO(data)) is not None
    assert (image.width, image.height) == (320, 240)
    with image.file.open("rb") as stored:
        assert stored.read() == data


def test_replacing_the_file_recomputes_what_was_derived_from_it():
    image = Image.objects.create(caption=CAPTION, file=upload(encode(scene(1, size=(320, 240)))))
    old_hashes = (image.file_hash, image.perceptual_hash)
    data = encode(scene(2, size=(200, 100)), "JPEG")
    image.file = upload(data, "other.jpg")
    image.save()
    image.refresh_from_db()
    assert (image.file_hash, image.perceptual_hash) != old_hashes
    assert image.file_hash == hashlib.sha256(data).hexdigest()
    assert image.perceptual_hash == perceptual_hash(io.BytesIO(data))
    assert (image.width, image.height) == (200, 100)


def test_removing_the_file_clears_what_was_derived_from_it():
    image = make_image(caption=CAPTION, with_file=True)
    stored_name, storage = image.file.name, image.file.storage
    assert image.file_hash and image.perceptual_hash is not None and image.width
    image.file.delete()  # removes the stored file and saves the image
    image.refresh_from_db()
    assert not image.file
    assert not storage.exists(stored_name)
    assert (image.file_hash, image.perceptual_hash, image.width, image.height) == ("", None, None, None)


def test_saving_other_fields_does_not_read_the_file_again():
    image = make_image(caption=CAPTION, with_file=True)
    hashes = (image.file_hash, image.perceptual_hash)
    image.file.storage.delete(image.file.name)  # reading it now would fail
    image = Image.objects.get(pk=image.pk)
    image.caption = "A corrected caption."
    image.save()
    assert Image.objects.values_list("file_hash", "perceptual_hash").get(pk=image.pk) == hashes


def test_the_smallest_signed_hash_survives_the_database():
    # A picture whose only downhill step is the top-left one: hash -2**63.
    corner = grey((90, 80), lambda x, y: 255 if x < 10 and y < 10 else 20 + 2 * x)
    image = Image.objects.create(caption=CAPTION, file=upload(encode(corner)))
    assert Image.objects.get(pk=image.pk).perceptual_hash == -(1 << 63)
    assert Image.objects.filter(perceptual_hash=-(1 << 63)).get() == image


# --- file names ----------------------------------------------------------------------


@pytest.mark.parametrize("filename", [
    "Photo.JPG",
    "../../etc/passwd.png",
    "page.html",
    "no-extension",
    "صورة من بغداد " * 20 + ".jpeg",  # a name of any length and script
    "photo.<svg>",
])
def test_uploads_are_stored_under_the_month_with_an_unguessable_name_and_the_files_own_format(monkeypatch, filename):
    monkeypatch.setattr("media.models.timezone.now", lambda: datetime(2024, 3, 9, 12, 0, tzinfo=UTC))
    image = Image(file=upload(encode(scene(1)), filename))  # a PNG, whatever it is called
    path = image_upload_to(image, filename)
    assert re.fullmatch(r"images/2024/03/[0-9a-f]{32}\.png", path), path
    assert image_upload_to(image, filename) != path  # a new name every time


def test_a_file_that_is_no_picture_we_take_gets_no_extension_at_all():
    for image in (Image(), Image(file=upload(b"<html><script>alert(1)</script></html>", "page.html"))):
        assert re.fullmatch(r"images/\d{4}/\d{2}/[0-9a-f]{32}", image_upload_to(image, "page.html"))


# --- text ---------------------------------------------------------------------------


def test_description_for_readers_is_the_alt_text_else_the_caption():
    assert Image(caption=CAPTION, alt_text="Two men lift a slab of concrete.").description == (
        "Two men lift a slab of concrete.")
    assert Image(caption=CAPTION).description == CAPTION


def test_str_shows_the_caption_cut_to_80_characters():
    assert str(Image(caption="x" * 80)) == "x" * 80
    long = str(Image(caption="y" * 81))
    assert len(long) == 80 and long == "y" * 79 + "…"
    assert str(Image(caption="", alt_text="Alt text only")) == "Alt text only"
    assert str(Image(pk=12, caption="")) == "Image 12"
