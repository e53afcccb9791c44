"""Import dumps into articles, images and tags.

`import_dump`, tests and benchmarks all call `import_paths` (or
`import_stream`). The importer is idempotent on the content fingerprint:
the database's unique constraint, not a check-then-insert, decides whether
an article is new, so two imports of the same text racing each other still
create it once. Articles are written in batches, each batch in one
transaction with a fixed number of queries, so a killed import leaves only
whole articles behind and a re-run completes it.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import queue
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from datetime import datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify

from articles import dumpparser, similarity
from articles.cache import content_changed
from articles.duplicates import articles_check
from articles.models import (
    Article, ArticleImage, ImportRun, Tag, TagAlias, TaggedArticle, body_from_paragraphs,
)
from articles.tagging import Vocabulary
from articles.text import caption_key, clean_text, fingerprint_of_normalized, normalized_parts
from media.models import Image

BATCH_SIZE = 500
SLUG_MAX_LENGTH = 200
TEXT_SUFFIXES = (".txt", ".text", ".dump")
JSONL_SUFFIXES = (".jsonl", ".ndjson")


@dataclass
class ImportOptions:
    status: str = Article.Status.PUBLISHED
    published_at: datetime | None = None
    source: str = ""
    tags: list[str] = field(default_factory=list)
    encoding: str = "utf-8"
    format: str = "auto"  # auto, text or jsonl
    dry_run: bool = False


@dataclass
class ImageRecord:
    caption: str
    credit: str
    alt_text: str = ""
    key: str = ""  # caption_key, filled by prepare()


@dataclass
class ArticleRecord:
    """One article read from a dump or an export, ready to be written."""

    title: str
    paragraphs: list[str]
    images: list[ImageRecord] = field(default_factory=list)
    first_line: int | None = None
    last_line: int | None = None
    raw_text: str = ""
    error: str | None = None
    # Only exports carry these.
    tags: list[str] = field(default_factory=list)
    status: str | None = None
    published_at: datetime | None = None
    slug: str = ""
    standfirst: str = ""
    byline: str = ""
    source: str = ""
    # Filled by prepare(), ahead of the database writes.
    fingerprint: str = ""
    signature: object = None
    band_keys: list[int] = field(default_factory=list)

    @property
    def lines(self):
        if self.first_line is None:
            return "?"
        if self.first_line == self.last_line:
            return str(self.first_line)
        return f"{self.first_line}-{self.last_line}"

    def describe(self):
        title = self.title if len(self.title) <= 60 else self.title[:59] + "…"
        return f'line {self.lines} ("{title}")' if title else f"line {self.lines}"


@dataclass
class ImportReport:
    files: int = 0
    articles_created: int = 0
    articles_skipped: int = 0
    articles_failed: int = 0
    images_created: int = 0
    images_reused: int = 0
    tags_applied: int = 0
    duplicate_candidates: int = 0
    errors: list[str] = field(default_factory=list)
    runs: list[ImportRun] = field(default_factory=list)

    COUNTERS = ("articles_created", "articles_skipped", "articles_failed", "images_created",
                "images_reused", "tags_applied")

    @property
    def ok(self):
        return not self.errors

    def add(self, other):
        for name in self.COUNTERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.duplicate_candidates += other.duplicate_candidates
        self.errors.extend(other.errors)


# ---------------------------------------------------------------------------
# Reading inputs


def expand_paths(paths: Iterable[str]) -> list[str]:
    """Files named directly, plus dump files found under directories."""
    result = []
    for path in paths:
        if path != "-" and os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    base = name[:-3] if name.endswith(".gz") else name
                    if base.endswith(TEXT_SUFFIXES + JSONL_SUFFIXES):
                        result.append(os.path.join(root, name))
        else:
            result.append(path)
    return result


class HashingReader(io.RawIOBase):
    """Passes bytes through while counting and hashing them."""

    def __init__(self, raw):
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.raw.read(len(buffer))
        self.sha256.update(data)
        self.size += len(data)
        buffer[: len(data)] = data
        return len(data)


def open_input(path: str):
    """A binary stream for a path, `-` (stdin) or a .gz file."""
    if path == "-":
        return sys.stdin.buffer
    stream = open(path, "rb")
    if path.endswith(".gz"):
        return gzip.GzipFile(fileobj=stream, mode="rb")
    return stream


def detect_format(name: str, head: bytes, requested: str) -> str:
    if requested != "auto":
        return requested
    base = name[:-3] if name.endswith(".gz") else name
    if base.endswith(JSONL_SUFFIXES):
        return "jsonl"
    return "jsonl" if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") else "text"


def text_records(stream, *, encoding: str) -> Iterator[ArticleRecord]:
    for parsed in dumpparser.parse_lines(dumpparser.read_lines(stream, encoding=encoding)):
        yield ArticleRecord(
            title=parsed.title,
            paragraphs=parsed.paragraphs,
            images=[ImageRecord(image.caption, image.credit) for image in parsed.images],
            first_line=parsed.first_line,
            last_line=parsed.last_line,
            raw_text=parsed.raw_text,
            error=parsed.error,
        )


def jsonl_records(stream, *, encoding: str) -> Iterator[ArticleRecord]:
    """Records from the `export_articles` format, one JSON object per line."""
    for line in dumpparser.read_lines(stream, encoding=encoding):
        if line.error:
            yield ArticleRecord(title="", paragraphs=[], first_line=line.number, last_line=line.number,
                                error=line.error)
            continue
        if not line.text.strip():
            continue
        yield jsonl_record(line.number, line.text)


def jsonl_record(number: int, text: str) -> ArticleRecord:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        data = f"not valid JSON ({error.msg} at column {error.colno})"
    if not isinstance(data, dict):
        return ArticleRecord(title="", paragraphs=[], first_line=number, last_line=number,
                             error=data if isinstance(data, str) else "expected a JSON object")
    title = clean_text(str(data.get("title") or ""))

    def failed(message):
        return ArticleRecord(title=title, paragraphs=[], first_line=number, last_line=number, error=message)

    body = data.get("body")
    if not isinstance(body, list) or not all(isinstance(p, str) for p in body):
        return failed('field "body" must be a list of strings')
    images = data.get("images") or []
    if not isinstance(images, list) or not all(isinstance(i, dict) for i in images):
        return failed('field "images" must be a list of objects')
    tags = data.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        return failed('field "tags" must be a list of strings')
    status = data.get("status")
    if status is not None and status not in Article.Status.values:
        return failed(f'field "status" must be one of {", ".join(Article.Status.values)}')
    published_at = None
    if data.get("published_at"):
        published_at = parse_datetime(str(data["published_at"]))
        if published_at is None:
            return failed('field "published_at" is not an ISO 8601 date-time')
    paragraphs = [clean_text(p) for p in body if clean_text(p)]
    record = ArticleRecord(
        title=title,
        paragraphs=paragraphs,
        images=[ImageRecord(clean_text(str(i.get("caption") or "")), clean_text(str(i.get("credit") or "")),
                            clean_text(str(i.get("alt_text") or ""))) for i in images],
        first_line=number,
        last_line=number,
        raw_text=text,
        tags=[clean_text(t) for t in tags if clean_text(t)],
        status=status,
        published_at=published_at,
        slug=str(data.get("slug") or ""),
        standfirst=clean_text(str(data.get("standfirst") or "")),
        byline=clean_text(str(data.get("byline") or "")),
        source=clean_text(str(data.get("source") or "")),
    )
    if not record.title:
        record.error = 'field "title" is empty'
    elif not record.paragraphs:
        record.error = dumpparser.ERROR_NO_BODY
    return record


# ---------------------------------------------------------------------------
# Preparing: the CPU work, done ahead of the writes


def prepare(record: ArticleRecord) -> ArticleRecord:
    """Compute what writing needs: fingerprint, MinHash signature, band and caption keys."""
    if record.error is None:
        parts = normalized_parts(record.title, record.paragraphs)
        record.fingerprint = fingerprint_of_normalized(parts)
        record.signature = similarity.signature(similarity.shingles_of_normalized(parts))
        record.band_keys = similarity.band_keys(record.signature)
        for image in record.images:
            image.key = caption_key(image.caption, image.credit)
    return record


class _Failure:
    def __init__(self, error):
        self.error = error


_DONE = object()


def read_ahead(items: Iterable, *, size: int) -> Iterator:
    """Iterate over `items` in a background thread, up to `size` items ahead.

    Parsing and hashing run in Python while the main thread waits for the
    database, which releases the interpreter lock: the two overlap. The
    queue bound keeps memory flat however long the dump is.
    """
    buffer = queue.Queue(maxsize=size)
    stop = threading.Event()

    def produce():
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        buffer.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            buffer.put(_DONE)
        except BaseException as error:  # handed to the consumer, which re-raises it
            buffer.put(_Failure(error))

    thread = threading.Thread(target=produce, name="import-read-ahead", daemon=True)
    thread.start()
    try:
        while (item := buffer.get()) is not _DONE:
            if isinstance(item, _Failure):
                raise item.error
            yield item
    finally:
        stop.set()
        thread.join()


# ---------------------------------------------------------------------------
# Writing


def batched(iterable, size):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def base_slug(record):
    return record.slug or slugify(record.title, allow_unicode=True)[:SLUG_MAX_LENGTH].strip("-") or "article"


def unique_slug(base, fingerprint, taken):
    if base not in taken:
        return base
    # The fingerprint makes the suffix stable: re-importing gives the same slug.
    for length in (6, 10, 16, 64):
        slug = f"{base}-{fingerprint[:length]}"
        if slug not in taken:
            return slug
    raise ValueError("no free slug")  # 64 hex digits of a unique fingerprint cannot all be taken


class Importer:
    """Writes article records in batches for one import run."""

    def __init__(self, options: ImportOptions, *, name: str, batch_size: int = BATCH_SIZE):
        self.options = options
        self.name = name
        self.batch_size = batch_size
        self.report = ImportReport()
        self.run = None
        self.now = timezone.now()
        self.vocabulary = Vocabulary()
        self.option_tag_ids = []
        # Dumps are tagged from the vocabulary; exports carry their own tags.
        self.auto_tag = True

    # -- set-up ------------------------------------------------------------

    def prepare(self):
        """Ensure --tag tags exist and load the vocabulary, once per file."""
        if not self.options.dry_run:
            self.option_tag_ids = [tag_get_or_create(name).pk for name in self.options.tags]
        # Tags first: a tag's own name wins over another tag's alias.
        self.vocabulary = Vocabulary(chain(Tag.objects.values_list("name", "id"),
                                           TagAlias.objects.values_list("name", "tag_id")))

    # -- per record ----------------------------------------------------------

    def fail(self, record, message=None):
        self.report.articles_failed += 1
        self.report.errors.append(f"{self.name}: {record.describe()}: {message or record.error}")

    def write(self, records: Iterable[ArticleRecord], progress: Callable[[], None] | None = None):
        for batch in batched(records, self.batch_size):
            good = []
            for record in batch:
                if record.error:
                    self.fail(record)
                elif record.status == Article.Status.MERGED:
                    # Its survivor's id means nothing here; the survivor
                    # itself, with every tag and image, is in the export.
                    self.report.articles_skipped += 1
                else:
                    good.append(record)
            if good:
                if self.options.dry_run:
                    self.count_dry_run(good)
                else:
                    self.write_batch(good)
            if progress:
                progress()

    def count_dry_run(self, records):
        fingerprints = {r.fingerprint for r in records}
        existing = set(Article.objects.filter(fingerprint__in=fingerprints).values_list("fingerprint", flat=True))
        seen = set()
        for record in records:
            fingerprint = record.fingerprint
            if fingerprint in existing or fingerprint in seen:
                self.report.articles_skipped += 1
            else:
                seen.add(fingerprint)
                self.report.articles_created += 1

    def write_batch(self, records):
        """Write one batch in one transaction with a fixed number of queries."""
        by_fingerprint = {}
        for record in records:
            fingerprint = record.fingerprint
            if fingerprint in by_fingerprint:
                self.report.articles_skipped += 1  # the same article twice in one dump
            else:
                by_fingerprint[fingerprint] = record

        with transaction.atomic():
            existing = set(
                Article.objects.filter(fingerprint__in=by_fingerprint).values_list("fingerprint", flat=True)
            )
            self.report.articles_skipped += len(existing)
            new = {fp: record for fp, record in by_fingerprint.items() if fp not in existing}
            if not new:
                return
            articles = self.create_articles(new)
            self.attach_images(articles, new)
            self.attach_tags(articles, new)
            # Near-duplicates against stored articles and within this dump.
            self.report.duplicate_candidates += articles_check(
                signatures={articles[fp]: new[fp].signature for fp in articles},
                keys={articles[fp]: new[fp].band_keys for fp in articles},
            )
            # The counters commit with the batch: a killed run's record
            # says what it really wrote.
            ImportRun.objects.filter(pk=self.run.pk).update(
                **{name: getattr(self.report, name) for name in ImportReport.COUNTERS}
            )

    def article_for(self, fingerprint, record, slug):
        options = self.options
        status = record.status or options.status
        published_at = record.published_at or options.published_at
        if status == Article.Status.PUBLISHED and published_at is None:
            published_at = self.now
        return Article(
            title=record.title,
            slug=slug,
            standfirst=record.standfirst,
            body=body_from_paragraphs(record.paragraphs),
            byline=record.byline,
            source=record.source or options.source,
            status=status,
            published_at=published_at,
            fingerprint=fingerprint,
            import_run=self.run,
            source_file=self.name,
            source_first_line=record.first_line,
            source_last_line=record.last_line,
            raw_text=record.raw_text,
        )

    def create_articles(self, new):
        """Insert new articles; return {fingerprint: article id}."""
        wanted = {fingerprint: base_slug(record) for fingerprint, record in new.items()}
        candidates = set(wanted.values()) | {f"{base}-{fp[:6]}" for fp, base in wanted.items()}
        taken = set(Article.objects.filter(slug__in=candidates).values_list("slug", flat=True))
        objects = []
        for fingerprint, record in new.items():
            slug = unique_slug(wanted[fingerprint], fingerprint, taken)
            taken.add(slug)
            objects.append(self.article_for(fingerprint, record, slug))
        # ignore_conflicts: an article imported meanwhile by another run is
        # simply not inserted; the select below tells which rows are ours.
        Article.objects.bulk_create(objects, ignore_conflicts=True)
        ids = dict(
            Article.objects.filter(fingerprint__in=new, import_run=self.run).values_list("fingerprint", "id")
        )
        missing = [fp for fp in new if fp not in ids]
        if missing:
            # Either a concurrent import stored the same article (skip it)
            # or its slug was taken meanwhile (store it under a longer one).
            present = set(Article.objects.filter(fingerprint__in=missing).values_list("fingerprint", flat=True))
            retry = [self.article_for(fp, new[fp], f"{wanted[fp]}-{fp}") for fp in missing if fp not in present]
            Article.objects.bulk_create(retry)
            self.report.articles_skipped += len(present)
            for fp in present:
                del new[fp]
            ids.update(Article.objects.filter(fingerprint__in=[a.fingerprint for a in retry]).values_list("fingerprint", "id"))
        self.report.articles_created += len(ids)
        return ids

    def attach_images(self, article_ids, new):
        """Place each article's photos, reusing images already stored."""
        keyed = {fp: [(i.key, i) for i in record.images] for fp, record in new.items()}
        wanted = {key: image for pairs in keyed.values() for key, image in pairs}
        if not wanted:
            return
        image_ids = dict(Image.objects.filter(caption_key__in=wanted, file="").values_list("caption_key", "id"))
        missing = [key for key in wanted if key not in image_ids]
        if missing:
            Image.objects.bulk_create(
                [Image(caption=wanted[k].caption, credit=wanted[k].credit, alt_text=wanted[k].alt_text, caption_key=k)
                 for k in missing],
                ignore_conflicts=True,
            )
            image_ids.update(Image.objects.filter(caption_key__in=missing, file="").values_list("caption_key", "id"))
        self.report.images_created += len(missing)
        placements = []
        for fingerprint, pairs in keyed.items():
            ids = list(dict.fromkeys(image_ids[key] for key, _ in pairs))  # each photo once, in order
            placements.extend(ArticleImage(article_id=article_ids[fingerprint], image_id=image_id, position=position)
                              for position, image_id in enumerate(ids))
        # Every placement that did not create its image reused one.
        self.report.images_reused += len(placements) - len(missing)
        ArticleImage.objects.bulk_create(placements)

    def attach_tags(self, article_ids, new):
        # Tags named in exports are created as needed; dumps only use the
        # vocabulary and --tag.
        named = {name for record in new.values() for name in record.tags}
        for name in named:
            if self.vocabulary.lookup(name) is None:
                self.vocabulary.add(name, tag_get_or_create(name).pk)
        links = []
        for fingerprint, record in new.items():
            tag_ids = set(self.option_tag_ids)
            tag_ids |= {self.vocabulary.lookup(name) for name in record.tags}
            if self.auto_tag:
                tag_ids |= self.vocabulary.match(record.title, *record.paragraphs)
            links.extend(TaggedArticle(content_object_id=article_ids[fingerprint], tag_id=tag_id)
                         for tag_id in tag_ids)
        TaggedArticle.objects.bulk_create(links, ignore_conflicts=True)
        self.report.tags_applied += len(links)


