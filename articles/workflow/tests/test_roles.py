"""Roles: reporters write and submit but cannot publish, by any path; editors publish; the operator is never refused."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from articles.history.services import article_publish
from articles.models import Article
from articles.workflow.models import ArticleReview
from articles.editorial.tests.test_editing import opened_form
from devtools.dumps import run_import
from devtools.factories import make_article

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[3] / "samples" / "seed-dump.txt"


def codenames(group):
    return {f"{p.content_type.app_label}.{p.codename}"
            for p in Group.objects.get(name=group).permissions.select_related("content_type")}


def form_data(client, article, **changes):
    """The article form as the browser sends it back, with `changes`."""
    # Inline rows of other features (authors) sent empty, as a browser does when none is filled in.
    empty_rows = {"article_authors-TOTAL_FORMS": "0", "article_authors-INITIAL_FORMS": "0"}
    return {**empty_rows, **opened_form(client, article), **changes}


def test_the_four_groups_exist_after_migrate_with_the_documented_permissions():
    reporters, editors, legal, admins = (codenames(name) for name in ("Reporters", "Editors", "Legal",
                                                                       "Administrators"))
    assert {"articles.add_article", "articles.change_article"} <= reporters
    assert not {"workflow.publish_article", "workflow.review_article", "articles.delete_article"} & reporters
    assert {"workflow.publish_article", "workflow.review_article", "articles.merge_duplicates",
            "articles.change_article", "articles.delete_article", "articles.change_tag", "media.change_image"} <= editors
    assert "workflow.sign_off_legal" in legal and "articles.view_article" in legal
    assert not {"articles.change_article", "workflow.publish_article"} & legal
    assert {"auth.add_user", "auth.change_user", "auth.change_group"} <= admins


def test_a_reporter_cannot_publish_by_the_form(client, reporter):
    article = make_article(status=Article.Status.DRAFT)
    client.force_login(reporter)
    response = client.post(reverse("admin:articles_article_change", args=[article.pk]),
                           {**form_data(client, article), "_publish": "1"})
    assert response.status_code == 200
    assert "You may not publish" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_a_reporter_does_not_see_the_publishing_buttons_but_can_save_and_submit(client, reporter):
    article = make_article(status=Article.Status.DRAFT)
    ArticleReview.objects.create(article=article)
    client.force_login(reporter)
    html = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert 'name="_publish"' not in html and 'name="_schedule"' not in html
    assert 'value="submit">Submit for review' in html


def test_a_reporter_cannot_publish_by_a_list_action(client, reporter):
    article = make_article(status=Article.Status.DRAFT)
    client.force_login(reporter)
    client.post(reverse("admin:articles_article_changelist"),
                {"action": "publish_now", "_selected_action": [article.pk], "confirm": "yes"})
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_the_list_action_refuses_article_by_article_whoever_reaches_it(rf, reporter):
    from django.contrib.admin.sites import site
    from django.contrib.messages.storage.fallback import FallbackStorage

    from articles.editorial.publishing import publish_now

    article = make_article(status=Article.Status.DRAFT)
    request = rf.post("/", {"confirm": "yes"})
    request.user, request.session = reporter, {}
    request._messages = FallbackStorage(request)
    publish_now(site._registry[Article], request, Article.objects.filter(pk=article.pk))
    said = [str(message) for message in request._messages]
    assert said[-1].startswith(f"Not changed: #{article.pk}: You may not publish")
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_a_reporter_cannot_publish_through_the_unit_of_work_with_their_user(reporter):
    article = make_article(status=Article.Status.DRAFT)
    with pytest.raises(PermissionDenied):
        article_publish(article_id=article.pk, user=reporter)
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT and article.version == 1


def test_a_reporter_cannot_change_a_published_article(reporter):
    from articles.history.services import article_apply

    article = make_article()
    with pytest.raises(PermissionDenied):
        article_apply(article_id=article.pk, expected_version=article.version, snapshot={"title": "Typo fixed"},
                      parts=("title",), user=reporter)


def test_a_reporter_cannot_unpublish(reporter):
    from articles.history.services import article_unpublish

    article = make_article()
    with pytest.raises(PermissionDenied):
        article_unpublish(article_id=article.pk, user=reporter)


def test_an_editor_publishes_an_approved_article_and_the_archive_counts_as_approved(editor):
    article = make_article(status=Article.Status.DRAFT)  # no review row: an archived or imported article
    article_publish(article_id=article.pk, user=editor)
    article.refresh_from_db()
    assert article.is_visible_to_readers()


def test_import_dump_is_the_operators_and_still_imports_published_articles():
    out, err, failed = run_import(SAMPLE)
    assert not failed
    assert Article.objects.published().count() == 2
    assert not ArticleReview.objects.exists()


def test_editors_of_before_keep_publishing_from_the_form(client, editor):
    article = make_article(status=Article.Status.DRAFT)
    client.force_login(editor)
    client.post(reverse("admin:articles_article_change", args=[article.pk]),
                {**form_data(client, article), "_publish": "1"})
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED and article.published_at <= timezone.now()
