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


# --- photo files, there and back -------------------------------------------------------


def _photo(color, size=(640, 480)):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image as PILImage

    from media.models import Image

    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, "JPEG", quality=90)
    photo = Image(file=SimpleUploadedFile("p.jpg", buffer.getvalue()), caption=f"Photo {color}", credit="AFP",
                  copyright="© AFP", focal_x=0.25)
    photo.save()
    return photo


@pytest.mark.parametrize("target", ["photos", "photos.tar.gz"])
def test_photos_go_out_with_the_export_and_come_back_with_their_renditions(tmp_path, target,
                                                                          django_capture_on_commit_callbacks):
    from articles.models import Article as Stored
    from media.models import Image

    first, second = _photo((200, 30, 30)), _photo((30, 30, 200))
    make_article(title="Two photos", paragraphs=["Body one."], images=[first, second, make_image(caption="No file")])
    make_article(title="The same photo again", paragraphs=["Body two."], images=[first])
    media = tmp_path / target
    out = StringIO()
    call_command("export_articles", "--media", str(media), stdout=out, stderr=StringIO())
    lines = out.getvalue()
    assert f'"file": "{first.file_hash}.jpg"' in lines and '"focal": [0.25, 0.5]' in lines
    (tmp_path / "articles.jsonl").write_text(lines, encoding="utf-8")
    hashes = {first.file_hash, second.file_hash}
    # A fresh site: nothing of it left.
    Stored.objects.all().delete()
    Image.objects.all().delete()
    # Renditions are made when each batch commits, not inside its transaction.
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        call_command("import_dump", str(tmp_path / "articles.jsonl"), "--media", str(media), stdout=StringIO(),
                     stderr=StringIO())
    assert not any(image.has_renditions for image in Image.objects.exclude(file=""))
    for callback in after_commit:
        callback()
    restored = Stored.objects.get(title="Two photos")
    photos = [placement.image for placement in restored.article_images.order_by("position")]
    assert [p.file_hash for p in photos[:2]] == [first.file_hash, second.file_hash]
    assert not photos[2].file and photos[2].caption == "No file"
    assert photos[0].has_renditions and photos[0].copyright == "© AFP" and photos[0].focal == (0.25, 0.5)
    assert set(Image.objects.exclude(file="").values_list("file_hash", flat=True)) == hashes  # one per picture
    assert Stored.objects.get(title="The same photo again").article_images.get().image_id == photos[0].pk


def test_a_missing_photo_file_is_reported_its_caption_kept_and_the_exit_status_says_so(tmp_path):
    from django.core.management import CommandError

    from articles.management.commands.import_dump import PHOTOS_MISSING
    from articles.models import Article as Stored

    line = json.dumps({"title": "Story", "body": ["Text."], "images": [
        {"caption": "A lost photo.", "credit": "AP", "file": "0" * 64 + ".jpg"}]})
    (tmp_path / "a.jsonl").write_text(line + "\n", encoding="utf-8")
    (tmp_path / "photos").mkdir()
    err = StringIO()
    with pytest.raises(CommandError, match="1 photo file") as failed:
        call_command("import_dump", str(tmp_path / "a.jsonl"), "--media", str(tmp_path / "photos"),
                     stdout=StringIO(), stderr=err)
    assert failed.value.returncode == PHOTOS_MISSING == 3
    assert "photo file " + "0" * 64 + ".jpg is not in" in err.getvalue() and "kept its caption only" in err.getvalue()
    image = Stored.objects.get().article_images.get().image
    assert image.caption == "A lost photo." and not image.file


def test_photo_file_names_cannot_reach_outside_the_media_directory(tmp_path):
    from articles.ingest.photo_files import PhotoFileError, PhotoFilesReader

    (tmp_path / "photos").mkdir()
    (tmp_path / "secret.txt").write_text("no")
    reader = PhotoFilesReader(tmp_path / "photos")
    for name in ("../secret.txt", "/etc/passwd", "a" * 64 + ".jpg/../../secret.txt"):
        with pytest.raises(PhotoFileError):
            reader.open(name)
