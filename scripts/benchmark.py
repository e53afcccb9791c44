#!/usr/bin/env python
"""Newsroom benchmarks: figures and ratios against a baseline run in the same process.

    .venv/bin/python scripts/benchmark.py import [--n 10000] [--db sqlite,postgres] [--repeat 3] [--without-search-index]
    .venv/bin/python scripts/benchmark.py memory [--sizes 10000,100000] [--db sqlite]
    .venv/bin/python scripts/benchmark.py duplicates [--sizes 5000,20000,100000] [--db sqlite,postgres]
    .venv/bin/python scripts/benchmark.py pages [--n 2000] [--db sqlite,postgres] [--duration 10]
    .venv/bin/python scripts/benchmark.py compare [--words 1000,5000,10000]
    .venv/bin/python scripts/benchmark.py search-fresh [--n 2000]
    .venv/bin/python scripts/benchmark.py churn [--n 2000,20000] [--db postgres]
    .venv/bin/python scripts/benchmark.py desk [--n 100000] [--requests 50] [--pairs 5000]
    .venv/bin/python scripts/benchmark.py --before REF churn ...   (REF's code first, then this checkout's)

Each run uses a throwaway database: a temporary SQLite file, or a new
PostgreSQL database on PG_URL (default postgres://root@127.0.0.1:5432),
dropped afterwards. Timings are medians of --repeat runs; the machine is
shared, so compare the ratios, which are measured side by side.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The code measured: this checkout, or (--before REF) a worktree of an earlier commit,
# measured by this script in the same run.
CODE = Path(os.environ.get("BENCHMARK_CODE") or ROOT)
sys.path.insert(0, str(CODE))
PG_URL = os.environ.get("PG_URL", "postgres://root@127.0.0.1:5432")


# --- database plumbing ----------------------------------------------------------


class ThrowawayDatabase:
    """A fresh database URL for one benchmark child process."""

    def __init__(self, engine, workdir):
        self.engine = engine
        self.name = f"newsroom_bench_{uuid.uuid4().hex[:8]}"
        self.url = (f"sqlite:///{workdir}/{self.name}.sqlite3" if engine == "sqlite" else f"{PG_URL}/{self.name}")

    def __enter__(self):
        if self.engine == "postgres":
            self._psql(f"CREATE DATABASE {self.name}")
        return self

    def __exit__(self, *exc):
        if self.engine == "postgres":
            self._psql(f"DROP DATABASE IF EXISTS {self.name}")

    def _psql(self, sql):
        import psycopg2

        connection = psycopg2.connect(f"{PG_URL}/postgres")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(sql)
        connection.close()


def run_child(database, *args):
    """Run this script in child mode against `database`; return its JSON answer."""
    env = {**os.environ, "DATABASE_URL": database.url, "DEBUG": "false", "SECURE_HTTPS": "false",
           "SECRET_KEY": "benchmark-" + "k" * 60, "DJANGO_SETTINGS_MODULE": "newsroom.settings",
           "BENCHMARK_CODE": str(CODE)}
    result = subprocess.run([sys.executable, __file__, "child", *args], cwd=CODE, env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"benchmark child failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def setup_django():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# --- import benchmark -----------------------------------------------------------


def naive_import(path):
    """The baseline: parse, then a per-article create + tags.add loop in one transaction."""
    from django.db import transaction
    from django.utils import timezone
    from django.utils.text import slugify

    from articles.ingest.dumpparser import parse_lines
    from articles.ingest.lines import read_lines
    from articles.models import Article

    count = 0
    now = timezone.now()
    with open(path, "rb") as stream, transaction.atomic():
        for parsed in parse_lines(read_lines(stream)):
            if parsed.error:
                continue
            count += 1
            article = Article.objects.create(
                title=parsed.title, slug=f"{slugify(parsed.title)[:200]}-{count}", body="\n\n".join(parsed.paragraphs),
                status=Article.Status.PUBLISHED, published_at=now,
            )
            article.tags.add("benchmark")
    return count


def our_import(path):
    from articles.ingest.pipeline import ImportOptions, import_paths

    report = import_paths([path], options=ImportOptions(tags=["benchmark"]))
    assert not report.errors, report.errors[:3]
    return report.articles_created


def empty_tables():
    from articles.models import Article, ArticleAddress, ArticleVersion, ImportRun, Tag
    from media.models import Image

    Article.objects.all().delete()
    # Kept when articles are deleted (they stay recoverable); a new run starts from nothing.
    ArticleAddress.objects.all().delete()
    ArticleVersion.objects.all().delete()
    Image.objects.all().delete()
    Tag.objects.all().delete()
    ImportRun.objects.all().delete()


# What full-text search adds to every article insert on PostgreSQL: the
# document trigger of migration 0007, or 0005's expression index where that
# is still in place. Dropped only in a throwaway database, so that the
# importer's own speed can be shown beside the real-world figure.
SEARCH_INDEX_DDL = (
    "DROP TRIGGER IF EXISTS articles_article_search_document ON articles_article",
    "DROP INDEX IF EXISTS articles_article_search_gin",
)


def drop_search_index():
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for statement in SEARCH_INDEX_DDL:
                cursor.execute(statement)


def child_import(path, repeat, without_search_index=False):
    setup_django()
    if without_search_index:
        drop_search_index()
    results = {"naive": [], "import_dump": []}
    cpu = {"naive": [], "import_dump": []}
    for _ in range(repeat):
        for label, function in (("naive", naive_import), ("import_dump", our_import)):
            empty_tables()
            before = cpu_seconds()
            started = time.perf_counter()
            count = function(path)
            results[label].append(count / (time.perf_counter() - started))
            cpu[label].append([(after - was) * 1000 / count for after, was in zip(cpu_seconds(), before)])
    return ({label: statistics.median(rates) for label, rates in results.items()} | {"runs": results}
            | {f"{label}_cpu_ms": [statistics.median(part) for part in zip(*parts)] for label, parts in cpu.items()}
            | cpu_floor(path, search=not without_search_index))


def cpu_seconds():
    """CPU seconds used so far by this process, its finished children (the
    importer's reader) and this connection's database server process (when
    the server runs on this machine; 0 for SQLite, which runs in-process)."""
    import resource

    from django.db import connection

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    server = 0.0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        try:
            # Fields 14 and 15 of /proc/PID/stat: user and system time, in clock ticks.
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            server = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            server = float("nan")
    return time.process_time(), children.ru_utime + children.ru_stime, server


def cpu_floor(path, search=True):
    """CPU milliseconds per article that any import with our features must spend.

    Parsing, and preparing each record (fingerprint, the duplicate check's
    MinHash and band keys, tags named in the text), in this process; the
    full-text document on PostgreSQL (unless its trigger was dropped), timed
    by the server on the rows just imported. Set against the wall time per
    article a speed target allows.
    """
    from django.db import connection

    from articles.ingest.records import prepare_record, text_records

    with open(path, "rb") as stream:
        started = time.process_time()
        records = list(text_records(stream, encoding="utf-8"))
        parsed = time.process_time()
        for record in records:
            prepare_record(record)
        prepared = time.process_time()
    floor = {"parse_ms": (parsed - started) * 1000 / len(records),
             "prepare_ms": (prepared - parsed) * 1000 / len(records), "search_ms": 0.0}
    if search and connection.vendor == "postgresql":
        from articles.reader.search import SEARCH_CONFIG

        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) SELECT to_tsvector(%s::regconfig, title)"
                           " || to_tsvector(%s::regconfig, standfirst) || to_tsvector(%s::regconfig, body)"
                           " FROM articles_article", [SEARCH_CONFIG] * 3)
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            floor["search_ms"] = plan[0]["Execution Time"] / max(1, plan[0]["Plan"]["Actual Rows"])
    return floor


def child_memory(path):
    import resource

    setup_django()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    created = our_import(path)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # The importer parses in a forked process of its own: its peak counts too.
    reader = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"articles": created, "rss_before_kb": before, "peak_rss_kb": peak, "reader_peak_rss_kb": reader}


def generate(path, n, **kwargs):
    from devtools.dumpgen import write_dump

    with open(path, "w", encoding="utf-8") as f:
        return write_dump(f, n, **kwargs)


def bench_import(args):
    print(f"Import benchmark: {args.n} generated articles, median of {args.repeat} runs")
    print(f"{'database':<26} {'naive art/s':>12} {'import_dump art/s':>18} {'ratio':>7}")
    with tempfile.TemporaryDirectory() as workdir:
        path = f"{workdir}/dump.txt"
        generate(path, args.n, seed=1)
        floors = []
        for engine in args.db.split(","):
            # The real-world figure, then (on request) the same without search's cost per insert.
            variants = [("", [])]
            if args.without_search_index and engine == "postgres":
                variants.append((", no search index", ["without-search-index"]))
            for label, extra in variants:
                with ThrowawayDatabase(engine, workdir) as database:
                    result = run_child(database, "import", path, str(args.repeat), *extra)
                ratio = result["import_dump"] / result["naive"]
                print(f"{engine + label:<26} {result['naive']:>12.0f} {result['import_dump']:>18.0f} {ratio:>6.1f}x")
                floors.append((engine + label, result))
        # What a 15x target leaves per article, against what is spent and
        # against work no import with these features can skip (docs/benchmarks.md).
        cores = os.cpu_count()
        print("\nCPU per article (ms, median): this process + reader process + database server")
        print(f"{'database':<26} {'naive':>20} {'import_dump':>22} {'15x wall':>9} {'x cores':>8}")
        for name, result in floors:
            naive, ours = result["naive_cpu_ms"], result["import_dump_cpu_ms"]
            wall = 1000 / (15 * result["naive"])
            print(f"{name:<26} {naive[0]:>5.2f} + {naive[2]:.2f} = {sum(naive):.2f} "
                  f"{ours[0]:>5.2f} + {ours[1]:.2f} + {ours[2]:.2f} = {sum(ours):.2f} {wall:>9.2f} {wall * cores:>8.2f}")
        print(f"\nCPU floor per article (ms) against 15x the naive rate on {cores} cores")
        print(f"{'database':<26} {'parse':>6} {'prepare':>8} {'search':>7} {'floor':>6} {'15x wall':>9} {'x cores':>8}")
        for name, result in floors:
            floor = result["parse_ms"] + result["prepare_ms"] + result["search_ms"]
            wall = 1000 / (15 * result["naive"])
            print(f"{name:<26} {result['parse_ms']:>6.2f} {result['prepare_ms']:>8.2f} {result['search_ms']:>7.2f} "
                  f"{floor:>6.2f} {wall:>9.2f} {wall * cores:>8.2f}")


def bench_memory(args):
    sizes = [int(size) for size in args.sizes.split(",")]
    print("Peak memory of import_dump (resident set size, separate processes; the reader is the process")
    print("the importer forks to parse and hash, which shares the importer's pages at first)")
    print(f"{'database':<10} {'articles':>9} {'dump MB':>8} {'peak MB':>8} {'vs first':>9} {'reader MB':>10} "
          f"{'vs first':>9}")
    with tempfile.TemporaryDirectory() as workdir:
        for engine in args.db.split(","):
            first = first_reader = None
            for size in sizes:
                path = f"{workdir}/dump-{size}.txt"
                if not os.path.exists(path):
                    generate(path, size, seed=2)
                with ThrowawayDatabase(engine, workdir) as database:
                    result = run_child(database, "memory", path)
                peak = result["peak_rss_kb"] / 1024
                reader = result["reader_peak_rss_kb"] / 1024
                first = first or peak
                first_reader = first_reader or reader or 1
                print(f"{engine:<10} {result['articles']:>9} {os.path.getsize(path) / 1e6:>8.0f} {peak:>8.0f} "
                      f"{peak / first:>8.2f}x {reader:>10.0f} {reader / first_reader:>8.2f}x")


# --- duplicates benchmark -------------------------------------------------------


def truth_write(path, n, seed, near, follow_ups, paragraphs, stories):
    """The planted pairs of a dump, by fingerprint, beside it: the child reads them whatever code it measures."""
    from devtools.dumpgen import dump_articles, plan_duplicates
    from articles.core.text import content_fingerprint

    kwargs = dict(seed=seed, near_duplicates=near, follow_ups=follow_ups, stories=stories)
    fingerprints = [content_fingerprint(a.title, a.paragraphs)
                    for a in dump_articles(n, paragraphs=paragraphs, **kwargs)]
    with open(f"{path}.truth.json", "w") as f:
        json.dump([(fingerprints[p.original], fingerprints[p.copy], p.kind) for p in plan_duplicates(n, **kwargs)], f)


def planted_pairs(path):
    """Planted copies of a generated dump as article-id pairs: {pair: kind}, the follow-up pairs, and
    the stories (each original with its copies)."""
    from devtools.dumpgen import FOLLOW_UP
    from articles.models import Article

    with open(f"{path}.truth.json") as f:
        planted = json.load(f)
    ids = dict(Article.objects.values_list("fingerprint", "id"))
    groups, kinds, apart = {}, {}, set()
    for original_print, copy_print, kind in planted:
        original, copy = ids[original_print], ids[copy_print]
        if kind == FOLLOW_UP:
            apart.add((min(original, copy), max(original, copy)))
            continue
        kinds[copy] = kind
        groups.setdefault(original, {original}).add(copy)
    truth = {}
    for group in groups.values():
        for a in group:
            for b in group:
                if a < b:
                    truth[(a, b)] = kinds.get(b) or kinds.get(a)
    # A copy that normalises to its original's text was skipped at import: no story to show.
    return truth, apart, [group for group in groups.values() if len(group) > 1]


def desk_stories():
    """The stories on the duplicate desk, as sets of article ids."""
    from articles.duplicates.selectors import duplicate_stories

    return [{member.pk for member in story.members} for story in duplicate_stories()]


def stories_whole(stories, groups):
    """How many planted stories the desk shows whole: an original and all its copies in one story."""
    return sum(1 for group in groups if any(group <= story for story in stories))


def all_pairs_exact(threshold):
    """The baseline: exact Jaccard of every pair of articles' shingle sets."""
    from articles.duplicates import minhash
    from articles.models import Article, paragraphs_from_body

    rows = list(Article.objects.values_list("id", "title", "body"))
    sets = [(i, minhash.shingles(t, paragraphs_from_body(b))) for i, t, b in rows]
    found = set()
    for index, (a_id, a) in enumerate(sets):
        size_a = len(a)
        for b_id, b in sets[index + 1:]:
            common = len(a & b)
            if common and common / (size_a + len(b) - common) >= threshold:
                found.add((min(a_id, b_id), max(a_id, b_id)))
    return found


def child_duplicates(path, with_all_pairs):
    setup_django()
    from articles.duplicates import minhash
    from articles.duplicates.finder import article_candidates_for, article_print, duplicates_rescan
    from articles.ingest.pipeline import ImportOptions, import_paths
    from articles.models import Article, DuplicateCandidate, paragraphs_from_body

    report = import_paths([path], options=ImportOptions())
    assert not report.errors, report.errors[:3]
    at_import = {tuple(sorted(c.pair_ids)) for c in DuplicateCandidate.objects.filter(kind="article")}
    stories_at_import = desk_stories()
    DuplicateCandidate.objects.all().delete()
    # What find_duplicates does after a threshold change: keys of unchanged
    # text are kept. Then the same with every article re-signed, as after a
    # bulk edit of every article.
    started = time.perf_counter()
    duplicates_rescan()
    rescan = time.perf_counter() - started
    DuplicateCandidate.objects.all().delete()
    started = time.perf_counter()
    duplicates_rescan(recompute=True)
    recompute = time.perf_counter() - started
    truth, apart, groups = planted_pairs(path)
    found = {tuple(sorted(c.pair_ids)) for c in DuplicateCandidate.objects.filter(kind="article")}
    hits = len(found & set(truth))
    missed_by_kind = {}
    for pair, kind in truth.items():
        if pair not in found:
            missed_by_kind[kind] = missed_by_kind.get(kind, 0) + 1
    result = {"articles": Article.objects.count(), "rescan_s": rescan, "recompute_s": recompute,
              "true_pairs": len(truth), "found_pairs": len(found),
              "recall": hits / len(truth) if truth else 1.0,
              "precision": hits / len(found) if found else 1.0,
              "missed_by_kind": missed_by_kind,
              "follow_ups_found": len(found & apart), "follow_ups": len(apart),
              "import_recall": len(at_import & set(truth)) / len(truth) if truth else 1.0,
              "import_precision": len(at_import & set(truth)) / len(at_import) if at_import else 1.0,
              "stories": len(groups), "stories_whole": stories_whole(desk_stories(), groups),
              "stories_whole_at_import": stories_whole(stories_at_import, groups)}
    # The import-time check: 500 articles against everything stored, as
    # one import batch does it (prints, key look-ups, judging).
    sample = {article_id: (title, paragraphs_from_body(body)) for article_id, title, body
              in Article.objects.order_by("-id")[:500].values_list("id", "title", "body")}
    started = time.perf_counter()
    article_candidates_for(prints={i: article_print(*record) for i, record in sample.items()})
    result["check_ms_per_article"] = 1000 * (time.perf_counter() - started) / len(sample)
    if with_all_pairs:
        started = time.perf_counter()
        exact = all_pairs_exact(minhash.THRESHOLD)
        result["all_pairs_s"] = time.perf_counter() - started
        result["all_pairs_recall"] = len(exact & set(truth)) / len(truth) if truth else 1.0
    return result


def bench_duplicates(args):
    sizes = [int(size) for size in args.sizes.split(",")]
    low, high = (int(part) for part in args.paragraphs.split("-"))
    print(f"Near-duplicate finder: generated corpora of {low}-{high} paragraphs, {args.near_share:.0%} planted "
          f"copies, {args.follow_up_share:.0%} follow-ups (a photo and a paragraph of an earlier story), "
          f"{args.story_share:.0%} stories updated three times")
    print(f"{'database':<9} {'articles':>8} {'rescan s':>9} {'re-sign s':>9} {'recall':>7} {'precision':>9} "
          f"{'follow-ups':>10} {'check ms/art':>12} {'all-pairs s':>11} {'speed-up':>8} {'re-sign speed-up':>16}")
    with tempfile.TemporaryDirectory() as workdir:
        for engine in args.db.split(","):
            rescans, recomputes = [], []
            for size in sizes:
                near = int(size * args.near_share)
                follow_ups = int(size * args.follow_up_share)
                stories = int(size * args.story_share)
                path = f"{workdir}/dups-{size}.txt"
                if not os.path.exists(path):
                    generate(path, size, seed=7, near_duplicates=near, follow_ups=follow_ups, paragraphs=(low, high),
                             stories=stories)
                    truth_write(path, size, 7, near, follow_ups, (low, high), stories)
                with ThrowawayDatabase(engine, workdir) as database:
                    result = run_child(database, "duplicates", path, "1" if size <= args.all_pairs_max else "0")
                rescans.append(result["rescan_s"])
                recomputes.append(result["recompute_s"])
                all_pairs = result.get("all_pairs_s")
                nan = float("nan")
                print(f"{engine:<9} {result['articles']:>8} {result['rescan_s']:>9.2f} {result['recompute_s']:>9.2f} "
                      f"{result['recall']:>7.3f} {result['precision']:>9.3f} "
                      f"{result['follow_ups_found']:>4}/{result['follow_ups']:<5} {result['check_ms_per_article']:>12.2f} "
                      f"{all_pairs or nan:>11.1f} {(all_pairs / result['rescan_s']) if all_pairs else nan:>7.0f}x "
                      f"{(all_pairs / result['recompute_s']) if all_pairs else nan:>15.0f}x")
                if result["missed_by_kind"]:
                    print(f"  missed, by kind of copy: {result['missed_by_kind']}")
                print(f"  at import: recall {result['import_recall']:.3f}, precision {result['import_precision']:.3f}; "
                      f"stories whole on the desk (an original and all its copies): "
                      f"{result['stories_whole_at_import']}/{result['stories']} at import, "
                      f"{result['stories_whole']}/{result['stories']} after a rescan")
            for label, times in (("rescan", rescans), ("re-sign", recomputes)):
                for (small, t_small), (large, t_large) in zip(zip(sizes, times), list(zip(sizes, times))[1:]):
                    print(f"  {engine}: {label} time({large})/time({small}) = {t_large / t_small:.2f} "
                          f"for {large / small:.0f}x the articles")


# --- reader pages benchmark -------------------------------------------------------


PAGE_TAGS = 60
TAGS_PER_ARTICLE = (2, 6)


def child_pages_setup(path):
    """Import a generated dump, tag it like a newsroom would, collect static files.

    Dates and tags follow a realistic spread (a few per article, each tag on a few
    percent of articles) rather than one tag on everything, which would make
    "related articles" and tag pages unrepresentatively heavy.
    """
    import random
    from datetime import timedelta

    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from articles.ingest.pipeline import ImportOptions, import_paths
    from articles.models import Article, Tag, TaggedArticle

    report = import_paths([path], options=ImportOptions())
    assert not report.errors, report.errors[:3]
    # An archive's articles have dates of their own; the import gave them all its time.
    articles = list(Article.objects.only("id", "published_at"))
    for age, article in enumerate(articles):
        article.published_at -= timedelta(hours=age)
    Article.objects.bulk_update(articles, ["published_at"], batch_size=500)
    tags = [Tag.objects.create(name=f"Topic {n}", slug=f"topic-{n}") for n in range(PAGE_TAGS)]
    rng = random.Random(5)
    TaggedArticle.objects.bulk_create([
        TaggedArticle(content_object_id=article_id, tag=tag)
        for article_id in Article.objects.values_list("id", flat=True)
        for tag in rng.sample(tags, rng.randint(*TAGS_PER_ARTICLE))
    ])
    call_command("collectstatic", interactive=False, verbosity=0)
    # Planner statistics, as a database in service has them (autovacuum has not run yet).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    article = (Article.objects.published().annotate(photos=Count("article_images", distinct=True))
               .order_by("-photos", "id").first())
    tag = Tag.objects.annotate(uses=Count("tagged_articles")).order_by("-uses").first()
    # Readers search for something specific: the headline's rarest word.
    from articles.reader import search
    from articles.selectors import article_list_published

    # Every match counted (newest=0): the cap would make all common words tie.
    matches = {word: search.search(article_list_published(), search.clean_query(word), newest=0).count()
               for word in set(article.title.split())}
    word = min(matches, key=lambda w: (matches[w] == 0, matches[w], w))
    return {"articles": report.articles_created, "article": article.get_absolute_url(),
            "photos": article.photos, "tag": tag.get_absolute_url(), "tag_uses": tag.uses, "word": word,
            "word_matches": matches[word]}


