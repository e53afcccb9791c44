"""One way to change content: every writer claims, records and announces through the unit of work."""

import ast
import re
from pathlib import Path

import pytest
from django.urls import reverse

from articles.duplicates.merging import cluster_merge, image_merge, tag_merge
from articles.history.changes import content_change
from articles.history.services import article_publish
from articles.ingest.vocabulary import vocabulary_apply
from articles.models import Article, ArticleVersion, DuplicateCandidate, Tag
from devtools.factories import make_article, make_editor, make_image

pytestmark = pytest.mark.django_db

PRODUCT = Path(__file__).resolve().parents[3]
UNIT_OF_WORK = PRODUCT / "articles" / "history" / "changes.py"


@pytest.fixture
def editor_client(client):
    client.force_login(make_editor())
    return client


def admin_form(client, article):
    """The article form as the editor's browser sends it back, tags included."""
    html = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    version = re.search(r'name="base_version" value="(\d+)"', html).group(1)
    data = {
        "title": article.title, "slug": article.slug, "body": article.body, "status": article.status,
        "standfirst": article.standfirst, "byline": article.byline, "source": article.source,
        "base_version": version,
        "published_at_0": article.published_at.strftime("%Y-%m-%d"),
        "published_at_1": article.published_at.strftime("%H:%M:%S"),
        "article_images-TOTAL_FORMS": "0", "article_images-INITIAL_FORMS": "0",
    }
    tags = ", ".join(article.tags.names())
    data["tags"] = data["initial-tags"] = tags
    return data


def test_one_admin_save_that_edits_the_text_and_swaps_a_tag_sends_one_notice(editor_client, notices,
                                                                             django_capture_on_commit_callbacks):
    article = make_article(title="Storm", tags=["Weather"])
    climate = Tag.objects.create(name="Climate", slug="climate")
    data = admin_form(editor_client, article)
    data["standfirst"] = "A new standfirst."
    data["tags"] = climate.name
    notices.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = editor_client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 302
    assert len(notices) == 1
    assert article.pk in notices[0]["articles"]
    # One bump and one edge purge, as one callback on commit (the late re-purge is a timer it starts).
    assert len(callbacks) == 1
    article.refresh_from_db()
    assert article.standfirst == "A new standfirst." and list(article.tags.names()) == ["Climate"]
    assert article.version == 2


def test_a_list_action_publishing_three_articles_sends_one_notice(editor_client, notices):
    drafts = [make_article(status=Article.Status.DRAFT) for _ in range(3)]
    notices.clear()
    response = editor_client.post(reverse("admin:articles_article_changelist"), {
        "action": "publish_now", "_selected_action": [a.pk for a in drafts], "confirm": "yes"})
    assert response.status_code == 302
    assert len(notices) == 1 and set(notices[0]["articles"]) == {a.pk for a in drafts}
    assert all(v.kind == ArticleVersion.Kind.PUBLISHED for a in drafts
               for v in ArticleVersion.objects.filter(article_id=a.pk, number=2))


def test_a_failed_step_of_a_list_action_is_left_out_of_the_notice_and_the_rest_goes_on(notices):
    good = make_article(status=Article.Status.DRAFT)
    stale = make_article(status=Article.Status.DRAFT)
    notices.clear()
    with content_change() as change:
        article_publish(article_id=good.pk)
        with pytest.raises(Exception):
            article_publish(article_id=stale.pk, expected_version=7)
        assert change is not None
    assert len(notices) == 1 and notices[0]["articles"] == [good.pk]
    stale.refresh_from_db()
    assert stale.status == Article.Status.DRAFT and stale.version == 1


def test_nothing_is_announced_when_the_unit_of_work_fails(notices):
    article = make_article()
    notices.clear()
    with pytest.raises(RuntimeError):
        with content_change() as change:
            change.claim(article, expected=1)
            change.record(article, kind=ArticleVersion.Kind.EDITED)
            raise RuntimeError("the save failed half-way")
    article.refresh_from_db()
    assert notices == [] and article.version == 1 and not ArticleVersion.objects.filter(article_id=article.pk).exists()


def test_a_story_merge_of_three_copies_sends_one_notice_and_records_every_version(notices):
    survivor, *copies = [make_article(title=f"Copy {n}", paragraphs=["Same text."]) for n in range(3)]
    notices.clear()
    cluster_merge(survivor_id=survivor.pk, merged_ids=[c.pk for c in copies], reason="same story")
    assert len(notices) == 1
    assert set(notices[0]["articles"]) >= {survivor.pk, *(c.pk for c in copies)}
    for copy in copies:
        assert ArticleVersion.objects.get(article_id=copy.pk, kind=ArticleVersion.Kind.MERGED).reason.startswith(
            f"Merged into article {survivor.pk}")


