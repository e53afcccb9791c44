"""What an article is at one moment, and what changed between two moments.

A snapshot is plain JSON: the editable fields, the tag names and the photo
ids in order. Versions store them; conflicts and the History page compare
them.
"""

from django.utils.dateparse import parse_datetime

from articles.core.comparison import paragraph_diff, paragraph_diff_summary
from articles.models import ArticleImage, TaggedArticle, paragraphs_from_body

FIELDS = ("title", "slug", "standfirst", "byline", "source", "body", "status", "published_at", "embargo_until")
DATES = ("published_at", "embargo_until")  # kept in snapshots as ISO 8601 text
PARTS = (*FIELDS, "tags", "images")
LABELS = {
    "title": "Headline", "slug": "Address", "standfirst": "Standfirst", "byline": "Byline", "source": "Source",
    "body": "Body", "status": "Status", "published_at": "Publication date", "embargo_until": "Embargo", "tags": "Tags", "images": "Photos",
}


def normalized_body(body):
    """Line endings as the database keeps them: a browser sends CRLF."""
    return body.replace("\r\n", "\n").replace("\r", "\n")


def snapshot_of(article, *, tags=None, image_ids=None):
    """The snapshot of `article` as loaded; tags and photos read from the database unless given."""
    data = {field: getattr(article, field) for field in FIELDS}
    data["body"] = normalized_body(data["body"])
    for part in DATES:
        value = getattr(article, part)
        data[part] = value.isoformat() if value else None
    if tags is None:
        tags = TaggedArticle.objects.filter(content_object_id=article.pk).values_list("tag__name", flat=True)
    data["tags"] = sorted(tags, key=str.casefold)
    if image_ids is None:
        image_ids = ArticleImage.objects.filter(article_id=article.pk).order_by("position", "id").values_list(
            "image_id", flat=True)
    data["images"] = list(image_ids)
    return data


def snapshot_from_values(*, title, slug, standfirst, byline, source, body, status, published_at, tags, images,
                         embargo_until=None):
    """A snapshot from plain values (the importer's rows), the same as snapshot_of() would give."""
    return {
        "title": title, "slug": slug, "standfirst": standfirst, "byline": byline, "source": source,
        "body": normalized_body(body), "status": status,
        "published_at": published_at.isoformat() if published_at else None,
        "embargo_until": embargo_until.isoformat() if embargo_until else None,
        "tags": sorted(tags, key=str.casefold), "images": list(images),
    }


def changed_parts(old, new):
    """The parts (fields, "tags", "images") whose values differ."""
    return [part for part in PARTS if _comparable(part, old.get(part)) != _comparable(part, new.get(part))]


def _comparable(part, value):
    if part in DATES and value:
        return parse_datetime(value)
    if part == "body" and value:
        return normalized_body(value)
    return value


def describe_changes(old, new):
    """[(label, old text, new text)] for an editor: short fields old → new, the body as a paragraph summary."""
    changes = []
    for part in changed_parts(old, new):
        before, after = old.get(part), new.get(part)
        if part == "body":
            summary = paragraph_diff_summary(
                paragraph_diff(paragraphs_from_body(before or ""), paragraphs_from_body(after or "")))
            changes.append((LABELS[part], "", summary or "line breaks only"))
        elif part == "tags":
            added = [t for t in after or [] if t not in (before or [])]
            removed = [t for t in before or [] if t not in (after or [])]
            changes.append((LABELS[part], ", ".join(removed) or "–", ", ".join(added) or "–"))
        elif part == "images":
            changes.append((LABELS[part], _photos(before), _photos(after)))
        else:
            changes.append((LABELS[part], _text(before), _text(after)))
    return changes


def _photos(ids):
    if not ids:
        return "none"
    return f"{len(ids)}: " + ", ".join(f"#{i}" for i in ids)


def _text(value):
    if value in (None, ""):
        return "–"
    value = str(value)
    return value if len(value) <= 200 else value[:199] + "…"
