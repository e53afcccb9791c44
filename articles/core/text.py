"""Text normalisation shared by the dump parser, fingerprints and duplicate finding.

Pure Python, no Django.  Two levels:

* ``clean_text`` is for text we store and show: it only removes invisible
  junk and normalises whitespace, so the result still reads like the source.
* ``normalize_for_matching`` is for comparing: case, accents, punctuation and
  compatibility forms are folded away.  Its output is never shown to readers.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable

# Invisible characters that carry no meaning in our text.  NUL goes too
# because PostgreSQL text columns cannot store it; removing it here keeps
# SQLite and PostgreSQL results identical.  ZWNJ/ZWJ are kept on purpose:
# they change how Persian, Arabic and Indic words are written.
_INVISIBLE = ("\ufeff", "\u200b", "\u2060", "\x00")

# Punctuation that joins the parts of one word ("I.S.I.S.", "Iraq's",
# "1,000", "l·l"): deleted, so "I.S.I.S." matches "isis".  All other
# punctuation (dashes, slashes, brackets, quotes...) becomes a space, so
# "some-tag" matches "some tag".
_WORD_JOINING_PUNCTUATION = frozenset(
    ".,'\u2018\u2019\u02bc\u00b7"  # full stop, comma, apostrophes, middle dot
    "\u060c\u066b\u066c"  # Arabic comma, decimal and thousands separators
    "\u05f3\u05f4"  # Hebrew geresh and gershayim
)
_TATWEEL = "\u0640"  # Arabic elongation stroke: typographic only
_CREDIT_SEPARATOR = "\x1e"  # whitespace to str.split, so never left after normalising


def clean_text(s: str) -> str:
    """Remove invisible characters, apply NFC, collapse whitespace and strip."""
    if s.isascii():  # most lines: of the invisible characters only NUL is ASCII, and NFC changes nothing
        if "\x00" in s:
            s = s.replace("\x00", "")
        return " ".join(s.split())
    # Removal comes before NFC: deleting a zero-width space between a letter
    # and a combining mark creates a new composition opportunity.
    for ch in _INVISIBLE:
        if ch in s:  # much faster than translate() for the usual clean line
            s = s.replace(ch, "")
    if not s.isascii():
        s = unicodedata.normalize("NFC", s)
    # str.split() with no argument splits on every Unicode space separator
    # (NBSP, U+202F, U+2007, ...), tabs and line breaks.
    return " ".join(s.split())


class _MatchingTable(dict):
    """str.translate table for matching, filled lazily one code point at a time."""

    def __missing__(self, code_point: int) -> str:
        self[code_point] = value = _matching_replacement(chr(code_point))
        return value


def _matching_replacement(ch: str) -> str:
    category = unicodedata.category(ch)
    # Mn/Me are accents, harakat, hamza above/below...; Cf are invisible
    # format characters (ZWNJ, bidi marks).  Mc marks are kept: in Indic
    # scripts they are vowel signs, i.e. part of the spelling.
    if category in ("Mn", "Me", "Cf") or ch == _TATWEEL or ch in _WORD_JOINING_PUNCTUATION:
        return ""
    if category[0] == "P":
        return " "
    return ch


_MATCHING_TABLE = _MatchingTable()


# Fast path for the common case, ASCII text: the same result as the full
# normalisation below, done by one bytes.translate() (lower-casing included)
# instead of four Unicode passes. Typographic quotes, dashes and spaces are
# first replaced by ASCII characters that normalise identically, so English
# news copy takes the fast path too.
_TYPOGRAPHIC_TO_ASCII = (
    ("\u201c", '"'), ("\u201d", '"'), ("\u201e", '"'), ("\u00ab", '"'), ("\u00bb", '"'),
    ("\u2018", "'"), ("\u2019", "'"), ("\u2013", "-"), ("\u2014", "-"), ("\u2026", "..."),
    ("\u00a0", " "), ("\u202f", " "), ("\u2007", " "),
)
_ASCII_PUNCTUATION = [chr(i) for i in range(128) if unicodedata.category(chr(i))[0] == "P"]
_ASCII_TABLE = bytes.maketrans(
    "".join(_ASCII_PUNCTUATION).encode() + b"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    b" " * len(_ASCII_PUNCTUATION) + b"abcdefghijklmnopqrstuvwxyz",
)
_ASCII_DELETE = "".join(ch for ch in _ASCII_PUNCTUATION if ch in _WORD_JOINING_PUNCTUATION).encode() + b"\x00"


def normalize_for_matching(s: str) -> str:
    """Fold case, accents, punctuation and compatibility forms for comparison."""
    if not s.isascii():
        for typographic, ascii_equivalent in _TYPOGRAPHIC_TO_ASCII:
            if typographic in s:
                s = s.replace(typographic, ascii_equivalent)
        if not s.isascii():
            return _normalize_any(s)
    return " ".join(s.encode("ascii").translate(_ASCII_TABLE, _ASCII_DELETE).decode("ascii").split())


def _normalize_any(s: str) -> str:
    """The full normalisation, for any script."""
    s = unicodedata.normalize("NFKC", clean_text(s)).casefold()
    s = unicodedata.normalize("NFKD", s).translate(_MATCHING_TABLE)
    # NFC again so that e.g. Hangul jamo, split apart by NFKD, recompose.
    return unicodedata.normalize("NFC", " ".join(s.split()))


def content_fingerprint(title: str, paragraphs: Iterable[str]) -> str:
    """SHA-256 hex of the normalised headline and paragraphs."""
    return fingerprint_of_normalized(normalized_parts(title, paragraphs))


def normalized_parts(title: str, paragraphs: Iterable[str]) -> list[str]:
    """Headline and paragraphs normalised for matching: computed once, used by
    the fingerprint and the near-duplicate shingles alike."""
    return [normalize_for_matching(title), *map(normalize_for_matching, paragraphs)]


def fingerprint_of_normalized(parts: list[str]) -> str:
    # "\n" cannot survive normalisation, so the boundaries are unambiguous.
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def caption_key(caption: str, credit: str) -> str:
    """Identity of a caption-only image: its normalised caption and credit."""
    text = normalize_for_matching(caption) + _CREDIT_SEPARATOR + normalize_for_matching(credit)
    return hashlib.sha256(text.encode()).hexdigest()


def split_credit(line: str) -> tuple[str, str]:
    """Split ``"Caption text. (AFP)"`` into ``("Caption text.", "AFP")``.

    The credit is the last balanced parenthesised group, and only if it ends
    the line.  Without one the cleaned line comes back with an empty credit.
    """
    text = clean_text(line)
    if not text.endswith(")"):
        return text, ""
    start = _matching_open_parenthesis(text)
    if start is None:
        return text, ""
    credit = text[start + 1 : -1].strip()
    if not credit:
        return text, ""
    return text[:start].rstrip(), credit


def _matching_open_parenthesis(text: str) -> int | None:
    """Index of the "(" that balances the ")" ending ``text``, if any."""
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        ch = text[index]
        if ch == ")":
            depth += 1
        elif ch == "(":
            depth -= 1
            if depth == 0:
                return index
    return None