def wrk(url, duration, connections, script=None):
    """Requests/s and p50/p99 latency (ms) of `url` (or of what a Lua `script` asks of it) under wrk."""
    extra = ["-s", str(script)] if script else []
    result = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency",
                             *extra, url], capture_output=True, text=True, check=True)
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    figures = {"errors": 0}
    for line in result.stdout.splitlines():
        words = line.split()
        if line.startswith("Requests/sec:"):
            figures["rps"] = float(words[1])
        elif words[:1] in (["50%"], ["99%"]):
            number = words[1].rstrip("usm")
            figures["p" + words[0].rstrip("%")] = float(number) * units[words[1][len(number):]]
        elif line.strip().startswith("Non-2xx or 3xx responses:"):
            figures["errors"] = int(words[-1])
    return figures


class Server:
    """gunicorn serving this project on a free local port, with the hello-world view on."""

    def __init__(self, database, workers, **env):
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "DATABASE_URL": database.url, "DEBUG": "false", "SECURE_HTTPS": "false",
                    "SECRET_KEY": "benchmark-" + "k" * 60, "ALLOWED_HOSTS": "127.0.0.1",
                    "DEVTOOLS": "true", "LOG_LEVEL": "WARNING", **env}
        self.workers = workers

    def __enter__(self):
        import urllib.request

        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "newsroom.wsgi", "--workers", str(self.workers),
             "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning"],
            cwd=CODE, env=self.env)
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(self.url + "/_hello/", timeout=1).read()
                return self
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.process.kill()
                    sys.exit("gunicorn did not start")
                time.sleep(0.2)

    def drain(self):
        """Wait until requests queued by the last wrk run are served, so they do not count against the next."""
        import urllib.request

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            started = time.monotonic()
            urllib.request.urlopen(self.url + "/_hello/", timeout=120).read()
            if time.monotonic() - started < 0.05:
                return
        sys.exit("the server did not settle")

    def measure(self, path, duration, connections):
        figures = wrk(self.url + path, duration, connections)
        self.drain()
        return figures

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)


