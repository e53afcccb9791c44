"""Photo files beside an export: written by export_articles --media, read back by import_dump --media.

A directory, or a tar archive (.tar, .tar.gz, .tgz). Each original is
stored once under its SHA-256 and extension; the JSON line names it.
Reading trusts nothing in them: names that could point outside the
directory or archive, links, devices, FIFOs and files over the photo limit
are refused before a byte of them is read, and a damaged archive costs the
photos it lost, not the import.
"""

from __future__ import annotations

import errno
import io
import os
import re
import stat
import tarfile
import zlib
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

_ARCHIVE = re.compile(r"\.(tar|tar\.gz|tgz)$", re.IGNORECASE)
_NAME = re.compile(r"[0-9a-f]{64}(\.[a-z0-9]{1,5})?")


# Listing stops here: a hostile archive of millions of empty members must not fill memory.
MAX_MEMBERS = 100_000
# GNU long names and pax headers are read whole by tarfile; a real one is a few hundred bytes.
_HEADER_LIMIT = 1024 * 1024
_EXTENDED_HEADERS = (tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK, tarfile.XHDTYPE, tarfile.XGLTYPE,
                     tarfile.SOLARIS_XHDTYPE)
# What a cut-short or damaged archive raises while it is listed or read.
_DAMAGE = (tarfile.TarError, EOFError, OSError, zlib.error)


class PhotoFileError(ValueError):
    """A photo file named in an export that cannot be read; the message says which and why."""


def _one_line(error):
    return " ".join(str(error).split()) or type(error).__name__


