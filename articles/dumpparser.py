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
* ``read_lines`` reports undecodable and over-long lines as ``Line`` errors;
  the article containing such a line gets that error and is not importable.
  Over-long lines are discarded while reading, never held whole.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, NamedTuple

from articles.text import clean_text, split_credit

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

CHUNK_SIZE = 64 * 1024
BINARY_SNIFF_BYTES = 8 * 1024

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


class Line(NamedTuple):
    """One input line.  When ``error`` is set, ``text`` is best effort or empty."""

    number: int
    text: str
    error: str | None = None


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


# --------------------------------------------------------------------------
# Reading bytes


def read_lines(
    stream: BinaryIO,
    *,
    encoding: str = "utf-8",
    max_line_bytes: int = 1 << 20,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[Line]:
    """Split a binary stream into decoded lines, reporting bad lines as errors.

    Lines end at b"\\n"; a trailing b"\\r" is removed; a leading UTF-8 BOM is
    skipped.  A line that does not decode yields ``Line(error=...)`` naming
    its byte offset.  A line longer than ``max_line_bytes`` is discarded as
    it is read and yields an error.  Raises LookupError for an unknown
    encoding.
    """
    codec = codecs.lookup(encoding)
    if codec.name in ("utf-8", "utf-8-sig"):
        yield from _read_byte_lines(stream, "utf-8", True, max_line_bytes, chunk_size)
    elif _is_ascii_compatible(codec.name):
        yield from _read_byte_lines(stream, codec.name, False, max_line_bytes, chunk_size)
    else:
        yield from _read_decoded_lines(stream, codec.name, max_line_bytes, chunk_size)


def _is_ascii_compatible(encoding: str) -> bool:
    """Whether b"\\n" in the encoded stream always means a line break."""
    try:
        return "\r\nTT 20".encode(encoding) == b"\r\nTT 20"
    except UnicodeError:
        return False


def _size_text(size: int) -> str:
    if size >= 1 << 20 and size % (1 << 20) == 0:
        return f"{size >> 20} MiB"
    return f"{size} bytes"


def _too_long(number: int, max_line_bytes: int) -> Line:
    return Line(number, "", f"line {number} is longer than {_size_text(max_line_bytes)}; skipped")


class _LineAssembler:
    """The line that spans chunks; its bytes are dropped once it is too long."""

    def __init__(self, limit: int) -> None:
        # +1: the line may still end in b"\r", which is not counted.
        self.limit = limit + 1
        self.parts: list[bytes] = []
        self.size = 0
        self.too_long = False

    def add(self, data: bytes) -> None:
        if self.too_long or not data:
            return
        self.size += len(data)
        if self.size > self.limit:
            self.too_long = True
            self.parts = []
        else:
            self.parts.append(data)

    def take(self) -> bytes | None:
        """The finished line's bytes, or None if it was too long."""
        data = None if self.too_long else b"".join(self.parts)
        self.parts, self.size, self.too_long = [], 0, False
        return data


def _read_byte_lines(
    stream: BinaryIO, encoding: str, strip_bom: bool, max_line_bytes: int, chunk_size: int
) -> Iterator[Line]:
    spanning = _LineAssembler(max_line_bytes)
    number = 0
    offset = 0  # file offset of the start of `chunk`
    line_start = 0  # file offset of the current line
    while chunk := stream.read(chunk_size):
        pieces = chunk.split(b"\n")
        spanning.add(pieces[0])
        if len(pieces) > 1:
            # The spanning line ends in this chunk; the middle pieces are whole lines.
            number += 1
            yield _decode_line(spanning.take(), number, line_start, encoding, strip_bom, max_line_bytes)
            line_start = offset + len(pieces[0]) + 1
            middle = pieces[1:-1]
            texts = _decode_together(chunk, line_start - offset, len(chunk) - len(pieces[-1]) - 1, encoding,
                                     max_line_bytes) if middle else None
            if texts is not None:
                for text in texts:
                    number += 1
                    yield Line(number, text)
                line_start = offset + len(chunk) - len(pieces[-1])
            else:
                for piece in middle:
                    number += 1
                    yield _decode_line(piece, number, line_start, encoding, strip_bom, max_line_bytes)
                    line_start += len(piece) + 1
            spanning.add(pieces[-1])
        offset += len(chunk)
    if spanning.size or spanning.too_long:
        number += 1
        yield _decode_line(spanning.take(), number, line_start, encoding, strip_bom, max_line_bytes)


def _decode_together(chunk: bytes, start: int, end: int, encoding: str, max_line_bytes: int) -> list[str] | None:
    """The texts of the whole lines in chunk[start:end], decoded in one go, or
    None if any of them needs the line-by-line path (an error to report).

    One decode and one split instead of a call per line. UTF-8 only: each
    line decodes on its own, so decoding them together gives the same
    texts (a stateful encoding such as ISO-2022-JP would not).
    """
    if encoding != "utf-8" or end - start > max_line_bytes:
        return None
    try:
        text = chunk[start:end].decode("utf-8")
    except UnicodeDecodeError:
        return None
    texts = text.split("\n")
    if "\r" in text:
        texts = [line.removesuffix("\r") for line in texts]
    return texts


def _decode_line(
    data: bytes | None,
    number: int,
    line_start: int,
    encoding: str,
    strip_bom: bool,
    max_line_bytes: int,
) -> Line:
    if data is not None and data.endswith(b"\r"):
        data = data[:-1]
    if data is None or len(data) > max_line_bytes:
        return _too_long(number, max_line_bytes)
    if number == 1 and strip_bom and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        line_start += len(codecs.BOM_UTF8)
    try:
        return Line(number, data.decode(encoding))
    except UnicodeDecodeError as error:
        message = (
            f"undecodable bytes at byte offset {line_start + error.start} (line {number}, "
            f"not valid {encoding}); try --encoding"
        )
        return Line(number, data.decode(encoding, "replace"), message)


# Replacement for undecodable bytes in the incremental path: a lone
# surrogate, which strict UTF-16/32 decoding can never produce, so finding
# one in a line proves the line had bad bytes.
_UNDECODABLE_MARK = "\udcff"
_MARK_ERRORS = "articles.dumpparser.mark"
codecs.register_error(_MARK_ERRORS, lambda error: (_UNDECODABLE_MARK, error.end))


def _read_decoded_lines(
    stream: BinaryIO, encoding: str, max_line_bytes: int, chunk_size: int
) -> Iterator[Line]:
    """Line splitting for encodings where b"\\n" may be part of a character.

    Decodes incrementally and splits the text.  Byte sizes and offsets are
    computed by re-encoding, so they are exact for valid text and close
    ("near") around undecodable bytes.
    """
    decoder = codecs.getincrementaldecoder(encoding)(_MARK_ERRORS)
    line = _TextLine(encoding, max_line_bytes)
    number = 0
    first = True
    while True:
        data = stream.read(chunk_size)
        if first:
            line.start = _swallowed_bom_size(encoding, data)
            first = False
        pieces = decoder.decode(data, not data).split("\n")
        line.add(pieces[0])
        for piece in pieces[1:]:
            number += 1
            yield line.take(number)
            line.add(piece)
        if not data:
            break
    if line.size or line.too_long:
        yield line.take(number + 1)


def _swallowed_bom_size(encoding: str, data: bytes) -> int:
    """Bytes of a BOM that the generic utf-16/utf-32 decoders drop silently."""
    boms = {
        "utf-16": (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE),
        "utf-32": (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE),
    }.get(encoding, ())
    return next((len(bom) for bom in boms if data.startswith(bom)), 0)


class _TextLine:
    """A decoded line being assembled, with its size and offset in bytes."""

    def __init__(self, encoding: str, max_line_bytes: int) -> None:
        self.encoding = encoding
        # Encoding the generic names would add a BOM to every piece.
        self.size_codec = {"utf-16": "utf-16-le", "utf-32": "utf-32-le"}.get(encoding, encoding)
        self.newline_size = len("\n".encode(self.size_codec))
        self.limit = max_line_bytes
        self.start = 0  # byte offset of this line in the file
        self.parts: list[str] = []
        self.size = 0
        self.too_long = False

    def _bytes(self, text: str) -> int:
        return len(text.encode(self.size_codec, "surrogatepass"))

    def add(self, piece: str) -> None:
        self.size += self._bytes(piece)
        # +cr: the line may still end in "\r", which is not counted.
        if self.too_long or self.size > self.limit + self.newline_size:
            self.too_long, self.parts = True, []
        else:
            self.parts.append(piece)

    def take(self, number: int) -> Line:
        text = "".join(self.parts).removesuffix("\r")
        too_long = self.too_long or self._bytes(text) > self.limit
        start = self.start
        self.start += self.size + self.newline_size
        self.parts, self.size, self.too_long = [], 0, False
        if too_long:
            return _too_long(number, self.limit)
        if number == 1:
            text = text.removeprefix("\ufeff")
        if _UNDECODABLE_MARK not in text:
            return Line(number, text)
        offset = start + self._bytes(text[: text.index(_UNDECODABLE_MARK)])
        message = (
            f"undecodable bytes near byte offset {offset} (line {number}, "
            f"not valid {self.encoding}); try --encoding"
        )
        return Line(number, text.replace(_UNDECODABLE_MARK, "\ufffd"), message)


# Bytes that almost never occur in text files: C0 controls except tab, line
# feed, form feed, carriage return and escape; and DEL.
_CONTROL_BYTES = bytes([*range(0, 9), 11, *range(14, 27), *range(28, 32), 127])
_NOT_CONTROL_BYTES = bytes(b for b in range(256) if b not in _CONTROL_BYTES)
_TEXT_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)  # UTF-32 BOMs start alike
_BINARY_SIGNATURES = (
    b"%PDF-",
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF87a",
    b"GIF89a",
    b"PK\x03\x04",  # zip, docx, xlsx
    b"\x1f\x8b",  # gzip
    b"\xfd7zXZ\x00",
    b"7z\xbc\xaf",
    b"Rar!\x1a\x07",
    b"\x7fELF",
    b"SQLite format 3\x00",
    b"\xd0\xcf\x11\xe0",  # old MS Office
)
# Random (compressed, encrypted) data has about 10% such bytes.
_MAX_CONTROL_FRACTION = 0.05