@contextmanager
def reader_corpus(n, *, seed):
    """A work directory with a generated dump of `n` articles, and static files collected there."""
    with tempfile.TemporaryDirectory() as workdir:
        path = f"{workdir}/dump.txt"
        generate(path, n, seed=seed)
        os.environ["STATIC_ROOT"] = f"{workdir}/static"
        yield workdir, path


def bench_pages(args):
    from urllib.parse import quote

    print(f"Reader pages under gunicorn ({args.workers} workers) and wrk ({args.connections} connections, "
          f"{args.duration}s per URL), next to a hello-world view on the same server")
    print(f"{'database':<9} {'cache':<8} {'page':<8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs hello':>9}")
    with reader_corpus(args.n, seed=3) as (workdir, path):
        for engine in args.db.split(","):
            with ThrowawayDatabase(engine, workdir) as database:
                setup = run_child(database, "pages-setup", path)
                pages = {"hello": "/_hello/", "article": setup["article"], "home": "/", "tag": setup["tag"],
                         "search": f"/search/?q={quote(setup['word'])}"}
                for mode in args.cache.split(","):
                    seconds = {"none": "0", "pages": "3600"}[mode]
                    with Server(database, args.workers, PAGE_CACHE_SECONDS=seconds) as server:
                        for url in pages.values():  # warm up: connections, templates, caches
                            server.measure(url, 1, args.connections)
                        results = {name: server.measure(url, args.duration, args.connections)
                                   for name, url in pages.items()}
                        # Hello again at the end: the baseline is the mean of both.
                        late = server.measure(pages["hello"], args.duration, args.connections)
                        results["hello"]["rps"] = (results["hello"]["rps"] + late["rps"]) / 2
                    for name, figures in results.items():
                        ratio = figures["rps"] / results["hello"]["rps"]
                        flag = f"  ({figures['errors']} errors)" if figures["errors"] else ""
                        print(f"{engine:<9} {mode:<8} {name:<8} {figures['rps']:>8.0f} {figures['p50']:>8.2f} "
                              f"{figures['p99']:>8.2f} {ratio:>8.2f}x{flag}")
        print(f"Data: {setup['articles']} articles; the article page has {setup['photos']} photo(s); "
              f"the tag page lists {setup['tag_uses']} articles; search for {setup['word']!r} "
              f"({setup['word_matches']} matches).")


