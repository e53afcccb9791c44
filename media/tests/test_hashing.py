"""The perceptual hash: one 64-bit number per picture, equal or close for copies of it."""

import io
from itertools import combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from media.hashing import MAX_DISTANCE, distance, perceptual_hash
from media.tests.pictures import encode, grey, scene

SIGNED_64 = st.integers(min_value=-(1 << 63), max_value=(1 << 63) - 1)


def hash_of(data):
    return perceptual_hash(io.BytesIO(data))


# --- perceptual_hash -------------------------------------------------------------


@pytest.mark.parametrize("brightness,expected", [
    # Every pixel darker than its left neighbour: all 64 bits set, -1 as a signed BIGINT.
    (lambda x, y: 250 - 2 * x, -1),
    # Every pixel brighter than its left neighbour: no bit set.
    (lambda x, y: 20 + 2 * x, 0),
    # Only the top-left comparison (the first, most significant bit) goes downhill:
    # the smallest BIGINT, not 2**63, which would not fit the column.
    (lambda x, y: 255 if x < 10 and y < 10 else 20 + 2 * x, -(1 << 63)),
], ids=["darkening-to-the-right", "brightening-to-the-right", "only-top-left-bit"])
def test_each_bit_says_whether_a_pixel_is_brighter_than_its_right_neighbour(brightness, expected):
    assert hash_of(encode(grey((90, 80), brightness))) == expected


def test_hashes_are_signed_64_bit_integers():
    hashes = [hash_of(encode(scene(seed))) for seed in range(12)]
    assert all(-(1 << 63) <= h < (1 << 63) for h in hashes)
    assert any(h < 0 for h in hashes) and any(h > 0 for h in hashes)


@pytest.mark.parametrize("seed", range(4))
def test_resized_and_recompressed_copies_stay_within_max_distance(seed):
    original = scene(seed)
    reference = hash_of(encode(original))
    copies = {
        f"{scale:.0%} JPEG q{quality}": encode(original.resize((int(640 * scale), int(480 * scale))),
                                               "JPEG", quality=quality)
        for scale in (0.25, 0.5, 1.0, 2.0) for quality in (30, 95)
    }
    copies["same pixels as BMP"] = encode(original, "BMP")
    distances = {name: distance(reference, hash_of(data)) for name, data in copies.items()}
    assert max(distances.values()) <= MAX_DISTANCE, distances


def test_unrelated_pictures_are_far_apart():
    hashes = {seed: hash_of(encode(scene(seed))) for seed in range(12)}
    closest = min(distance(hashes[a], hashes[b]) for a, b in combinations(hashes, 2))
    # Well outside the threshold, not just past it.
    assert closest > 2 * MAX_DISTANCE


PNG = encode(scene(1))
JPEG = encode(scene(1), "JPEG", quality=80)


@pytest.mark.parametrize("data", [
    b"",
    b"Not a picture at all, just some text.",
    b"%PDF-1.7\n" + b"\x00" * 200,
    PNG[:len(PNG) // 2],
    JPEG[:len(JPEG) // 2],
    PNG[:40],  # a signature and header, no pixels
], ids=["empty", "text", "pdf", "truncated-png", "truncated-jpeg", "header-only-png"])
def test_files_that_are_not_whole_pictures_have_no_hash(data):
    assert hash_of(data) is None


@pytest.mark.parametrize("data", [PNG, b"garbage, not a picture"], ids=["picture", "not-a-picture"])
def test_the_file_is_left_where_the_caller_had_it(data):
    file = io.BytesIO(data)
    file.seek(7)
    perceptual_hash(file)
    assert file.tell() == 7
    # ...so hashing a file about to be stored does not truncate what is stored.
    file.seek(0)
    perceptual_hash(file)
    assert file.read() == data


# --- distance --------------------------------------------------------------------


def test_distance_counts_the_bits_two_hashes_differ_in():
    assert distance(0b1011, 0b0001) == 2
    assert distance(0, -1) == 64
    assert distance(0, -(1 << 63)) == 1  # the sign bit is one bit like the others
    # A hash read as unsigned is the same hash.
    assert distance(-1, (1 << 64) - 1) == 0
    assert distance(-(1 << 63), 1 << 63) == 0


@given(SIGNED_64, SIGNED_64, SIGNED_64)
def test_distance_is_a_metric_on_64_bit_hashes(a, b, c):
    assert 0 <= distance(a, b) <= 64
    assert (distance(a, b) == 0) == (a == b)
    assert distance(a, b) == distance(b, a)
    assert distance(a, c) <= distance(a, b) + distance(b, c)
