import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date, parse_datetime
from django.utils import timezone

from articles.ingest import dumpparser
from articles.ingest.pipeline import ImportOptions, explain_paths, import_paths
from articles.models import Article

# The exit status when every article went in but photo files (--media) were missing or refused;
# 1 is kept for articles or files that failed.
PHOTOS_MISSING = 3


def parse_when(value):
    moment = parse_datetime(value)
    if moment is None and (day := parse_date(value)) is not None:
        moment = timezone.datetime(day.year, day.month, day.day)
    if moment is None:
        raise CommandError(f"--published-at: {value!r} is not a date (YYYY-MM-DD) or ISO 8601 date-time")
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Progress:
    """A one-line progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, stream, name, size):
        self.stream, self.name, self.size = stream, name, size
        self.last = 0.0

    def __call__(self, done):
        now = time.monotonic()
        if now - self.last < 0.2:
            return
        self.last = now
        if self.size:
            filled = int(30 * done / self.size)
            bar = "#" * filled + "." * (30 - filled)
            self.stream.write(f"\r{self.name} [{bar}] {100 * done / self.size:5.1f}%")
        else:
            self.stream.write(f"\r{self.name} {done / 1e6:.1f} MB")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Import raw article dumps (files, directories, .gz files or - for stdin) or "
        "export_articles JSON Lines. Importing the same text again creates nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--dry-run", action="store_true", help="Parse and report; write nothing.")
        parser.add_argument("--explain", action="store_true",
                            help="Show how every line was classified (title, caption, body, dropped and why).")
        parser.add_argument("--status", choices=Article.Status.values, default=Article.Status.PUBLISHED,
                            help="Status of imported articles (default: published).")
        parser.add_argument("--published-at", type=parse_when, metavar="DATE",
                            help="Publication date of imported articles (default: now).")
        parser.add_argument("--source", default="", help="Publication the dump comes from.")
        parser.add_argument("--tag", action="append", default=[], dest="tags", metavar="NAME",
                            help="Tag every imported article (repeatable).")
        parser.add_argument("--encoding", default="utf-8", help="Text encoding of the dumps (default: utf-8).")
        parser.add_argument("--format", choices=["auto", "text", "jsonl"], default="auto",
                            help="text dump, export_articles JSON Lines, or auto-detect (default).")
        parser.add_argument("--media", metavar="DIR_OR_ARCHIVE", default="",
                            help="The photo files of an export (export_articles --media): stored with their "
                                 f"renditions. Exit status {PHOTOS_MISSING} when some were missing or "
                                 "refused.")

    def handle(self, *args, paths, explain, **options):
        if explain:
            return self.explain(paths, options["encoding"])
        import_options = ImportOptions(
            status=options["status"], published_at=options["published_at"], source=options["source"],
            tags=options["tags"], encoding=options["encoding"], format=options["format"],
            dry_run=options["dry_run"], photo_files=options["media"],
        )
        interactive = self.stderr.isatty()
        report = import_paths(
            paths, options=import_options,
            progress_factory=(lambda name, size: Progress(self.stderr, name, size)) if interactive else None,
        )
        if interactive:
            self.stderr.write("\r\033[K", ending="")
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
        for error in report.errors:
            self.stderr.write(self.style.ERROR(error))
        prefix = "Dry run, nothing written: would create" if import_options.dry_run else "Created"
        self.stdout.write(
            f"{prefix} {report.articles_created} article(s) from {report.files} file(s); "
            f"skipped {report.articles_skipped} already present; failed {report.articles_failed}."
        )
        if not import_options.dry_run:
            self.stdout.write(
                f"Images: {report.images_created} created, {report.images_reused} reused. "
                f"Tags applied: {report.tags_applied}. "
                f"Possible duplicates to review: {report.duplicate_candidates}."
                + (f" Photo files missing or refused: {report.photos_missing}." if report.photos_missing else "")
            )
        if report.errors:
            raise CommandError(f"{len(report.errors)} problem(s); see the messages above.")
        if report.photos_missing:
            raise CommandError(f"{report.photos_missing} photo file(s) missing or refused; their images keep their "
                               "captions only. See the messages above.", returncode=PHOTOS_MISSING)
        self.stdout.write(self.style.SUCCESS("Import finished."))

    def explain(self, paths, encoding):
        for name, article in explain_paths(paths, encoding=encoding):
            status = f"error: {article.error}" if article.error else f"{len(article.paragraphs)} paragraph(s)"
            self.stdout.write(self.style.MIGRATE_HEADING(
                f"{name}:{article.first_line}-{article.last_line} {article.title or '(no title)'} [{status}]"
            ))
            for line in dumpparser.explain(article):
                if line.role == dumpparser.BLANK:
                    continue
                label = f"{line.role} ({line.reason})" if line.reason else line.role
                text = line.text if len(line.text) <= 70 else line.text[:69] + "…"
                self.stdout.write(f"  {line.number:>6}  {label:<28} {text}")
