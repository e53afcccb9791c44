"""Import dumps into articles, images and tags.

`import_dump`, tests and benchmarks all call `import_paths` (or
`import_stream`). The importer is idempotent on the content fingerprint:
the database's unique constraint, not a check-then-insert, decides whether
an article is new, so two imports of the same text racing each other still
create it once. Articles are written in batches, each batch in one
transaction with a fixed number of queries, so a killed import leaves only
whole articles behind and a re-run completes it.

Two processes share the work: a forked child reads, parses and hashes the
dump (Python, CPU-bound) while this process writes the previous batch
(mostly waiting for the database). On PostgreSQL rows go in with COPY.
"""

from __future__ import annotations

import gc
import gzip
import hashlib
import io
import json
import multiprocessing
import os
import pickle
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from datetime import datetime

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify

from articles import dumpparser, similarity
from articles.cache import content_changed
from articles.duplicates import articles_check, insert_rows, text_hash
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
    wanted_slug: str = ""
    matched_tag_ids: set[int] = field(default_factory=set)

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


def prepare(record: ArticleRecord, vocabulary: Vocabulary | None = None) -> ArticleRecord:
    """Compute what writing needs: fingerprint, MinHash signature, band and
    caption keys, the slug wanted and, given a vocabulary, the tags its text names."""
    if record.error is None:
        parts = normalized_parts(record.title, record.paragraphs)
        record.fingerprint = fingerprint_of_normalized(parts)
        record.signature = similarity.signature_of_normalized(parts)
        record.band_keys = similarity.band_keys(record.signature)
        for image in record.images:
            image.key = caption_key(image.caption, image.credit)
        record.wanted_slug = base_slug(record)
        if vocabulary is not None:
            record.matched_tag_ids = vocabulary.match(record.title, *record.paragraphs)
    return record


def prepared_batches(stream, reader, *, fmt, encoding, vocabulary, size):
    """Yield (batch of prepared records, bytes read so far); return the
    input's size and SHA-256 once it has been read to the end."""
    records_of = jsonl_records if fmt == "jsonl" else text_records
    records = (prepare(record, vocabulary) for record in records_of(stream, encoding=encoding))
    for batch in batched(records, size):
        yield batch, reader.size
    # Read to the end so size and hash describe the whole file.
    while stream.read(dumpparser.CHUNK_SIZE):
        pass
    return reader.size, reader.sha256.hexdigest()


def can_fork():
    # macOS has fork() but not safely after its system frameworks are loaded;
    # and a child forked from a threaded process (a web server, say) could
    # inherit a lock another thread held, and wait for it forever.
    return hasattr(os, "fork") and sys.platform != "darwin" and threading.active_count() == 1


def in_child_process(generator):
    """Run `generator` in a forked process; yield its items, return its result.

    Parsing and hashing are Python work: in a process of their own they run
    on another core while this one waits for the database (a thread would
    share the interpreter lock with the writes). The pipe holds about one
    message, so the child is at most a batch or two ahead and memory stays
    flat. The child's exceptions are raised here; if this side stops
    listening (it failed, or was killed) the child's next send fails and it
    exits. A bare fork, not multiprocessing.Process, which would close the
    child's stdin: the dump may be coming from there.
    """
    receiver, sender = multiprocessing.Pipe(duplex=False)
    pid = os.fork()
    if pid == 0:
        try:
            _child_main(generator, receiver, sender)
        finally:
            os._exit(0)  # never run the parent's clean-up code (atexit, finally blocks) here
    sender.close()
    finished = False
    try:
        while True:
            try:
                kind, value = receiver.recv()
            except EOFError:
                raise ChildProcessError("the process reading the dump ended unexpectedly") from None
            if kind == "item":
                yield value
            elif kind == "end":
                finished = True
                return value
            else:
                raise value
    finally:
        receiver.close()
        if not finished:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def _child_main(generator, receiver, sender):
    receiver.close()
    # Ctrl-C reaches the whole process group: the parent handles it and stops us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def send(message):
        try:
            sender.send(message)
        except (BrokenPipeError, ConnectionResetError):
            os._exit(0)  # the parent is gone or stopped listening: nobody needs the rest

    try:
        while True:
            try:
                item = next(generator)
            except StopIteration as stop:
                message = ("end", stop.value)
                break
            send(("item", item))
    except BaseException as error:  # re-raised by the parent
        try:
            pickle.dumps(error)
        except Exception:
            error = RuntimeError(f"{type(error).__name__}: {error}")
        message = ("error", error)
    send(message)