def tag_get_or_create(name):
    """The tag with this name or alias in any case, created if there is none."""
    name = clean_text(name)
    tag = Tag.objects.filter(name__iexact=name).first()
    if tag is None:
        alias = TagAlias.objects.select_related("tag").filter(name__iexact=name).first()
        tag = alias.tag if alias else Tag.objects.get_or_create(name=name)[0]
    return tag


# ---------------------------------------------------------------------------
# Entry points


def import_stream(stream, *, name: str, options: ImportOptions,
                  progress: Callable[[int], None] | None = None) -> ImportReport:
    """Import one dump from a binary stream. Never raises for bad content."""
    reader = HashingReader(stream)
    buffered = io.BufferedReader(reader, buffer_size=dumpparser.CHUNK_SIZE)
    head = buffered.peek(dumpparser.BINARY_SNIFF_BYTES)[: dumpparser.BINARY_SNIFF_BYTES]
    importer = Importer(options, name=name)
    report = importer.report
    report.files = 1

    if not options.dry_run:
        importer.run = ImportRun.objects.create(
            file_name=name, options=options_as_json(options), status=ImportRun.Status.RUNNING,
        )
        report.runs.append(importer.run)

    fmt = detect_format(name, head, options.format)
    if not head.strip():
        report.errors.append(f"{name}: the file is empty; nothing imported")
    elif fmt == "text" and not options.encoding.lower().startswith(("utf-16", "utf16", "utf-32", "utf32")) \
            and dumpparser.looks_binary(head):
        report.errors.append(f"{name}: this looks like a binary file, not a text dump; nothing imported")
    else:
        importer.prepare()
        importer.auto_tag = fmt == "text"
        records_of = jsonl_records if fmt == "jsonl" else text_records
        records = read_ahead(map(prepare, records_of(buffered, encoding=options.encoding)),
                             size=2 * importer.batch_size)
        before = report.articles_created + report.articles_skipped + report.articles_failed
        importer.write(records, progress=(lambda: progress(reader.size)) if progress else None)
        if report.articles_created + report.articles_skipped + report.articles_failed == before:
            report.errors.append(f"{name}: no articles found (expected headline, captions, TT widget, body)")
    # Read to the end so size and hash describe the whole file.
    while buffered.read(dumpparser.CHUNK_SIZE):
        pass

    if importer.run is not None:
        run = importer.run
        run.file_size = reader.size
        run.file_sha256 = reader.sha256.hexdigest()
        run.finished_at = timezone.now()
        run.status = ImportRun.Status.FAILED if report.errors else ImportRun.Status.FINISHED
        run.errors = report.errors[:1000]
        for counter in ImportReport.COUNTERS:
            setattr(run, counter, getattr(report, counter))
        run.save()
    # Bulk inserts send no signals: tell the reader pages' cache ourselves.
    if not options.dry_run and (report.articles_created or report.images_created or report.tags_applied):
        content_changed()
    return report


