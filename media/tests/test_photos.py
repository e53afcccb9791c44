"""Photos: safe uploads, metadata read from the file, renditions readers get."""

import io
import struct

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from PIL import ImageCms

from media import metadata
from media.metadata import photo_metadata
from media.models import Image
from media.photos import WIDTHS, PhotoRejected, photo_inspect
from media.tests.pictures import encode, png_html_polyglot, scene, xmp_packet

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def jpeg(size=(1800, 1200), *, exif=None, xmp=None, iptc=None, quality=85, icc=None, color=None):
    """A JPEG with a gradient (so it compresses like a photo), and the metadata asked for."""
    picture = PILImage.linear_gradient("L").resize(size).convert("RGB") if color is None else \
        PILImage.new("RGB", size, color)
    options = {"quality": quality}
    if exif is not None:
        options["exif"] = exif.tobytes()
    if xmp is not None:
        options["xmp"] = xmp.encode()
    if icc is not None:
        options["icc_profile"] = icc
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", **options)
    data = buffer.getvalue()
    if iptc:
        data = data[:2] + _app13(iptc) + data[2:]
    return data


def _app13(records):
    """A Photoshop APP13 segment with IPTC records {(2, dataset): text}."""
    iptc = b"".join(b"\x1c" + bytes(key) + struct.pack(">H", len(value.encode())) + value.encode()
                    for key, value in records.items())
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iptc)) + iptc
    if len(iptc) % 2:
        resource += b"\x00"
    payload = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


def upload(data, name="photo.jpg"):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def saved(data, name="photo.jpg", **fields):
    image = Image(file=upload(data, name), **fields)
    image.full_clean()
    image.save()
    return image


# --- safe uploads ----------------------------------------------------------------------


def test_a_file_over_the_byte_limit_is_refused_naming_the_limit(settings):
    settings.NEWSROOM_PHOTO_MAX_BYTES = 1 * MB
    data = jpeg() + b"\x00" * (2 * MB)  # junk appended
    with pytest.raises(ValidationError, match=r"The file is 2\.\d MB; the limit is 1 MB\."):
        Image(file=upload(data)).full_clean()


def test_a_photo_over_the_pixel_limit_is_refused_naming_its_size_and_the_limit(settings):
    settings.NEWSROOM_PHOTO_MAX_PIXELS = 1_000_000
    buffer = io.BytesIO()
    PILImage.new("L", (2000, 1000)).save(buffer, "PNG")
    with pytest.raises(PhotoRejected, match=r"2000×1000 pixels \(2\.0 megapixels\); the limit is 1\.0 megapixels"):
        photo_inspect(buffer, max_bytes=30 * MB, max_pixels=settings.NEWSROOM_PHOTO_MAX_PIXELS)


def test_a_decompression_bomb_gets_the_same_plain_message_not_a_generic_one():
    # 30000x30000 in a few kilobytes: Pillow refuses to even open it.
    buffer = io.BytesIO()
    PILImage.new("1", (30000, 30000)).save(buffer, "PNG")
    with pytest.raises(PhotoRejected, match=r"900 megapixels; the limit is 50 megapixels"):
        photo_inspect(buffer, max_bytes=30 * MB, max_pixels=50_000_000)


