"""Articles imported with a slug that is not a valid address ("a/b", "what?") get one made from the headline.

Such slugs made every page linking to the article fail. The old value is
kept among the article's addresses, like any old slug.
"""

import re

from django.db import migrations
from django.utils.text import slugify

VALID = re.compile(r"^[-\w]+\Z")


def repair(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    ArticleAddress = apps.get_model("articles", "ArticleAddress")
    for article in Article.objects.only("id", "slug", "title").iterator():
        if VALID.match(article.slug):
            continue
        base = slugify(article.title, allow_unicode=True)[:200].strip("-") or "article"
        slug, n = base, 1
        while Article.objects.filter(slug=slug).exists() or ArticleAddress.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        Article.objects.filter(pk=article.pk).update(slug=slug)
        ArticleAddress.objects.create(slug=slug, article_id=article.pk)


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0012_tag_addresses"),
    ]

    operations = [
        migrations.RunPython(repair, migrations.RunPython.noop),
    ]
