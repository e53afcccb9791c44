"""Originals no image names: found and removed.

An import that rolls back a batch deletes the photo files it stored for
it; a process killed outright cannot, and leaves files in the originals
storage that no row will ever name. Only files older than a grace period
are taken, so an import or an upload still in its transaction keeps its
own.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from datetime import timedelta
from itertools import islice

from django.utils import timezone

from media.models import Image, originals_storage

GRACE = timedelta(hours=24)
_CHUNK = 1000


def _stored_names(storage, folder=""):
    folders, files = storage.listdir(folder)
    for name in sorted(files):
        yield posixpath.join(folder, name) if folder else name
    for child in sorted(folders):
        yield from _stored_names(storage, posixpath.join(folder, child) if folder else child)


def originals_unreferenced(*, older_than: timedelta = GRACE) -> Iterator[str]:
    """Names in the originals storage that no image's file is, last written longer ago than `older_than`."""
    cutoff = timezone.now() - older_than
    names = _stored_names(originals_storage)
    while chunk := list(islice(names, _CHUNK)):
        named = set(Image.objects.filter(file__in=chunk).values_list("file", flat=True))
        for name in chunk:
            if name not in named and originals_storage.get_modified_time(name) < cutoff:
                yield name


def originals_sweep(*, older_than: timedelta = GRACE, dry_run: bool = False) -> list[str]:
    """Delete (unless dry_run) the originals no image names; return their names."""
    names = list(originals_unreferenced(older_than=older_than))
    if not dry_run:
        for name in names:
            originals_storage.delete(name)
    return names
