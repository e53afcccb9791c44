"""Parse raw scraped article dumps into article records.

Pure Python, no Django.  The parser streams: feed it lines, it yields each
article as soon as the next one starts (or the input ends), holding at most
one article (plus the next one's header) in memory.

Dump layout, per article::

    Headline
                                   <- blank
    Caption one. (AFP)             <- every photo caption twice, the first
    Caption one. (AFP)                copy sometimes with a leading space
    TT                             <- font-size widget: "TT" and a number
    20
                                   <- blank
    Headline                       <- headline repeated
                                   <- blank
    Caption one. (AFP)             <- captions repeated
    Caption one. (AFP)
                                   <- blank
    First paragraph.               <- one paragraph per non-blank line
                                   <- blank
    Second paragraph.

How segmentation works: the anchor is a ``TT`` line followed by a number line
(blank lines in between are tolerated).  The first non-blank line after the
number is the headline repeat; the headline is the nearest earlier buffered
line equal to it (after ``clean_text``).  Lines between the headline and
``TT`` are captions; everything before the headline is the previous article's
body.  Equal captions that follow each other are pairs (one photo listed
twice), so a run of ``k`` equal caption lines is ``ceil(k / 2)`` photos.  For
the same reason a run of adjacent lines equal to the headline repeat with an
even length is a caption pair and the search goes on past it (a blank line
ends a run: the headline is followed by one, caption copies are not).  If no
line matches the repeat (the repeat is missing), the headline is the nearest
line before ``TT`` that is not part of such a pair.  After the header, blank
lines and lines equal to a known caption line are skipped (repeated
captions); every other non-blank line up to the next article's headline is a
body paragraph, even one ending in ``(Reuters)``.

Decisions on odd input:

* Empty or blank-only input gives no records.
* Non-blank text that belongs to no article (lines before the first headline,
  or a whole file without a ``TT`` widget) becomes a record with
  ``error = ERROR_OUTSIDE_ARTICLE`` and an empty title, so nothing is lost
  silently and ``--explain`` can show it.  Long stretches of such text are
  split into records of about 3,000 lines, so memory stays bounded.
* A widget with no candidate headline before it (a file of only widget
  lines, a widget at the very start) starts a record with
  ``ERROR_NO_HEADLINE`` that collects the lines up to the next article.  A
  widget repeated right after an article's header is dropped as a widget
  line.  A widget after body text makes the nearest unpaired line before it
  a headline (the missing-repeat fallback): the dump gives no way to tell.
* A ``TT`` line not followed by a number line is ordinary text.
* A headline without body paragraphs gives ``ERROR_NO_BODY``; parsing goes on.
* All title, caption, credit and paragraph text passes through ``clean_text``
  (NUL, BOM, zero-width spaces removed; NBSP and other spaces collapsed).
* ``raw_text`` is the article's lines as read, joined with "\\n", minus NUL
  characters (PostgreSQL cannot store them).  Blank lines between articles
  belong to no article.
* ``lines.read_lines`` reports undecodable and over-long lines as ``Line`` errors;
  the article containing such a line gets that error and is not importable.
  Over-long lines are discarded while reading, never held whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from articles.core.text import clean_text, split_credit
from articles.ingest.lines import Line

# Reasons for DroppedLine.
WIDGET = "widget"
REPEATED_HEADLINE = "repeated headline"
REPEATED_CAPTION = "repeated caption"

# Roles of lines in ParsedArticle.roles / explain().
TITLE = "title"
CAPTION = "caption"
BODY = "body"
BLANK = "blank"
DROPPED = "dropped"
UNREADABLE = "unreadable"

ERROR_NO_BODY = "headline but no body"
ERROR_NO_HEADLINE = "widget with no headline before it"
ERROR_OUTSIDE_ARTICLE = "text outside any article (no headline and TT widget found for it)"

# A header has at most this many non-blank caption lines between the
# headline and TT (50 photos listed twice).  It bounds the backward search,
# so a missing headline repeat cannot match a line deep in the previous body.
MAX_HEADER_CAPTION_LINES = 100

# Text outside any article is emitted in records of about this many lines,
# keeping the last _HEADER_ROWS_KEPT, which may hold the next headline.
_OUTSIDE_TEXT_FLUSH_ROWS = 4096
_HEADER_ROWS_KEPT = 1024

_WIDGET_TEXT = "TT"
_MAX_WIDGET_DIGITS = 3


@dataclass(frozen=True, slots=True)
class ParsedImage:
    caption: str
    credit: str


@dataclass(frozen=True, slots=True)
class DroppedLine:
    number: int
    text: str
    reason: str  # WIDGET, REPEATED_HEADLINE or REPEATED_CAPTION


@dataclass(slots=True)
class ParsedArticle:
    title: str
    images: list[ParsedImage]
    paragraphs: list[str]
    first_line: int  # 1-based, inclusive
    last_line: int  # 1-based, inclusive
    raw_text: str
    dropped: list[DroppedLine] = field(default_factory=list)
    error: str | None = None
    # One role per line from first_line to last_line (TITLE, CAPTION, ...).
    roles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ExplainedLine:
    number: int
    role: str  # TITLE, CAPTION, BODY, BLANK, DROPPED or UNREADABLE
    reason: str  # the drop reason for DROPPED lines, else ""
    text: str


def explain(article: ParsedArticle) -> list[ExplainedLine]:
    """Say for every line of ``article`` where it went and why."""
    reasons = {dropped.number: dropped.reason for dropped in article.dropped}
    texts = article.raw_text.split("\n")
    return [
        ExplainedLine(number, role, reasons.get(number, ""), text)
        for number, role, text in zip(
            range(article.first_line, article.last_line + 1), article.roles, texts
        )
    ]


# --------------------------------------------------------------------------
# Parsing


class _Row:
    """A line being parsed; ``role`` stays None until the line is placed."""

    __slots__ = ("number", "raw", "clean", "error", "role", "reason", "blank", "is_widget_start")

    def __init__(self, number: int, text: str, error: str | None) -> None:
        self.number = number
        self.raw = text.replace("\x00", "")
        self.clean = clean = clean_text(text) if text else ""
        self.error = error
        self.role: str | None = None
        self.reason = ""
        # Asked several times per line: computed once (clean and error never change).
        self.blank = error is None and not clean
        self.is_widget_start = error is None and clean == _WIDGET_TEXT

    @property
    def is_widget_number(self) -> bool:
        return (
            self.error is None
            and self.clean.isdecimal()
            and len(self.clean) <= _MAX_WIDGET_DIGITS
        )

    def drop(self, reason: str) -> None:
        self.role = DROPPED
        self.reason = reason


class _Article:
    """An article whose header is known and whose body is still arriving."""

    __slots__ = ("rows", "title", "images", "caption_lines", "error")

    def __init__(self, title_row: _Row | None, error: str | None = None) -> None:
        self.rows: list[_Row] = []
        self.title = ""
        self.images: list[ParsedImage] = []
        self.caption_lines: set[str] = set()
        self.error = error
        if title_row is not None:
            title_row.role = TITLE
            self.title = title_row.clean
            self.rows.append(title_row)

    def add_captions(self, rows: list[_Row]) -> None:
        for run in _runs(rows):
            # Each photo is listed twice: alternate photo, repeat, photo...
            for index, row in enumerate(run):
                if index % 2:
                    row.drop(REPEATED_CAPTION)
                else:
                    row.role = CAPTION
                    self.images.append(ParsedImage(*split_credit(row.clean)))
                    self.caption_lines.add(row.clean)
        self.rows.extend(rows)

    def build(self, body: list[_Row]) -> ParsedArticle:
        rows = _strip_blank_rows(self.rows + body)
        paragraphs = []
        for row in rows:
            if row.role is not None:
                continue
            if row.error is not None:
                row.role = UNREADABLE
            elif row.clean:
                row.role = BODY
                paragraphs.append(row.clean)
            else:
                row.role = BLANK
        line_error = next((row.error for row in rows if row.error is not None), None)
        error = line_error or self.error
        if error is None and not paragraphs:
            error = ERROR_NO_BODY
        return ParsedArticle(
            title=self.title,
            images=self.images,
            paragraphs=paragraphs,
            first_line=rows[0].number,
            last_line=rows[-1].number,
            raw_text="\n".join(row.raw for row in rows),
            dropped=[DroppedLine(r.number, r.raw, r.reason) for r in rows if r.role == DROPPED],
            error=error,
            roles=tuple(row.role or BLANK for row in rows),
        )


def _strip_blank_rows(rows: list[_Row]) -> list[_Row]:
    start, end = 0, len(rows)
    while start < end and rows[start].blank:
        start += 1
    while end > start and rows[end - 1].blank:
        end -= 1
    return rows[start:end]


def _runs(rows: list[_Row]) -> Iterator[list[_Row]]:
    """Group non-blank rows into runs of equal text; blank rows are transparent."""
    run: list[_Row] = []
    for row in rows:
        if row.blank:
            row.role = BLANK
            continue
        if row.error is not None:
            # An unreadable line equals nothing; it is its own group.
            row.role = UNREADABLE
            if run:
                yield run
            run = []
            continue
        if run and row.clean != run[0].clean:
            yield run
            run = []
        run.append(row)
    if run:
        yield run


class _Phase:
    NORMAL = 0
    AFTER_TT = 1  # saw "TT", waiting for the number line
    AFTER_NUMBER = 2  # saw the widget, waiting for the headline repeat


class _Parser:
    """Line-at-a-time state machine behind parse_lines.

    Finished articles are appended to ``done``; the caller drains it.
    """

    def __init__(self) -> None:
        self.done: list[ParsedArticle] = []
        self.current: _Article | None = None
        self.pending: list[_Row] = []  # current body, maybe the next header
        self.held: list[_Row] = []  # a possible widget: TT, blanks, number
        self.phase = _Phase.NORMAL
        self.skipping_captions = False  # right after a header

    def feed(self, row: _Row) -> None:
        if self.phase == _Phase.AFTER_TT:
            if row.blank or row.is_widget_number:
                self.held.append(row)
                if not row.blank:
                    self.phase = _Phase.AFTER_NUMBER
                return
            self._release_held()
        elif self.phase == _Phase.AFTER_NUMBER:
            if row.blank:
                self.held.append(row)
                return
            if row.error is None and not row.is_widget_start:
                self._widget_done(row)
                return
            self._widget_done(None)
        if row.is_widget_start:
            self.held = [row]
            self.phase = _Phase.AFTER_TT
        else:
            self._place(row)

    def finish(self) -> None:
        if self.phase == _Phase.AFTER_TT:
            self._release_held()
        elif self.phase == _Phase.AFTER_NUMBER:
            self._widget_done(None)
        self._close_current(self.pending)
        self.pending = []

    def _release_held(self) -> None:
        """The "TT" was not a widget after all: treat the held lines as text."""
        held, self.held = self.held, []
        self.phase = _Phase.NORMAL
        for row in held:
            self._place(row)

    def _place(self, row: _Row) -> None:
        if self.skipping_captions and not row.blank:
            if self.current is not None and row.error is None and row.clean in self.current.caption_lines:
                row.drop(REPEATED_CAPTION)
            else:
                self.skipping_captions = False
        self.pending.append(row)
        if self.current is None and len(self.pending) > _OUTSIDE_TEXT_FLUSH_ROWS:
            self._flush_outside_text()

    def _flush_outside_text(self) -> None:
        """Emit text outside any article early, so a file without widgets
        is not held in memory whole.  Only the last rows can still become
        the next article's header."""
        keep = len(self.pending) - _HEADER_ROWS_KEPT
        self._close_current(self.pending[:keep])
        self.pending = self.pending[keep:]

    def _widget_done(self, repeat: _Row | None) -> None:
        """A full widget was seen; ``repeat`` is the next non-blank line, if any."""
        widget, self.held = self.held, []
        self.phase = _Phase.NORMAL
        for row in widget:
            if not row.blank:
                row.drop(WIDGET)
        start = _find_headline(self.pending, repeat.clean if repeat else None)
        if start is None:
            self._orphan_widget(widget)
        else:
            header = self.pending[start:]
            self._close_current(self.pending[:start])
            self.current = _Article(header[0])
            self.current.add_captions(header[1:])
            self.current.rows.extend(widget)
            self.pending = []
            self.skipping_captions = True
        if repeat is None:
            return
        if self.current is not None and start is not None and repeat.clean == self.current.title:
            repeat.drop(REPEATED_HEADLINE)
            self.current.rows.append(repeat)
        else:
            self._place(repeat)

    def _orphan_widget(self, widget: list[_Row]) -> None:
        if self.current is None:
            # Nothing to attach it to: start an error record that collects
            # the following lines until a real article begins.
            self.current = _Article(None, error=ERROR_NO_HEADLINE)
        self.pending.extend(widget)

    def _close_current(self, body: list[_Row]) -> None:
        if self.current is not None:
            self.done.append(self.current.build(body))
        elif _strip_blank_rows(body):
            self.done.append(_Article(None, error=ERROR_OUTSIDE_ARTICLE).build(body))
        self.current = None


