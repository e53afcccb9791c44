"""Imports turn bylines into authors; exports carry them by name; the migration does the same for old articles."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from articles.people.models import ArticleAuthor, Author, AuthorAlias
from articles.people.services import article_authors_set, authors_for_byline
from devtools.dumps import run_import
from devtools.factories import make_article

pytestmark = pytest.mark.django_db


def line(n, **fields):
    return json.dumps({"title": f"Story {n}", "body": [f"Paragraph of story {n}."], "status": "published",
                       "published_at": "2024-05-01T10:00:00+00:00", **fields}, ensure_ascii=False)


def import_lines(tmp_path, *lines):
    path = tmp_path / "articles.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, err, failed = run_import(path)
    assert not failed, err
    return out


def authors_of(title):
    return [row.author.name for row in ArticleAuthor.objects.filter(article__title=title)
            .select_related("author").order_by("position")]


def test_an_imported_byline_becomes_its_authors_in_order(tmp_path):
    import_lines(tmp_path, line(1, byline="By Jane Doe and John Smith, Reuters"))
    assert authors_of("Story 1") == ["Jane Doe", "John Smith"]
    assert Article.objects.get(title="Story 1").byline == "By Jane Doe and John Smith, Reuters"


def test_imported_names_find_an_existing_author_whatever_the_case_and_accents(tmp_path):
    jane = Author.objects.create(name="Jane Doe")
    import_lines(tmp_path, line(1, byline="JANE DOE"), line(2, byline="Jané Doe in Baghdad"),
                 line(3, byline="jane doe, AFP"))
    assert Author.objects.count() == 1
    assert set(ArticleAuthor.objects.values_list("author_id", flat=True)) == {jane.pk}


def test_a_merged_authors_old_name_finds_the_author_it_was_merged_into(tmp_path):
    jane = Author.objects.create(name="Jane Doe")
    AuthorAlias.objects.create(author=jane, name="J. Doe", slug="j-doe")
    import_lines(tmp_path, line(1, byline="By J. Doe"))
    assert authors_of("Story 1") == ["Jane Doe"]


def test_new_authors_are_created_once_per_batch_under_free_addresses(tmp_path):
    Author.objects.create(name="Sam Lee", slug="sam-lee")
    AuthorAlias.objects.create(author=Author.objects.create(name="Ann Other"), name="Sam-Lee X", slug="sam-lee-2")
    import_lines(tmp_path, line(1, byline="SAM LEE"), line(2, byline="Samuel Lee and Sam Lee"),
                 line(3, byline="Sam  Lée"), line(4, byline="Sam Lee 2"), line(5, byline="Samuel LEE"))
    # An address an alias holds still leads to its author: it is not given again.
    assert Author.objects.get(name="Sam Lee 2").slug == "sam-lee-2-2"
    assert authors_of("Story 2") == ["Samuel Lee", "Sam Lee"]
    assert Author.objects.filter(match_key="sam lee").count() == 1
    assert Author.objects.filter(match_key="samuel lee").count() == 1


def test_an_agency_or_staff_byline_gives_no_author(tmp_path):
    import_lines(tmp_path, line(1, byline="AFP"), line(2, byline="Staff"), line(3))
    assert not ArticleAuthor.objects.exists() and not Author.objects.exists()


def test_arabic_bylines_become_arabic_authors_with_addresses_in_their_script(tmp_path):
    import_lines(tmp_path, line(1, byline="بقلم سارة علي و أحمد حسن"))
    assert authors_of("Story 1") == ["سارة علي", "أحمد حسن"]
    assert Author.objects.get(name="سارة علي").slug == "سارة-علي"


def test_an_exports_authors_are_preferred_to_its_byline(tmp_path):
    import_lines(tmp_path, line(1, byline="Desk", authors=["Jane Doe", "John Smith"]),
                 line(2, authors=[{"name": "Ann Lee", "url": "/authors/ann-lee/"}]))
    assert authors_of("Story 1") == ["Jane Doe", "John Smith"]
    assert authors_of("Story 2") == ["Ann Lee"]


def test_authors_that_are_not_a_list_of_names_fail_that_line(tmp_path):
    path = tmp_path / "articles.jsonl"
    path.write_text(line(1, authors="Jane Doe") + "\n", encoding="utf-8")
    _, err, failed = run_import(path)
    assert failed and 'field "authors" must be a list of names' in err


def test_a_batchs_authors_cost_a_few_queries_whatever_the_number_of_bylines(tmp_path):
    def queries(count, offset, with_bylines):
        path = tmp_path / f"{offset}.jsonl"
        path.write_text("\n".join(
            line(offset + n, **({"byline": f"By Writer {offset + n} and Other {offset + n}"} if with_bylines else {}))
            for n in range(count)) + "\n", encoding="utf-8")
        with CaptureQueriesContext(connection) as context:
            run_import(path)
        return len(context.captured_queries)

    queries(1, 0, False)  # the first import in a process reads what later ones know
    many = queries(30, 1000, True) - queries(30, 2000, False)
    few = queries(3, 3000, True) - queries(3, 4000, False)
    # Finding and creating the authors, then one look-up for those who look like them.
    assert many == few <= 7


def test_the_export_names_each_articles_authors_and_an_import_reads_them_back(tmp_path):
    article = make_article(title="Exported", byline="J. Doe and J. Smith")
    article_authors_set(article=article, authors=[Author.objects.create(name="Jane Doe"),
                                                  Author.objects.create(name="John Smith")])
    out = StringIO()
    call_command("export_articles", stdout=out)
    (row,) = [json.loads(text) for text in out.getvalue().splitlines()]
    assert row["authors"] == ["Jane Doe", "John Smith"]
    Article.objects.all().delete()
    ArticleAuthor.objects.all().delete()
    Author.objects.all().delete()
    import_lines(tmp_path, json.dumps(row))
    assert authors_of("Exported") == ["Jane Doe", "John Smith"]


def test_authors_for_byline_finds_or_creates_each_person_once():
    jane = Author.objects.create(name="Jane Doe")
    authors = authors_for_byline("By JANE DOE and John Smith, AP")
    assert authors[0] == jane and [a.name for a in authors] == ["Jane Doe", "John Smith"]
    assert authors_for_byline("John Smith") == authors[1:]


def test_setting_an_articles_authors_keeps_their_order_and_drops_the_others():
    article = make_article()
    a, b, c = (Author.objects.create(name=name) for name in ("A One", "B Two", "C Three"))
    article_authors_set(article=article, authors=[a, b])
    article_authors_set(article=article, authors=[c, a])
    assert [(row.author, row.position) for row in ArticleAuthor.objects.filter(article=article)] == [(c, 0), (a, 1)]


def test_the_migration_turns_existing_bylines_into_authors_and_leaves_done_articles_alone():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("articles.people.migrations.0002_bylines_to_authors")
    jane = Author.objects.create(name="Jane Doe")
    first = make_article(byline="By Jane Doe and John Smith")
    second = make_article(byline="JOHN SMITH, Reuters")
    done = make_article(byline="Someone Else")
    article_authors_set(article=done, authors=[jane])
    make_article(byline="")
    migration.bylines_to_authors(apps, None)
    john = Author.objects.get(name="John Smith")
    assert [row.author for row in ArticleAuthor.objects.filter(article=first)] == [jane, john]
    assert [row.author for row in ArticleAuthor.objects.filter(article=second)] == [john]
    assert [row.author for row in ArticleAuthor.objects.filter(article=done)] == [jane]
    assert not Author.objects.filter(name="Someone Else").exists()


def test_an_imported_author_who_looks_like_an_existing_one_is_proposed_on_the_duplicate_desk(tmp_path):
    from articles.models import DuplicateCandidate

    jane = Author.objects.create(name="Jane Doe")
    import_lines(tmp_path, line(1, byline="By J. Doe"), line(2, byline="By Sam Roe"))
    initial = Author.objects.get(name="J. Doe")
    pair = DuplicateCandidate.objects.get(kind="author")
    assert (pair.author_a, pair.author_b, pair.status) == (jane, initial, "open")