def import_paths(paths: Iterable[str], *, options: ImportOptions,
                 progress_factory: Callable[[str, int | None], Callable[[int], None]] | None = None) -> ImportReport:
    """Import every dump named by paths (files, directories, .gz, `-`)."""
    total = ImportReport()
    for path in expand_paths(paths):
        name = "<stdin>" if path == "-" else path
        try:
            stream = open_input(path)
        except OSError as error:
            total.files += 1
            total.errors.append(f"{name}: cannot open: {error.strerror or error}")
            continue
        size = None if path == "-" or path.endswith(".gz") else os.path.getsize(path)
        progress = progress_factory(name, size) if progress_factory else None
        try:
            report = import_stream(stream, name=name, options=options, progress=progress)
        except (OSError, EOFError, gzip.BadGzipFile) as error:
            total.files += 1
            total.errors.append(f"{name}: read error: {error}")
            continue
        except LookupError:
            total.files += 1
            total.errors.append(f"{name}: unknown encoding {options.encoding!r}")
            continue
        finally:
            if path != "-":
                stream.close()
        total.files += 1
        total.add(report)
        total.runs.extend(report.runs)
    return total


def options_as_json(options):
    return {
        "status": options.status,
        "published_at": options.published_at.isoformat() if options.published_at else None,
        "source": options.source,
        "tags": options.tags,
        "encoding": options.encoding,
        "format": options.format,
    }


def explain_paths(paths, *, encoding="utf-8"):
    """(name, ParsedArticle) for every article in text dumps, for --explain."""
    for path in expand_paths(paths):
        name = "<stdin>" if path == "-" else path
        stream = open_input(path)
        try:
            for article in dumpparser.parse_lines(dumpparser.read_lines(stream, encoding=encoding)):
                yield name, article
        finally:
            if path != "-":
                stream.close()
