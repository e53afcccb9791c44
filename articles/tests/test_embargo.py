"""An article under embargo: nobody publishes it early, readers and machines see nothing of it until the time."""

import io
import json
import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.history.services import article_publish
from articles.ingest.jsonl import export_lines
from articles.ingest.pipeline import ImportOptions, import_stream
from articles.models import Article
from devtools.factories import make_article, make_editor

pytestmark = pytest.mark.django_db

READER_URLS = ["/", "/feed/", "/feed/atom/", "/sitemap.xml", "/api/articles/", "/search/?q=ceasefire",
               "/tags/gaza/", "/tags/gaza/feed/"]


def embargoed(*, minutes=60, **fields):
    return make_article(title="Ceasefire agreed", paragraphs=["The ceasefire starts at noon."], tags=["Gaza"],
                        status=Article.Status.DRAFT,
                        embargo_until=timezone.now() + timedelta(minutes=minutes), **fields)


def test_the_database_refuses_an_article_published_before_its_embargo():
    article = embargoed()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED, published_at=timezone.now())


def test_nobody_can_publish_it_before_the_embargo_ends():
    article = embargoed()
    with pytest.raises(ValidationError) as refused:
        article_publish(article_id=article.pk)
    assert "Under embargo until" in str(refused.value)
    with pytest.raises(ValidationError):
        article_publish(article_id=article.pk, when=article.embargo_until - timedelta(minutes=1))
    article_publish(article_id=article.pk, when=article.embargo_until)
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED and article.published_at == article.embargo_until


def test_publish_now_in_the_form_and_in_the_list_says_why_not(client):
    client.force_login(make_editor())
    article = embargoed()
    response = client.post(reverse("admin:articles_article_changelist"), {
        "action": "publish_now", "_selected_action": [article.pk], "confirm": "yes"}, follow=True)
    assert "Under embargo until" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_readers_and_machines_see_nothing_until_the_embargo_ends_and_then_everything():
    article = embargoed(minutes=0)
    Article.objects.filter(pk=article.pk).update(embargo_until=timezone.now() + timedelta(seconds=1))
    article.refresh_from_db()
    article_publish(article_id=article.pk, when=article.embargo_until)
    reader = Client()
    assert reader.get(article.get_absolute_url()).status_code == 404
    for url in READER_URLS:
        assert "Ceasefire" not in reader.get(url).content.decode(), url
    time.sleep(1.2)
    assert reader.get(article.get_absolute_url()).status_code == 200
    for url in ["/", "/feed/", "/api/articles/", "/tags/gaza/"]:
        assert "Ceasefire" in reader.get(url).content.decode(), url


def test_json_lines_carry_the_embargo_both_ways():
    article = embargoed()
    line = next(export_lines(Article.objects.filter(pk=article.pk)))
    assert json.loads(line)["embargo_until"] == article.embargo_until.isoformat()
    Article.objects.all().delete()
    report = import_stream(io.BytesIO(line.encode()), name="export.jsonl", options=ImportOptions())
    assert report.articles_created == 1
    assert Article.objects.get().embargo_until == article.embargo_until


def test_an_imported_line_published_before_its_embargo_is_one_error_and_the_rest_go_in():
    soon = timezone.now() + timedelta(hours=2)
    lines = [
        {"title": "Early", "body": ["Too soon."], "status": "published",
         "published_at": timezone.now().isoformat(), "embargo_until": soon.isoformat()},
        {"title": "On time", "body": ["At the embargo."], "status": "published",
         "published_at": soon.isoformat(), "embargo_until": soon.isoformat()},
    ]
    data = "\n".join(json.dumps(line) for line in lines).encode()
    report = import_stream(io.BytesIO(data), name="embargo.jsonl", options=ImportOptions())
    assert report.articles_created == 1 and Article.objects.get().title == "On time"
    assert len(report.errors) == 1 and '"published_at" is before "embargo_until"' in report.errors[0]
    assert "line 1" in report.errors[0]