# --- reads while an editor saves --------------------------------------------------


def child_article_paths(count):
    """Addresses of `count` random published articles (fixed seed)."""
    import random

    setup_django()
    from articles.models import Article

    ids = list(Article.objects.published().values_list("slug", flat=True))
    random.Random(11).shuffle(ids)
    from urllib.parse import quote

    return {"paths": [f"/articles/{quote(slug)}/" for slug in ids[:count]]}


def child_editor(seconds, everything):
    """Save a random article's standfirst once a second for `seconds`, as the admin's form does (an editor at work).

    everything="1" also announces a change that names nothing, which makes
    every cached page stale: how the cache behaved before it had keys.
    Returns the saves and the change notices they sent.
    """
    import random

    setup_django()
    from articles.core.signals import changed, content_changed
    from articles.history.services import article_apply
    from articles.models import Article

    notices = []
    changed.connect(lambda sender, **kwargs: notices.append(kwargs), weak=False)
    ids = list(Article.objects.published().values_list("id", flat=True))
    rng = random.Random(13)
    saves = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        article = Article.objects.get(pk=rng.choice(ids))
        article_apply(article_id=article.pk, expected_version=article.version,
                      snapshot={"standfirst": f"Updated {saves}"}, parts=("standfirst",))
        if everything == "1":
            content_changed()
        saves += 1
        time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
    return {"saves": saves, "notices": len(notices)}


def bench_churn(args):
    """Random article pages under wrk with the Redis cache: nobody editing, and an editor saving once a second."""
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    print(f"{args.paths} random article pages under gunicorn ({args.workers} workers), wrk -c{args.connections} "
          f"for {args.duration}s, Redis cache; hello-world on the same server")
    print(f"{'database':<9} {'articles':>8} {'load [KEY_CHECK_MS]':<44} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'vs hello':>9}")
    for n in map(int, args.n.split(",")):
        with reader_corpus(n, seed=3) as (workdir, path):
            for engine in args.db.split(","):
                with ThrowawayDatabase(engine, workdir) as database:
                    run_child(database, "pages-setup", path)
                    paths = run_child(database, "article-paths", str(args.paths))["paths"]
                    script = Path(workdir) / "random.lua"
                    script.write_text("local paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n"
                                      "request = function() return wrk.format(\"GET\", paths[math.random(#paths)]) end\n")
                    for check_ms in args.key_check_ms.split(","):
                        churn_run(args, database, engine, n, script, redis_url, check_ms)


