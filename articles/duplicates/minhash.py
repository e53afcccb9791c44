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
from collections.abc import Iterable
from itertools import combinations
from typing import NamedTuple

import numpy as np

from articles.core.text import normalized_parts

SHINGLE_SIZE = 5
NUM_PERM = 128
BANDS = 32
ROWS = 4
THRESHOLD = 0.4
# A paragraph this long is a fact of its story, not a stock line.
PARAGRAPH_MIN_WORDS = 8
# Shorter headlines ("Live updates", "In brief") are labels, not stories.
HEADLINE_MIN_WORDS = 4
# "Nearly all of the shorter text" needs enough text to mean something.
MIN_SHARED_SHINGLES = 40
# A wire brief: up to about 200 words.
SHORT_STORY_SHINGLES = 200

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

_PARAGRAPH_SALT = "newsroom-paragraph:"
_HEADLINE_SALT = "newsroom-headline:"

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


class TextPrint(NamedTuple):
    """What the finder keeps of a text: its signature, its index keys, its number of distinct shingles."""

    signature: np.ndarray
    keys: list[int]
    size: int


def text_print(parts: list[str]) -> TextPrint:
    """The print of a text normalised by ``normalized_parts`` (headline first)."""
    distinct = shingles_of_normalized(parts)
    sig = signature(distinct)
    return TextPrint(sig, band_keys(sig) + headline_keys(parts[0]) + paragraph_keys(parts), int(distinct.size))


def headline_keys(headline: str) -> list[int]:
    """Keys that two headlines share when they differ by at most one word.

    The headline itself, and the headline with each word left out in turn:
    a word changed at position i leaves both without word i equal, a word
    added leaves the longer one without it equal to the shorter. Two short
    pieces under one headline meet here even when they share too little
    text for a band.
    """
    words = headline.split()
    if len(words) < HEADLINE_MIN_WORDS:
        return []
    variants = {" ".join(words)} | {" ".join(words[:i] + words[i + 1:]) for i in range(len(words))}
    return sorted(_hash64(_HEADLINE_SALT + variant) & int(_KEY_MASK) for variant in variants)


def paragraph_keys(parts: list[str]) -> list[int]:
    """One key per distinct body paragraph of PARAGRAPH_MIN_WORDS words or more.

    Where the shingles of two short stories are too few to meet in a band
    (a brief and its update share a paragraph or two, not half their
    text), a paragraph they share exactly still brings them together.
    """
    return sorted({_hash64(_PARAGRAPH_SALT + part) & int(_KEY_MASK)
                   for part in parts[1:] if len(part.split()) >= PARAGRAPH_MIN_WORDS})


def headline_similarity(title_a: str, title_b: str) -> float:
    """Share of words two normalised headlines have in common (Jaccard of their word sets)."""
    return jaccard(set(title_a.split()), set(title_b.split()))


def containment(similarity: float, size_a: int, size_b: int) -> float:
    """Estimated share of the shorter text's shingles found in the longer one.

    From the Jaccard similarity J and the set sizes: the intersection is
    J(|A| + |B|) / (1 + J).
    """
    if not size_a or not size_b:
        return 0.0
    shared = similarity * (size_a + size_b) / (1 + similarity)
    return min(1.0, shared / min(size_a, size_b))


class Verdict(NamedTuple):
    """Why two articles look like one story: each signal from 0 to 1, and the score shown."""

    score: float
    body: float
    contained: float
    headline: float
    same_photo: int
    same_paragraph: bool = False

    def explain(self) -> str:
        """The signals an editor reads in the queue, strongest first."""
        parts = [f"body {self.body:.0%} alike", f"{self.contained:.0%} of the shorter text in the longer",
                 f"headline {self.headline:.0%} alike"]
        if self.same_photo > 1:
            parts.append(f"the same {int(self.same_photo)} photos")
        elif self.same_photo:
            parts.append("same photo")
        if self.same_paragraph:
            parts.append("a paragraph word for word")
        return " · ".join(parts)


def verdict(*, body: float, size_a: int, size_b: int, headline: float, same_photo: int,
            same_paragraph: bool = False) -> Verdict | None:
    """Whether two texts are copies of one story, by the signals an editor uses; None if not.

    same_photo: how many photos the two have in common (True counts as one);
    same_paragraph: whether they have a paragraph of PARAGRAPH_MIN_WORDS or
    more word for word.

    - bodies alike (Jaccard >= THRESHOLD): the long-story rule;
    - most of the shorter text in the longer, with headlines alike: a short
      story republished as an update (a paragraph rewritten, one added);
    - nearly all the shorter text in the longer: a brief expanded into a story;
    - the same headline, give or take a word, with some of the text; or
      headlines alike with the same photo and a good share of the text, or
      with the same photos (two or more) and a paragraph word for word (briefs).
    A shared photo, a topic's stock paragraph or a similar headline alone is
    never enough: follow-ups reuse all three.

    The last rule is for a brief updated several times over: an update that
    rewrites the longer of two paragraphs and adds one keeps under a fifth
    of the original's text, and two such updates keep even less of each
    other's (their headlines two words apart). Without it such an update
    is paired with nothing, and the desk shows its story without it. A set
    of photos, unlike one agency picture, is rarely reused by another story.
    """
    contained = containment(body, size_a, size_b)
    shared = contained * min(size_a, size_b)
    # A long text's share of a topic's stock sentences can reach a fifth of
    # it; its copies are alike in body anyway. The low bars are for briefs.
    brief = min(size_a, size_b) <= SHORT_STORY_SHINGLES
    floor = 0.0 if brief else 0.35
    copied = (
        body >= THRESHOLD
        or (contained >= 0.35 and headline >= 0.6)
        or (contained >= 0.85 and shared >= MIN_SHARED_SHINGLES)
        or (contained >= max(0.2, floor) and headline >= 0.8)
        or (contained >= max(0.2, floor) and headline >= 0.7 and same_photo)
        or (brief and headline >= 0.7 and same_photo >= 2 and same_paragraph)
    )
    if not copied:
        return None
    score = max(body, min(1.0, (contained + headline) / 2))
    return Verdict(score, body, contained, headline, same_photo, same_paragraph)


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
