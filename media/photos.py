"""Photo files: what an upload may be, and the renditions readers get.

An upload is checked before anything else reads it: its size in bytes and
in pixels against the limits (settings), and that it decodes to the end (a
truncated file is refused, not stored). Readers never get the upload
itself: every photo is re-encoded into renditions, a few widths in AVIF,
WebP and JPEG plus a 1200x630 crop for link previews, upright, in sRGB,
with no camera metadata, under names made from the picture's content and
the rendition rules, so they never change and may be cached for a year.
The upload stays, unserved, for editors.
"""

from __future__ import annotations

import hashlib
import io
import re
from contextlib import contextmanager
from dataclasses import dataclass

from PIL import Image as PILImage
from PIL import ImageCms, ImageOps, UnidentifiedImageError

# Bump when anything below changes what a rendition looks like: every
# photo then gets new names (make_renditions --all writes them).
SPEC = "1"
WIDTHS = (320, 640, 960, 1280, 1600)
# Modern formats first: a browser takes the first <source> it can show.
FORMATS = (
    ("avif", "AVIF", "image/avif", {"quality": 50, "speed": 8}),
    ("webp", "WEBP", "image/webp", {"quality": 75, "method": 4}),
    ("jpeg", "JPEG", "image/jpeg", {"quality": 80, "optimize": True, "progressive": True}),
)
MIME_TYPES = {name: mime for name, _, mime, _ in FORMATS}
OG_SIZE = (1200, 630)
MAX_SIDE = 16383
READABLE = "JPEG, PNG, WebP, AVIF, GIF or TIFF"
# The formats an upload may be, by Pillow's name, each with the extension and the type its original
# is stored and downloaded under: what the file is, never what the sender's browser called it.
ORIGINAL_FORMATS = {
    "JPEG": (".jpg", "image/jpeg"),
    "MPO": (".jpg", "image/jpeg"),  # a JPEG with a second picture (some cameras), found by the JPEG reader
    "PNG": (".png", "image/png"),
    "WEBP": (".webp", "image/webp"),
    "AVIF": (".avif", "image/avif"),
    "GIF": (".gif", "image/gif"),
    "TIFF": (".tif", "image/tiff"),
}
_ORIGINAL_TYPES = dict(ORIGINAL_FORMATS.values())
_READERS = tuple(name for name in ORIGINAL_FORMATS if name != "MPO")
_SRGB = ImageCms.createProfile("sRGB")


class PhotoRejected(ValueError):
    """An upload that will not be stored; the message says why, for an editor."""


@dataclass(frozen=True)
class PhotoInfo:
    width: int
    height: int
    format: str


def _megabytes(size):
    return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


def _megapixels(pixels):
    return f"{pixels / 1_000_000:.0f} megapixels" if pixels >= 10_000_000 else f"{pixels / 1_000_000:.1f} megapixels"


_BOMB_SIZE = re.compile(r"\((\d+) pixels\)")


@contextmanager
def _opened(file, formats=None):
    file.seek(0)
    try:
        with PILImage.open(file, formats=formats) as picture:
            yield picture
    finally:
        file.seek(0)


def original_content_type(name):
    """The type an original is served as, from the extension its format gave it; a name from before that rule
    (or no picture) is plain bytes."""
    return _ORIGINAL_TYPES.get(name[name.rfind("."):].lower() if "." in name else "", "application/octet-stream")


def photo_format(file):
    """Pillow's name for the format of the picture in `file`, from its header: a key of ORIGINAL_FORMATS, or ""."""
    try:
        with _opened(file, formats=_READERS) as picture:
            return picture.format
    except (UnidentifiedImageError, PILImage.DecompressionBombError, OSError, SyntaxError, ValueError, EOFError):
        return ""


def photo_inspect(file, *, max_bytes, max_pixels):
    """Check an upload against the limits and that it is a whole image; return its PhotoInfo.

    Raises PhotoRejected with a one-line reason. Memory stays bounded: the
    pixel count is read from the header before anything is decoded, and a
    JPEG is decoded at an eighth of its size to find a cut-short file.
    """
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise PhotoRejected(f"The file is {_megabytes(size)}; the limit is {_megabytes(max_bytes)}.")
    try:
        with _opened(file, formats=_READERS) as picture:
            width, height = picture.size
            if width * height > max_pixels:
                raise PhotoRejected(f"The photo is {width}×{height} pixels ({_megapixels(width * height)}); "
                                    f"the limit is {_megapixels(max_pixels)}.")
            if picture.format == "JPEG":
                picture.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            picture.load()
            return PhotoInfo(width, height, picture.format or "")
    except PhotoRejected:
        raise
    except PILImage.DecompressionBombError as error:
        found = _BOMB_SIZE.search(str(error))
        pixels = f"{_megapixels(int(found.group(1)))}" if found else "more than twice that"
        raise PhotoRejected(f"The photo has {pixels}; the limit is {_megapixels(max_pixels)}.") from None
    except UnidentifiedImageError:
        raise PhotoRejected(f"The file is not a photo in a format we read ({READABLE}).") from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise PhotoRejected("The file is cut short or damaged: it does not hold a whole image.") from None


