"""Writing prepared records: one transaction per batch, a fixed number of queries.

The importer is idempotent on the content fingerprint: the database's
unique constraint, not a check-then-insert, decides whether an article is
new, so two imports of the same text racing each other still create it
once. On PostgreSQL rows go in with COPY (articles.core.bulk).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone

from articles.core.bulk import copy_new_rows, insert_rows, with_defaults
from articles.duplicates.finder import articles_check, authors_check, text_hash
from articles.ingest.photo_files import PhotoFileError, PhotoFilesReader, originals_removed_on_failure
from articles.ingest.records import ArticleRecord
from articles.ingest.tagging import Vocabulary
from articles.ingest.vocabulary import vocabulary_load
from articles.people.bylines import parse_byline
from articles.people.models import ArticleAuthor
from articles.people.services import author_ids_for_names
from articles.services import tag_get_or_create
from articles.history.changes import content_change
from articles.history.snapshots import snapshot_from_values
from articles.models import (
    Article, ArticleAddress, ArticleImage, ArticleVersion, ImportRun, Tag, TaggedArticle,
    body_from_paragraphs, publication_date,
)
from media.models import Image
from media.photos import PhotoRejected

BATCH_SIZE = 500
SLUG_LIMIT = Article._meta.get_field("slug").max_length


@dataclass
class ImportOptions:
    status: str = Article.Status.PUBLISHED
    published_at: datetime | None = None
    source: str = ""
    tags: list[str] = field(default_factory=list)
    encoding: str = "utf-8"
    format: str = "auto"  # auto, text or jsonl
    dry_run: bool = False
    photo_files: str = ""  # a directory or archive of an export's photo files (export_articles --media)


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
    warnings: list[str] = field(default_factory=list)
    runs: list[ImportRun] = field(default_factory=list)
    tags_touched: set[int] = field(default_factory=set)  # tags whose lists gained articles

    COUNTERS = ("articles_created", "articles_skipped", "articles_failed", "images_created",
                "images_reused", "tags_applied")

    @property
    def ok(self):
        return not self.errors

    def counters(self):
        return {name: getattr(self, name) for name in self.COUNTERS}

    def add(self, other):
        for name in self.COUNTERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.duplicate_candidates += other.duplicate_candidates
        self.warnings.extend(other.warnings)
        self.tags_touched |= other.tags_touched
        self.errors.extend(other.errors)


def unique_slug(base, fingerprint, taken):
    if base not in taken:
        return base
    # The fingerprint makes the suffix stable: re-importing gives the same slug.
    for length in (6, 10, 16, 64):
        slug = f"{base[:SLUG_LIMIT - length - 1]}-{fingerprint[:length]}"
        if slug not in taken:
            return slug
    raise ValueError("no free slug")  # 64 hex digits of a unique fingerprint cannot all be taken


# Columns the importer fills; the others get their model defaults.


ARTICLE_FIELDS = ["title", "slug", "standfirst", "body", "byline", "source", "status", "published_at", "embargo_until",
                  "fingerprint",
                  "import_run", "source_file", "source_first_line", "source_last_line", "raw_text", "created_at",
                  "updated_at"]


IMAGE_FIELDS = ["file", "caption", "credit", "alt_text", "caption_key", "created_at", "updated_at"]


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
        self.photo_files = None  # PhotoFilesReader, opened at the first photo file
        self.photo_files_created = 0

    # -- set-up ------------------------------------------------------------

    def load_tags(self):
        """Ensure --tag tags exist and load the vocabulary, once per file."""
        if not self.options.dry_run:
            self.option_tag_ids = [tag_get_or_create(name).pk for name in self.options.tags]
        # Tags first: a tag's own name wins over another tag's alias.
        self.vocabulary = vocabulary_load()

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
                for warning in record.warnings:
                    self.report.warnings.append(f"{self.name}: {record.describe()}: {warning}")
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

        # One unit of work a batch: its rows, versions and duplicate pairs commit
        # together, and readers' caches hear of the batch once. The photo files
        # it stored go if it rolls back: no row would ever name them.
        with originals_removed_on_failure() as self.originals_written, content_change() as change:
            self.change = change
            existing = set(
                Article.objects.filter(fingerprint__in=by_fingerprint).values_list("fingerprint", flat=True)
            )
            self.report.articles_skipped += len(existing)
            new = {fp: record for fp, record in by_fingerprint.items() if fp not in existing}
            if new:
                self.write_new(new)
            # The counters commit with the batch, even one of articles already
            # present: a killed run's record says what it really did.
            ImportRun.objects.filter(pk=self.run.pk).update(**self.report.counters())

    def write_new(self, new):
        """Insert a batch's new articles with their photos, tags, history and duplicate check."""
        self.tune_transaction()
        # One time for the batch, as Django's auto_now would give, near enough.
        self.batch_time = connection.ops.adapt_datetimefield_value(timezone.now())
        self.stored, self.placed, self.tagged = {}, {}, {}
        articles = self.create_articles(new)
        self.attach_images(articles, new)
        self.attach_tags(articles, new)
        self.attach_authors(articles, new)
        self.record_history(articles, new)
        # Near-duplicates against stored articles and within this dump.
        self.report.duplicate_candidates += articles_check(
            prints={articles[fp]: new[fp].text_print for fp in articles},
            hashes={articles[fp]: text_hash(new[fp].title, body_from_paragraphs(new[fp].paragraphs))
                    for fp in articles},
        )

    def record_history(self, article_ids, new):
        """Each new article's addresses and first version: the text as imported.

        Written like the articles, as plain rows: building model instances
        and serialising each one would cost more than the rest of a record.
        """
        tag_names = dict(Tag.objects.filter(pk__in={i for ids in self.tagged.values() for i in ids})
                         .values_list("pk", "name"))
        addresses, versions = [], {}
        for fingerprint, article_id in article_ids.items():
            record = new[fingerprint]
            slug, status, published_at, embargo = self.stored[fingerprint]
            addresses.append((slug, article_id, self.batch_time))
            versions[article_id] = snapshot_from_values(
                title=record.title, slug=slug, standfirst=record.standfirst, byline=record.byline,
                source=record.source or self.options.source, body=body_from_paragraphs(record.paragraphs),
                status=status, published_at=published_at, embargo_until=embargo,
                tags=[tag_names[i] for i in self.tagged.get(article_id, ()) if i in tag_names],
                images=self.placed.get(article_id, []),
            )
        insert_rows(ArticleAddress, ["slug", "article", "created_at"], addresses)
        self.change.record_new(versions, kind=ArticleVersion.Kind.IMPORTED, created_at=self.batch_time)
        self.change.touch(tag_lists={tag_id for tag_ids in self.tagged.values() for tag_id in tag_ids})

    def tune_transaction(self):
        """On PostgreSQL, compress this transaction's long texts with lz4.

        Body and raw text make an article row too long to store as it is;
        compressing them with the default pglz was a large share of the
        row's insert time, lz4 much less. Reading is unchanged: PostgreSQL
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
        published_at = publication_date(status, record.published_at or options.published_at, now=self.now)
        embargo = record.embargo_until
        if status == Article.Status.PUBLISHED and embargo and published_at < embargo:
            # Published by the command's options, not by the record: it goes live when its embargo ends.
            published_at = embargo
        self.stored[record.fingerprint] = (slug, status, published_at, embargo)
        return (
            record.title, slug, record.standfirst, body_from_paragraphs(record.paragraphs), record.byline,
            record.source or options.source, status, connection.ops.adapt_datetimefield_value(published_at),
            connection.ops.adapt_datetimefield_value(embargo),
            record.fingerprint, self.run.pk, self.name, record.first_line, record.last_line, record.raw_text,
            self.batch_time, self.batch_time, *self.article_defaults,
        )

    def create_articles(self, new):
        """Insert new articles; return {fingerprint: article id}."""
        wanted = {fingerprint: record.wanted_slug for fingerprint, record in new.items()}
        candidates = set(wanted.values()) | {f"{base}-{fp[:6]}" for fp, base in wanted.items()}
        # Old addresses too: they still lead to the articles that had them.
        taken = set(ArticleAddress.objects.filter(slug__in=candidates).values_list("slug", flat=True))
        taken |= set(Article.objects.filter(slug__in=candidates).values_list("slug", flat=True))
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
            insert_rows(Article, self.article_fields,
                        [self.article_row(new[fp], f"{wanted[fp][:SLUG_LIMIT - 65]}-{fp}") for fp in retry])
            self.report.articles_skipped += len(present)
            for fp in present:
                del new[fp]
            ids.update(Article.objects.filter(fingerprint__in=retry).values_list("fingerprint", "id"))
        self.report.articles_created += len(ids)
        return ids

    def attach_images(self, article_ids, new):
        """Place each article's photos, reusing images already stored.

        Caption-only images are one per caption and credit; an export's
        photo file (--media) is one image per picture (its SHA-256), stored
        with its renditions. A photo file that is missing or refused is
        reported and its caption kept.
        """
        with_files = {}
        for fingerprint, record in new.items():
            for image in record.images:
                if image.file and self.options.photo_files and image.file not in with_files:
                    with_files[image.file] = self.photo_file_image(image, record)
        wanted = {image.key: image for record in new.values() for image in record.images
                  if with_files.get(image.file) is None}
        image_ids = {}
        if wanted:
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
                # Each photo once, in order.
                ids = dict.fromkeys(with_files.get(image.file) or image_ids[image.key] for image in record.images)
                placements.extend((article_id, image_id, position) for position, image_id in enumerate(ids))
                self.placed[article_id] = list(ids)
        # Every placement that did not create its image reused one.
        self.report.images_reused += len(placements) - len(missing) - self.photo_files_created
        self.photo_files_created = 0
        insert_rows(ArticleImage, ["article", "image", "position"], placements)

    def photo_file_image(self, image, record):
        """The id of the stored image for an export's photo file (made with its renditions), or None."""
        if self.photo_files is None:
            self.photo_files = PhotoFilesReader(self.options.photo_files)
        if problem := self.photo_files.untold_problem():
            self.report.warnings.append(problem)
        try:
            data = self.photo_files.open(image.file)
        except PhotoFileError as error:
            self.report.warnings.append(f"{self.name}: {record.describe()}: {error}; kept its caption only")
            return None
        digest = hashlib.sha256(data.getbuffer()).hexdigest()
        existing = Image.objects.filter(file_hash=digest).values_list("id", flat=True).first()
        if existing is not None:
            return existing
        photo = Image(file=File(data, name=image.file), caption=image.caption, credit=image.credit,
                      alt_text=image.alt_text, copyright=image.copyright, focal_x=image.focal[0],
                      focal_y=image.focal[1])
        try:
            photo.inspect_file()
        except PhotoRejected as error:
            self.photo_files.missing += 1
            self.report.warnings.append(f"{self.name}: {record.describe()}: photo file {image.file}: {error} "
                                        "Kept its caption only.")
            return None
        # Its renditions are made once the batch has committed, outside its transaction; one that
        # cannot be made is logged, and the photo kept.
        photo.save(renditions=False)
        self.originals_written.append(photo.file)
        transaction.on_commit(photo.renditions_ensure)
        self.report.images_created += 1
        self.photo_files_created += 1
        return photo.pk

    def attach_tags(self, article_ids, new):
        # Tags named in exports are created as needed; dumps only use the
        # vocabulary (matched by prepare_record()) and --tag.
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
            self.tagged[article_id] = tag_ids
            self.report.tags_touched |= tag_ids
        # No conflicts to skip: the articles are new, and in this transaction.
        insert_rows(TaggedArticle, ["content_object", "tag"], links)
        self.report.tags_applied += len(links)

    def attach_authors(self, article_ids, new):
        """Each new article's authors in order: an export's, else those its byline names.

        The whole batch's names are found or created at once, so the batch's
        queries stay a handful whatever the number of bylines.
        """
        names = {fp: record.authors or parse_byline(record.byline) for fp, record in new.items()}
        ids = author_ids_for_names([name for found in names.values() for name in found])
        # One look-up for the batch: an author created under "J. Doe" is proposed with Jane Doe.
        authors_check(names={author_id: name for name, author_id in ids.items()})
        links = []
        for fingerprint, found in names.items():
            article_id = article_ids[fingerprint]
            # Two spellings of one person in a byline make one author.
            for position, author_id in enumerate(dict.fromkeys(ids[name] for name in found if name in ids)):
                links.append((article_id, author_id, position))
        if links:
            insert_rows(ArticleAuthor, ["article", "author", "position"], links)
            # Their authors' pages and feeds now list them.
            self.change.touch(articles=sorted({article_id for article_id, _, _ in links}))
