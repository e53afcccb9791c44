"""import_dump --media with strangers' files: nothing is read before its size is checked, nothing outside
the folder is read, a damaged archive costs its photos and never the articles, and each problem is one line."""

import os
import signal
from contextlib import contextmanager

import pytest

from articles.ingest.photo_files import MAX_MEMBERS, PhotoFileError, PhotoFilesReader
from articles.ingest.pipeline import ImportOptions, import_paths
from articles.ingest.tests.archives import archive, export_lines, member, photo_bytes, photo_name
from articles.ingest.writer import Importer
from articles.models import Article
from media.models import Image

pytestmark = pytest.mark.django_db

GIB = 2**30


@pytest.fixture(autouse=True)
def originals(settings, tmp_path):
    """The photo files an import stores go to a folder of the test's own, to be looked at."""
    folder = tmp_path / "originals"
    settings.STORAGES = {**settings.STORAGES, "originals": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": folder}}}
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return folder


@contextmanager
def deadline(seconds):
    """Fail instead of hanging, for reads that could wait forever (a FIFO)."""
    def expired(*_):
        raise AssertionError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def import_with(tmp_path, names, media):
    (tmp_path / "a.jsonl").write_text(export_lines(names), encoding="utf-8")
    with deadline(60):
        return import_paths([str(tmp_path / "a.jsonl")], options=ImportOptions(photo_files=str(media)))


def lines_naming(report, name):
    return [line for line in report.warnings + report.errors if name in line]


def assert_one_line_each(report):
    for line in report.warnings + report.errors:
        assert "\n" not in line and "Traceback" not in line, line


def stored_files():
    return set(Image.objects.exclude(file="").values_list("file_hash", flat=True))


# --- sizes: checked before reading ---------------------------------------------------------------


def test_an_archive_member_whose_header_says_2_gib_is_refused_by_its_size_before_it_is_read(tmp_path):
    name = "a" * 64 + ".jpg"
    media = tmp_path / "photos.tar.gz"
    # The header claims 2 GiB; the archive holds 1 KiB of it, so reading it would fail differently.
    media.write_bytes(archive(member(name, bytes(1024), size=2 * GIB), end=False))
    report = import_with(tmp_path, [name], media)
    assert Article.objects.count() == 1 and not report.errors
    [line] = lines_naming(report, name)
    assert "is 2,147,483,648 bytes, over the limit of 31,457,280; refused without reading it" in line
    assert report.photos_missing == 1
    assert_one_line_each(report)


def test_a_file_over_the_photo_limit_in_the_folder_is_refused_by_its_size_before_it_is_read(tmp_path, settings):
    settings.NEWSROOM_PHOTO_MAX_BYTES = 1000
    photos = tmp_path / "photos"
    photos.mkdir()
    name = "b" * 64 + ".png"
    (photos / name).write_bytes(bytes(5000))
    report = import_with(tmp_path, [name], photos)
    [line] = lines_naming(report, name)
    assert "is 5,000 bytes, over the limit of 1,000; refused without reading it" in line
    assert Article.objects.count() == 1 and report.photos_missing == 1


def test_an_extended_header_of_2_gib_stops_the_listing_without_being_read(tmp_path):
    good = photo_bytes((10, 200, 10))
    media = tmp_path / "photos.tar.gz"
    media.write_bytes(archive(member(photo_name(good), good),
                              member("././@LongLink", bytes(512), size=2 * GIB, kind=b"L")))
    reader = PhotoFilesReader(media)
    assert "an extended header of 2,147,483,648 bytes" in reader.untold_problem()
    assert reader.open(photo_name(good)).read() == good


def test_an_archive_of_too_many_members_is_listed_only_up_to_the_cap(tmp_path, monkeypatch):
    monkeypatch.setattr("articles.ingest.photo_files.MAX_MEMBERS", 3)
    media = tmp_path / "photos.tar"
    media.write_bytes(archive(*(member(f"{i:064x}.png", b"x") for i in range(10)), gz=False))
    reader = PhotoFilesReader(media)
    assert "more than 3 members; the rest were not read" in reader.untold_problem()
    assert len(reader.members) == 3 and MAX_MEMBERS == 100_000


# --- only regular files of the folder ------------------------------------------------------------


def test_a_symlink_to_dev_zero_and_a_fifo_in_the_folder_are_one_line_each_and_the_import_finishes(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    good = photo_bytes((200, 10, 10))
    (photos / photo_name(good)).write_bytes(good)
    zero, fifo = "1" * 64 + ".jpg", "2" * 64 + ".jpg"
    os.symlink("/dev/zero", photos / zero)
    os.mkfifo(photos / fifo)
    report = import_with(tmp_path, [zero, fifo, photo_name(good)], photos)
    assert Article.objects.count() == 3 and not report.errors
    assert "is a symbolic link; refused" in lines_naming(report, zero)[0]
    assert "is not a regular file" in lines_naming(report, fifo)[0]
    assert len(lines_naming(report, zero)) == len(lines_naming(report, fifo)) == 1
    assert stored_files() == {photo_name(good)[:64]} and report.photos_missing == 2


def test_symbolic_and_hard_links_to_a_photo_outside_the_folder_are_refused(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    secret = photo_bytes((1, 2, 3))
    (tmp_path / "secret.png").write_bytes(secret)
    symbolic, hard = photo_name(secret), "3" * 64 + ".png"
    os.symlink(tmp_path / "secret.png", photos / symbolic)
    os.link(tmp_path / "secret.png", photos / hard)
    report = import_with(tmp_path, [symbolic, hard], photos)
    assert "is a symbolic link; refused" in lines_naming(report, symbolic)[0]
    assert "has other hard links; refused" in lines_naming(report, hard)[0]
    assert not stored_files() and Article.objects.count() == 2 and report.photos_missing == 2


def test_links_and_special_members_of_an_archive_are_refused(tmp_path):
    good = photo_bytes((50, 50, 50))
    linked, symbolic, device = "4" * 64 + ".png", "5" * 64 + ".png", "6" * 64 + ".png"
    media = tmp_path / "photos.tar.gz"
    media.write_bytes(archive(member(photo_name(good), good), member(linked, kind=b"1", link=photo_name(good)),
                              member(symbolic, kind=b"2", link="/etc/passwd"), member(device, kind=b"3")))
    reader = PhotoFilesReader(media)
    for name in (linked, symbolic, device):
        with pytest.raises(PhotoFileError, match="is a link or a special file, not a file; refused"):
            reader.open(name)
    assert reader.missing == 3 and reader.untold_problem() is None


# --- damaged archives ------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["photos.tar.gz", "photos.tar"])
def test_a_truncated_archive_imports_every_article_and_reports_each_lost_photo_once(tmp_path, target):
    pictures = [photo_bytes((60 * i, 90, 200 - 40 * i), size=(64, 64)) for i in range(4)]
    names = [photo_name(picture) for picture in pictures]
    whole = archive(*(member(name, picture) for name, picture in zip(names, pictures)), gz=target.endswith("gz"))
    media = tmp_path / target
    media.write_bytes(whole[: len(whole) * 2 // 3])
    report = import_with(tmp_path, names, media)
    assert Article.objects.count() == 4 and not report.errors
    assert len([line for line in report.warnings if "cut short or damaged after" in line]) == 1
    stored = stored_files()
    for name in names:
        assert len(lines_naming(report, name)) == (0 if name[:64] in stored else 1), name
    assert report.photos_missing == 4 - len(stored) >= 1
    assert_one_line_each(report)


def test_an_unreadable_archive_is_said_once_and_each_photo_in_one_line_more(tmp_path):
    media = tmp_path / "photos.tar.gz"
    media.write_bytes(b"not an archive\n" * 100)
    names = ["a" * 64 + ".png", "b" * 64 + ".png"]
    report = import_with(tmp_path, names, media)
    assert Article.objects.count() == 2 and not report.errors
    assert len([line for line in report.warnings if "not a readable tar archive" in line]) == 1
    for name in names:
        [line] = lines_naming(report, name)
        assert "not read" in line
    assert report.photos_missing == 2
    assert_one_line_each(report)


# --- no orphans ------------------------------------------------------------------------------------


def test_a_batch_that_fails_after_storing_its_photo_files_leaves_no_file_behind(tmp_path, originals, monkeypatch):
    photos = tmp_path / "photos"
    photos.mkdir()
    good = photo_bytes((99, 99, 0))
    (photos / photo_name(good)).write_bytes(good)

    def fail(*args):
        raise RuntimeError("the batch fails after its photos were stored")

    with monkeypatch.context() as patched:
        patched.setattr(Importer, "attach_tags", fail)
        with pytest.raises(RuntimeError):
            import_with(tmp_path, [photo_name(good)], photos)
    assert not stored_files()
    assert not [path for path in originals.rglob("*") if path.is_file()]
    # The same import, not failing, keeps its file.
    import_with(tmp_path, [photo_name(good)], photos)
    assert stored_files() == {photo_name(good)[:64]}
    assert len([path for path in originals.rglob("*") if path.is_file()]) == 1
