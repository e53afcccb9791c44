"""Perceptual hashing of pictures, robust to resizing and re-encoding."""

from PIL import Image as PILImage
from PIL import UnidentifiedImageError

HASH_SIZE = 8  # 8x8 comparisons: a 64-bit hash
# Hashes this close (differing bits out of 64) are the same picture. Measured
# on 60 generated 640x480 pictures (blurred random shapes): 900 copies resized
# to 25%-200% and re-encoded as JPEG at quality 30-95 differed by at most
# 4 bits (mean 0.3); the 1,770 unrelated pairs by at least 16 (median 32).
MAX_DISTANCE = 6


def perceptual_hash(file):
    """The difference hash of an image file as a signed 64-bit int, or None.

    Shrink to 9x8 greyscale and record whether each pixel is brighter than
    its right neighbour: the gradient survives scaling and compression.
    """
    position = file.tell() if hasattr(file, "tell") else None
    try:
        with PILImage.open(file) as picture:
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
