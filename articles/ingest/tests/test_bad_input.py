"""Bad dumps: every problem one line, every good article in, nothing partial, nothing read forever."""

import gzip
import json
import sys
from pathlib import Path

import pytest

from articles.ingest.pipeline import ImportOptions, import_paths
from articles.ingest.sources import BLANK_LIMIT
from articles.ingest import records
from articles.models import Article, ImportRun
from devtools.dumps import article_text, dump, run_import
from media.models import Image

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
GOOD = article_text("A good article", ["Its body."], captions=["A photo. (AFP)"])


def jsonl(*records):
    return "\n".join(json.dumps(record, ensure_ascii=False) for record in records) + "\n"


def export_record(title="An exported article", **fields):
    return {"title": title, "body": ["Paragraph one.", "Paragraph two."], **fields}


# --- over-long fields ---------------------------------------------------------------------


def test_an_over_long_headline_fails_alone_with_its_length_and_limit(tmp_path):
    text = article_text("x" * 612, ["Body."]) + GOOD
    out, err, failed = run_import(dump(text, tmp_path))
    assert failed
    assert 'field "title" is 612 characters long, over the limit of 500' in err
    assert list(Article.objects.values_list("title", flat=True)) == ["A good article"]


def test_an_over_long_credit_fails_alone(tmp_path):
    text = article_text("Credit too long", ["Body."], captions=[f"A photo. ({'C' * 300})"]) + GOOD
    _, err, _ = run_import(dump(text, tmp_path))
    assert 'photo 1: field "credit" is 300 characters long, over the limit of 255' in err
    assert Article.objects.get().title == "A good article"
    assert not Image.objects.filter(credit__startswith="CCC").exists()


@pytest.mark.parametrize("field, value, limit", [
    ("slug", "s" * 300, 255), ("byline", "b" * 256, 255), ("source", "s" * 256, 255),
])
def test_over_long_export_fields_fail_alone(tmp_path, field, value, limit):
    path = dump(jsonl(export_record("Bad one", **{field: value}), export_record("Good one")), tmp_path, "a.jsonl")
    _, err, _ = run_import(path)
    assert f'field "{field}" is {len(value)} characters long, over the limit of {limit}' in err
    assert list(Article.objects.values_list("title", flat=True)) == ["Good one"]


def test_an_over_long_tag_fails_its_article_alone(tmp_path):
    path = dump(jsonl(export_record("Bad tags", tags=["t" * 101]), export_record("Good one", tags=["Iraq"])),
                tmp_path, "a.jsonl")
    _, err, _ = run_import(path)
    assert "over the limit of 100" in err
    assert list(Article.objects.values_list("title", flat=True)) == ["Good one"]


# --- slugs that are not addresses ------------------------------------------------------------


@pytest.mark.parametrize("slug", ["a/b", "with space", "what?", "hash#tag", "dot.dot"])
def test_an_invalid_export_slug_is_made_from_the_headline_with_a_warning(client, tmp_path, slug):
    path = dump(jsonl(export_record("Slug from headline", slug=slug, status="published",
                                    published_at="2024-01-01T00:00:00+00:00")), tmp_path, "a.jsonl")
    out, err, failed = run_import(path)
    assert not failed
    assert "is not a valid address" in err and '"slug-from-headline"' in err
    article = Article.objects.get()
    assert article.slug == "slug-from-headline"
    for url in ("/", "/sitemap-articles.xml", "/api/articles/", article.get_absolute_url(),
                "/search/?q=headline"):
        assert client.get(url).status_code == 200, url


def test_a_stored_slug_that_is_not_an_address_does_not_take_pages_down(client, admin_client):
    from devtools.factories import make_article

    article = make_article(title="Old bad slug", slug="ok")
    Article.objects.filter(pk=article.pk).update(slug="a/b")  # as an earlier import stored it
    for url in ("/", "/sitemap-articles.xml", "/api/articles/", "/search/?q=slug",
                f"/admin/articles/article/{article.pk}/change/", "/admin/articles/article/"):
        assert client.get(url).status_code in (200, 302) and admin_client.get(url).status_code == 200, url


# --- junk that is not a dump ----------------------------------------------------------------


def test_a_gzip_of_blank_lines_is_not_read_to_the_end(tmp_path):
    path = tmp_path / "blank.txt.gz"
    with gzip.open(path, "wb", compresslevel=1) as out:
        for _ in range(BLANK_LIMIT // (1 << 20) * 4):
            out.write(b"\n" * (1 << 20))
    report = import_paths([str(path)], options=ImportOptions())
    assert report.errors == [f"{path}: only blank space in the first {BLANK_LIMIT // 2**20} MiB; not a dump, and "
                             "the rest was not read; nothing imported"]
    assert ImportRun.objects.get().file_size is None


def test_blank_space_before_a_dump_keeps_the_line_numbers(tmp_path):
    path = dump("\n" * 20_000 + article_text("Late start", ["Body."]), tmp_path)
    report = import_paths([str(path)], options=ImportOptions())
    assert report.ok
    assert Article.objects.get().source_first_line == 20_001


def test_text_that_is_not_a_dump_stops_after_a_bounded_amount(tmp_path, monkeypatch):
    monkeypatch.setattr(records, "JUNK_LIMIT", 1 << 20)
    path = dump("Not a dump, just a line of text.\n" * 200_000, tmp_path)  # 6.6 MB
    report = import_paths([str(path)], options=ImportOptions())
    assert report.errors[-1] == f"{path}: no article found in the first 1 MiB; not a dump, and the rest was not read"
    assert len(report.errors) < 20


def test_standard_input_closed_is_one_line_and_a_failure(monkeypatch):
    monkeypatch.setattr(sys, "stdin", None)  # what Python gives a process started with `<&-`
    out, err, failed = run_import("-")
    assert failed
    assert err.strip() == "<stdin>: cannot open: standard input is closed"


# --- run records ----------------------------------------------------------------------------


def test_a_batch_of_articles_already_present_saves_the_runs_counters_with_the_batch(tmp_path):
    from articles.ingest.records import prepare_record, text_records
    from articles.ingest.runs import import_run_start
    from articles.ingest.writer import Importer

    path = dump(GOOD, tmp_path)
    run_import(path)
    # A second run, killed after its first batch: what did its record say?
    importer = Importer(ImportOptions(), name=str(path))
    importer.run = import_run_start(name=str(path), options=ImportOptions())
    importer.load_tags()
    with open(path, "rb") as stream:
        records = [prepare_record(record) for record in text_records(stream, encoding="utf-8")]
    importer.write([(records, 0)])
    assert ImportRun.objects.get(pk=importer.run.pk).articles_skipped == 1
