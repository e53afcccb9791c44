"""sweep_originals: originals no image names are removed once they are old enough; the others stay."""

import os
import time
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from media.models import Image
from media.tests.pictures import encode, scene

pytestmark = pytest.mark.django_db

DAY = 24 * 3600


@pytest.fixture
def originals(settings, tmp_path):
    folder = tmp_path / "originals"
    settings.STORAGES = {**settings.STORAGES, "originals": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": folder}}}
    return folder


def aged(path, seconds):
    then = time.time() - seconds
    os.utime(path, (then, then))
    return path


def sweep(*options):
    out = StringIO()
    call_command("sweep_originals", *options, stdout=out)
    return out.getvalue()


def test_an_old_unreferenced_original_is_removed_and_referenced_or_recent_ones_are_kept(originals):
    photo = Image(file=SimpleUploadedFile("p.png", encode(scene(1))), caption="Kept")
    photo.save(renditions=False)
    referenced = aged(originals / photo.file.name, 2 * DAY)
    (originals / "images/2026/01").mkdir(parents=True)
    orphan = originals / "images/2026/01/orphan.png"
    orphan.write_bytes(b"left by a killed import")
    aged(orphan, 2 * DAY)
    recent = originals / "images/2026/01/importing.png"
    recent.write_bytes(b"an import still in its transaction")

    listed = sweep("--dry-run")
    assert "images/2026/01/orphan.png" in listed and "Would remove 1 original(s)" in listed
    assert orphan.exists()

    done = sweep()
    assert "Removed 1 original(s)" in done
    assert not orphan.exists() and referenced.exists() and recent.exists()


def test_the_grace_period_is_an_option(originals):
    originals.mkdir()
    orphan = originals / "orphan.png"
    orphan.write_bytes(b"x")
    aged(orphan, 2 * 3600)
    assert "Removed 0" in sweep("--older-than", "3")
    assert "Removed 1" in sweep("--older-than", "1") and not orphan.exists()
