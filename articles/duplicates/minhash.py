"""Near-duplicate detection for articles: word shingles, MinHash, LSH bands.

Pure Python + numpy, no Django.  The flow is:

    sig = signature(shingles(title, paragraphs))
    keys = band_keys(sig)        # stored as (article_id, band, key) rows
    # candidates = other articles sharing any key (one indexed look-up)
    estimate_similarity(sig, other_sig) >= THRESHOLD  ->  near-duplicate

Everything here is deterministic across processes, machines and numpy
versions (hashes come from hashlib, never from ``hash()`` or a numpy RNG),
because signatures and band keys are persisted.  Changing any constant below
invalidates stored signatures and keys: run ``find_duplicates --recompute``.

The constants were chosen on generated corpora with planted edited copies
(scripts/similarity_study.py); the measurements behind each choice are in
docs/benchmarks.md, "Near-duplicate constants".
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import combinations

import numpy as np

from articles.core.text import normalized_parts

SHINGLE_SIZE = 5
NUM_PERM = 128
BANDS = 32
ROWS = 4
THRESHOLD = 0.4

_EMPTY = np.uint32(0xFFFFFFFF)  # an empty text's signature; matches nothing
_KEY_MASK = np.uint64((1 << 63) - 1)  # non-negative, fits a signed BIGINT
_SHIFT = np.uint64(32)


def _param(label: str, i: int) -> int:
    digest = hashlib.blake2b(f"newsroom-minhash:{label}:{i}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


# Multiply-shift hashing, h(x) = ((a*x + b) mod 2**64) >> 32 with odd a: a
# universal family that needs no modulo, so numpy computes it at memory
# speed. Parameters come from hashlib so they can never drift with numpy.
_A = np.array([_param("a", i) | 1 for i in range(NUM_PERM)], dtype=np.uint64)
_B = np.array([_param("b", i) for i in range(NUM_PERM)], dtype=np.uint64)
# Shingle hash = sum of word hashes times position constants (mod 2**64).
_MAX_SHINGLE_SIZE = 8
_POSITION = np.array([_param("position", i) | 1 for i in range(_MAX_SHINGLE_SIZE)], dtype=np.uint64)
# Band key = FNV-style mix of the band's rows, salted per band.
_BAND_SALT = np.array([_param("band", i) for i in range(BANDS)], dtype=np.uint64)
_MIX = np.uint64(0x100000001B3)

_word_hashes: dict[str, int] = {}
# Bounded: distinct words (numbers, names) grow with the corpus, memory must not.
_WORD_CACHE_LIMIT = 100_000


def _hash64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def _word_hash_array(words: list[str]) -> np.ndarray:
    """The words' hashes, from the cache; words not seen before are hashed once."""
    cache = _word_hashes
    try:
        return np.fromiter(map(cache.__getitem__, words), dtype=np.uint64, count=len(words))
    except KeyError:
        # Most articles have a few new words (names, numbers): hash just
        # those, then take the fast path again.
        unseen = set(words).difference(cache)
        if len(cache) + len(unseen) > _WORD_CACHE_LIMIT:
            cache.clear()
            unseen = set(words)
        for word in unseen:
            cache[word] = _hash64(word)
        return np.fromiter(map(cache.__getitem__, words), dtype=np.uint64, count=len(words))


def shingle_array(title: str, paragraphs: Iterable[str], *, k: int = SHINGLE_SIZE) -> np.ndarray:
    """Distinct hashed word k-shingles of title + body, as a uint64 array.

    Title and paragraphs form one word stream; a text shorter than ``k``
    words becomes a single shingle. Each word is hashed once (and cached);
    a shingle's hash combines its words' hashes with position constants.
    """
    return shingles_of_normalized(normalized_parts(title, paragraphs), k=k)


def shingles_of_normalized(parts: list[str], *, k: int = SHINGLE_SIZE) -> np.ndarray:
    """``shingle_array`` for text already normalised by ``normalized_parts``."""
    hashes = _shingle_hashes(parts, k)
    return hashes if hashes.size <= 1 else np.unique(hashes)


def signature_of_normalized(parts: list[str]) -> np.ndarray:
    """``signature(shingles_of_normalized(parts))``, faster: a repeated shingle
    cannot change a minimum, so the shingles need no sorting out."""
    return signature(_shingle_hashes(parts, SHINGLE_SIZE))


def _shingle_hashes(parts: list[str], k: int) -> np.ndarray:
    """The hash of every word k-shingle, repeats included."""
    if not 1 <= k <= _MAX_SHINGLE_SIZE:
        raise ValueError(f"k must be between 1 and {_MAX_SHINGLE_SIZE}")
    words = " ".join(parts).split()
    if not words:
        return np.empty(0, dtype=np.uint64)
    if len(words) < k:
        return np.array([_hash64(" ".join(words))], dtype=np.uint64)
    hashes = _word_hash_array(words)
    count = len(words) - k + 1
    combined = hashes[:count] * _POSITION[0]
    for offset in range(1, k):
        combined += hashes[offset:offset + count] * _POSITION[offset]
    return combined


