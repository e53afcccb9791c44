"""The JSON Lines export format: one article per line.

The same dictionaries feed `export_articles`, the JSON API and the
`--format jsonl` importer, so the three never drift apart.
"""

import json

from articles.selectors import with_images_and_tags

EXPORT_CHUNK_SIZE = 500


def image_as_dict(image):
    return {
        "id": image.pk,
        "caption": image.caption,
        "credit": image.credit,
        "alt_text": image.alt_text,
        "file_url": image.file.url if image.file else None,
    }


def article_as_dict(article):
    """An article from with_images_and_tags as plain data."""
    return {
        "id": article.pk,
        "title": article.title,
        "slug": article.slug,
        "url": article.get_absolute_url(),
        "status": article.status,
        "merged_into": article.merged_into_id,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "standfirst": article.standfirst,
        "byline": article.byline,
        "source": article.source,
        "body": article.paragraphs,
        "images": [image_as_dict(placement.image) for placement in article.placements],
        "tags": [tag.name for tag in article.tag_list],
    }


def export_lines(queryset):
    """Yield one JSON line per article, streaming in chunks."""
    queryset = with_images_and_tags(queryset.order_by("id"))
    for article in queryset.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        yield json.dumps(article_as_dict(article), ensure_ascii=False)
