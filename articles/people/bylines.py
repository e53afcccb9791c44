"""Bylines as people: who a byline names, and the key two spellings of a name share.

Pure Python (no Django): the importer, the data migration and the tests
call the same functions.

    "By Jane Doe and John Smith"  -> ["Jane Doe", "John Smith"]
    "Jane Doe, Reuters"           -> ["Jane Doe"]     (a credit, not a person)
    "Jane Doe in Baghdad"         -> ["Jane Doe"]
    "بقلم سارة علي و أحمد حسن"      -> ["سارة علي", "أحمد حسن"]
    "Staff", "AFP"                -> []
"""

from __future__ import annotations

import re

from articles.core.text import clean_text, normalize_for_matching

# Credits that name an organisation, not a person (compared by match_key).
AGENCIES = frozenset(normalize_for_matching(name) for name in (
    "AFP", "Agence France-Presse", "AP", "Associated Press", "Reuters", "Thomson Reuters", "DPA", "EFE", "ANSA",
    "Xinhua", "UPI", "Bloomberg", "Anadolu", "Anadolu Agency", "AA", "KUNA", "WAM", "SPA", "MENA", "QNA",
    "PA", "Press Association", "BBC", "CNN", "Al Jazeera", "Agencies", "News agencies", "Wires", "Wire services",
    "Staff", "Staff writer", "Staff writers", "Staff reporter", "Our correspondent", "Correspondent",
    "Correspondents", "Editorial", "Editors", "The editors", "Newsroom", "Web desk", "News desk",
    "وكالات", "وكالة", "رويترز", "أ ف ب", "فرانس برس", "أسوشيتد برس", "الأناضول", "مراسلنا", "المحرر", "محرر",
))

# What comes before the names ("By", "Written by", Arabic "بقلم", "كتب").
_PREFIX = re.compile(
    r"^(?:(?:written|reported|reporting|words|text|story)\s+by|by|بقلم|كتب|كتبت|إعداد|تقرير)(?:\s*[:\-–—]\s*|\s+)",
    re.IGNORECASE,
)
# A place after a name: "Jane Doe in Baghdad", "John Smith reporting from Gaza".
_PLACE = re.compile(r"\s+(?:in|from|reporting\s+from)\s+\S.*$", re.IGNORECASE)
_PARENTHESES = re.compile(r"\s*[(\[][^)\]]*[)\]]")
# Between credits: comma (Latin or Arabic), semicolon, slash, pipe.
_CREDITS = re.compile(r"\s*[,،;/|]\s*")
# Between people: "and", "&", Arabic " و ".
_AND = re.compile(r"\s+(?:and|&|و)\s+", re.IGNORECASE)
# A role rather than a name: "Reuters staff", "Our Cairo correspondent".
_ROLE = re.compile(r"(?:^|\s)(?:staff|correspondents?|reporters?|desk|مراسل|مراسلنا)$", re.IGNORECASE)
_TRAILING = " .:-–—'\"“”«»"
# More words than this is a sentence, not a name.
MAX_NAME_WORDS = 6
MAX_NAME_LENGTH = 200


def match_key(name: str) -> str:
    """What two spellings of one name share: case, accents, harakat and punctuation folded.

    The models store the same (Author.match_key): one rule, the core's.
    """
    return normalize_for_matching(name)


def is_agency(text: str) -> bool:
    return match_key(text) in AGENCIES


def _is_credit(part: str) -> bool:
    """A comma part naming an organisation: a known agency, or all capitals ("AFP", "NEW YORK TIMES")."""
    letters = [c for c in part if c.isalpha()]
    return is_agency(part) or (bool(letters) and all(c.isupper() for c in letters) and " " not in part.strip())


def display_name(name: str) -> str:
    """A name as an author page shows it: capitals only ("JANE DOE") become "Jane Doe"."""
    letters = [c for c in name if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and not is_agency(name):
        return name.title()
    return name


def parse_byline(byline: str) -> list[str]:
    """The people a byline names, in order, each once; agencies, "Staff" and places left out."""
    text = _PARENTHESES.sub("", clean_text(byline or ""))
    text = _PREFIX.sub("", text).strip(_TRAILING)
    parts = [part for part in _CREDITS.split(text) if part.strip(_TRAILING)]
    # Credits come last ("Jane Doe, Reuters"); a person is never one, only trailing parts are dropped
    # ("John Smith, AFP" drops AFP, "JANE DOE" alone is still a person).
    while len(parts) > 1 and _is_credit(parts[-1].strip(_TRAILING)):
        parts.pop()
    names, seen = [], set()
    for part in parts:
        for name in _AND.split(part):
            name = _PLACE.sub("", _PREFIX.sub("", name.strip(_TRAILING))).strip(_TRAILING)
            key = match_key(name)
            if (not key or key in seen or key in AGENCIES or _ROLE.search(name) or not any(c.isalpha() for c in name)
                    or len(name.split()) > MAX_NAME_WORDS or len(name) > MAX_NAME_LENGTH):
                continue
            seen.add(key)
            names.append(name)
    return names
