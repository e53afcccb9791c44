"""Reading a dump's bytes as numbered lines, in any encoding, without surprises.

Pure Python, no Django. Streams in chunks: a line is never held whole when
it is over the limit, undecodable bytes fail only their line (naming the
byte offset), and a binary file is recognised from its first bytes before
anything is parsed.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import BinaryIO, NamedTuple

CHUNK_SIZE = 64 * 1024
BINARY_SNIFF_BYTES = 8 * 1024


class Line(NamedTuple):
    """One input line.  When ``error`` is set, ``text`` is best effort or empty."""

    number: int
    text: str
    error: str | None = None


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
_MARK_ERRORS = "articles.ingest.lines.mark"
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


__all__ = ["BINARY_SNIFF_BYTES", "CHUNK_SIZE", "Line", "looks_binary", "read_lines"]