@contextmanager
def gc_frozen():
    """Keep the objects that exist now out of garbage collections meanwhile.

    An import allocates millions of short-lived objects, which triggers
    collections, and each full one walked everything Django and numpy had
    loaded: a fifth of the writing process's time, and some of the child's
    (which inherits the frozen state when it forks).
    """
    if gc.get_freeze_count():  # someone else froze objects on purpose: leave them be
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def returning(generator, into: list):
    """Iterate over `generator`, then append its return value to `into`."""
    into.append((yield from generator))


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


# Columns the importer fills; the others get their model defaults.
ARTICLE_FIELDS = ["title", "slug", "standfirst", "body", "byline", "source", "status", "published_at", "fingerprint",
                  "import_run", "source_file", "source_first_line", "source_last_line", "raw_text", "created_at",
                  "updated_at"]
IMAGE_FIELDS = ["file", "caption", "credit", "alt_text", "caption_key", "created_at", "updated_at"]


def with_defaults(model, fields):
    """`fields` plus the model's other columns but the primary key, and their
    default values: raw inserts must name every NOT NULL column."""
    others = [f for f in model._meta.concrete_fields if not f.primary_key and f.name not in fields]
    return [*fields, *(f.name for f in others)], tuple(f.get_db_prep_save(f.get_default(), connection) for f in others)


