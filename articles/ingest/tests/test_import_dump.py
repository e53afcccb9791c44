"""`import_dump`: dumps in, clean articles, images and tags out."""

import gzip
import io
import json
import os
import signal
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from devtools.dumpgen import write_dump
from articles.ingest.dumpparser import parse_text
from articles.ingest.pipeline import ImportOptions, import_stream
from articles.ingest.writer import BATCH_SIZE
from articles.models import Article, ArticleAddress, ImportRun, Tag
from devtools.dumps import article_text, dump, run_import
from devtools.factories import make_article
from media.models import Image

pytestmark = pytest.mark.django_db(transaction=False)

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "samples" / "seed-dump.txt"
FIRST_TITLE = "Report: Iraqi Pro-Iran Factions Establish Operations Room with Hamas"
SECOND_TITLE = "Remains of 30 People Believed Killed by ISIS Found in Syria in a Search by Qatar and FBI"


# --- the sample dump ---------------------------------------------------------


def test_sample_dump_becomes_two_clean_articles_with_one_credited_photo_each():
    out, err, failed = run_import(SAMPLE)

    assert not failed, err
    first, second = Article.objects.order_by("id")
    assert first.title == FIRST_TITLE
    assert second.title == SECOND_TITLE
    assert len(first.paragraphs) == 13
    assert len(second.paragraphs) == 9
    assert first.paragraphs[0].startswith("Iranian proxies have established")
    assert second.paragraphs[-1].startswith("The United Nations in 2021 estimated")
    assert [(i.caption, i.credit) for i in first.images.all()] == [
        ("Members of Iraq's Shiite al-Nujaba movement are seen at a rally in Baghdad.", "AFP")]
    assert [(i.caption, i.credit) for i in second.images.all()] == [
        ("Journalist James Foley responds to questions during an interview with The Associated Press, "
         "in Boston, May 27, 2011.", "AP")]
    assert first.status == Article.Status.PUBLISHED
    assert (first.source_file, first.source_first_line, first.source_last_line) == (str(SAMPLE), 1, 37)
    assert first.raw_text.splitlines()[0] == FIRST_TITLE
    assert "Created 2 article(s)" in out


def test_no_page_junk_reaches_the_body():
    run_import(SAMPLE)
    for article in Article.objects.all():
        assert "TT" not in article.paragraphs and "20" not in article.paragraphs
        assert article.title not in article.paragraphs
        assert not any(p.endswith("(AFP)") or p.endswith("(AP)") for p in article.paragraphs)


def test_every_import_is_recorded_as_an_import_run():
    run_import(SAMPLE)
    run = ImportRun.objects.get()
    assert run.file_name == str(SAMPLE)
    assert run.file_size == SAMPLE.stat().st_size
    assert len(run.file_sha256) == 64
    assert (run.articles_created, run.articles_failed, run.images_created) == (2, 0, 2)
    assert run.status == ImportRun.Status.FINISHED
    assert set(Article.objects.values_list("import_run", flat=True)) == {run.pk}


# --- idempotence -------------------------------------------------------------


def test_importing_the_same_dump_twice_creates_nothing_the_second_time():
    run_import(SAMPLE)
    out, _, failed = run_import(SAMPLE)
    assert not failed
    assert "Created 0 article(s)" in out and "skipped 2 already present" in out
    assert Article.objects.count() == 2
    assert Image.objects.count() == 2


def test_crlf_bom_and_whitespace_variants_of_a_dump_are_the_same_articles(tmp_path):
    run_import(SAMPLE)
    text = SAMPLE.read_text()
    variant = "\ufeff" + "\r\n".join("  " + line.replace(" ", "\u00a0 ", 1) + "\u00a0" for line in text.split("\n"))
    _, err, failed = run_import(dump(variant, tmp_path))
    assert not failed, err
    assert Article.objects.count() == 2


