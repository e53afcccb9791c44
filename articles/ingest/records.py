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

from django.utils.text import slugify

from articles.core.text import caption_key, fingerprint_of_normalized, normalized_parts
from articles.duplicates import minhash
from articles.ingest import dumpparser, lines
from articles.ingest.tagging import Vocabulary

SLUG_MAX_LENGTH = 200


@dataclass
class ImageRecord:
    caption: str
    credit: str
    alt_text: str = ""
    key: str = ""  # caption_key, filled by prepare_record()


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
    # Filled by prepare_record(), ahead of the database writes.
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
    """Compute what writing needs: fingerprint, MinHash signature, band and
    caption keys, the slug wanted and, given a vocabulary, the tags its text names."""
    if record.error is None:
        parts = normalized_parts(record.title, record.paragraphs)
        record.fingerprint = fingerprint_of_normalized(parts)
        record.signature = minhash.signature_of_normalized(parts)
        record.band_keys = minhash.band_keys(record.signature)
        for image in record.images:
            image.key = caption_key(image.caption, image.credit)
        record.wanted_slug = base_slug(record)
        if vocabulary is not None:
            record.matched_tag_ids = vocabulary.match(record.title, *record.paragraphs)
    return record


def base_slug(record):
    return record.slug or slugify(record.title, allow_unicode=True)[:SLUG_MAX_LENGTH].strip("-") or "article"


def batched(iterable, size):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