def looks_binary(first_chunk: bytes) -> bool:
    """Whether a file starting with ``first_chunk`` is clearly not a text dump.

    Looks at the first 8 KiB: known binary signatures, or more than 5% control
    bytes.  A few stray NULs (which real dumps have) do not count as binary.
    Text with a UTF-8/16/32 BOM is never binary; UTF-16/32 without a BOM is
    (it is full of NULs), so pass an explicit encoding and skip this check.
    """
    head = first_chunk[:BINARY_SNIFF_BYTES]
    if not head or head.startswith(_TEXT_BOMS):
        return False
    if head.startswith(_BINARY_SIGNATURES):
        return True
    controls = len(head.translate(None, _NOT_CONTROL_BYTES))
    return controls > len(head) * _MAX_CONTROL_FRACTION


__all__ = [
    "BLANK",
    "BODY",
    "CAPTION",
    "DROPPED",
    "ERROR_NO_BODY",
    "ERROR_NO_HEADLINE",
    "ERROR_OUTSIDE_ARTICLE",
    "REPEATED_CAPTION",
    "REPEATED_HEADLINE",
    "TITLE",
    "UNREADABLE",
    "WIDGET",
    "DroppedLine",
    "ExplainedLine",
    "Line",
    "ParsedArticle",
    "ParsedImage",
    "explain",
    "looks_binary",
    "parse_lines",
    "parse_text",
    "read_lines",
]