def test_the_same_article_twice_in_one_dump_is_imported_once(tmp_path):
    story = article_text("Same story", ["A paragraph."])
    out, _, _ = run_import(dump(story + story, tmp_path))
    assert Article.objects.count() == 1
    assert "skipped 1" in out


def test_an_image_with_a_known_caption_and_credit_is_reused(tmp_path):
    caption = "A man walks past rubble in Gaza. (Reuters)"
    text = article_text("First story", ["One."], [caption]) + article_text("Second story", ["Two."], [caption])
    out, _, _ = run_import(dump(text, tmp_path))
    assert Image.objects.count() == 1
    assert Image.objects.get().articles.count() == 2
    assert "1 created, 1 reused" in out


# --- tags --------------------------------------------------------------------


def test_tag_option_tags_every_imported_article():
    run_import(SAMPLE, "--tag", "Middle East", "--tag", "archive")
    for article in Article.objects.all():
        assert set(article.tags.names()) == {"archive", "Middle East"}


def test_existing_tags_found_as_whole_words_are_applied_ignoring_case():
    Tag.objects.create(name="isis")
    Tag.objects.create(name="Hamas")
    Tag.objects.create(name="Qatar")
    Tag.objects.create(name="Iran")  # as a word in the first story, beside many "Iranian"s
    Tag.objects.create(name="Baghdad Airport")  # never mentioned as a phrase
    run_import(SAMPLE)
    first = Article.objects.get(title=FIRST_TITLE)
    second = Article.objects.get(title=SECOND_TITLE)
    assert set(first.tags.names()) == {"Hamas", "Iran"}
    assert set(second.tags.names()) == {"isis", "Qatar"}


def test_a_tag_option_in_another_case_uses_the_existing_tag():
    Tag.objects.create(name="ISIS")
    run_import(SAMPLE, "--tag", "isis")
    assert Tag.objects.filter(name__iexact="isis").count() == 1
    assert Article.objects.filter(tags__name="ISIS").count() == 2


# --- options -----------------------------------------------------------------


def test_dry_run_reports_but_writes_nothing():
    out, _, failed = run_import(SAMPLE, "--dry-run", "--tag", "new")
    assert not failed
    assert "would create 2 article(s)" in out
    assert Article.objects.count() == 0 and Image.objects.count() == 0
    assert Tag.objects.count() == 0 and ImportRun.objects.count() == 0


def test_status_published_at_and_source_options():
    run_import(SAMPLE, "--status", "draft", "--published-at", "2023-10-23", "--source", "Asharq Al-Awsat")
    article = Article.objects.get(title=FIRST_TITLE)
    assert article.status == Article.Status.DRAFT
    assert article.published_at.date().isoformat() == "2023-10-23"
    assert article.source == "Asharq Al-Awsat"


def test_explain_shows_where_every_line_went():
    out, _, _ = run_import(SAMPLE, "--explain")
    assert "13 paragraph(s)" in out
    assert "dropped (widget)" in out and "dropped (repeated headline)" in out
    assert "dropped (repeated caption)" in out and "caption" in out
    assert Article.objects.count() == 0


def test_directories_gz_files_and_stdin_are_read(tmp_path, monkeypatch):
    folder = tmp_path / "dumps"
    (folder / "2023").mkdir(parents=True)
    (folder / "2023" / "a.txt").write_text(article_text("Story from a folder", ["Text."]))
    with gzip.open(folder / "b.txt.gz", "wt") as gz:
        gz.write(article_text("Story from a gzip file", ["Text."]))
    (folder / "notes.md").write_text("not a dump")
    run_import(folder)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(article_text("Story from stdin", ["Text."]).encode())))
    run_import("-")
    assert set(Article.objects.values_list("title", flat=True)) == {
        "Story from a folder", "Story from a gzip file", "Story from stdin"}


