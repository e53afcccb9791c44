"""Template helpers for reader pages."""

from django import template
from django.core.files.storage import storages
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from articles.reader import seo
from media.photos import MIME_TYPES

register = template.Library()


@register.filter
def json_ld(data):
    """A JSON-LD data block. The JSON is escaped so no value can close the element."""
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(seo.json_dumps_html_safe(data)))


@register.filter
def text_direction(text):
    return seo.text_direction(text or "")


# The width each slot takes on screen, for the browser to pick a rendition
# (static/css/site.css: the article measure is 40rem, a card's photo 15rem
# from 48rem up; below that both span the screen less the page's padding).
SIZES = {
    "article": "(min-width: 42rem) 40rem, calc(100vw - 2rem)",
    "card": "(min-width: 48rem) 15rem, calc(100vw - 2rem)",
}


@register.simple_tag
def picture(image, slot="article", eager=False):
    """A photo as <picture>: AVIF and WebP renditions for browsers that take them, JPEG for the rest.

    Width and height from the picture, so the page does not move as it
    loads; the first photo of a page loads at once, the others when
    scrolled to. A photo without renditions (not made yet) shows nothing.
    """
    sources = (image.renditions or {}).get("sources") or {}
    if not sources.get("jpeg"):
        return ""
    storage = storages["default"]
    sizes = SIZES.get(slot, SIZES["article"])

    def srcset(entries):
        return ", ".join(f"{storage.url(name)} {width}w" for width, _, name in entries)

    jpeg = sources["jpeg"]
    width, height, _ = jpeg[-1]
    loading = mark_safe(' fetchpriority="high"' if eager else ' loading="lazy"')
    return format_html(
        '<picture>{}<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"{} decoding="async"></picture>',
        format_html_join("", '<source type="{}" srcset="{}" sizes="{}">',
                         ((MIME_TYPES[kind], srcset(sources[kind]), sizes)
                          for kind in ("avif", "webp") if sources.get(kind))),
        image.rendition_url(640), srcset(jpeg), sizes, width, height, image.description, loading,
    )
