"""Pictures made in memory for the media tests."""

import io
import random

from PIL import Image as PILImage
from PIL import ImageDraw, ImageFilter, PngImagePlugin


def scene(seed, size=(640, 480)):
    """A photo-like picture: blurred random shapes on a background, the same for the same seed."""
    rng = random.Random(seed)

    def colour():
        return tuple(rng.randrange(256) for _ in range(3))

    picture = PILImage.new("RGB", (640, 480), colour())
    draw = ImageDraw.Draw(picture)
    for _ in range(12):
        left, top = rng.randrange(640), rng.randrange(480)
        box = (left, top, left + rng.randrange(40, 300), top + rng.randrange(40, 300))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=colour())
    picture = picture.filter(ImageFilter.GaussianBlur(8))
    return picture if size == picture.size else picture.resize(size)


def grey(size, brightness):
    """A greyscale picture with each pixel's brightness given by brightness(x, y)."""
    width, height = size
    picture = PILImage.new("L", size)
    picture.putdata([brightness(x, y) for y in range(height) for x in range(width)])
    return picture


def encode(picture, format="PNG", **options):
    buffer = io.BytesIO()
    picture.save(buffer, format=format, **options)
    return buffer.getvalue()


def png_html_polyglot():
    """A whole, valid PNG whose text chunk is a web page: a browser told it is HTML runs the script."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<html><body><script>alert(document.domain)</script></body></html>")
    return encode(scene(1, (64, 48)), "PNG", pnginfo=info)


def xmp_packet(caption, *, size=0):
    """An XMP packet giving `caption`, padded with empty descriptions to at least `size` bytes."""
    head = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:description><rdf:Alt>'
            f'<rdf:li xml:lang="x-default">{caption}</rdf:li></rdf:Alt></dc:description></rdf:Description>')
    tail = "</rdf:RDF></x:xmpmeta>"
    filler = '<rdf:Description rdf:about=""/>'
    count = max(0, size - len(head) - len(tail)) // len(filler) + 1
    return (head + filler * count + tail).encode()
