"""Text normalisation shared by the parser, fingerprints and duplicate finding."""

import hashlib
import re
import unicodedata

_REMOVED = dict.fromkeys(map(ord, "\ufeff\u200b\u2060\x00"))
_SPACES = re.compile(r"[\s\u00a0\u202f\u2007]+")
_PUNCTUATION = re.compile(r"[^\w\s]|_")


def clean_text(s):
    s = unicodedata.normalize("NFC", s.translate(_REMOVED))
    return _SPACES.sub(" ", s).strip()


def normalize_for_matching(s):
    s = unicodedata.normalize("NFKD", clean_text(s).casefold())
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = _PUNCTUATION.sub("", s)
    return _SPACES.sub(" ", unicodedata.normalize("NFC", s)).strip()


def content_fingerprint(title, paragraphs):
    text = "\x1e".join([normalize_for_matching(title), *map(normalize_for_matching, paragraphs)])
    return hashlib.sha256(text.encode()).hexdigest()


def caption_key(caption, credit):
    """Identity of a caption-only image: its normalised caption and credit."""
    text = normalize_for_matching(caption) + "\x1e" + normalize_for_matching(credit)
    return hashlib.sha256(text.encode()).hexdigest()
