"""Writing authors: bylines to authors, and an article's authors in order.

`author_ids_for_names` is the one rule for "who is this name": the
importer, the data migration and editors' tools all call it.
"""

from __future__ import annotations

from collections.abc import Iterable

from articles.history.changes import content_change
from articles.people.bylines import display_name, match_key, parse_byline
from articles.people.models import ArticleAuthor, Author, AuthorAlias, author_slug


def author_ids_for_names(names: Iterable[str], *, author_model=Author, alias_model=AuthorAlias) -> dict[str, int]:
    """{name: author id} for every name that is one, finding or creating each author in a few queries.

    A name finds an author by its match key (case, accents and punctuation
    folded: "JANE DOE" and "Jané Doe" are Jane Doe), then an alias's; the
    oldest author wins when two share a name. The others are created, under
    a free address. The models are parameters for the data migration, which
    passes its historical ones.
    """
    keyed = {}
    for name in names:
        key = match_key(name)
        if key:
            keyed.setdefault(key, name)
    found = {}
    for key, pk in (author_model.objects.filter(match_key__in=keyed).order_by("id")
                    .values_list("match_key", "id")):
        found.setdefault(key, pk)
    if len(found) < len(keyed):
        for key, pk in (alias_model.objects.filter(match_key__in=keyed.keys() - found.keys()).order_by("id")
                        .values_list("match_key", "author_id")):
            found.setdefault(key, pk)
    missing = [key for key in keyed if key not in found]
    if missing:
        shown = {key: display_name(keyed[key]) for key in missing}
        slugs = _free_slugs({key: author_slug(name) for key, name in shown.items()},
                            author_model=author_model, alias_model=alias_model)
        created = author_model.objects.bulk_create(
            [author_model(name=shown[key], slug=slugs[key], match_key=key) for key in missing])
        found.update((author.match_key, author.pk) for author in created)
    return {name: found[key] for name in names if (key := match_key(name)) in found}


def _free_slugs(wanted, *, author_model, alias_model):
    """{key: slug}: each wanted slug, numbered past any address an author has or had."""
    bases = set(wanted.values())
    taken = set(author_model.objects.filter(slug__in=bases).values_list("slug", flat=True))
    taken |= set(alias_model.objects.filter(slug__in=bases).values_list("slug", flat=True))
    for base in bases & taken:  # rare: a namesake by another spelling, or an old address
        taken |= set(author_model.objects.filter(slug__startswith=f"{base}-").values_list("slug", flat=True))
        taken |= set(alias_model.objects.filter(slug__startswith=f"{base}-").values_list("slug", flat=True))
    slugs = {}
    for key, base in wanted.items():
        slug, number = base, 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        taken.add(slug)
        slugs[key] = slug
    return slugs


def authors_for_byline(byline: str) -> list[Author]:
    """The authors a byline names, in its order, found or created."""
    names = parse_byline(byline)
    ids = author_ids_for_names(names)
    by_id = Author.objects.in_bulk(set(ids.values()))
    authors = []
    for name in names:
        author = by_id[ids[name]]
        if author not in authors:
            authors.append(author)
    return authors


def article_authors_set(*, article, authors: Iterable[Author], user=None) -> None:
    """Make `authors` the article's authors, in this order, as one change.

    Removed and added authors' pages and the article's page go stale with
    the rows written (their saves and deletions announce themselves).
    """
    wanted = list(dict.fromkeys(authors))
    with content_change(user=user, reason="Authors changed") as change:
        current = {row.author_id: row for row in ArticleAuthor.objects.filter(article=article)}
        wanted_ids = {author.pk for author in wanted}
        for author_id, row in current.items():
            if author_id not in wanted_ids:
                row.delete()
        for position, author in enumerate(wanted):
            row = current.get(author.pk)
            if row is None:
                ArticleAuthor.objects.create(article=article, author=author, position=position)
            elif row.position != position:
                row.position = position
                row.save(update_fields=["position"])
        change.touch(articles=[article.pk])
