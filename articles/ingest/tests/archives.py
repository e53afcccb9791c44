"""Photo archives and folders for the --media tests, made in memory: whole, cut short, or hostile."""

import gzip
import hashlib
import io
import json
import tarfile

from PIL import Image as PILImage


def photo_bytes(colour, size=(48, 32)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def photo_name(data):
    """The name export_articles gives a photo file."""
    return hashlib.sha256(data).hexdigest() + ".png"


def member(name, body=b"", *, size=None, kind=tarfile.REGTYPE, link=""):
    """A member's header and body; `size` may claim more than the body holds."""
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    info.size = len(body) if size is None else size
    padding = -len(body) % tarfile.BLOCKSIZE
    return info.tobuf(format=tarfile.GNU_FORMAT) + body + bytes(padding)


def archive(*members, end=True, gz=True):
    """A tar (gzipped unless gz=False) of raw members, with its end-of-archive blocks unless end=False."""
    raw = b"".join(members) + (bytes(2 * tarfile.BLOCKSIZE) if end else b"")
    return gzip.compress(raw, mtime=0) if gz else raw


def export_lines(names, prefix="Story"):
    """JSON Lines of one article per photo file name, each with its caption."""
    return "".join(json.dumps({"title": f"{prefix} {i}", "body": [f"Text of {prefix.lower()} {i}."], "images": [
        {"caption": f"Photo {i}.", "credit": "AFP", "file": name}]}) + "\n" for i, name in enumerate(names))