def churn_run(args, database, engine, n, script, redis_url, check_ms):
    """One server (a KEY_CHECK_MS setting): hello, then the article pages with and without an editor."""
    import threading

    prefix = f"bench{uuid.uuid4().hex[:8]}"
    env = {"PAGE_CACHE_SECONDS": "3600", "CACHE_URL": redis_url, "CACHE_KEY_PREFIX": prefix,
           "KEY_CHECK_MS": check_ms}
    with Server(database, args.workers, **env) as server:
        def run(label, editing=None):
            editor, edits = None, []
            if editing is not None:
                editor = threading.Thread(target=lambda: edits.append(run_child(
                    database, "editor", str(args.duration + 2), editing)), daemon=True)
                # The editor shares the app's Redis, as another app server would.
                os.environ.update({"CACHE_URL": redis_url, "CACHE_KEY_PREFIX": prefix})
                editor.start()
                time.sleep(1)
            figures = wrk(server.url, args.duration, args.connections, script=script)
            if editor is not None:
                editor.join()
                for name in ("CACHE_URL", "CACHE_KEY_PREFIX"):
                    os.environ.pop(name, None)
            server.drain()
            if edits and editing == "0":
                label += f" ({edits[0]['notices'] / max(1, edits[0]['saves']):.0f} notice/save)"
            return label, figures

        server.measure("/_hello/", 2, args.connections)  # warm up
        wrk(server.url, 5, args.connections, script=script)
        hello = server.measure("/_hello/", args.duration, args.connections)
        rows = [("hello", hello), run("articles, nobody editing"),
                run("articles, one save a second", "0"),
                run("same, every save stales all (before)", "1")]
        for label, figures in rows:
            label = f"{label} [{check_ms} ms]"
            print(f"{engine:<9} {n:>8} {label:<44} {figures['rps']:>8.0f} {figures['p50']:>8.2f} "
                  f"{figures['p99']:>8.2f} {figures['rps'] / hello['rps']:>8.2f}x")


def child_render(count):
    """Median in-process time to render article pages with the page cache off (Django's test client)."""
    import random

    setup_django()
    from django.conf import settings
    from django.test import Client

    from articles.models import Article

    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    settings.ALLOWED_HOSTS = ["testserver"]
    slugs = list(Article.objects.published().values_list("slug", flat=True))
    random.Random(17).shuffle(slugs)
    client = Client()
    times = {}
    for name, paths in (("article", [f"/articles/{slug}/" for slug in slugs[:count]]), ("home", ["/"] * 50)):
        for path in paths[:20]:
            client.get(path)  # warm up
        samples = []
        for path in paths:
            started = time.perf_counter()
            assert client.get(path).status_code == 200
            samples.append((time.perf_counter() - started) * 1000)
        times[name] = statistics.median(samples)
    return times


def bench_render(args):
    print(f"Uncached render in-process (page cache off), median over {args.pages} random article pages")
    print(f"{'database':<9} {'articles':>8} {'article ms':>11} {'home ms':>9}")
    for n in map(int, args.n.split(",")):
        with reader_corpus(n, seed=3) as (workdir, path):
            for engine in args.db.split(","):
                with ThrowawayDatabase(engine, workdir) as database:
                    run_child(database, "pages-setup", path)
                    result = run_child(database, "render", str(args.pages))
                    print(f"{engine:<9} {n:>8} {result['article']:>11.2f} {result['home']:>9.2f}")


# --- the desk (the admin's start page) ---------------------------------------------


def child_desk(requests, pairs):
    """The desk for a logged-in editor against Django's stock admin index, in-process; the plan of each query.

    The archive is made busy the way a desk sees it: a tenth of it drafts, a
    day's schedule, an editor with thousands of saved versions, failed runs,
    `pairs` open duplicate pairs. The desk is also timed for an editor who may
    not see duplicates, whose desk leaves out the one part that reads every
    open pair.
    """
    from datetime import timedelta

    setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from articles.models import Article, ArticleVersion, DuplicateCandidate, ImportRun

    settings.ALLOWED_HOSTS = ["testserver"]
    now = timezone.now()
    ids = list(Article.objects.order_by("id").values_list("id", flat=True))
    Article.objects.filter(id__in=ids[::10]).update(status=Article.Status.DRAFT)
    for minutes, article_id in enumerate(ids[5::500]):
        Article.objects.filter(id=article_id).update(status=Article.Status.PUBLISHED,
                                                     published_at=now + timedelta(minutes=17 * minutes))
    editor = get_user_model().objects.create_user("desk", password="x", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    no_duplicates = get_user_model().objects.create_user("desk-articles", password="x", is_staff=True)
    no_duplicates.user_permissions.add(*Permission.objects.filter(
        codename__in=["view_article", "add_article", "view_importrun"]))
    ArticleVersion.objects.bulk_create([
        ArticleVersion(article_id=ids[(n * 7) % len(ids)], number=2, kind="edited", snapshot={}, user=user,
                       created_at=now - timedelta(minutes=n)) for n in range(5000) for user in (editor, no_duplicates)])
    ImportRun.objects.bulk_create([ImportRun(file_name=f"dump-{n}.txt", status="failed" if n % 7 == 0 else "finished")
                                   for n in range(300)])
    # A backlog of copies to decide, the same whatever the archive's size, so that the two are measured apart.
    DuplicateCandidate.objects.bulk_create([
        DuplicateCandidate(kind="article", article_a_id=a, article_b_id=b, score=0.6 + (a % 40) / 100,
                           reason="headline 90% alike") for a, b in list(zip(ids[1::3], ids[2::3]))[:pairs]])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    times = {}
    for name, user, path in (("desk", editor, "/admin/"), ("desk_no_duplicates", no_duplicates, "/admin/"),
                             ("stock", editor, "/admin/sections/")):
        client = Client()
        client.force_login(user)
        for _ in range(5):
            assert client.get(path).status_code == 200  # warm up
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            assert client.get(path).status_code == 200
            samples.append((time.perf_counter() - started) * 1000)
        times[name] = statistics.median(samples)
    client = Client()
    client.force_login(editor)
    with CaptureQueriesContext(connection) as captured:
        client.get("/admin/")
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query["sql"])
            plan = cursor.fetchone()[0][0]
            nodes, stack = [], [plan["Plan"]]
            while stack:
                node = stack.pop()
                nodes.append(f"{node['Node Type']}{' on ' + node['Relation Name'] if 'Relation Name' in node else ''}"
                             f"{' using ' + node['Index Name'] if 'Index Name' in node else ''}")
                stack.extend(node.get("Plans", []))
            plans.append({"sql": query["sql"][:90], "ms": plan["Execution Time"], "nodes": nodes})
    open_pairs = DuplicateCandidate.objects.filter(kind="article", status="open").count()
    return {**times, "queries": len(plans), "plans": plans, "open_pairs": open_pairs, "articles": len(ids)}


def bench_desk(args):
    print(f"The desk (/admin/) against Django's stock admin index, in-process, median of {args.requests} requests; "
          f"{args.pairs} open duplicate pairs whatever the archive")
    print(f"{'articles':>8} {'desk ms':>8} {'without duplicates ms':>22} {'stock ms':>9} {'ratio':>6} "
          f"{'ratio without':>14} {'queries':>8}")
    for n in map(int, args.n.split(",")):
        with reader_corpus(n, seed=3) as (workdir, path):
            with ThrowawayDatabase("postgres", workdir) as database:
                run_child(database, "pages-setup", path)
                result = run_child(database, "desk", str(args.requests), str(args.pairs))
        print(f"{result['articles']:>8} {result['desk']:>8.2f} {result['desk_no_duplicates']:>22.2f} "
              f"{result['stock']:>9.2f} {result['desk'] / result['stock']:>5.2f}x "
              f"{result['desk_no_duplicates'] / result['stock']:>13.2f}x {result['queries']:>8}")
        for plan in result["plans"]:
            scans = ", ".join(node for node in plan["nodes"] if "Scan" in node)
            print(f"    {plan['ms']:7.2f} ms  {plan['sql']}\n              {scans}")


