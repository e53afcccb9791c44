"""Finding and opening dump files: directories, .gz files, standard input.

Which files of a directory are dumps, how a stream is opened, counted and
hashed as it is read, and whether a file is a scraped text dump or JSON
Lines.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import sys
from collections.abc import Iterable

TEXT_SUFFIXES = (".txt", ".text", ".dump")
JSONL_SUFFIXES = (".jsonl", ".ndjson")


def expand_paths(paths: Iterable[str]) -> list[str]:
    """Files named directly, plus dump files found under directories."""
    result = []
    for path in paths:
        if path != "-" and os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    base = name[:-3] if name.endswith(".gz") else name
                    if base.endswith(TEXT_SUFFIXES + JSONL_SUFFIXES):
                        result.append(os.path.join(root, name))
        else:
            result.append(path)
    return result


class HashingReader(io.RawIOBase):
    """Passes bytes through while counting and hashing them."""

    def __init__(self, raw):
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.raw.read(len(buffer))
        self.sha256.update(data)
        self.size += len(data)
        buffer[: len(data)] = data
        return len(data)


def open_input(path: str):
    """A binary stream for a path, `-` (stdin) or a .gz file."""
    if path == "-":
        if sys.stdin is None:  # started with standard input closed
            raise OSError("standard input is closed")
        return sys.stdin.buffer
    stream = open(path, "rb")
    if path.endswith(".gz"):
        return gzip.GzipFile(fileobj=stream, mode="rb")
    return stream


def detect_format(name: str, head: bytes, requested: str) -> str:
    if requested != "auto":
        return requested
    base = name[:-3] if name.endswith(".gz") else name
    if base.endswith(JSONL_SUFFIXES):
        return "jsonl"
    return "jsonl" if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") else "text"


# A dump starting with more blank space than this is not a dump: it is not
# read on (a gzip bomb of blank lines would otherwise be read to its end).
BLANK_LIMIT = 16 * 1024 * 1024
EMPTY, BLANK, TEXT = "empty", "blank", "text"


def skip_blank_start(stream, *, limit=BLANK_LIMIT):
    """Read past blank space at the start: (bytes read, EMPTY | BLANK | TEXT).

    EMPTY: nothing but blank space to the end. BLANK: still only blank
    space after `limit` bytes. TEXT: something else came; replay the bytes
    read (Replay) so that line numbers stay right.
    """
    read = bytearray()
    while len(read) < limit:
        chunk = stream.read1(64 * 1024)
        if not chunk:
            return bytes(read), EMPTY
        read += chunk
        if chunk.strip():
            return bytes(read), TEXT
    return bytes(read), BLANK


class Replay(io.RawIOBase):
    """`prefix`, then the rest of `stream`."""

    def __init__(self, prefix, stream):
        self.prefix = memoryview(prefix)
        self.stream = stream

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.prefix:
            n = min(len(buffer), len(self.prefix))
            buffer[:n] = self.prefix[:n]
            self.prefix = self.prefix[n:]
            return n
        data = self.stream.read1(len(buffer))
        buffer[: len(data)] = data
        return len(data)