def test_a_dump_that_breaks_off_while_being_read_ends_its_run_as_failed(tmp_path):
    text = StringIO()
    write_dump(text, 2000, seed=5)
    whole = gzip.compress(text.getvalue().encode())
    path = dump(whole[: len(whole) // 2], tmp_path, "cut.txt.gz")
    _, err, failed = run_import(path)
    assert failed and "cut.txt.gz: read error" in err
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED and run.finished_at is not None
    assert "stopped by EOFError" in run.errors[0]


def test_other_encodings_are_read_with_the_encoding_option(tmp_path):
    path = dump(article_text("Café au lait", ["Crème brûlée."]).encode("latin-1"), tmp_path)
    _, err, failed = run_import(path)
    assert failed and "byte offset 3" in err and "--encoding" in err
    _, err, failed = run_import(path, "--encoding", "latin-1")
    assert not failed, err
    assert Article.objects.get().title == "Café au lait"


# --- bad input ---------------------------------------------------------------


@pytest.mark.parametrize("content,message", [
    (b"", "the file is empty"),
    (b"\n\n  \n", "the file is empty"),
    (bytes(range(256)) * 40, "looks like a binary file"),
    (b"TT\n20\n\nTT\n20\n", "widget with no headline"),
])
def test_unusable_files_get_one_clear_line_and_write_nothing(tmp_path, content, message):
    path = dump(content, tmp_path)
    _, err, failed = run_import(path)
    assert failed
    assert message in err
    assert str(path) in err
    assert "Traceback" not in err
    assert Article.objects.count() == 0


def test_a_bad_article_fails_alone_and_the_good_ones_are_imported(tmp_path):
    text = (article_text("Good one", ["Body."]) + "Headline without body\n\nTT\n20\n\nHeadline without body\n\n\n\n"
            + article_text("Good two", ["Body."]))
    path = dump(text, tmp_path)
    out, err, failed = run_import(path)
    assert failed
    assert f'{path}: line 12-17 ("Headline without body"): headline but no body' in err
    assert sorted(Article.objects.values_list("title", flat=True)) == ["Good one", "Good two"]
    assert ImportRun.objects.get().status == ImportRun.Status.FAILED
    assert "failed 1" in out


def test_nul_bytes_are_removed_so_both_databases_store_the_same_text(tmp_path):
    path = dump(article_text("Null\x00 headline", ["Body with a\x00 NUL."]), tmp_path)
    _, err, failed = run_import(path)
    assert not failed, err
    article = Article.objects.get()
    assert article.title == "Null headline"
    assert article.paragraphs == ["Body with a NUL."]
    assert "\x00" not in article.raw_text


def test_undecodable_bytes_fail_only_their_article_naming_the_byte_offset(tmp_path):
    good = article_text("Good story", ["Fine."]).encode()
    bad = article_text("Bad story", ["Broken \xff byte."]).encode().replace("\xff".encode(), b"\xff")
    path = dump(good + bad, tmp_path)
    _, err, failed = run_import(path)
    assert failed
    offset = len(good) + bad.index(b"\xff")
    assert f"byte offset {offset}" in err and "--encoding" in err
    assert list(Article.objects.values_list("title", flat=True)) == ["Good story"]


def test_a_50_megabyte_line_is_reported_and_skipped(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as f:
        f.write(article_text("Before the giant", ["Fine."]).encode())
        f.write(b"Giant headline\n\nTT\n20\n\nGiant headline\n\n")
        f.write(b"x" * (50 * 1024 * 1024) + b"\n\n\n")
        f.write(article_text("After the giant", ["Fine."]).encode())
    _, err, failed = run_import(path)
    assert failed
    assert "longer than 1 MiB" in err
    assert sorted(Article.objects.values_list("title", flat=True)) == ["After the giant", "Before the giant"]


def test_a_missing_file_is_named(tmp_path):
    _, err, failed = run_import(tmp_path / "nope.txt")
    assert failed and "nope.txt: cannot open" in err


# --- batching ------------------------------------------------------------------


def test_queries_per_batch_do_not_grow_with_articles_tags_or_images(django_assert_max_num_queries):
    Tag.objects.create(name="Gaza")
    Tag.objects.create(name="Reuters")
    text = io.StringIO()
    write_dump(text, BATCH_SIZE, seed=3)
    stream = io.BytesIO(text.getvalue().encode())
    # About 25 statements, plus SQLite's split of each bulk INSERT into
    # chunks of 999 parameters (16,000 band keys take 33); a per-article
    # loop would need at least one per article, 500 here.
    with django_assert_max_num_queries(100):
        report = import_stream(stream, name="generated.txt", options=ImportOptions(tags=["generated"]))
    assert report.articles_created == BATCH_SIZE
    assert Article.objects.filter(tags__name="generated").count() == BATCH_SIZE


# --- export round trip ---------------------------------------------------------


def test_an_export_imports_into_another_instance_unchanged(tmp_path):
    run_import(SAMPLE, "--tag", "Syria")
    draft = make_article(title="A draft", paragraphs=["Not yet."], status=Article.Status.DRAFT, tags=["Iraq"])
    out = StringIO()
    call_command("export_articles", stdout=out)
    before = [json.loads(line) for line in out.getvalue().splitlines()]
    path = dump(out.getvalue(), tmp_path, "export.jsonl")

    # Another instance: nothing of this one left, its kept addresses included.
    Article.objects.all().delete()
    ArticleAddress.objects.all().delete()
    Image.objects.all().delete()
    Tag.objects.all().delete()
    _, err, failed = run_import(path)
    assert not failed, err

    out = StringIO()
    call_command("export_articles", stdout=out)
    after = [json.loads(line) for line in out.getvalue().splitlines()]
    comparable = ("title", "slug", "status", "published_at", "body", "source", "standfirst", "byline")
    assert [{k: a[k] for k in comparable} for a in after] == [{k: b[k] for k in comparable} for b in before]
    assert [sorted(a["tags"]) for a in after] == [sorted(b["tags"]) for b in before]
    assert [[(i["caption"], i["credit"]) for i in a["images"]] for a in after] == \
        [[(i["caption"], i["credit"]) for i in b["images"]] for b in before]
    assert draft.title in [a["title"] for a in after]


def test_bad_json_lines_fail_alone(tmp_path):
    lines = [
        json.dumps({"title": "Fine", "body": ["Text."], "status": "draft"}),
        "{not json",
        json.dumps({"title": "No body", "body": "a string"}),
    ]
    path = dump("\n".join(lines), tmp_path, "export.jsonl")
    _, err, failed = run_import(path)
    assert failed
    assert "line 2: not valid JSON" in err
    assert 'line 3 ("No body"): field "body" must be a list of strings' in err
    assert list(Article.objects.values_list("title", flat=True)) == ["Fine"]


# --- interruption ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_killed_import_leaves_whole_articles_and_a_rerun_completes_it(tmp_path, django_db_blocker):
    path = tmp_path / "big.txt"
    with open(path, "w") as f:
        write_dump(f, 3000, seed=11)
    db = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings"}
    if db["ENGINE"].endswith("sqlite3"):
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"

    child = subprocess.Popen([sys.executable, "manage.py", "import_dump", str(path)], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while Article.objects.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait()
    partial = Article.objects.count()
    assert 0 < partial < 3000
    # Every article written so far is whole: all its paragraphs and photos came with it.
    for article in Article.objects.prefetch_related("article_images"):
        parsed = parse_text(article.raw_text)[0]
        assert article.paragraphs == parsed.paragraphs
        assert len(article.article_images.all()) == len(parsed.images)

    killed_run = ImportRun.objects.get()
    assert killed_run.status == ImportRun.Status.RUNNING and killed_run.pid == child.pid

    result = subprocess.run([sys.executable, "manage.py", "import_dump", str(path)], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert Article.objects.count() == 3000
    assert f"skipped {partial} already present" in result.stdout
    # The re-run saw that the first run's process was gone.
    killed_run.refresh_from_db()
    assert killed_run.status == ImportRun.Status.INTERRUPTED
    assert killed_run.articles_created == partial
    assert ImportRun.objects.exclude(pk=killed_run.pk).get().status == ImportRun.Status.FINISHED


def test_only_runs_whose_process_is_gone_on_this_machine_are_marked_interrupted(admin_client):
    import socket

    from articles.ingest.runs import import_runs_mark_interrupted, process_token

    host = socket.gethostname()
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    ended_pid = int(finished.stdout)
    me = process_token(os.getpid())
    boot, namespace, started = me.rsplit(":", 2) if me else ("", "", "")
    gone = ImportRun.objects.create(file_name="gone.txt", host=host, pid=ended_pid)
    ImportRun.objects.create(file_name="alive.txt", host=host, pid=os.getpid(), process=me)
    ImportRun.objects.create(file_name="elsewhere.txt", host="another-machine", pid=ended_pid)
    ImportRun.objects.create(file_name="done.txt", host=host, pid=ended_pid, status=ImportRun.Status.FINISHED)
    expected = {"gone.txt": "interrupted", "alive.txt": "running", "elsewhere.txt": "running", "done.txt": "finished"}
    if me:  # Linux: a reused process id, a reboot, another container's namespace
        ImportRun.objects.create(file_name="reused-pid.txt", host=host, pid=os.getpid(),
                                 process=f"{boot}:{namespace}:{int(started) - 1}")
        ImportRun.objects.create(file_name="before-reboot.txt", host=host, pid=os.getpid(),
                                 process=f"another-boot:{namespace}:{started}")
        ImportRun.objects.create(file_name="other-container.txt", host=host, pid=ended_pid,
                                 process=f"{boot}:1:{started}")
        expected |= {"reused-pid.txt": "interrupted", "before-reboot.txt": "interrupted",
                     "other-container.txt": "running"}
    assert import_runs_mark_interrupted() == list(expected.values()).count("interrupted")
    assert dict(ImportRun.objects.values_list("file_name", "status")) == expected
    # Opening the list writes nothing; the admin action marks the selected runs.
    gone.status = ImportRun.Status.RUNNING
    gone.save()
    assert admin_client.get("/admin/articles/importrun/").status_code == 200
    gone.refresh_from_db()
    assert gone.status == ImportRun.Status.RUNNING
    response = admin_client.post("/admin/articles/importrun/", {
        "action": "mark_interrupted", "_selected_action": [gone.pk],
    }, follow=True)
    assert "1 run marked as interrupted." in response.content.decode()
    gone.refresh_from_db()
    assert gone.status == ImportRun.Status.INTERRUPTED


def test_merged_articles_in_an_export_are_skipped_and_their_survivors_imported(tmp_path):
    from articles.duplicates.merging import article_merge

    survivor = make_article(title="Survivor", paragraphs=["Kept."], tags=["Iraq"])
    merged = make_article(title="Merged copy", paragraphs=["Gone."], tags=["Syria"])
    article_merge(survivor_id=survivor.pk, merged_id=merged.pk)
    out = StringIO()
    call_command("export_articles", stdout=out)
    assert [json.loads(line)["merged_into"] for line in out.getvalue().splitlines()] == [None, survivor.pk]
    path = dump(out.getvalue(), tmp_path, "export.jsonl")
    Article.objects.filter(status=Article.Status.MERGED).delete()  # survivors are protected
    Article.objects.all().delete()
    Tag.objects.all().delete()

    result, err, failed = run_import(path)

    assert not failed, err
    assert "skipped 1" in result
    article = Article.objects.get()
    assert article.title == "Survivor"
    assert set(article.tags.names()) == {"Iraq", "Syria"}
