#!/usr/bin/env python
"""Newsroom benchmarks: figures and ratios against a baseline run in the same process.

    .venv/bin/python scripts/benchmark.py import [--n 10000] [--db sqlite,postgres] [--repeat 3]
    .venv/bin/python scripts/benchmark.py memory [--sizes 10000,100000] [--db sqlite]

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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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
           "SECRET_KEY": "benchmark-" + "k" * 60, "DJANGO_SETTINGS_MODULE": "newsroom.settings"}
    result = subprocess.run([sys.executable, __file__, "child", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"benchmark child failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def setup_django():
    sys.path.insert(0, str(ROOT))
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

    from articles.dumpparser import parse_lines, read_lines
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
    from articles.importer import ImportOptions, import_paths

    report = import_paths([path], options=ImportOptions(tags=["benchmark"]))
    assert not report.errors, report.errors[:3]
    return report.articles_created


def empty_tables():
    from articles.models import Article, ImportRun, Tag
    from media.models import Image

    Article.objects.all().delete()
    Image.objects.all().delete()
    Tag.objects.all().delete()
    ImportRun.objects.all().delete()


def child_import(path, repeat):
    setup_django()
    results = {"naive": [], "import_dump": []}
    for _ in range(repeat):
        for label, function in (("naive", naive_import), ("import_dump", our_import)):
            empty_tables()
            started = time.perf_counter()
            count = function(path)
            results[label].append(count / (time.perf_counter() - started))
    return {label: statistics.median(rates) for label, rates in results.items()} | {"runs": results}


def child_memory(path):
    import resource

    setup_django()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    created = our_import(path)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"articles": created, "rss_before_kb": before, "peak_rss_kb": peak}


def generate(path, n, **kwargs):
    sys.path.insert(0, str(ROOT))
    from articles.dumpgen import write_dump

    with open(path, "w", encoding="utf-8") as f:
        return write_dump(f, n, **kwargs)


def bench_import(args):
    print(f"Import benchmark: {args.n} generated articles, median of {args.repeat} runs")
    print(f"{'database':<10} {'naive art/s':>12} {'import_dump art/s':>18} {'ratio':>7}")
    with tempfile.TemporaryDirectory() as workdir:
        path = f"{workdir}/dump.txt"
        generate(path, args.n, seed=1)
        for engine in args.db.split(","):
            with ThrowawayDatabase(engine, workdir) as database:
                result = run_child(database, "import", path, str(args.repeat))
            ratio = result["import_dump"] / result["naive"]
            print(f"{engine:<10} {result['naive']:>12.0f} {result['import_dump']:>18.0f} {ratio:>6.1f}x")


def bench_memory(args):
    sizes = [int(size) for size in args.sizes.split(",")]
    print("Peak memory of import_dump (resident set size, separate processes)")
    print(f"{'database':<10} {'articles':>9} {'dump MB':>8} {'peak MB':>8} {'vs first':>9}")
    with tempfile.TemporaryDirectory() as workdir:
        for engine in args.db.split(","):
            first = None
            for size in sizes:
                path = f"{workdir}/dump-{size}.txt"
                if not os.path.exists(path):
                    generate(path, size, seed=2)
                with ThrowawayDatabase(engine, workdir) as database:
                    result = run_child(database, "memory", path)
                peak = result["peak_rss_kb"] / 1024
                first = first or peak
                print(f"{engine:<10} {result['articles']:>9} {os.path.getsize(path) / 1e6:>8.0f} {peak:>8.0f} "
                      f"{peak / first:>8.2f}x")


def child(args):
    kind, *rest = args.rest
    if kind == "import":
        result = child_import(rest[0], int(rest[1]))
    elif kind == "memory":
        result = child_memory(rest[0])
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
    imp.set_defaults(func=bench_import)
    mem = commands.add_parser("memory", help="peak memory of import_dump for growing dumps")
    mem.add_argument("--sizes", default="10000,100000")
    mem.add_argument("--db", default="sqlite")
    mem.set_defaults(func=bench_memory)
    kid = commands.add_parser("child")
    kid.add_argument("rest", nargs="+")
    kid.set_defaults(func=child)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