def _find_headline(rows: list[_Row], repeat: str | None) -> int | None:
    """Index in ``rows`` of the headline just before a widget, or None."""
    runs = _runs_backwards(rows)
    if repeat is not None:
        for first, length, text in runs:
            if text == repeat and length % 2:
                return first
    # The repeat is missing or matched nothing: take the nearest line that
    # is not part of a caption pair.
    for first, length, _ in runs:
        if length % 2:
            return first
    return None


def _runs_backwards(rows: list[_Row]) -> list[tuple[int, int, str | None]]:
    """Runs of equal adjacent rows before a widget, nearest first.

    Each run is (index of its first row, length, text; None if unreadable).
    A blank row ends a run: the two copies of a caption are adjacent, while
    a headline is normally followed by a blank line, so a previous
    paragraph equal to the headline does not pair up with it.  Stops at a
    dropped row (an earlier widget or repeated caption: the header cannot
    reach past them) and after MAX_HEADER_CAPTION_LINES rows.
    """
    runs: list[tuple[int, int, str | None]] = []
    seen = 0
    previous_blank = False
    for index in range(len(rows) - 1, -1, -1):
        row = rows[index]
        if row.role == DROPPED or seen > MAX_HEADER_CAPTION_LINES:
            break
        if row.blank:
            previous_blank = True
            continue
        seen += 1
        text = row.clean if row.error is None else None
        if runs and not previous_blank and text is not None and runs[-1][2] == text:
            runs[-1] = (index, runs[-1][1] + 1, text)
        else:
            runs.append((index, 1, text))
        previous_blank = False
    return runs