class _BoundedTarInfo(tarfile.TarInfo):
    """A member header whose extended header (long name, pax) is refused by its size before it is read."""

    def _proc_member(self, tarfile_):
        if self.type in _EXTENDED_HEADERS and self.size > _HEADER_LIMIT:
            raise tarfile.ReadError(f"an extended header of {self.size:,} bytes at byte {self.offset:,}")
        return super()._proc_member(tarfile_)


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
    """The originals beside an export, by the names its JSON lines give.

    A file's size is checked against the photo limit (`max_bytes`, by default
    settings.NEWSROOM_PHOTO_MAX_BYTES) before it is read, and at most one
    byte more than the limit is ever read. In a directory only regular files
    with a single link are opened, never through a symbolic link. A
    directory or archive that cannot be read, or only in part, does not stop
    the import: `untold_problem()` says once what is wrong with it, and each
    photo it cannot give is a PhotoFileError of one line. `missing` counts
    those, and the photos the caller refused after reading them.
    """

    def __init__(self, path, *, max_bytes=None):
        self.path = Path(path)
        self.max_bytes = settings.NEWSROOM_PHOTO_MAX_BYTES if max_bytes is None else max_bytes
        self.archive = None
        self.members = {}
        self.problem = None
        self.problem_told = False
        self.missing = 0
        if is_archive(self.path):
            self._list_archive()
        elif not self.path.is_dir():
            self.problem = f"{self.path}: no such directory or archive; no photo file imported"

    def untold_problem(self):
        """What is wrong with the whole directory or archive, the first time it is asked; else None."""
        if self.problem_told:
            return None
        self.problem_told = True
        return self.problem

    def _list_archive(self):
        try:
            self.archive = tarfile.open(self.path, tarinfo=_BoundedTarInfo)
        except _DAMAGE as error:
            self.problem = f"{self.path}: not a readable tar archive ({_one_line(error)}); no photo file imported"
            return
        count = 0
        try:
            # One member at a time: getmembers() would list a hostile archive to its end.
            while (member := self.archive.next()) is not None:
                count += 1
                if count > MAX_MEMBERS:
                    self.problem = f"{self.path}: more than {MAX_MEMBERS:,} members; the rest were not read"
                    return
                self.members.setdefault(member.name, member)
            self._check_archive_end()
        except _DAMAGE as error:
            self.problem = (f"{self.path}: cut short or damaged after {count:,} member(s) ({_one_line(error)}); "
                            "photo files past that point are missing")

    def _check_archive_end(self):
        # tarfile stops listing quietly where a cut-short archive ends; a whole one ends in a zero block.
        fileobj = self.archive.fileobj
        fileobj.seek(self.archive.offset)
        if fileobj.read(tarfile.BLOCKSIZE) != bytes(tarfile.BLOCKSIZE):
            raise tarfile.ReadError("no end-of-archive marker after the last member")

    def open(self, name):
        """The file's bytes as a file object; PhotoFileError if the name is not a photo file of the export."""
        try:
            return io.BytesIO(self._read(name))
        except PhotoFileError:
            self.missing += 1
            raise

    def _read(self, name):
        if not _NAME.fullmatch(name or ""):
            raise PhotoFileError(f"photo file {name!r} is not a name export_articles writes")
        if self.problem and not self.members and self.archive is None:
            raise PhotoFileError(f"photo file {name} not read: {self.path} cannot be read")
        if self.archive is not None:
            return self._read_member(name)
        return self._read_file(name)

    def _read_member(self, name):
        member = self.members.get(name)
        if member is None:
            damaged = " (as far as it could be read)" if self.problem else ""
            raise PhotoFileError(f"photo file {name} is not in {self.path}{damaged}")
        if not member.isreg():
            raise PhotoFileError(f"photo file {name} in {self.path} is a link or a special file, not a file; "
                                 "refused")
        self._check_size(name, member.size)
        try:
            data = self.archive.extractfile(member).read(self.max_bytes + 1)
        except _DAMAGE as error:
            raise PhotoFileError(f"photo file {name}: {self.path} is cut short or damaged there "
                                 f"({_one_line(error)})") from None
        return self._within_limit(name, data)

    def _read_file(self, name):
        # NOFOLLOW: a symbolic link could lead anywhere; NONBLOCK: opening a FIFO must not wait for a writer.
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(self.path / name, flags)
        except OSError as error:
            if error.errno == errno.ENOENT:
                raise PhotoFileError(f"photo file {name} is not in {self.path}") from None
            if error.errno == errno.ELOOP:
                raise PhotoFileError(f"photo file {name} in {self.path} is a symbolic link; refused") from None
            raise PhotoFileError(f"photo file {name} in {self.path} cannot be opened ({error.strerror})") from None
        try:
            status = os.fstat(fd)
            if not stat.S_ISREG(status.st_mode):
                raise PhotoFileError(f"photo file {name} in {self.path} is not a regular file (a folder, FIFO or "
                                     "device); refused")
            if status.st_nlink > 1:
                # Another name of the same file may be anywhere on the disk.
                raise PhotoFileError(f"photo file {name} in {self.path} has other hard links; refused")
            self._check_size(name, status.st_size)
            with open(fd, "rb", closefd=False) as file:
                data = file.read(self.max_bytes + 1)
        except OSError as error:
            raise PhotoFileError(f"photo file {name} in {self.path} cannot be read ({error.strerror})") from None
        finally:
            os.close(fd)
        return self._within_limit(name, data)

    def _check_size(self, name, size):
        if size > self.max_bytes:
            raise PhotoFileError(f"photo file {name} is {size:,} bytes, over the limit of {self.max_bytes:,}; "
                                 "refused without reading it")

    def _within_limit(self, name, data):
        if len(data) > self.max_bytes:
            raise PhotoFileError(f"photo file {name} grew over the limit of {self.max_bytes:,} bytes while it "
                                 "was read; refused")
        return data

    def close(self):
        if self.archive is not None:
            self.archive.close()


@contextmanager
def originals_removed_on_failure():
    """A list for the stored files (FieldFile) a block writes; if the block fails they are deleted.

    A transaction that rolls back takes the rows naming its files with it;
    Django has no hook for that, so the writer keeps their names. A process
    killed outright leaves them: sweep_originals removes those.
    """
    written = []
    try:
        yield written
    except BaseException:
        for stored in written:
            stored.delete(save=False)
        raise