def rendition_key(file_hash, focal):
    """The name every rendition of one picture shares: its content, the focal point and the rules."""
    raw = f"{SPEC}:{file_hash}:{focal[0]:.3f}:{focal[1]:.3f}"
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def _upright_srgb(picture):
    """The picture as the camera meant it (EXIF orientation applied), in sRGB, RGB, with no metadata."""
    try:
        picture = ImageOps.exif_transpose(picture)
    except Exception:  # noqa: BLE001 - a damaged EXIF block: show the picture as stored
        picture.load()
    icc = picture.info.get("icc_profile")
    if picture.mode in ("RGBA", "LA", "PA") or (picture.mode == "P" and "transparency" in picture.info):
        # Transparent parts on white, as the page behind them.
        rgba = picture.convert("RGBA")
        picture = PILImage.new("RGB", rgba.size, (255, 255, 255))
        picture.paste(rgba, mask=rgba.getchannel("A"))
    if icc:
        try:
            picture = ImageCms.profileToProfile(picture, io.BytesIO(icc), _SRGB, outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            picture = picture.convert("RGB")
    if picture.mode != "RGB":
        picture = picture.convert("RGB")
    picture.info = {}
    return picture


def _crop_box(size, aspect, focal):
    """The largest box of `aspect` (width/height) in `size`, centred on the focal point as far as it fits."""
    width, height = size
    if width / height > aspect:
        box_width, box_height = round(height * aspect), height
    else:
        box_width, box_height = width, round(width / aspect)
    left = min(max(round(focal[0] * width - box_width / 2), 0), width - box_width)
    top = min(max(round(focal[1] * height - box_height / 2), 0), height - box_height)
    return left, top, left + box_width, top + box_height


def _encode(picture, pil_format, options):
    buffer = io.BytesIO()
    picture.save(buffer, pil_format, **options)
    return buffer.getvalue()


def renditions_make(file, *, file_hash, focal, storage):
    """Write the renditions of the picture in `file` to `storage`; return what the pages need to show them.

    {"key", "width", "height", "sources": {"avif"|"webp"|"jpeg": [[width, height, name], ...]},
    "og": [width, height, name]}. Names depend only on the content, the
    focal point and SPEC: existing files are not written again.
    """
    key = rendition_key(file_hash, focal)
    base = f"renditions/{key[:2]}/{key}"
    with _opened(file) as original:
        if original.format == "JPEG":
            # Decode at the smallest scale (1/2, 1/4, 1/8) still wider than the widest rendition
            # once upright: memory for a 50-megapixel photo stays a small part of it.
            widest = max(WIDTHS[-1], OG_SIZE[0])
            try:
                turned = original.getexif().get(0x0112, 1) in (5, 6, 7, 8)
            except Exception:  # noqa: BLE001 - a damaged EXIF block says nothing
                turned = False
            original.draft("RGB", (1, widest) if turned else (widest, 1))
        picture = _upright_srgb(original)
        picture.load()
    width, height = picture.size
    widths = [w for w in WIDTHS if w < width] + ([width] if width <= WIDTHS[-1] else [WIDTHS[-1]])
    # WebP takes at most 16383 pixels a side: a very tall picture gets narrower renditions.
    fits = max(1, MAX_SIDE * width // height)
    widths = sorted({min(w, fits) for w in widths})
    sources = {name: [] for name, _, _, _ in FORMATS}
    current = picture
    for target in sorted(widths, reverse=True):
        target_height = max(1, round(height * target / width))
        # Each smaller size from the one before: cheaper, and as sharp.
        current = current.resize((target, target_height), PILImage.Resampling.LANCZOS, reducing_gap=3.0) \
            if current.size != (target, target_height) else current
        for name, pil_format, _, options in FORMATS:
            path = f"{base}/{target}.{name if name != 'jpeg' else 'jpg'}"
            _store(storage, path, lambda: _encode(current, pil_format, options))
            sources[name].append([target, target_height, path])
    for entries in sources.values():
        entries.sort()
    box = _crop_box(picture.size, OG_SIZE[0] / OG_SIZE[1], focal)
    crop = picture.crop(box)
    if crop.width > OG_SIZE[0]:
        crop = crop.resize(OG_SIZE, PILImage.Resampling.LANCZOS, reducing_gap=3.0)
    og_path = f"{base}/og.jpg"
    _store(storage, og_path, lambda: _encode(crop, "JPEG", FORMATS[2][3]))
    return {"key": key, "width": width, "height": height, "sources": sources,
            "og": [crop.width, crop.height, og_path]}


def _store(storage, path, encode):
    if not storage.exists(path):
        storage.save(path, io.BytesIO(encode()))