def child_version_cost(count):
    """Per-article cost of writing a first version: our snapshot against Django's serializer.

    django-reversion stores a version by serialising each followed object
    with Django's serializers: the article, and (to keep tags and photo
    order) each of its taggings and placements.
    """
    import json as json_module

    setup_django()
    from django.core import serializers

    from articles.history.snapshots import snapshot_from_values
    from articles.models import Article, ArticleImage, TaggedArticle

    articles = list(Article.objects.order_by("id")[:count])
    taggings, placements = {}, {}
    for tagging in TaggedArticle.objects.filter(content_object__in=articles).select_related("tag"):
        taggings.setdefault(tagging.content_object_id, []).append(tagging)
    for placement in ArticleImage.objects.filter(article__in=articles):
        placements.setdefault(placement.article_id, []).append(placement)

    def per_article(function):
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            for article in articles:
                function(article)
            samples.append((time.perf_counter() - started) / len(articles) * 1000)
        return statistics.median(samples)

    def reversion_like(article):
        serializers.serialize("json", [article, *taggings.get(article.pk, []), *placements.get(article.pk, [])])

    def snapshot(article):
        json_module.dumps(snapshot_from_values(
            title=article.title, slug=article.slug, standfirst=article.standfirst, byline=article.byline,
            source=article.source, body=article.body, status=article.status, published_at=article.published_at,
            tags=[tagging.tag.name for tagging in taggings.get(article.pk, [])],
            images=[placement.image_id for placement in placements.get(article.pk, [])]), ensure_ascii=False)

    return {"serializer": per_article(reversion_like), "snapshot": per_article(snapshot),
            "rows": 1 + statistics.mean(len(taggings.get(a.pk, [])) + len(placements.get(a.pk, [])) for a in articles)}


# --- photos --------------------------------------------------------------------------


