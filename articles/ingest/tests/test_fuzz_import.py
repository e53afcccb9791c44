"""Fuzzing the importer: random and mutated dumps and JSON Lines, and hostile photo archives.

Whatever the input: no traceback, every problem one line, no partial
article, and the articles the damage did not reach are all imported.
Bounded (max_examples) so CI spends about a minute here on each database.
"""

import io
import itertools
import json
import tempfile
from pathlib import Path

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings, strategies as st

from articles.ingest.pipeline import ImportOptions, import_stream
from articles.ingest.tests.archives import archive, export_lines, member, photo_bytes, photo_name
from articles.models import Article, ArticleVersion
from devtools.dumps import article_text

pytestmark = pytest.mark.django_db

_run = itertools.count()
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])


def articles(prefix, count=6):
    return [(f"{prefix} headline {i}", [f"{prefix} paragraph {i}.{j} of the story." for j in range(2)],
             [f"{prefix} photo {i}. (AFP)"]) for i in range(count)]


def import_bytes(data, name):
    return import_stream(io.BytesIO(data), name=name, options=ImportOptions())


def assert_whole(report):
    for line in report.errors + report.warnings:
        assert "\n" not in line and "Traceback" not in line, line
    for article in Article.objects.all():
        assert article.title and article.paragraphs, f"partial article {article.pk}"
        assert ArticleVersion.objects.filter(article_id=article.pk).exists()


MUTATIONS = st.sampled_from(["delete", "duplicate", "insert", "truncate", "replace", "nul", "long"])


@FUZZ
@given(victim=st.integers(0, 5), mutation=MUTATIONS, junk=TEXT, where=st.floats(0, 1))
def test_a_damaged_article_never_takes_the_others_with_it(victim, mutation, junk, where):
    prefix = f"r{next(_run)}"
    stories = articles(prefix)
    blocks = [article_text(title, paragraphs, captions) for title, paragraphs, captions in stories]
    lines = blocks[victim].split("\n")
    at = int(where * (len(lines) - 1))
    if mutation == "delete":
        del lines[at]
    elif mutation == "duplicate":
        lines.insert(at, lines[at])
    elif mutation == "insert":
        lines.insert(at, junk)
    elif mutation == "truncate":
        lines = lines[:at]
    elif mutation == "replace":
        lines[at] = junk
    elif mutation == "nul":
        lines[at] = lines[at][: len(lines[at]) // 2] + "\x00" + junk
    else:
        lines[at] = junk * 20 + "x" * 600
    blocks[victim] = "\n".join(lines) + "\n\n"
    report = import_bytes("".join(blocks).encode(), f"{prefix}.txt")
    assert_whole(report)
    titles = set(Article.objects.filter(title__startswith=prefix).values_list("title", flat=True))
    # Damage can reach the neighbours (a lost widget joins two articles), never further.
    for index, (title, _, _) in enumerate(stories):
        if abs(index - victim) > 1:
            assert title in titles, (mutation, title)


@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes_are_refused_in_one_line_each(data):
    report = import_bytes(data, f"r{next(_run)}.txt")
    assert_whole(report)


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
                           lambda children: st.lists(children, max_size=3)
                           | st.dictionaries(TEXT, children, max_size=3), max_leaves=8)
FIELDS = st.sampled_from(["title", "body", "images", "tags", "status", "published_at", "slug", "standfirst",
                          "byline", "source"])


@FUZZ
@given(victim=st.integers(0, 4), field=FIELDS, value=JSON_VALUES, raw=st.none() | TEXT)
def test_a_bad_json_lines_record_fails_alone(victim, field, value, raw):
    prefix = f"r{next(_run)}"
    records = [{"title": f"{prefix} export {i}", "body": [f"{prefix} body {i}."], "tags": ["Iraq"],
                "images": [{"caption": f"{prefix} photo {i}", "credit": "AFP"}]} for i in range(5)]
    lines = [json.dumps(record, ensure_ascii=False) for record in records]
    if raw is not None:
        lines[victim] = raw.replace("\n", " ")
    else:
        lines[victim] = json.dumps({**records[victim], field: value}, ensure_ascii=False)
    report = import_bytes(("\n".join(lines) + "\n").encode(), f"{prefix}.jsonl")
    assert_whole(report)
    titles = set(Article.objects.filter(title__startswith=prefix).values_list("title", flat=True))
    for index, record in enumerate(records):
        if index != victim:
            assert record["title"] in titles


# --- hostile photo archives (import_dump --media) ---------------------------------------------------

MEMBER_KINDS = st.sampled_from(["photo", "bytes", "huge", "symlink", "hardlink", "fifo", "device", "folder",
                                "long header", "absent"])


def hostile_member(kind, index, junk):
    """(name the JSON line gives, raw member or b"" when the archive lacks it)."""
    name = f"{index:064x}.png"
    if kind == "photo":
        picture = photo_bytes((index * 30 % 256, 80, 160))
        return photo_name(picture), member(photo_name(picture), picture)
    if kind == "bytes":
        return name, member(name, junk)
    if kind == "huge":
        return name, member(name, junk, size=2**31)
    if kind in ("symlink", "hardlink"):
        return name, member(name, kind=b"2" if kind == "symlink" else b"1", link=junk.hex()[:50] or "/dev/zero")
    if kind == "long header":
        return name, member("././@LongLink", junk, size=2**31, kind=b"L")
    if kind == "absent":
        return name, b""
    return name, member(name, kind={"fifo": b"6", "device": b"3", "folder": b"5"}[kind])


@settings(FUZZ, max_examples=40)
@given(kinds=st.lists(MEMBER_KINDS, min_size=1, max_size=5), junk=st.binary(max_size=600),
       cut=st.none() | st.floats(0, 1), gz=st.booleans(), end=st.booleans())
def test_a_hostile_photo_archive_costs_its_photos_never_the_articles(kinds, junk, cut, gz, end):
    prefix = f"r{next(_run)}"
    named = [hostile_member(kind, index, junk) for index, kind in enumerate(kinds)]
    names = [name for name, _ in named]
    data = archive(*(raw for _, raw in named), gz=gz, end=end)
    if cut is not None:
        data = data[: int(cut * len(data))]
    with tempfile.TemporaryDirectory() as folder, override_settings(STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                        "OPTIONS": {"location": f"{folder}/uploads"}},
            "originals": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                          "OPTIONS": {"location": f"{folder}/originals"}}}):
        media = Path(folder) / ("photos.tar.gz" if gz else "photos.tar")
        media.write_bytes(data)
        report = import_stream(io.BytesIO(export_lines(names, prefix).encode()), name=f"{prefix}.jsonl",
                               options=ImportOptions(photo_files=str(media)))
        assert_whole(report)
        assert not report.errors
        stored = Article.objects.filter(title__startswith=prefix)
        assert stored.count() == len(kinds)
        photos = {name[:64] for (name, _), kind in zip(named, kinds) if kind == "photo"}
        for article in stored:
            image = article.article_images.get().image
            name = names[int(article.title.rsplit(" ", 1)[1])]
            # Every photo is either stored or said to be missing in one line, never both.
            said = [line for line in report.warnings if name in line]
            assert len(said) == (0 if image.file else 1), (name, said)
            assert not image.file or image.file_hash in photos