def test_a_tag_merge_gives_every_article_it_retags_a_version_with_its_reason():
    editor = make_editor()
    article = make_article(tags=["Daesh"])
    daesh, isis = Tag.objects.get(name="Daesh"), Tag.objects.create(name="ISIS", slug="isis")
    tag_merge(survivor_id=isis.pk, merged_id=daesh.pk, user=editor, reason="one name")
    article.refresh_from_db()
    version = ArticleVersion.objects.get(article_id=article.pk, number=article.version)
    assert article.version == 2 and version.user == editor
    assert version.reason == "Tag “Daesh” merged into “ISIS”. Reason: one name"
    assert version.snapshot["tags"] == ["ISIS"]
    # What it was before the merge is kept too.
    assert ArticleVersion.objects.get(article_id=article.pk, number=1).snapshot["tags"] == ["Daesh"]


def test_a_photo_merge_gives_every_article_it_touches_a_version_with_its_reason():
    keep, gone = make_image(caption="Keep"), make_image(caption="Gone")
    article = make_article(images=[gone])
    image_merge(survivor_id=keep.pk, merged_id=gone.pk)
    article.refresh_from_db()
    version = ArticleVersion.objects.get(article_id=article.pk, number=article.version)
    assert article.version == 2 and version.snapshot["images"] == [keep.pk]
    assert version.reason == f"Photo {gone.pk} merged into photo {keep.pk}."


def test_the_vocabulary_announces_each_batch_once(notices):
    Tag.objects.create(name="Mosul", slug="mosul")
    for n in range(3):
        make_article(title=f"Fighting near Mosul {n}")
    notices.clear()
    vocabulary_apply()
    assert len(notices) == 1


def test_a_save_that_changes_the_text_is_checked_for_duplicates_and_one_that_does_not_is_not():
    story = [f"Paragraph {n}: the river rose by {n + 3} metres overnight near Mosul, and {n * 1000 + 500} families "
             f"left their homes for the hills above the valley before the dam's gates were opened at dawn."
             for n in range(6)]
    original = make_article(title="Floods in the north", paragraphs=story)
    with content_change() as change:
        change.check(original)  # in the finder's index, as an import or a save leaves it
    copy = make_article(title="Draft", paragraphs=["Nothing yet."])
    with content_change() as change:
        change.claim(copy, expected=1)
        copy.body = original.body + "\n\nA late paragraph added by the agency."
        copy.title = "Floods in the north: thousands leave"
        copy.save()
        change.record(copy, kind=ArticleVersion.Kind.EDITED)
    assert change.duplicates[copy.pk] == 1
    assert DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.OPEN).count() == 1
    with content_change() as change:
        change.claim(copy, expected=2)
        copy.standfirst = "Only the standfirst."
        copy.save()
        change.record(copy, kind=ArticleVersion.Kind.EDITED)
    assert copy.pk not in change.duplicates


def _moves_a_version(node):
    """Whether an AST node moves a `version` number: F("version"), `x.version += ...` or `x.version = ...`."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "F" and node.args \
            and isinstance(node.args[0], ast.Constant) and node.args[0].value == "version":
        return True
    if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Attribute) and node.target.attr == "version":
        return True
    if isinstance(node, ast.Assign):
        return any(isinstance(target, ast.Attribute) and target.attr == "version" for target in node.targets)
    if isinstance(node, ast.keyword) and node.arg == "version" and isinstance(node.value, ast.BinOp):
        return True
    return False


def test_only_the_unit_of_work_moves_a_version_number():
    offenders = []
    for package in ("articles", "media", "newsroom"):
        for path in (PRODUCT / package).rglob("*.py"):
            if path == UNIT_OF_WORK or "tests" in path.parts or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if _moves_a_version(node):
                    offenders.append(f"{path.relative_to(PRODUCT)}:{node.lineno}")
    assert offenders == []


def test_the_version_check_recognises_every_way_of_moving_a_version():
    moves = ['Article.objects.update(version=F("version") + 1)', "article.version += 1", "article.version = 3",
             "Article(pk=1, version=last + 1)"]
    for source in moves:
        assert any(_moves_a_version(node) for node in ast.walk(ast.parse(source))), source
    assert not any(_moves_a_version(node) for node in ast.walk(ast.parse("version = article.version")))