def camera_jpeg(path, size, seed=1):
    """A camera-like JPEG: detail at every scale (so renditions keep some, as a photo's do), EXIF with GPS."""
    from PIL import Image as PILImage

    width, height = size
    picture = PILImage.linear_gradient("L").resize((width, height))
    # Noise drawn small and enlarged gives the broad shapes, drawn large the fine grain.
    for step, weight in ((256, 0.5), (64, 0.4), (16, 0.35), (4, 0.3), (1, 0.15)):
        layer = PILImage.effect_noise((max(1, width // step), max(1, height // step)), 60)
        picture = PILImage.blend(picture, layer.resize((width, height), PILImage.Resampling.BICUBIC), weight)
    picture = PILImage.merge("RGB", (picture, picture.point(lambda v: v * 0.9), picture.point(lambda v: v * 0.75)))
    exif = PILImage.Exif()
    exif[0x010F], exif[0x0110] = "Canon", "EOS R6"
    exif[0x8825] = {1: "N", 2: (33.0, 18.0, 51.0), 3: "E", 4: (44.0, 21.0, 58.0)}
    picture.save(path, "JPEG", quality=92, exif=exif.tobytes())
    return path


def peak_memory_mb():
    """This process's peak resident memory (VmHWM; getrusage's figure survives exec and counts the parent's)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child_photo_cost(path, repeat):
    """Inspect and make the renditions of one photo `repeat` times; median seconds and the files' sizes."""
    import tempfile as temp

    setup_django_without_database()
    from django.core.files.storage import FileSystemStorage

    from media.photos import photo_inspect, renditions_make

    times, result = [], None
    for _ in range(repeat):
        with temp.TemporaryDirectory() as folder, open(path, "rb") as original:
            storage = FileSystemStorage(location=folder, base_url="/")
            started = time.perf_counter()
            photo_inspect(original, max_bytes=1 << 40, max_pixels=1 << 40)
            result = renditions_make(original, file_hash="benchmark", focal=(0.5, 0.5), storage=storage)
            times.append(time.perf_counter() - started)
            sizes = {kind: [[width, os.path.getsize(os.path.join(folder, name))] for width, _, name in entries]
                     for kind, entries in result["sources"].items()}
    return {"seconds": statistics.median(times), "sizes": sizes, "peak_rss_mb": peak_memory_mb()}


def child_baseline_rss():
    setup_django_without_database()
    import media.photos  # noqa: F401 - what the measured child has loaded too

    return {"peak_rss_mb": peak_memory_mb()}


def setup_django_without_database():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-" + "k" * 60)
    django.setup()


def picked(sizes, slot_css_px, dpr):
    """The rendition a browser takes for a slot: the narrowest at least slot x DPR wide, else the widest."""
    needed = slot_css_px * dpr
    return next((size for width, size in sizes if width >= needed), sizes[-1][1])


def bench_photos(args):
    with tempfile.TemporaryDirectory() as workdir:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings", "SECRET_KEY": "benchmark-" + "k" * 60,
               "DEBUG": "false"}

        def child(*child_args):
            done = subprocess.run([sys.executable, __file__, "child", *child_args], cwd=ROOT, env=env,
                                  capture_output=True, text=True)
            if done.returncode != 0:
                sys.exit(f"benchmark child failed:\n{done.stderr}")
            return json.loads(done.stdout.strip().splitlines()[-1])

        photo = camera_jpeg(f"{workdir}/24mp.jpg", (6000, 4000))
        original_bytes = os.path.getsize(photo)
        result = child("photo-cost", photo, str(args.repeat))
        print(f"Renditions of a 24-megapixel camera JPEG ({original_bytes / 1e6:.1f} MB): median of {args.repeat}: "
              f"{result['seconds']:.2f} s for {sum(len(v) for v in result['sizes'].values()) + 1} files")
        for kind, sizes in result["sizes"].items():
            print(f"  {kind:<5} " + "  ".join(f"{width}w {size / 1000:.0f} KB" for width, size in sizes))
        # The article measure is 40rem (640 px); on a phone the slot is the screen less 2rem of padding.
        print("\nBytes of the 3 photos of an article page (every photo loaded), against sending the originals:")
        print(f"{'screen':<28} {'originals':>10} {'AVIF':>9} {'WebP':>9} {'JPEG':>9} {'AVIF vs originals':>18}")
        for label, slot, dpr in (("phone 390 px, DPR 3", 390 - 32, 3), ("phone 390 px, DPR 2", 390 - 32, 2),
                                 ("desktop 1280 px, DPR 1", 640, 1), ("desktop 1280 px, DPR 2", 640, 2)):
            chosen = {kind: 3 * picked(sizes, slot, dpr) for kind, sizes in result["sizes"].items()}
            print(f"{label:<28} {3 * original_bytes / 1e6:>8.1f} MB {chosen['avif'] / 1000:>6.0f} KB "
                  f"{chosen['webp'] / 1000:>6.0f} KB {chosen['jpeg'] / 1000:>6.0f} KB "
                  f"{chosen['avif'] / (3 * original_bytes):>17.3f}x")
        largest = camera_jpeg(f"{workdir}/50mp.jpg", (8660, 5773))
        baseline = child("baseline-rss")["peak_rss_mb"]
        peak = child("photo-cost", largest, "1")
        print(f"\nPeak memory for the largest photo allowed (50 megapixels, JPEG): {peak['peak_rss_mb']:.0f} MB "
              f"resident, {peak['peak_rss_mb'] - baseline:.0f} MB above a process that only loaded the code "
              f"({baseline:.0f} MB); {peak['seconds']:.2f} s")


def bench_version_cost(args):
    with tempfile.TemporaryDirectory() as workdir:
        path = f"{workdir}/dump.txt"
        generate(path, args.n)
        with ThrowawayDatabase("sqlite", workdir) as database:
            run_child(database, "import", path, "1")
            result = run_child(database, "version-cost", str(args.n))
    print(f"Writing an article's first version, per article (median of 5 passes over {args.n} imported articles)")
    print(f"  Django serializer, article + taggings + placements (as django-reversion stores them): "
          f"{result['serializer']:.3f} ms, {result['rows']:.1f} version rows")
    print(f"  our snapshot, one JSON document: {result['snapshot']:.3f} ms, 1 row")


# --- search benchmark ------------------------------------------------------------


def word_frequency(sample=500):
    """In how many of the first `sample` articles each word of five letters or more appears."""
    import re
    from collections import Counter

    from articles.models import Article

    frequency = Counter()
    for title, body in Article.objects.order_by("id").values_list("title", "body")[:sample]:
        frequency.update({word.casefold() for word in re.findall(r"[^\W\d_]{5,}", f"{title} {body}")})
    return frequency


def child_search(path, repeat):
    """Time a reader's search (count, first page, highlighting) for common and
    rare words, ranking the newest matches (as served) against ranking all."""
    setup = child_pages_setup(path)  # sets Django up
    from articles.reader import search
    from articles.selectors import article_list_published

    def findable(word):
        # PostgreSQL drops English stop words ("after"): they find nothing.
        return search.search(article_list_published(), word, newest=0).exists()

    frequency = word_frequency()
    common = [word for word, _ in frequency.most_common(10) if findable(word)][:3]
    rare = next(word for word in sorted(word for word, count in frequency.items() if count == 1) if findable(word))
    words = common + [setup["word"], rare]
    results = []
    for word in words:
        row = {"word": word}
        for label, newest in (("all", 0), ("newest", None)):
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                found = search.search(article_list_published(), word, newest=newest)
                count = found.count()
                search.highlight(list(found[:20]), query=word)
                times.append(time.perf_counter() - started)
            row[label] = statistics.median(times) * 1000
            row[f"{label}_count"] = count
        results.append(row)
    return {"articles": setup["articles"], "results": results, "cap": search.RANKED_MATCHES}


def child_search_fresh(path, repeat):
    """Search right after an import, before any statistics, and after ANALYZE.

    The importer's own ANALYZE is switched off and autovacuum kept away, so
    the tables are as a bulk COPY leaves them. "subquery" is how search
    narrowed to the newest matches before (an id IN (ordered, limited
    subquery)); "id list" is how it does now.
    """
    setup_django()
    from django.db import connection

    from articles.ingest import pipeline
    from articles.models import Article, ArticleSearchDocument
    from articles.reader import search
    from articles.reader.selectors import article_list_api

    tables = [Article._meta.db_table, ArticleSearchDocument._meta.db_table]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
    pipeline.statistics_refresh = lambda models: None
    report = pipeline.import_paths([path], options=pipeline.ImportOptions())
    assert not report.errors, report.errors[:3]

    def subquery(queryset, matching, newest):
        return queryset.filter(pk__in=matching.order_by("-published_at", "-id").values("pk")[:newest])

    current = search._newest

    def timed(word, narrow):
        search._newest = narrow
        times = []
        try:
            for _ in range(repeat):
                started = time.perf_counter()
                with connection.cursor() as cursor:
                    cursor.execute("SET statement_timeout = 60000")
                page = list(article_list_api(query=word)[:20])
                count = article_list_api(query=word).count()
                search.highlight(page, query=word)
                times.append(time.perf_counter() - started)
        except Exception as error:  # the statement timeout
            return f"> 60 s ({type(error).__name__})"
        finally:
            search._newest = current
        return f"{statistics.median(times) * 1000:.1f} ms ({count} found)"

    rows = []
    for state in ("never analysed", "analysed"):
        if state == "analysed":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        for word in ("zzzz", "minister"):
            rows.append({"state": state, "word": word, "subquery": timed(word, subquery), "ids": timed(word, current)})
    return {"articles": report.articles_created, "rows": rows}


def bench_search_fresh(args):
    with tempfile.TemporaryDirectory() as workdir:
        path = f"{workdir}/dump.txt"
        generate(path, args.n)
        with ThrowawayDatabase("postgres", workdir) as database:
            result = run_child(database, "search-fresh", path, str(args.repeat))
    print(f"Search on PostgreSQL right after importing {result['articles']} articles, and after ANALYZE "
          f"(median of {args.repeat}: count, first page, highlighting)")
    print(f"{'statistics':<16} {'word':<10} {'subquery (before)':>28} {'id list (now)':>28}")
    for row in result["rows"]:
        print(f"{row['state']:<16} {row['word']:<10} {row['subquery']:>28} {row['ids']:>28}")


def bench_search(args):
    print(f"Search on {args.n} generated articles: count, first page and highlighting, median of {args.repeat}")
    print(f"{'database':<9} {'word':<14} {'matches':>8} {'rank all ms':>12} {'newest only ms':>15} {'speed-up':>9}")
    with reader_corpus(args.n, seed=7) as (workdir, path):
        for engine in args.db.split(","):
            with ThrowawayDatabase(engine, workdir) as database:
                result = run_child(database, "search", path, str(args.repeat))
            for row in result["results"]:
                print(f"{engine:<9} {row['word']:<14} {row['all_count']:>8} {row['all']:>12.1f} {row['newest']:>15.1f} "
                      f"{row['all'] / row['newest']:>8.1f}x")
        print(f"Ranking is limited to the newest {result['cap']} matches (articles.reader.search.RANKED_MATCHES).")


def bench_compare(args):
    """The side-by-side comparison (duplicates' compare page, versions' compare page) on long bodies.

    Pure Python, no database: the baseline is difflib's matcher on the same
    words without the paragraph-first alignment and the bound, capped at
    --baseline-max words so it ends.
    """
    import difflib
    import random

    sys.path.insert(0, str(ROOT))
    from articles.core.comparison import _TOKENS, paragraph_diff

    rng = random.Random(7)
    vocabulary = [f"w{i}" for i in range(5000)]

    def body(words, paragraphs):
        # Sentences of 15 words, as news copy has.
        tokens = [rng.choice(vocabulary) + ("." if i % 15 == 14 else "") for i in range(words)]
        size = max(1, words // paragraphs)
        return [" ".join(tokens[i:i + size]) for i in range(0, words, size)]

    def edited(paragraphs):
        copy = list(paragraphs)
        for index in rng.sample(range(len(copy)), max(1, len(copy) // 10)):
            words = copy[index].split()
            words[len(words) // 2] = "changed"
            copy[index] = " ".join(words)
        return copy

    def median_ms(function, repeat):
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            function()
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)

    print("Side-by-side comparison of two versions of a body (median of --repeat runs, ms)")
    print(f"{'words':>7} {'paragraphs':>10} {'compare':>9} {'unbounded words':>16}")
    for words in map(int, args.words.split(",")):
        for paragraphs in (1, max(1, words // 100)):
            left = body(words, paragraphs)
            right = edited(left)
            ours = median_ms(lambda: paragraph_diff(left, right), args.repeat)
            if words <= args.baseline_max:
                a, b = _TOKENS.findall(" ".join(left)), _TOKENS.findall(" ".join(right))
                naive = f"{median_ms(lambda: difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes(), 1):.1f}"
            else:
                naive = "–"
            print(f"{words:>7} {paragraphs:>10} {ours:>9.1f} {naive:>16}")


def child(args):
    kind, *rest = args.rest
    if kind == "import":
        result = child_import(rest[0], int(rest[1]), without_search_index="without-search-index" in rest[2:])
    elif kind == "memory":
        result = child_memory(rest[0])
    elif kind == "pages-setup":
        result = child_pages_setup(rest[0])
    elif kind == "search":
        result = child_search(rest[0], int(rest[1]))
    elif kind == "article-paths":
        result = child_article_paths(int(rest[0]))
    elif kind == "version-cost":
        result = child_version_cost(int(rest[0]))
    elif kind == "render":
        result = child_render(int(rest[0]))
    elif kind == "desk":
        result = child_desk(int(rest[0]), int(rest[1]))
    elif kind == "editor":
        result = child_editor(float(rest[0]), rest[1])
    elif kind == "search-fresh":
        result = child_search_fresh(rest[0], int(rest[1]))
    elif kind == "photo-cost":
        result = child_photo_cost(rest[0], int(rest[1]))
    elif kind == "baseline-rss":
        result = child_baseline_rss()
    elif kind == "duplicates":
        path, all_pairs = rest
        result = child_duplicates(path, all_pairs == "1")
    else:
        sys.exit(f"unknown child benchmark {kind}")
    print(json.dumps(result))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    imp = commands.add_parser("import", help="import_dump vs a naive per-article loop")
    imp.add_argument("--n", type=int, default=10_000)
    imp.add_argument("--db", default="sqlite,postgres")
    imp.add_argument("--repeat", type=int, default=3)
    imp.add_argument("--without-search-index", action="store_true",
                     help="on PostgreSQL, also measure both loops without full-text search's per-insert cost "
                          "(its trigger or index dropped in the throwaway database)")
    imp.set_defaults(func=bench_import)
    mem = commands.add_parser("memory", help="peak memory of import_dump for growing dumps")
    mem.add_argument("--sizes", default="10000,100000")
    mem.add_argument("--db", default="sqlite")
    mem.set_defaults(func=bench_memory)
    dup = commands.add_parser("duplicates", help="near-duplicate finder: recall, precision, scaling")
    dup.add_argument("--sizes", default="5000,20000,100000")
    dup.add_argument("--db", default="sqlite,postgres")
    dup.add_argument("--near-share", type=float, default=0.05)
    dup.add_argument("--follow-up-share", type=float, default=0.02,
                     help="different stories reusing an earlier one's photo and a paragraph, which must stay apart")
    dup.add_argument("--paragraphs", default="4-18", help="paragraphs per article, MIN-MAX (2-5 for wire briefs)")
    dup.add_argument("--story-share", type=float, default=0.0,
                     help="originals with two photos and three updates each (a headline word, a paragraph replaced "
                          "and one added), the four in any order anywhere in the dump")
    dup.add_argument("--all-pairs-max", type=int, default=5000,
                     help="also time exact all-pairs comparison for corpora up to this size")
    dup.set_defaults(func=bench_duplicates)
    pag = commands.add_parser("pages", help="reader pages' requests/s and latency vs hello-world, under gunicorn")
    pag.add_argument("--n", type=int, default=2000)
    pag.add_argument("--db", default="sqlite,postgres")
    pag.add_argument("--duration", type=int, default=10)
    pag.add_argument("--connections", type=int, default=16)
    pag.add_argument("--workers", type=int, default=2)
    pag.add_argument("--cache", default="none,pages", help="page cache modes to measure: none, pages or both")
    pag.set_defaults(func=bench_pages)
    sea = commands.add_parser("search", help="reader search for common and rare words, ranking newest matches vs all")
    sea.add_argument("--n", type=int, default=20_000)
    sea.add_argument("--db", default="postgres,sqlite")
    sea.add_argument("--repeat", type=int, default=5)
    sea.set_defaults(func=bench_search)

    churn = commands.add_parser("churn", help="random article pages with Redis, while an editor saves once a second")
    churn.add_argument("--n", default="2000")
    churn.add_argument("--db", default="postgres")
    churn.add_argument("--paths", type=int, default=300)
    churn.add_argument("--duration", type=int, default=10)
    churn.add_argument("--connections", type=int, default=16)
    churn.add_argument("--workers", type=int, default=2)
    churn.add_argument("--key-check-ms", default="10000,0",
                       help="KEY_CHECK_MS values to run, comma-separated (0: ask Redis on every hit)")
    churn.set_defaults(func=bench_churn)
    pho = commands.add_parser("photos", help="renditions of a 24-megapixel photo: time, bytes sent, peak memory")
    pho.add_argument("--repeat", type=int, default=3)
    pho.set_defaults(func=bench_photos)
    ver = commands.add_parser("version-cost", help="cost of an article's first version: snapshot vs serializer")
    ver.add_argument("--n", type=int, default=2000)
    ver.set_defaults(func=bench_version_cost)
    ren = commands.add_parser("render", help="uncached render time of article pages, in-process")
    ren.add_argument("--n", default="2000,20000")
    ren.add_argument("--db", default="postgres")
    ren.add_argument("--pages", type=int, default=300)
    ren.set_defaults(func=bench_render)
    desk = commands.add_parser("desk", help="the admin's start page against Django's stock admin index, PostgreSQL")
    desk.add_argument("--n", default="100000")
    desk.add_argument("--requests", type=int, default=50)
    desk.add_argument("--pairs", type=int, default=5000, help="open duplicate pairs waiting, whatever the archive")
    desk.set_defaults(func=bench_desk)
    fresh = commands.add_parser("search-fresh", help="PostgreSQL search right after an import, before statistics")
    fresh.add_argument("--n", type=int, default=2000)
    fresh.add_argument("--repeat", type=int, default=3)
    fresh.set_defaults(func=bench_search_fresh)
    cmp_ = commands.add_parser("compare", help="side-by-side comparison of long bodies (no database)")
    cmp_.add_argument("--words", default="1000,5000,10000")
    cmp_.add_argument("--repeat", type=int, default=5)
    cmp_.add_argument("--baseline-max", type=int, default=3000)
    cmp_.set_defaults(func=bench_compare)

    kid = commands.add_parser("child")
    kid.add_argument("rest", nargs="+")
    kid.set_defaults(func=child)
    parser.add_argument("--before", metavar="REF",
                        help="measure the code of commit REF first (a temporary git worktree), then this checkout, "
                             "in the same run")
    args = parser.parse_args()
    if args.before and args.command != "child":
        with worktree(args.before) as path:
            print(f"== before: {args.before}")
            _measure_code(path, args)
        print("== after: this checkout")
        _measure_code(ROOT, args)
    else:
        args.func(args)


@contextmanager
def worktree(ref):
    """A temporary checkout of `ref` beside this one."""
    path = tempfile.mkdtemp(prefix="newsroom-before-")
    subprocess.run(["git", "worktree", "add", "--detach", path, ref], cwd=ROOT, check=True, capture_output=True)
    try:
        yield Path(path)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", path], cwd=ROOT, capture_output=True)


def _measure_code(path, args):
    global CODE
    CODE = path
    args.func(args)


if __name__ == "__main__":
    main()