def test_truncated_and_undecodable_files_are_refused_in_plain_words():
    data = jpeg()
    with pytest.raises(ValidationError, match="cut short or damaged"):
        Image(file=upload(data[: len(data) // 2])).full_clean()
    with pytest.raises(ValidationError, match="not a photo in a format we read"):
        Image(file=upload(b"<html><script>alert(1)</script></html>", "page.jpg")).full_clean()


def test_original_names_of_any_length_and_script_are_accepted():
    image = saved(jpeg((400, 300)), name="صورة من مظاهرة في بغداد " * 12 + ".JPG", caption="A rally")
    assert image.file.name.startswith("images/") and image.file.name.endswith(".jpg")
    assert len(image.file.name) < 60


def test_a_gif_html_polyglot_is_never_served_as_uploaded():
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 48), (200, 0, 0)).save(buffer, "GIF")
    polyglot = buffer.getvalue() + b"<html><script>alert(document.domain)</script></html>"
    image = saved(polyglot, name="funny.gif", caption="A polyglot")
    public = storages["default"]
    for entries in image.renditions["sources"].values():
        for _, _, name in entries:
            with public.open(name, "rb") as served:
                assert b"<script>" not in served.read()
    # The upload itself is not among the served files.
    assert not public.exists(image.file.name)


def test_a_png_html_polyglot_is_kept_as_the_png_it_is_not_under_the_name_and_type_it_came_with():
    upload = SimpleUploadedFile("x.html", png_html_polyglot(), content_type="text/html")
    image = Image(file=upload, caption="A polyglot")
    image.full_clean()
    image.save()
    assert image.file.name.endswith(".png")
    assert image.file.storage.exists(image.file.name)


@pytest.mark.parametrize("format,options,sent_as,extension", [
    ("JPEG", {}, "photo.png", ".jpg"),
    ("PNG", {}, "photo.jpg", ".png"),
    ("WEBP", {}, "photo", ".webp"),
    ("GIF", {}, "photo.svg", ".gif"),
    ("TIFF", {}, "photo.exe", ".tif"),
    ("AVIF", {"speed": 10}, "photo.JPEG", ".avif"),
])
def test_an_original_is_named_after_the_format_found_in_it(format, options, sent_as, extension):
    image = saved(encode(scene(2, (96, 64)), format, **options), name=sent_as, caption=f"A {format}")
    assert image.file.name.endswith(extension) and image.file.name.count(".") == 1


def test_a_picture_in_a_format_we_do_not_take_is_refused_even_if_pillow_reads_it():
    with pytest.raises(ValidationError, match="not a photo in a format we read"):
        Image(file=upload(encode(scene(3, (96, 64)), "BMP"), "photo.jpg")).full_clean()


# --- metadata from the file -------------------------------------------------------------


def test_empty_fields_are_filled_from_iptc_first():
    image = saved(jpeg(iptc={(2, 120): "Protesters gather in Tahrir Square.", (2, 110): "AFP",
                             (2, 80): "Jane Photographer", (2, 116): "© AFP 2026"}))
    assert (image.caption, image.credit, image.copyright) == (
        "Protesters gather in Tahrir Square.", "AFP", "© AFP 2026")
    assert image.description == "Protesters gather in Tahrir Square."  # alt text until an editor writes one


def test_the_byline_stands_in_for_a_missing_credit_and_the_editor_wins():
    image = saved(jpeg(iptc={(2, 120): "From the file.", (2, 80): "Jane Photographer"}), caption="The editor's")
    assert image.caption == "The editor's" and image.credit == "Jane Photographer"


def test_xmp_fills_what_iptc_does_not_say():
    xmp = """<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
      <rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"
          xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:Credit="Reuters">
        <dc:description><rdf:Alt><rdf:li xml:lang="x-default">Flood water in Basra.</rdf:li></rdf:Alt></dc:description>
        <dc:rights><rdf:Alt><rdf:li xml:lang="x-default">© Reuters</rdf:li></rdf:Alt></dc:rights>
      </rdf:Description></rdf:RDF></x:xmpmeta>"""
    assert photo_metadata(io.BytesIO(jpeg(xmp=xmp))) == {
        "caption": "Flood water in Basra.", "credit": "Reuters", "copyright": "© Reuters"}


def test_exif_fills_last_and_camera_placeholders_are_not_captions():
    exif = PILImage.Exif()
    exif[0x010E], exif[0x013B], exif[0x8298] = "A street in Mosul.", "Ali Hassan", "Ali Hassan 2026"
    assert photo_metadata(io.BytesIO(jpeg(exif=exif))) == {
        "caption": "A street in Mosul.", "credit": "Ali Hassan", "copyright": "Ali Hassan 2026"}
    placeholder = PILImage.Exif()
    placeholder[0x010E] = "OLYMPUS DIGITAL CAMERA"
    assert photo_metadata(io.BytesIO(jpeg(exif=placeholder))) == {}


def test_an_xml_bomb_in_xmp_is_refused_not_expanded():
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            '<x:xmpmeta xmlns:x="adobe:ns:meta/">&lol2;</x:xmpmeta>')
    assert photo_metadata(io.BytesIO(jpeg(xmp=bomb))) == {}


def test_an_xmp_packet_over_a_megabyte_is_skipped_not_parsed():
    parsed = []
    real_fromstring = metadata.ElementTree.fromstring

    def counted(text, *args, **kwargs):
        parsed.append(len(text))
        return real_fromstring(text, *args, **kwargs)

    picture = scene(4, (96, 64))
    small = encode(picture, "WEBP", xmp=xmp_packet("Flood water in Basra.", size=900_000))
    large = encode(picture, "WEBP", xmp=xmp_packet("Flood water in Basra.", size=2 * MB))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(metadata.ElementTree, "fromstring", counted)
        assert photo_metadata(io.BytesIO(small)) == {"caption": "Flood water in Basra."}
        assert photo_metadata(io.BytesIO(large)) == {}
    assert len(parsed) == 1 and parsed[0] < metadata.MAX_XMP_BYTES


# --- renditions -----------------------------------------------------------------------


def test_renditions_cover_every_width_up_to_the_photo_in_three_formats():
    image = saved(jpeg((1800, 1200)), caption="Wide")
    sources = image.renditions["sources"]
    assert [width for width, _, _ in sources["jpeg"]] == list(WIDTHS)
    assert set(sources) == {"avif", "webp", "jpeg"}
    public = storages["default"]
    for kind, pil_format in (("avif", "AVIF"), ("webp", "WEBP"), ("jpeg", "JPEG")):
        width, height, name = sources[kind][0]
        with public.open(name, "rb") as served, PILImage.open(served) as picture:
            assert picture.format == pil_format and picture.size == (width, height) == (320, 213)
    assert (image.width, image.height) == (1800, 1200)