def shingles(title: str, paragraphs: Iterable[str], *, k: int = SHINGLE_SIZE) -> set[int]:
    """The shingles as a set of ints, for exact Jaccard comparisons."""
    return set(shingle_array(title, paragraphs, k=k).tolist())


def signature(shingle_set: Iterable[int] | np.ndarray) -> np.ndarray:
    """MinHash signature: for each of NUM_PERM hash functions, the minimum over the shingles.

    An empty input gives an all-sentinel signature that matches nothing.
    """
    if isinstance(shingle_set, np.ndarray):
        values = shingle_set.astype(np.uint64, copy=False)
    else:
        values = np.fromiter(shingle_set, dtype=np.uint64)
    if values.size == 0:
        return np.full(NUM_PERM, _EMPTY, dtype=np.uint32)
    hashed = np.multiply(_A[:, None], values[None, :])
    hashed += _B[:, None]
    # Shifting is monotonic, so shift the 128 minima rather than every hash.
    minima = hashed.min(axis=1) >> _SHIFT
    # Never equal to the sentinel: 2**32 - 1 would need a*x + b to be all ones.
    return np.minimum(minima, np.uint64(0xFFFFFFFE)).astype(np.uint32)


def _is_empty(sig: np.ndarray) -> bool:
    return bool(np.all(sig == _EMPTY))


def band_keys(sig: np.ndarray, *, bands: int = BANDS, rows: int = ROWS) -> list[int]:
    """One key per band: a non-negative 63-bit int, salted with the band index.

    ``bands``/``rows`` exist for the study script; stored keys must use the
    defaults. An empty signature has no keys, so empty articles never pair.
    """
    sig = np.asarray(sig, dtype=np.uint32)
    if bands * rows > sig.size:
        raise ValueError("bands * rows exceeds the signature length")
    if _is_empty(sig):
        return []
    table = sig[: bands * rows].astype(np.uint64).reshape(bands, rows)
    salt = _BAND_SALT[:bands] if bands <= BANDS else np.array(
        [_param("band", i) for i in range(bands)], dtype=np.uint64)
    keys = salt.copy()
    for row in range(rows):
        keys ^= table[:, row]
        keys *= _MIX
    keys ^= keys >> np.uint64(29)
    keys *= _MIX
    return (keys & _KEY_MASK).tolist()


def estimate_similarity(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Estimated Jaccard similarity: the share of equal signature slots."""
    if sig_a.shape != sig_b.shape:
        raise ValueError("signatures differ in length")
    if _is_empty(sig_a) or _is_empty(sig_b):
        return 0.0
    return float(np.count_nonzero(sig_a == sig_b)) / sig_a.size


def jaccard(a: set, b: set) -> float:
    """Exact Jaccard similarity; 0.0 when both sets are empty (no evidence)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def signature_to_bytes(sig: np.ndarray) -> bytes:
    """Little-endian uint32 bytes (NUM_PERM * 4), for a BinaryField."""
    return np.asarray(sig, dtype="<u4").tobytes()


def signature_from_bytes(data: bytes) -> np.ndarray:
    """Inverse of ``signature_to_bytes``."""
    if len(data) != NUM_PERM * 4:
        raise ValueError(f"expected {NUM_PERM * 4} bytes, got {len(data)}")
    return np.frombuffer(data, dtype="<u4").astype(np.uint32)


def pairs_in_buckets(buckets: Iterable[list[int]], *, max_size: int | None = None) -> set[tuple[int, int]]:
    """Every pair (low_id, high_id) of distinct ids sharing a bucket, once.

    Buckets larger than ``max_size`` are skipped: text common to a whole
    topic, not evidence of copying.
    """
    return {
        (min(a, b), max(a, b))
        for ids in buckets
        if 1 < len(ids) and (max_size is None or len(ids) <= max_size)
        for a, b in combinations(ids, 2)
        if a != b
    }


def candidate_pairs(items: Iterable[tuple[int, np.ndarray]]) -> Iterator[tuple[int, int]]:
    """Pairs (low_id, high_id) sharing at least one band key, each once.

    In-memory counterpart of the band-key table, for a batch or a rescan.
    Candidates still need verifying with ``estimate_similarity``.
    """
    buckets: dict[int, list[int]] = defaultdict(list)
    for item_id, sig in items:
        for key in band_keys(sig):
            buckets[key].append(item_id)
    yield from sorted(pairs_in_buckets(buckets.values()))