def _to_rows(lines: Iterable[Line | tuple[int, str] | str]) -> Iterator[_Row]:
    number = 0
    for item in lines:
        if isinstance(item, Line):
            number = item.number
            yield _Row(item.number, item.text, item.error)
        elif isinstance(item, str):
            number += 1
            yield _Row(number, item.removesuffix("\n").removesuffix("\r"), None)
        else:
            number, text = item
            yield _Row(number, text, None)


def parse_lines(lines: Iterable[Line | tuple[int, str] | str]) -> Iterator[ParsedArticle]:
    """Yield articles from lines, each as soon as it is complete.

    Items may be ``Line`` objects (from ``read_lines``), ``(number, text)``
    pairs, or plain strings numbered from 1 (a trailing newline is removed;
    each string must be exactly one line).
    """
    parser = _Parser()
    done = parser.done
    for row in _to_rows(lines):
        parser.feed(row)
        if done:
            yield from done
            done.clear()
    parser.finish()
    yield from done


def parse_text(text: str) -> list[ParsedArticle]:
    """Parse a whole dump held in a string."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")  # not splitlines(): U+2028 etc. are not line breaks here
    if lines and lines[-1] == "":
        lines.pop()
    return list(parse_lines(lines))


__all__ = [
    "BLANK", "BODY", "CAPTION", "DROPPED", "ERROR_NO_BODY", "ERROR_NO_HEADLINE", "ERROR_OUTSIDE_ARTICLE",
    "REPEATED_CAPTION", "REPEATED_HEADLINE", "TITLE", "UNREADABLE", "WIDGET", "DroppedLine", "ExplainedLine",
    "ParsedArticle", "ParsedImage", "explain", "parse_lines", "parse_text",
]