def test_a_small_photo_is_never_enlarged():
    image = saved(jpeg((500, 400)), caption="Small")
    assert [width for width, _, _ in image.renditions["sources"]["webp"]] == [320, 500]


def test_served_files_carry_no_camera_metadata_and_keep_the_orientation_and_colour():
    exif = PILImage.Exif()
    exif[0x0112] = 6  # the camera was turned: rotate 90 degrees clockwise to show
    exif[0x8825] = {1: "N", 2: (33.0, 18.0, 0.0)}  # GPS
    exif[0x010F] = "Canon"
    adobe_rgb_like = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    image = saved(jpeg((1200, 800), exif=exif, icc=adobe_rgb_like, xmp="<x:xmpmeta xmlns:x='adobe:ns:meta/'/>"),
                  caption="Turned")
    assert (image.width, image.height) == (800, 1200)  # upright
    public = storages["default"]
    for entries in image.renditions["sources"].values():
        width, height, name = entries[-1]
        with public.open(name, "rb") as served, PILImage.open(served) as picture:
            assert height > width
            assert not picture.getexif() and "icc_profile" not in picture.info and "xmp" not in picture.info
            assert picture.mode == "RGB"


def test_the_link_preview_crop_is_1200_by_630_around_the_focal_point():
    picture = PILImage.new("RGB", (3000, 2000), (255, 255, 255))
    picture.paste((200, 0, 0), (2600, 20, 2900, 180))  # the subject, at the top right
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=90)
    centred = saved(buffer.getvalue(), caption="Centred")
    width, height, name = centred.renditions["og"]
    assert (width, height) == (1200, 630)
    with storages["default"].open(name, "rb") as served, PILImage.open(served) as crop:
        assert crop.getpixel((1150, 40))[1] > 200  # the red subject is cut off
    focused = saved(buffer.getvalue(), caption="Focused", focal_x=0.9, focal_y=0.1)
    with storages["default"].open(focused.renditions["og"][2], "rb") as served, PILImage.open(served) as crop:
        assert crop.getpixel((1150, 40))[1] < 60  # now in the picture
    assert focused.renditions["key"] != centred.renditions["key"]


def test_rendition_names_follow_the_content_so_they_can_be_cached_for_a_year():
    first = saved(jpeg((700, 500), color=(10, 120, 200)), caption="One")
    second = saved(jpeg((700, 500), color=(10, 120, 200)), caption="Same picture, another upload")
    other = saved(jpeg((700, 500), color=(200, 120, 10)), caption="Another picture")
    assert first.renditions == second.renditions
    assert first.renditions["key"] != other.renditions["key"]
    # A new focal point gives new names; the old files stay for pages still cached with them.
    first.focal_x = 0.2
    first.save()
    assert first.renditions["key"] != second.renditions["key"]
    assert storages["default"].exists(second.renditions["og"][2])


def test_a_caption_only_image_gets_a_file_and_keeps_its_caption_and_credit():
    image = Image.objects.create(caption="From the dump.", credit="AP")
    image.file = upload(jpeg((400, 300)))
    image.full_clean()
    image.save()
    image.refresh_from_db()
    assert (image.caption, image.credit) == ("From the dump.", "AP") and image.has_renditions


def test_make_renditions_makes_what_is_missing_and_leaves_current_ones():
    from io import StringIO

    from django.core.management import call_command

    current = saved(jpeg((500, 400)), caption="Current")
    stale = saved(jpeg((600, 400), color=(0, 90, 0)), caption="Stored before renditions")
    Image.objects.filter(pk=stale.pk).update(renditions={})
    out = StringIO()
    call_command("make_renditions", stdout=out)
    assert "Made renditions for 1 photo(s)." in out.getvalue()
    stale.refresh_from_db()
    assert stale.has_renditions and stale.renditions["key"] != current.renditions["key"]
    out = StringIO()
    call_command("make_renditions", "--all", stdout=out)
    assert "Made renditions for 2 photo(s)." in out.getvalue()


def test_a_very_tall_picture_gets_renditions_no_side_of_which_is_too_long_for_webp(settings):
    buffer = io.BytesIO()
    PILImage.new("L", (1080, 20000), 128).save(buffer, "PNG")
    image = saved(buffer.getvalue(), name="infographic.png", caption="A long infographic")
    assert image.has_renditions
    for entries in image.renditions["sources"].values():
        assert all(height <= 16383 for _, height, _ in entries)


def test_a_damaged_exif_block_does_not_lose_the_photo():
    exif = PILImage.Exif()
    exif[0x0112] = 6
    exif[0x010E] = "A caption long enough to corrupt."
    data = bytearray(jpeg((600, 400), exif=exif))
    start = data.index(b"Exif\x00\x00") + 6
    for offset in range(start + 10, start + 40):  # scramble the entries after the header
        data[offset] ^= 0x5A
    image = saved(bytes(data), caption="Scrambled EXIF")
    assert Image.objects.filter(pk=image.pk).exists()
