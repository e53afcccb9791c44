"""Article records: what a dump or an export says about one article, made ready to write.

Reading gives records (`text_records` here, `jsonl.jsonl_records` for
exports); `prepare_record` does the CPU work ahead of the database writes:
fingerprint, MinHash signature and band keys, caption keys, the slug
wanted and the tags the text names.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_unicode_slug
from django.utils.text import slugify

from articles.core.text import caption_key, fingerprint_of_normalized, normalized_parts
from articles.duplicates import minhash
from articles.ingest import dumpparser, lines
from articles.ingest.tagging import Vocabulary
from articles.models import Article, Tag
from articles.people.models import Author
from media.models import Image

SLUG_MAX_LENGTH = 200
# Read this much without finding a single article, and the file is not a dump.
JUNK_LIMIT = 64 * 1024 * 1024


class NotADump(ValueError):
    """No article in the first JUNK_LIMIT bytes: the rest is not read."""


def until_junk_limit(records, reader, limit=None):
    """The records, until `limit` bytes were read without a single good one."""
    limit = JUNK_LIMIT if limit is None else limit
    found = False
    for record in records:
        found = found or record.error is None
        if not found and reader.size > limit:
            raise NotADump(f"no article found in the first {limit // 2**20} MiB; not a dump, and the rest was not read")
        yield record


@dataclass
class ImageRecord:
    caption: str
    credit: str
    alt_text: str = ""
    key: str = ""  # caption_key, filled by prepare_record()
    copyright: str = ""
    file: str = ""  # an export's photo file (import_dump --media), else caption only
    focal: tuple = (0.5, 0.5)


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
    embargo_until: datetime | None = None
    slug: str = ""
    standfirst: str = ""
    byline: str = ""
    source: str = ""
    authors: list[str] = field(default_factory=list)  # by name, in order; else read from the byline
    # Filled by prepare_record(), ahead of the database writes.
    fingerprint: str = ""
    text_print: object = None  # minhash.TextPrint
    wanted_slug: str = ""
    matched_tag_ids: set[int] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)

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


def text_records(stream, *, encoding: str) -> Iterator[ArticleRecord]:
    for parsed in dumpparser.parse_lines(lines.read_lines(stream, encoding=encoding)):
        yield ArticleRecord(
            title=parsed.title,
            paragraphs=parsed.paragraphs,
            images=[ImageRecord(image.caption, image.credit) for image in parsed.images],
            first_line=parsed.first_line,
            last_line=parsed.last_line,
            raw_text=parsed.raw_text,
            error=parsed.error,
        )


def prepare_record(record: ArticleRecord, vocabulary: Vocabulary | None = None) -> ArticleRecord:
    """Compute what writing needs: fingerprint, MinHash print, caption keys, the slug wanted and, given a vocabulary, the tags its text names."""
    if record.error is None:
        record.error = length_error(record)
    if record.error is None:
        parts = normalized_parts(record.title, record.paragraphs)
        record.fingerprint = fingerprint_of_normalized(parts)
        record.text_print = minhash.text_print(parts)
        for image in record.images:
            image.key = caption_key(image.caption, image.credit)
        record.wanted_slug = base_slug(record)
        if vocabulary is not None:
            record.matched_tag_ids = vocabulary.match(record.title, *record.paragraphs)
    return record


def _max_length(model, name):
    return model._meta.get_field(name).max_length


# What the database holds, checked at the door so that both databases take
# the same articles: PostgreSQL refuses a longer value (and with it the
# whole batch), SQLite would store it and leave the admin unable to save it.
ARTICLE_LIMITS = {name: _max_length(Article, name) for name in ("title", "slug", "byline", "source")}
IMAGE_LIMITS = {name: _max_length(Image, name) for name in ("credit", "alt_text", "copyright")}
TAG_LIMIT = _max_length(Tag, "name")
AUTHOR_LIMIT = _max_length(Author, "name")


def length_error(record):
    """The first value longer than its column allows, said in words; None if all fit."""
    for name, limit in ARTICLE_LIMITS.items():
        value = getattr(record, name)
        if len(value) > limit:
            return f'field "{name}" is {len(value)} characters long, over the limit of {limit}'
    for number, image in enumerate(record.images, 1):
        for name, limit in IMAGE_LIMITS.items():
            value = getattr(image, name)
            if len(value) > limit:
                return f'photo {number}: field "{name}" is {len(value)} characters long, over the limit of {limit}'
    for author in record.authors:
        if len(author) > AUTHOR_LIMIT:
            return f'author "{author[:40]}…" is {len(author)} characters long, over the limit of {AUTHOR_LIMIT}'
    for tag in record.tags:
        if len(tag) > TAG_LIMIT:
            return f'tag "{tag[:40]}…" is {len(tag)} characters long, over the limit of {TAG_LIMIT}'
    return None


def base_slug(record):
    """The slug the record asks for if it is a valid address, else one made from the headline.

    The same rule as the admin's (letters of any script, digits, - and _):
    a slug with "/", "?" or a space would make pages that link to it fail.
    """
    if record.slug:
        try:
            validate_unicode_slug(record.slug)
            return record.slug
        except ValidationError:
            made = slugify(record.title, allow_unicode=True)[:SLUG_MAX_LENGTH].strip("-") or "article"
            shown = record.slug if len(record.slug) <= 60 else record.slug[:59] + "…"
            record.warnings.append(f'slug "{shown}" is not a valid address; using "{made}" instead')
            return made
    return slugify(record.title, allow_unicode=True)[:SLUG_MAX_LENGTH].strip("-") or "article"


def batched(iterable, size):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
