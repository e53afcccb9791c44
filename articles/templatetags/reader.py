"""Template helpers for reader pages."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles.reader import seo

register = template.Library()


@register.filter
def json_ld(data):
    """A JSON-LD data block. The JSON is escaped so no value can close the element."""
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(seo.json_dumps_html_safe(data)))


@register.filter
def text_direction(text):
    return seo.text_direction(text or "")
