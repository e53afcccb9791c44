"""An article as plain data: the JSON API's format and each line of `export_articles`.

Defined below both so that the reader's API and the importer's export give
the same record without one importing the other. The export adds only where
its photo files went (articles/ingest/jsonl.py), and reads its lines back there.
"""


def image_as_dict(image):
    return {
        "id": image.pk,
        "caption": image.caption,
        "credit": image.credit,
        "alt_text": image.alt_text,
        "copyright": image.copyright,
        "file_url": image.largest_rendition()[0] if image.has_renditions else None,
    }


def article_as_dict(article):
    """An article from with_images_and_tags (articles/selectors.py) as plain data."""
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