def copy_new_rows(model, fields, rows):
    """On PostgreSQL, COPY rows expected to be new, with ids taken from the
    table's sequence: returns the ids, in order. None when COPY is not
    available or a row conflicted; then nothing was inserted.

    COPY cannot skip conflicts, so it runs in a savepoint: a concurrent
    import writing the same article makes it fail as a whole, and the
    caller falls back to INSERT ... ON CONFLICT DO NOTHING.
    """
    if connection.vendor != "postgresql" or not rows:
        return None
    with connection.cursor() as cursor:
        if not hasattr(cursor.cursor, "copy_expert"):
            return None
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [model._meta.db_table, model._meta.pk.column, len(rows)])
        ids = [row[0] for row in cursor.fetchall()]
    try:
        with transaction.atomic():
            insert_rows(model, ["id", *fields], [(pk, *row) for pk, row in zip(ids, rows)])
    except IntegrityError:
        return None
    return ids


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
        self.article_fields, self.article_defaults = with_defaults(Article, ARTICLE_FIELDS)
        self.image_fields, self.image_defaults = with_defaults(Image, IMAGE_FIELDS)
        self.lz4 = None  # whether PostgreSQL can compress with lz4, once asked

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

    def write(self, batches: Iterable[tuple[list[ArticleRecord], int]],
              progress: Callable[[int], None] | None = None):
        """Write (batch of prepared records, bytes read so far) pairs."""
        for batch, bytes_read in batches:
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
                progress(bytes_read)

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
            self.tune_transaction()
            # One time for the batch, as Django's auto_now would give, near enough.
            self.batch_time = connection.ops.adapt_datetimefield_value(timezone.now())
            articles = self.create_articles(new)
            self.attach_images(articles, new)
            self.attach_tags(articles, new)
            # Near-duplicates against stored articles and within this dump.
            self.report.duplicate_candidates += articles_check(
                signatures={articles[fp]: new[fp].signature for fp in articles},
                keys={articles[fp]: new[fp].band_keys for fp in articles},
                hashes={articles[fp]: text_hash(new[fp].title, body_from_paragraphs(new[fp].paragraphs))
                        for fp in articles},
            )
            # The counters commit with the batch: a killed run's record
            # says what it really wrote.
            ImportRun.objects.filter(pk=self.run.pk).update(
                **{name: getattr(self.report, name) for name in ImportReport.COUNTERS}
            )

    def tune_transaction(self):
        """On PostgreSQL, compress this transaction's long texts with lz4.

        Body and raw text make an article row too long to store as it is;
        compressing them with the default pglz took about 40% of the row's
        insert time, lz4 a fraction of it. Reading is unchanged: PostgreSQL
        records each value's method. (lz4 needs PostgreSQL 14+, built with it.)
        """
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            if self.lz4 is None:
                cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
                row = cursor.fetchone()
                self.lz4 = bool(row and row[0])
            if self.lz4:
                cursor.execute("SET LOCAL default_toast_compression = lz4")

    def article_row(self, record, slug):
        """The article's values in self.article_fields order."""
        options = self.options
        status = record.status or options.status
        published_at = record.published_at or options.published_at
        if status == Article.Status.PUBLISHED and published_at is None:
            published_at = self.now
        return (
            record.title, slug, record.standfirst, body_from_paragraphs(record.paragraphs), record.byline,
            record.source or options.source, status, connection.ops.adapt_datetimefield_value(published_at),
            record.fingerprint, self.run.pk, self.name, record.first_line, record.last_line, record.raw_text,
            self.batch_time, self.batch_time, *self.article_defaults,
        )

    def create_articles(self, new):
        """Insert new articles; return {fingerprint: article id}."""
        wanted = {fingerprint: record.wanted_slug for fingerprint, record in new.items()}
        candidates = set(wanted.values()) | {f"{base}-{fp[:6]}" for fp, base in wanted.items()}
        taken = set(Article.objects.filter(slug__in=candidates).values_list("slug", flat=True))
        rows = []
        for fingerprint, record in new.items():
            slug = unique_slug(wanted[fingerprint], fingerprint, taken)
            taken.add(slug)
            rows.append(self.article_row(record, slug))
        copied = copy_new_rows(Article, self.article_fields, rows)
        if copied is not None:
            self.report.articles_created += len(copied)
            return dict(zip(new, copied))
        # ignore_conflicts: an article imported meanwhile by another run is
        # simply not inserted; the select below tells which rows are ours.
        insert_rows(Article, self.article_fields, rows, ignore_conflicts=True)
        ids = dict(
            Article.objects.filter(fingerprint__in=new, import_run=self.run).values_list("fingerprint", "id")
        )
        missing = [fp for fp in new if fp not in ids]
        if missing:
            # Either a concurrent import stored the same article (skip it)
            # or its slug was taken meanwhile (store it under a longer one).
            present = set(Article.objects.filter(fingerprint__in=missing).values_list("fingerprint", flat=True))
            retry = [fp for fp in missing if fp not in present]
            insert_rows(Article, self.article_fields, [self.article_row(new[fp], f"{wanted[fp]}-{fp}") for fp in retry])
            self.report.articles_skipped += len(present)
            for fp in present:
                del new[fp]
            ids.update(Article.objects.filter(fingerprint__in=retry).values_list("fingerprint", "id"))
        self.report.articles_created += len(ids)
        return ids

    def attach_images(self, article_ids, new):
        """Place each article's photos, reusing images already stored."""
        wanted = {image.key: image for record in new.values() for image in record.images}
        if not wanted:
            return
        image_ids = dict(Image.objects.filter(caption_key__in=wanted, file="").values_list("caption_key", "id"))
        missing = [key for key in wanted if key not in image_ids]
        if missing:
            rows = [("", wanted[key].caption, wanted[key].credit, wanted[key].alt_text, key, self.batch_time,
                     self.batch_time, *self.image_defaults) for key in missing]
            copied = copy_new_rows(Image, self.image_fields, rows)
            if copied is not None:
                image_ids.update(zip(missing, copied))
            else:
                insert_rows(Image, self.image_fields, rows, ignore_conflicts=True)
                image_ids.update(Image.objects.filter(caption_key__in=missing, file="").values_list("caption_key", "id"))
        self.report.images_created += len(missing)
        placements = []
        for fingerprint, record in new.items():
            if record.images:
                article_id = article_ids[fingerprint]
                ids = dict.fromkeys(image_ids[image.key] for image in record.images)  # each photo once, in order
                placements.extend((article_id, image_id, position) for position, image_id in enumerate(ids))
        # Every placement that did not create its image reused one.
        self.report.images_reused += len(placements) - len(missing)
        insert_rows(ArticleImage, ["article", "image", "position"], placements)

    def attach_tags(self, article_ids, new):
        # Tags named in exports are created as needed; dumps only use the
        # vocabulary (matched by prepare()) and --tag.
        named = {}
        for name in {name for record in new.values() for name in record.tags}:
            tag_id = self.vocabulary.lookup(name)
            if tag_id is None:
                tag_id = tag_get_or_create(name).pk
                self.vocabulary.add(name, tag_id)  # a name of no words ("!!!") stays out of it
            named[name] = tag_id
        option_tag_ids = set(self.option_tag_ids)
        links = []
        for fingerprint, record in new.items():
            tag_ids = option_tag_ids | {named[name] for name in record.tags}
            if self.auto_tag:
                tag_ids |= record.matched_tag_ids
            article_id = article_ids[fingerprint]
            links.extend((article_id, tag_id) for tag_id in tag_ids)
        # No conflicts to skip: the articles are new, and in this transaction.
        insert_rows(TaggedArticle, ["content_object", "tag"], links)
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
            host=socket.gethostname(), pid=os.getpid(), process=process_token(os.getpid()),
        )
        report.runs.append(importer.run)

    with run_failure_recorded(importer.run, name):
        read = import_body(importer, buffered, reader, head, name=name, options=options, progress=progress)

    if importer.run is not None:
        run = importer.run
        run.file_size, run.file_sha256 = read
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


