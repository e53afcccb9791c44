"""Fuzzing the importer: random and mutated dumps and JSON Lines.

Whatever the input: no traceback, every problem one line, no partial
article, and the articles the damage did not reach are all imported.
Bounded (max_examples) so CI spends about a minute here on each database.
"""

import io
import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from articles.ingest.pipeline import ImportOptions, import_stream
from articles.models import Article, ArticleVersion
from devtools.dumps import article_text

pytestmark = pytest.mark.django_db

_run = itertools.count()
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])


def articles(prefix, count=6):
    return [(f"{prefix} headline {i}", [f"{prefix} paragraph {i}.{j} of the story." for j in range(2)],
             [f"{prefix} photo {i}. (AFP)"]) for i in range(count)]


def import_bytes(data, name):
    return import_stream(io.BytesIO(data), name=name, options=ImportOptions())


def assert_whole(report):
    for line in report.errors + report.warnings:
        assert "\n" not in line and "Traceback" not in line, line
    for article in Article.objects.all():
        assert article.title and article.paragraphs, f"partial article {article.pk}"
        assert ArticleVersion.objects.filter(article_id=article.pk).exists()


MUTATIONS = st.sampled_from(["delete", "duplicate", "insert", "truncate", "replace", "nul", "long"])


@FUZZ
@given(victim=st.integers(0, 5), mutation=MUTATIONS, junk=TEXT, where=st.floats(0, 1))
def test_a_damaged_article_never_takes_the_others_with_it(victim, mutation, junk, where):
    prefix = f"r{next(_run)}"
    stories = articles(prefix)
    blocks = [article_text(title, paragraphs, captions) for title, paragraphs, captions in stories]
    lines = blocks[victim].split("\n")
    at = int(where * (len(lines) - 1))
    if mutation == "delete":
        del lines[at]
    elif mutation == "duplicate":
        lines.insert(at, lines[at])
    elif mutation == "insert":
        lines.insert(at, junk)
    elif mutation == "truncate":
        lines = lines[:at]
    elif mutation == "replace":
        lines[at] = junk
    elif mutation == "nul":
        lines[at] = lines[at][: len(lines[at]) // 2] + "\x00" + junk
    else:
        lines[at] = junk * 20 + "x" * 600
    blocks[victim] = "\n".join(lines) + "\n\n"
    report = import_bytes("".join(blocks).encode(), f"{prefix}.txt")
    assert_whole(report)
    titles = set(Article.objects.filter(title__startswith=prefix).values_list("title", flat=True))
    # Damage can reach the neighbours (a lost widget joins two articles), never further.
    for index, (title, _, _) in enumerate(stories):
        if abs(index - victim) > 1:
            assert title in titles, (mutation, title)


@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes_are_refused_in_one_line_each(data):
    report = import_bytes(data, f"r{next(_run)}.txt")
    assert_whole(report)


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
                           lambda children: st.lists(children, max_size=3)
                           | st.dictionaries(TEXT, children, max_size=3), max_leaves=8)
FIELDS = st.sampled_from(["title", "body", "images", "tags", "status", "published_at", "slug", "standfirst",
                          "byline", "source"])


@FUZZ
@given(victim=st.integers(0, 4), field=FIELDS, value=JSON_VALUES, raw=st.none() | TEXT)
def test_a_bad_json_lines_record_fails_alone(victim, field, value, raw):
    prefix = f"r{next(_run)}"
    records = [{"title": f"{prefix} export {i}", "body": [f"{prefix} body {i}."], "tags": ["Iraq"],
                "images": [{"caption": f"{prefix} photo {i}", "credit": "AFP"}]} for i in range(5)]
    lines = [json.dumps(record, ensure_ascii=False) for record in records]
    if raw is not None:
        lines[victim] = raw.replace("\n", " ")
    else:
        lines[victim] = json.dumps({**records[victim], field: value}, ensure_ascii=False)
    report = import_bytes(("\n".join(lines) + "\n").encode(), f"{prefix}.jsonl")
    assert_whole(report)
    titles = set(Article.objects.filter(title__startswith=prefix).values_list("title", flat=True))
    for index, record in enumerate(records):
        if index != victim:
            assert record["title"] in titles
