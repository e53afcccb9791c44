"""Side-by-side paragraph diff for the duplicate review page. Pure Python.

Rows pair up the two articles' paragraphs; inside a changed pair the
differing words are flagged, so the template can highlight them after
escaping the text.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

EQUAL, CHANGED, ONLY_LEFT, ONLY_RIGHT = "equal", "changed", "only-left", "only-right"
_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Segment:
    text: str
    changed: bool


@dataclass(frozen=True)
class Row:
    kind: str
    left: tuple[Segment, ...] | None
    right: tuple[Segment, ...] | None


def word_diff(left: str, right: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    a, b = _TOKENS.findall(left), _TOKENS.findall(right)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    left_segments, right_segments = [], []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        changed = tag != "equal"
        if i2 > i1:
            left_segments.append(Segment("".join(a[i1:i2]), changed))
        if j2 > j1:
            right_segments.append(Segment("".join(b[j1:j2]), changed))
    return tuple(left_segments), tuple(right_segments)


def paragraph_diff(left: list[str], right: list[str]) -> list[Row]:
    """Align two lists of paragraphs and mark what changed."""
    rows = []
    matcher = difflib.SequenceMatcher(a=left, b=right, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows += [Row(EQUAL, (Segment(p, False),), (Segment(p, False),)) for p in left[i1:i2]]
            continue
        old, new = left[i1:i2], right[j1:j2]
        for index in range(max(len(old), len(new))):
            if index < len(old) and index < len(new):
                rows.append(Row(CHANGED, *word_diff(old[index], new[index])))
            elif index < len(old):
                rows.append(Row(ONLY_LEFT, (Segment(old[index], True),), None))
            else:
                rows.append(Row(ONLY_RIGHT, None, (Segment(new[index], True),)))
    return rows
