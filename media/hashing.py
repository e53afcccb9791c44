"""Perceptual hashing of pictures, robust to resizing and re-encoding."""

from PIL import Image as PILImage
from PIL import UnidentifiedImageError

HASH_SIZE = 8  # 8x8 comparisons: a 64-bit hash
# Hashes this close (differing bits out of 64) are the same picture: resized
# and re-encoded copies stay well inside it, unrelated pictures well outside
# (docs/benchmarks.md, "Near-duplicate constants").
MAX_DISTANCE = 6


def perceptual_hash(file):
    """The difference hash of an image file as a signed 64-bit int, or None.

    Shrink to 9x8 greyscale and record whether each pixel is brighter than
    its right neighbour: the gradient survives scaling and compression.
    """
    position = file.tell() if hasattr(file, "tell") else None
    try:
        with PILImage.open(file) as picture:
            # A JPEG decodes straight to an eighth of its size: memory stays small for any photo.
            picture.draft("L", (HASH_SIZE * 8, HASH_SIZE * 8))
            grey = picture.convert("L").resize((HASH_SIZE + 1, HASH_SIZE), PILImage.Resampling.LANCZOS)
            pixels = grey.tobytes()  # one byte per pixel in mode "L"
    except (UnidentifiedImageError, OSError):
        return None
    finally:
        if position is not None:
            file.seek(position)
    bits = 0
    for row in range(HASH_SIZE):
        for column in range(HASH_SIZE):
            left = pixels[row * (HASH_SIZE + 1) + column]
            right = pixels[row * (HASH_SIZE + 1) + column + 1]
            bits = (bits << 1) | (left > right)
    # Stored in a signed BIGINT column.
    return bits - (1 << 64) if bits >= 1 << 63 else bits


def distance(a, b):
    """Number of differing bits between two hashes."""
    return ((a ^ b) & ((1 << 64) - 1)).bit_count()


def similarity(a, b):
    """From 0 to 1: the share of the 64 bits two hashes agree on."""
    return 1.0 - distance(a, b) / 64


def is_same_picture(a, b):
    """The rule: two hashes within MAX_DISTANCE bits are the same picture."""
    return distance(a, b) <= MAX_DISTANCE


_BANDS = MAX_DISTANCE + 1
_BAND_BITS = 64 // _BANDS


def hash_bands(phash):
    """Keys of the hash's MAX_DISTANCE + 1 slices, each tagged with its position.

    Two hashes within MAX_DISTANCE bits agree on at least one slice
    (pigeonhole), so images sharing no key cannot be the same picture and
    need no comparison.
    """
    unsigned = phash & ((1 << 64) - 1)
    mask = (1 << _BAND_BITS) - 1
    return [(index << _BAND_BITS) | ((unsigned >> (index * _BAND_BITS)) & mask) for index in range(_BANDS)]
