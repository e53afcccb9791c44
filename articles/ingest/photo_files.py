"""Photo files beside an export: written by export_articles --media, read back by import_dump --media.

A directory, or a tar archive (.tar, .tar.gz, .tgz). Each original is
stored once under its SHA-256 and extension; the JSON line names it.
Reading refuses names that could point outside the directory or archive.
"""

from __future__ import annotations

import io
import os
import re
import tarfile
from pathlib import Path

_ARCHIVE = re.compile(r"\.(tar|tar\.gz|tgz)$", re.IGNORECASE)
_NAME = re.compile(r"[0-9a-f]{64}(\.[a-z0-9]{1,5})?")


class PhotoFileError(ValueError):
    """A photo file named in an export that cannot be read; the message says which and why."""


def is_archive(path):
    return bool(_ARCHIVE.search(str(path)))


class PhotoFilesWriter:
    """Where export_articles puts originals: a directory, or a tar archive."""

    def __init__(self, path):
        self.path = Path(path)
        self.written = set()
        if is_archive(self.path):
            mode = "w:gz" if not str(self.path).lower().endswith(".tar") else "w"
            self.archive = tarfile.open(self.path, mode)
        else:
            self.archive = None
            self.path.mkdir(parents=True, exist_ok=True)

    def add(self, image):
        """Store the image's original (once per picture); return the name the JSON line gives."""
        extension = os.path.splitext(image.file.name)[1].lower()
        name = f"{image.file_hash}{extension if re.fullmatch(r'.[a-z0-9]{1,5}', extension) else ''}"
        if name in self.written:
            return name
        with image.file.open("rb") as original:
            data = original.read()
        if self.archive is not None:
            member = tarfile.TarInfo(name)
            member.size = len(data)
            self.archive.addfile(member, io.BytesIO(data))
        else:
            (self.path / name).write_bytes(data)
        self.written.add(name)
        return name

    def close(self):
        if self.archive is not None:
            self.archive.close()


class PhotoFilesReader:
    """The originals beside an export, by the names its JSON lines give."""

    def __init__(self, path):
        self.path = Path(path)
        if is_archive(self.path):
            try:
                self.archive = tarfile.open(self.path)
            except (OSError, tarfile.TarError) as error:
                raise PhotoFileError(f"{self.path}: not a readable tar archive ({error})") from None
            self.members = {member.name: member for member in self.archive.getmembers() if member.isfile()}
        elif self.path.is_dir():
            self.archive = None
        else:
            raise PhotoFileError(f"{self.path}: no such directory or archive")

    def open(self, name):
        """The file's bytes as a file object; PhotoFileError if the name is not a photo file of the export."""
        if not _NAME.fullmatch(name or ""):
            raise PhotoFileError(f"photo file {name!r} is not a name export_articles writes")
        if self.archive is not None:
            member = self.members.get(name)
            if member is None:
                raise PhotoFileError(f"photo file {name} is not in {self.path}")
            return io.BytesIO(self.archive.extractfile(member).read())
        try:
            return io.BytesIO((self.path / name).read_bytes())
        except OSError:
            raise PhotoFileError(f"photo file {name} is not in {self.path}") from None

    def close(self):
        if self.archive is not None:
            self.archive.close()
