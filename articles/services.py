"""Small writes over the models that several features share."""

from articles.core.text import clean_text
from articles.models import Tag, TagAlias


def tag_get_or_create(name):
    """The tag with this name or alias in any case, created if there is none."""
    name = clean_text(name)
    return tag_find(name) or Tag.objects.get_or_create(name=name)[0]


def tag_find(name):
    """The tag with this name or alias in any case, or None."""
    name = clean_text(name)
    tag = Tag.objects.filter(name__iexact=name).first()
    if tag is None:
        alias = TagAlias.objects.select_related("tag").filter(name__iexact=name).first()
        tag = alias.tag if alias else None
    return tag


def tag_rename_keep_alias(*, tag, old_name, old_slug):
    """Before a tag's address changes: keep the old one as an alias, so its links still lead to the tag."""
    if TagAlias.objects.filter(slug=old_slug).exists():
        return
    name = old_name
    if TagAlias.objects.filter(name__iexact=name).exists():
        name = f"{old_name} ({old_slug})"[:100]
    TagAlias.objects.create(name=name, slug=old_slug, tag=tag)
