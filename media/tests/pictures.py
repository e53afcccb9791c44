"""Pictures made in memory for the media tests."""

import io
import random

from PIL import Image as PILImage
from PIL import ImageDraw, ImageFilter


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
