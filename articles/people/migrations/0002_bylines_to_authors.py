"""Existing articles' bylines become their authors, in order.

Batched by id, so an archive of any size is read a slice at a time; an
article that already has authors is left as it is. Reversing keeps the
authors: the bylines are unchanged, so nothing is lost either way.
"""

from django.db import migrations

from articles.people.bylines import parse_byline
from articles.people.services import author_ids_for_names

BATCH = 2000


def bylines_to_authors(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Author = apps.get_model("people", "Author")
    AuthorAlias = apps.get_model("people", "AuthorAlias")
    ArticleAuthor = apps.get_model("people", "ArticleAuthor")
    last = 0
    while True:
        rows = list(Article.objects.filter(pk__gt=last).exclude(byline="").order_by("pk")
                    .values_list("pk", "byline")[:BATCH])
        if not rows:
            return
        last = rows[-1][0]
        done = set(ArticleAuthor.objects.filter(article_id__in=[pk for pk, _ in rows])
                   .values_list("article_id", flat=True))
        names = {pk: parse_byline(byline) for pk, byline in rows if pk not in done}
        ids = author_ids_for_names([name for found in names.values() for name in found],
                                   author_model=Author, alias_model=AuthorAlias)
        links = []
        for article_id, found in names.items():
            for position, author_id in enumerate(dict.fromkeys(ids[name] for name in found)):
                links.append(ArticleAuthor(article_id=article_id, author_id=author_id, position=position))
        ArticleAuthor.objects.bulk_create(links)


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(bylines_to_authors, migrations.RunPython.noop, elidable=True),
    ]
