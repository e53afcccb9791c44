"""Near-duplicate detection for articles: word shingles, MinHash, LSH bands.

Pure Python + numpy, no Django.  The flow is:

    sig = signature(shingles(title, paragraphs))
    keys = band_keys(sig)        # stored as (article_id, band, key) rows
    # candidates = other articles sharing any key (one indexed look-up)
    estimate_similarity(sig, other_sig) >= THRESHOLD  ->  near-duplicate

Everything here is deterministic across processes, machines and numpy
versions (hashes come from hashlib, never from ``hash()`` or a numpy RNG),
because signatures and band keys are persisted.  Changing any constant below
invalidates stored signatures and keys: bump ``SCHEME_VERSION`` and recompute.

How the constants were chosen (scripts/similarity_study.py, 20,000 generated
articles, 4,000 of them planted edited copies; see that script for the corpus):

* SHINGLE_SIZE = 4: word 4-shingles gave the widest gap between the lowest
  planted duplicates and the highest unrelated same-topic pairs.  3-shingles
  let stock phrasing ("said on monday that") leak between unrelated stories;
  5- and 6-shingles punish every one-word edit harder, pulling short edited
  copies down towards the unrelated pairs.
* THRESHOLD = 0.35: the hardest planted case, a 3-paragraph story with one
  paragraph replaced plus a second edit, sits around J = 0.35-0.5
  (its 1st percentile is ~0.37); unrelated same-topic pairs, even ones sharing
  an identical photo caption and topic phrases, top out at J ~0.13.
* BANDS x ROWS = 32 x 4 (NUM_PERM = 128): the S-curve 1 - (1 - s^4)^32 is
  ~0.5 at s = 0.42 and 0.96 at s = 0.35 ... see the study for exact recall;
  candidate probability for an unrelated pair at s = 0.13 is ~0.01.
  Fewer rows (42 x 3) produce many more candidates to verify for no recall
  gain; more rows (20 x 5, 16 x 8) lose the short edited copies.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator

import numpy as np

SCHEME_VERSION = 1
SHINGLE_SIZE = 4
NUM_PERM = 128
BANDS = 32
ROWS = 4
THRESHOLD = 0.35

# Mersenne prime 2**31 - 1: with a, x < 2**31 the product a*x stays below
# 2**62, so (a*x + b) mod p is exact in uint64 and every value fits uint32.
_PRIME = (1 << 31) - 1
_PRIME_U64 = np.uint64(_PRIME)
_EMPTY = np.uint32(0xFFFFFFFF)  # never produced by a real hash (all < _PRIME)
_CHUNK = 4096  # shingles per numpy block, bounds memory for huge texts
_KEY_MASK = (1 << 63) - 1  # non-negative, fits a signed BIGINT


def _param(label: str, i: int, modulus: int) -> int:
    digest = hashlib.blake2b(f"newsroom-minhash:{label}:{i}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") % modulus


# Fixed parameters derived from hashlib, so they can never drift with a
# numpy release the way a seeded Generator stream may.
_A = np.array([1 + _param("a", i, _PRIME - 1) for i in range(NUM_PERM)], dtype=np.uint64)
_B = np.array([_param("b", i, _PRIME) for i in range(NUM_PERM)], dtype=np.uint64)

_APOSTROPHES = re.compile(r"['\u2019\u2018\u02bc]")
_NON_WORD = re.compile(r"[\W_]+")


def _words(text: str) -> list[str]:
    """Casefolded words without diacritics or punctuation."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    # Drop apostrophes so "don't" and "dont" agree; other punctuation splits
    # words so "well-known" and "well known" agree.
    text = _APOSTROPHES.sub("", text.casefold())
    return _NON_WORD.sub(" ", text).split()


def _hash64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def shingles(title: str, paragraphs: Iterable[str], *, k: int = SHINGLE_SIZE) -> set[int]:
    """Hashed word k-shingles (unsigned 64-bit ints) of title + body.

    Title and paragraphs form one word stream; a text shorter than ``k``
    words becomes a single shingle.  Empty text gives an empty set.
    """
    if k < 1:
        raise ValueError("k must be >= 1")
    words = _words(title)
    for paragraph in paragraphs:
        words.extend(_words(paragraph))
    if not words:
        return set()
    if len(words) < k:
        return {_hash64(" ".join(words))}
    return {_hash64(" ".join(words[i : i + k])) for i in range(len(words) - k + 1)}


def signature(shingle_set: Iterable[int]) -> np.ndarray:
    """MinHash signature: NUM_PERM uint32 minima of (a*x + b) mod p.

    An empty input gives an all-sentinel signature that matches nothing.
    """
    values = np.fromiter(shingle_set, dtype=np.uint64)
    if values.size == 0:
        return np.full(NUM_PERM, _EMPTY, dtype=np.uint32)
    values %= _PRIME_U64
    sig = np.full(NUM_PERM, _PRIME, dtype=np.uint64)
    for start in range(0, values.size, _CHUNK):
        # In-place arithmetic: temporaries, not the maths, dominate the cost.
        hashed = np.multiply(_A[:, None], values[None, start : start + _CHUNK])
        hashed += _B[:, None]
        hashed %= _PRIME_U64
        np.minimum(sig, hashed.min(axis=1), out=sig)
    return sig.astype(np.uint32)


def _is_empty(sig: np.ndarray) -> bool:
    return bool(np.all(sig == _EMPTY))


def band_keys(sig: np.ndarray, *, bands: int = BANDS, rows: int = ROWS) -> list[int]:
    """One key per band: a non-negative 63-bit int salted with the band index.

    ``bands``/``rows`` exist for the study script; stored keys must use the
    defaults.  An empty signature has no keys, so empty articles never pair.
    """
    sig = np.asarray(sig, dtype="<u4")
    if bands * rows > sig.size:
        raise ValueError("bands * rows exceeds the signature length")
    if _is_empty(sig):
        return []
    keys = []
    for band in range(bands):
        chunk = sig[band * rows : (band + 1) * rows].tobytes()
        digest = hashlib.blake2b(band.to_bytes(2, "little") + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little") & _KEY_MASK)
    return keys


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


def candidate_pairs(items: Iterable[tuple[int, np.ndarray]]) -> Iterator[tuple[int, int]]:
    """Pairs (low_id, high_id) sharing at least one band key, each once.

    In-memory counterpart of the band-key table, for a batch or a rescan.
    Candidates still need verifying with ``estimate_similarity``.
    """
    buckets: dict[int, list[int]] = defaultdict(list)
    for item_id, sig in items:
        for key in band_keys(sig):
            buckets[key].append(item_id)
    seen: set[tuple[int, int]] = set()
    for ids in buckets.values():
        if len(ids) < 2:
            continue
        for i, first in enumerate(ids):
            for second in ids[i + 1 :]:
                if first == second:
                    continue
                pair = (first, second) if first < second else (second, first)
                if pair not in seen:
                    seen.add(pair)
                    yield pair
