"""The JSON Lines export format, both directions: one article per line.

Each line is `article_as_dict` (articles/serializers.py, the JSON API's
record too), its authors by name rather than by address, and, with the
photo files, where each original went;
`jsonl_record` reads a line back (for `import_dump --format jsonl`), so a
round trip keeps everything.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timezone as dt_timezone

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from articles.core.text import clean_text
from articles.ingest import dumpparser, lines
from articles.ingest.records import ArticleRecord, ImageRecord
from articles.models import Article
from articles.people.selectors import authors_of, with_authors
from articles.selectors import with_images_and_tags
from articles.serializers import article_as_dict

EXPORT_CHUNK_SIZE = 500


def export_lines(queryset, photo_files=None):
    """Yield one JSON line per article, streaming in chunks; originals go to `photo_files` (PhotoFilesWriter)."""
    queryset = with_authors(with_images_and_tags(queryset.order_by("id")))
    for article in queryset.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        data = article_as_dict(article)
        # By name: an import finds or creates them there, where this site's addresses mean nothing.
        data["authors"] = [author.name for author in authors_of(article)]
        if article.embargo_until:
            # Readers never see an article under embargo, so the API has no use for it; an export keeps it.
            data["embargo_until"] = article.embargo_until.isoformat()
        if photo_files is not None:
            _add_photo_files(data, article, photo_files)
        yield json.dumps(data, ensure_ascii=False)


def _add_photo_files(data, article, photo_files):
    """Name each original written to `photo_files` in its image, for an import to restore."""
    for placement, image_data in zip(article.placements, data["images"]):
        image = placement.image
        if image.file:
            image_data["file"] = photo_files.add(image)
            image_data["focal"] = [image.focal_x, image.focal_y]


# --- reading it back


def jsonl_records(stream, *, encoding: str) -> Iterator[ArticleRecord]:
    """Records from the `export_articles` format, one JSON object per line."""
    for line in lines.read_lines(stream, encoding=encoding):
        if line.error:
            yield ArticleRecord(title="", paragraphs=[], first_line=line.number, last_line=line.number,
                                error=line.error)
            continue
        if not line.text.strip():
            continue
        yield jsonl_record(line.number, line.text)


def _image_record(data):
    focal = data.get("focal")
    valid_focal = (isinstance(focal, list) and len(focal) == 2
                   and all(isinstance(v, (int, float)) and 0 <= v <= 1 for v in focal))
    return ImageRecord(
        clean_text(str(data.get("caption") or "")), clean_text(str(data.get("credit") or "")),
        clean_text(str(data.get("alt_text") or "")), copyright=clean_text(str(data.get("copyright") or "")),
        file=str(data.get("file") or ""), focal=tuple(focal) if valid_focal else (0.5, 0.5),
    )


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
    authors = data.get("authors") or []
    # Names, as the export writes them; the API's {name, url} objects are read too.
    authors = [a.get("name") if isinstance(a, dict) else a for a in authors] if isinstance(authors, list) else None
    if authors is None or not all(isinstance(a, str) for a in authors):
        return failed('field "authors" must be a list of names')
    status = data.get("status")
    if status is not None and status not in Article.Status.values:
        return failed(f'field "status" must be one of {", ".join(Article.Status.values)}')
    published_at = None
    if data.get("published_at"):
        published_at = parse_datetime(str(data["published_at"]))
        if published_at is None:
            return failed('field "published_at" is not an ISO 8601 date-time')
    embargo_until = None
    if data.get("embargo_until"):
        embargo_until = parse_datetime(str(data["embargo_until"]))
        if embargo_until is None:
            return failed('field "embargo_until" is not an ISO 8601 date-time')
        if timezone.is_naive(embargo_until):
            embargo_until = timezone.make_aware(embargo_until, dt_timezone.utc)
        published = published_at and (timezone.make_aware(published_at, dt_timezone.utc)
                                      if timezone.is_naive(published_at) else published_at)
        if status == Article.Status.PUBLISHED and (published is None or published < embargo_until):
            return failed('field "published_at" is before "embargo_until": an article under embargo goes live '
                          'at the end of its embargo or later')
    paragraphs = [clean_text(p) for p in body if clean_text(p)]
    record = ArticleRecord(
        title=title,
        paragraphs=paragraphs,
        images=[_image_record(i) for i in images],
        first_line=number,
        last_line=number,
        raw_text=text,
        tags=[clean_text(t) for t in tags if clean_text(t)],
        authors=[clean_text(a) for a in authors if clean_text(a)],
        status=status,
        published_at=published_at,
        embargo_until=embargo_until,
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
