"""Side-by-side paragraph diff: duplicates compared, versions compared. Pure Python.

Rows pair up the two texts' paragraphs; inside a changed pair the
differing words are flagged, so the template can highlight them after
escaping the text. Paragraphs are aligned first and words compared only
inside a changed pair, and only up to WORD_DIFF_LIMIT tokens a side:
difflib's matching grows with the product of the lengths. A longer pair
(a whole article in one paragraph) is aligned sentence by sentence first,
and what is still too long is shown as changed whole.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

EQUAL, CHANGED, ONLY_LEFT, ONLY_RIGHT = "equal", "changed", "only-left", "only-right"
_TOKENS = re.compile(r"\s+|[^\s]+")
WORD_DIFF_LIMIT = 1000  # tokens (words and the spaces between them) per side


@dataclass(frozen=True)
class Segment:
    text: str
    changed: bool


@dataclass(frozen=True)
class Row:
    kind: str
    left: tuple[Segment, ...] | None
    right: tuple[Segment, ...] | None


_SENTENCE_END = re.compile(r"(?<=[.!?\u061f\u3002])\s+")


def word_diff(left: str, right: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    a, b = _TOKENS.findall(left), _TOKENS.findall(right)
    if len(a) > WORD_DIFF_LIMIT or len(b) > WORD_DIFF_LIMIT:
        return _sentence_diff(left, right)
    return _token_diff(a, b)


def _sentence_diff(left, right):
    """A long paragraph: align sentences first, then words inside each changed pair (bounded again)."""
    a, b = _SENTENCE_END.split(left), _SENTENCE_END.split(right)
    left_segments, right_segments = [], []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        old, new = " ".join(a[i1:i2]), " ".join(b[j1:j2])
        if tag == "equal":
            left_segments.append(Segment(old + " ", False))
            right_segments.append(Segment(new + " ", False))
            continue
        old_tokens, new_tokens = _TOKENS.findall(old), _TOKENS.findall(new)
        if old and new and len(old_tokens) <= WORD_DIFF_LIMIT and len(new_tokens) <= WORD_DIFF_LIMIT:
            words_left, words_right = _token_diff(old_tokens, new_tokens)
            left_segments += [*words_left, Segment(" ", False)]
            right_segments += [*words_right, Segment(" ", False)]
        else:
            if old:
                left_segments.append(Segment(old + " ", True))
            if new:
                right_segments.append(Segment(new + " ", True))
    return tuple(left_segments), tuple(right_segments)


def _token_diff(a, b):
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


def paragraph_diff_summary(rows: list[Row]) -> str:
    """"2 paragraphs changed, 1 added, 1 removed", or "" when nothing changed."""
    counts = {CHANGED: 0, ONLY_RIGHT: 0, ONLY_LEFT: 0}
    for row in rows:
        if row.kind in counts:
            counts[row.kind] += 1
    parts = []
    for kind, word in ((CHANGED, "changed"), (ONLY_RIGHT, "added"), (ONLY_LEFT, "removed")):
        if counts[kind]:
            parts.append(f"{counts[kind]} {word}")
    if not parts:
        return ""
    number, word = parts[0].split()
    parts[0] = f"{number} paragraph{'' if number == '1' else 's'} {word}"
    return ", ".join(parts)


def paragraphs_taken(into: list[str], source: list[str], chosen: list[int]) -> list[str]:
    """`into` with the paragraphs of `source` at indexes `chosen` added where they stood.

    Each goes after the nearest paragraph before it in `source` that `into`
    also has (or at the start when none precedes it but one follows it; at
    the end when the two share nothing). Paragraphs `into` already has are
    not repeated.
    """
    result = list(into)
    for index in sorted(set(chosen)):
        if not 0 <= index < len(source) or source[index] in result:
            continue
        position = None
        for before in reversed(source[:index]):
            if before in result:
                position = result.index(before) + 1
                break
        if position is None:
            position = 0 if any(after in result for after in source[index + 1:]) else len(result)
        result.insert(position, source[index])
    return result


# --- three-way merge of paragraphs ----------------------------------------------------


@dataclass(frozen=True)
class MergeRegion:
    """A stretch of a three-way merge: agreed paragraphs, or a clash where both sides changed the same ones."""

    agreed: tuple = ()
    base: tuple = ()
    theirs: tuple = ()
    mine: tuple = ()
    clash: bool = False


def _edits(base, other):
    """(start, end, replacement) for each stretch of `base` that `other` changed, in order.

    Neighbouring paragraphs each rewritten in place are separate edits, so
    another editor's change to one of them clashes with that one only.
    """
    edits = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=base, b=other, autojunk=False).get_opcodes():
        if tag == "replace" and i2 - i1 == j2 - j1:
            edits += [(i1 + n, i1 + n + 1, (other[j1 + n],)) for n in range(i2 - i1)]
        elif tag != "equal":
            edits.append((i1, i2, tuple(other[j1:j2])))
    return edits


def _touch(start, end, other_start, other_end):
    """Whether two edits of the base meet: the same paragraphs, or new paragraphs put in at the same place."""
    if start == end and other_start == other_end:
        return start == other_start
    if start == end:
        return other_start < start < other_end
    if other_start == other_end:
        return start < other_start < end
    return other_start < end and start < other_end


def _applied(base, start, end, edits):
    out, at = [], start
    for edit_start, edit_end, replacement in edits:
        out += base[at:edit_start]
        out += replacement
        at = edit_end
    return tuple(out + base[at:end])


def paragraphs_merge(base: list[str], theirs: list[str], mine: list[str]) -> list[MergeRegion]:
    """Merge two editors' changes to the same starting paragraphs, paragraph by paragraph.

    Changes to different paragraphs are both kept; the same change made on
    both sides is kept once; only paragraphs both changed differently (or
    new paragraphs both put in at the same place) clash. Returns the
    regions in order: `agreed` paragraphs, or a clash with the base and
    each side's version of it.
    """
    edits = sorted([(*edit, "theirs") for edit in _edits(base, theirs)] + [(*edit, "mine") for edit in _edits(base, mine)],
                   key=lambda edit: (edit[0], edit[1]))
    regions, agreed, at, index = [], [], 0, 0
    while index < len(edits):
        start, end = edits[index][0], edits[index][1]
        group = [edits[index]]
        index += 1
        while index < len(edits) and _touch(start, end, edits[index][0], edits[index][1]):
            group.append(edits[index])
            end = max(end, edits[index][1])
            index += 1
        agreed += base[at:start]
        theirs_part = _applied(base, start, end, [edit[:3] for edit in group if edit[3] == "theirs"])
        mine_part = _applied(base, start, end, [edit[:3] for edit in group if edit[3] == "mine"])
        sides = {edit[3] for edit in group}
        if len(sides) == 1 or theirs_part == mine_part:
            agreed += theirs_part if "theirs" in sides else mine_part
        else:
            regions.append(MergeRegion(agreed=tuple(agreed)))
            regions.append(MergeRegion(base=tuple(base[start:end]), theirs=theirs_part, mine=mine_part, clash=True))
            agreed = []
        at = end
    agreed += base[at:]
    regions.append(MergeRegion(agreed=tuple(agreed)))
    return [region for region in regions if region.clash or region.agreed]


def merged_paragraphs(regions: list[MergeRegion], *, choices=()) -> list[str]:
    """The paragraphs of a merge, each clash settled by `choices` ("theirs" or "mine", in order; default mine)."""
    out, clash = [], 0
    for region in regions:
        if region.clash:
            pick = choices[clash] if clash < len(choices) else "mine"
            out += region.theirs if pick == "theirs" else region.mine
            clash += 1
        else:
            out += region.agreed
    return out
