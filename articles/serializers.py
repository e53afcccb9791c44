"""An article as plain data: the JSON API's format and each line of `export_articles`.

Defined below both so that the reader's API and the importer's export give
the same record without one importing the other. The export adds where
its photo files went and names its authors rather than their pages
(articles/ingest/jsonl.py), and reads its lines back there.
"""

from articles.models import NotLoaded


def image_as_dict(image):
    return {
        "id": image.pk,
        "caption": image.caption,
        "credit": image.credit,
        "alt_text": image.alt_text,
        "copyright": image.copyright,
        "file_url": image.largest_rendition()[0] if image.has_renditions else None,
    }


def authors_as_list(article):
    """Its authors in order, as name and page; loaded by articles.people.selectors (with_authors, authors_attach)."""
    try:
        authorships = article.authorships
    except AttributeError:
        raise NotLoaded("An article's authors are loaded by articles.people.selectors") from None
    return [{"name": row.author.name, "url": row.author.get_absolute_url()} for row in authorships]


def article_as_dict(article):
    """An article from with_images_and_tags (articles/selectors.py) and its authors as plain data."""
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
        "authors": authors_as_list(article),
        "source": article.source,
        "body": article.paragraphs,
        "images": [image_as_dict(placement.image) for placement in article.placements],
        "tags": [tag.name for tag in article.tag_list],
    }