@contextmanager
def run_failure_recorded(run, name):
    """Record a run that stops on an unexpected error (a read error, Ctrl-C) as
    ended, rather than leave it "running"; the error goes on to the caller."""
    try:
        yield
    except BaseException as error:
        if run is not None:
            interrupted = isinstance(error, KeyboardInterrupt)
            try:
                ImportRun.objects.filter(pk=run.pk).update(
                    status=ImportRun.Status.INTERRUPTED if interrupted else ImportRun.Status.FAILED,
                    finished_at=timezone.now(), errors=[f"{name}: stopped by {type(error).__name__}: {error}"[:1000]])
            except DatabaseError:
                pass  # the database itself failed; the run shows as interrupted once this process ends
        raise


def import_body(importer, buffered, reader, head, *, name, options, progress):
    """Parse and write one dump; return its (size, SHA-256)."""
    report = importer.report
    fmt = detect_format(name, head, options.format)
    read = None  # (size, SHA-256) of the input, once read to the end
    if not head.strip():
        report.errors.append(f"{name}: the file is empty; nothing imported")
    elif fmt == "text" and not options.encoding.lower().startswith(("utf-16", "utf16", "utf-32", "utf32")) \
            and dumpparser.looks_binary(head):
        report.errors.append(f"{name}: this looks like a binary file, not a text dump; nothing imported")
    else:
        importer.prepare()
        importer.auto_tag = fmt == "text"
        batches = prepared_batches(buffered, reader, fmt=fmt, encoding=options.encoding, size=importer.batch_size,
                                   vocabulary=importer.vocabulary if importer.auto_tag else None)
        if can_fork():
            batches = in_child_process(batches)
        before = report.articles_created + report.articles_skipped + report.articles_failed
        ends = []
        with gc_frozen():
            try:
                importer.write(returning(batches, ends), progress=progress)
            finally:
                batches.close()  # on failure, stop the child now rather than when garbage is collected
        read = ends[0]
        if report.articles_created + report.articles_skipped + report.articles_failed == before:
            report.errors.append(f"{name}: no articles found (expected headline, captions, TT widget, body)")
    if read is None:
        # Read to the end so size and hash describe the whole file.
        while buffered.read(dumpparser.CHUNK_SIZE):
            pass
        read = reader.size, reader.sha256.hexdigest()
    return read


def import_runs_mark_interrupted() -> int:
    """Mark "running" runs whose import process is gone as interrupted.

    A killed import commits whole batches and never gets to record its end
    (a re-run completes it). Only this machine's processes can be checked,
    and only in this process's pid namespace: other runs stay as they are.
    Returns how many were marked.
    """
    running = ImportRun.objects.filter(status=ImportRun.Status.RUNNING, host=socket.gethostname(), pid__isnull=False)
    here = process_token(os.getpid())
    gone = [run.pk for run in running.only("pk", "pid", "process") if process_gone(run.pid, run.process, here=here)]
    if not gone:
        return 0
    return ImportRun.objects.filter(pk__in=gone, status=ImportRun.Status.RUNNING).update(
        status=ImportRun.Status.INTERRUPTED)


def process_token(pid: int) -> str:
    """ "boot id:pid namespace:start time" of a live process, or "" where
    /proc cannot tell (not Linux, or no such process)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.stat("/proc/self/ns/pid").st_ino
        # After the command name in parentheses: field 3 is the state, field 22 the start time.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return ""
    if fields[0] in ("Z", "X"):  # exited, not yet reaped
        return ""
    return f"{boot}:{namespace}:{fields[19]}"


def process_gone(pid: int, recorded: str, *, here: str) -> bool:
    """Whether the process that recorded `recorded` (its process_token) as
    `pid` has ended, seen from the process whose token is `here`. False
    when that cannot be known from here."""
    if not recorded:
        return not process_alive(pid)
    if not here:
        return False
    recorded_boot, recorded_namespace, _ = recorded.rsplit(":", 2)
    boot, namespace, _ = here.rsplit(":", 2)
    if recorded_boot != boot:
        return True  # the machine restarted since
    if recorded_namespace != namespace:
        return False  # another container's processes: not visible from here
    return process_token(pid) != recorded  # gone, or its id now belongs to another process


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def import_paths(paths: Iterable[str], *, options: ImportOptions,
                 progress_factory: Callable[[str, int | None], Callable[[int], None]] | None = None) -> ImportReport:
    """Import every dump named by paths (files, directories, .gz, `-`)."""
    total = ImportReport()
    if not options.dry_run:
        import_runs_mark_interrupted()
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
