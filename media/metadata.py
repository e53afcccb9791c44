"""What a photo file says about itself: caption, credit and copyright, from IPTC, XMP and EXIF.

Agencies write the caption and credit into the file (IPTC, and XMP beside
it); cameras write EXIF. The first of each that says something wins, in the
order newsrooms trust them: IPTC, then XMP, then EXIF. Cameras' placeholder
descriptions ("OLYMPUS DIGITAL CAMERA") are not captions.
"""

from __future__ import annotations

from defusedxml import ElementTree
from PIL import Image as PILImage
from PIL import IptcImagePlugin, UnidentifiedImageError

IPTC_CAPTION, IPTC_CREDIT, IPTC_BYLINE, IPTC_COPYRIGHT = (2, 120), (2, 110), (2, 80), (2, 116)
EXIF_DESCRIPTION, EXIF_ARTIST, EXIF_COPYRIGHT = 0x010E, 0x013B, 0x8298
_NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
}
# Agencies' packets are a few kilobytes. One of tens of megabytes costs seconds and hundreds of
# megabytes of memory to parse, on every read: it is skipped, as if the file had none.
MAX_XMP_BYTES = 1024 * 1024
_CAMERA_PLACEHOLDERS = {"olympus digital camera", "sony dsc", "digital camera", "default", "sam_", "image"}


def _text(value):
    """IPTC and EXIF values: bytes in UTF-8 (or Latin-1 in old files), lists of them, or strings."""
    if isinstance(value, list):
        value = value[0] if value else b""
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            value = value.decode("latin-1")
    return " ".join(str(value).replace("\x00", " ").split())


def _xmp(picture):
    """{"caption", "credit", "copyright"} from the XMP packet, or {}."""
    raw = picture.info.get("xmp") or picture.info.get("XML:com.adobe.xmp")
    if not raw or len(raw) > MAX_XMP_BYTES:
        return {}
    try:
        root = ElementTree.fromstring(raw if isinstance(raw, bytes) else raw.encode())
    except Exception:  # noqa: BLE001 - a broken packet is just no packet
        return {}
    found = {}

    def first(path):
        for element in root.iterfind(path, _NS):
            text = _text(element.text or "")
            if text:
                return text
        return ""

    found["caption"] = first(".//dc:description//rdf:li") or first(".//dc:description")
    credit = first(".//photoshop:Credit")
    if not credit:
        for description in root.iterfind(".//rdf:Description", _NS):
            credit = _text(description.get(f"{{{_NS['photoshop']}}}Credit", ""))
            if credit:
                break
    found["credit"] = credit or first(".//dc:creator//rdf:li")
    found["copyright"] = first(".//dc:rights//rdf:li")
    return {key: value for key, value in found.items() if value}


def photo_metadata(file):
    """{"caption", "credit", "copyright"} as the file states them; keys it does not state are absent."""
    file.seek(0)
    try:
        with PILImage.open(file) as picture:
            iptc = IptcImagePlugin.getiptcinfo(picture) or {}
            xmp = _xmp(picture)
            exif = picture.getexif()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return {}
    finally:
        file.seek(0)
    description = _text(exif.get(EXIF_DESCRIPTION, ""))
    if description.casefold() in _CAMERA_PLACEHOLDERS or description.casefold().startswith("dsc"):
        description = ""
    candidates = {
        "caption": [_text(iptc.get(IPTC_CAPTION, "")), xmp.get("caption", ""), description],
        "credit": [_text(iptc.get(IPTC_CREDIT, "")), _text(iptc.get(IPTC_BYLINE, "")), xmp.get("credit", ""),
                   _text(exif.get(EXIF_ARTIST, ""))],
        "copyright": [_text(iptc.get(IPTC_COPYRIGHT, "")), xmp.get("copyright", ""),
                      _text(exif.get(EXIF_COPYRIGHT, ""))],
    }
    return {field: next(value for value in values if value)
            for field, values in candidates.items() if any(values)}
