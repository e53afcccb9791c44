"""What machines read about a page: canonical URL, OpenGraph and Twitter
cards, schema.org NewsArticle data, and JSON that is safe inside HTML."""

import json
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.text import Truncator

from articles.people.selectors import authors_of

DESCRIPTION_WORDS = 40
# Google shows at most 110 characters of a NewsArticle headline.
HEADLINE_CHARACTERS = 110
# As django.utils.html.json_script: text that cannot close the element it
# sits in ("</script>") nor start markup, whatever the data holds.
_JSON_HTML_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_dumps_html_safe(data):
    """JSON text with <, > and & escaped: the same data, inert inside HTML."""
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_HTML_ESCAPES)


@dataclass(frozen=True)
class PageMeta:
    """The page description shared by <title>, canonical, OpenGraph and Twitter tags."""

    title: str
    description: str
    url: str
    type: str = "website"
    image: str = ""
    image_alt: str = ""
    noindex: bool = False
    published_time: object = None
    modified_time: object = None
    tags: list = field(default_factory=list)

    @property
    def twitter_card(self):
        return "summary_large_image" if self.image else "summary"


def canonical_url(request, path=None, page=None, **params):
    """The absolute URL of a page: `params` and the page number are all it keeps of the query."""
    query = {name: value for name, value in params.items() if value}
    if page is not None and page.number > 1:
        query["page"] = page.number
    url = request.build_absolute_uri(path or request.path)
    return f"{url}?{urlencode(query)}" if query else url


def listing_meta(request, *, title, description, page=None, path=None):
    return PageMeta(title=title, description=description, url=canonical_url(request, path, page))


def article_summary(article, words=DESCRIPTION_WORDS):
    """The standfirst, else the start of the first paragraph."""
    text = article.standfirst or next(iter(article.paragraphs), "")
    return Truncator(text).words(words)


def lead_image(article):
    """The first image readers can see (it has renditions), or None (an article from with_images_and_tags)."""
    return next((p.image for p in article.placements if p.image.has_renditions), None)


def article_meta(request, article):
    image = lead_image(article)
    return PageMeta(
        title=article.title,
        description=article_summary(article),
        url=canonical_url(request, article.get_absolute_url()),
        type="article",
        image=request.build_absolute_uri(image.og_rendition()[0]) if image else "",
        image_alt=image.description if image else "",
        published_time=article.published_at,
        modified_time=article.updated_at,
        tags=[tag.name for tag in article.tag_list],
    )


def news_article_data(request, article):
    """schema.org NewsArticle for search engines, for an article from with_images_and_tags."""
    url = canonical_url(request, article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": Truncator(article.title).chars(HEADLINE_CHARACTERS),
        "description": article_summary(article),
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": article.published_at,
        "dateModified": article.updated_at,
        "publisher": {"@type": "Organization", "name": settings.NEWSROOM_SITE_NAME},
    }
    images = [_image_object(request, placement.image) for placement in article.placements
              if placement.image.has_renditions]
    if images:
        data["image"] = images
    authors = authors_of(article)
    if authors:
        data["author"] = [person_data(request, author, context=False) for author in authors]
    elif article.byline:
        data["author"] = [{"@type": "Person", "name": article.byline}]
    elif article.source:
        data["author"] = [{"@type": "Organization", "name": article.source}]
    tags = [tag.name for tag in article.tag_list]
    if tags:
        data["keywords"] = tags
    return data


def person_data(request, author, *, context=True):
    """schema.org Person: an author, their page, and their profiles elsewhere as sameAs."""
    data = {"@type": "Person", "name": author.name, "url": canonical_url(request, author.get_absolute_url())}
    if context:
        data = {"@context": "https://schema.org", **data}
    if author.web_links:
        data["sameAs"] = author.web_links
    if author.bio and context:
        data["description"] = author.bio
    return data


def author_meta(request, author, *, page=None):
    title = author.name if page is None or page.number == 1 else f"{author.name}, page {page.number}"
    description = Truncator(author.bio).words(DESCRIPTION_WORDS) if author.bio else f"Articles by {author.name}."
    return PageMeta(title=title, description=description, url=canonical_url(request, page=page), type="profile")


def _image_object(request, image):
    url, width, height = image.largest_rendition()
    data = {"@type": "ImageObject", "url": request.build_absolute_uri(url), "width": width, "height": height}
    if image.caption:
        data["caption"] = image.caption
    if image.credit:
        data["creditText"] = image.credit
    if image.copyright:
        data["copyrightNotice"] = image.copyright
    return data


def text_direction(text):
    """"rtl" when the text's first strong character is right-to-left (Arabic, Hebrew…)."""
    for character in text:
        direction = unicodedata.bidirectional(character)
        if direction in ("R", "AL"):
            return "rtl"
        if direction == "L":
            return "ltr"
    return "ltr"
