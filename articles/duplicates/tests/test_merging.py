"""Merging duplicates moves everything or nothing, and never loses an article."""

import threading
from unittest import mock

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.duplicates import merging
from articles.duplicates.merging import MergeError, article_merge, image_merge, tag_merge
from articles.models import Article, ArticleImage, DuplicateCandidate, Tag, TagAlias, TaggedArticle
from devtools.factories import make_article, make_editor, make_image
from media.models import Image

pytestmark = pytest.mark.django_db


def image_ids(article):
    return list(ArticleImage.objects.filter(article=article).order_by("position", "id").values_list("image_id", flat=True))


def tag_names(article):
    return set(Tag.objects.filter(tagged_articles__content_object=article).values_list("name", flat=True))


# --- articles ------------------------------------------------------------------


def test_survivor_gains_the_merged_articles_tags_and_images_without_repeats_in_order():
    shared, own, extra_1, extra_2 = make_image(), make_image(), make_image(), make_image()
    survivor = make_article(tags=["Iraq", "Syria"], images=[own, shared])
    merged = make_article(tags=["Syria", "Hamas"], images=[extra_1, shared, extra_2])

    article_merge(survivor_id=survivor.pk, merged_id=merged.pk, user=make_editor(), reason="same story")

    assert tag_names(survivor) == {"Iraq", "Syria", "Hamas"}
    assert image_ids(survivor) == [own.pk, shared.pk, extra_1.pk, extra_2.pk]
    merged.refresh_from_db()
    assert merged.status == Article.Status.MERGED
    assert merged.merged_into_id == survivor.pk
    # Nothing is taken from the merged article: it keeps its own links.
    assert tag_names(merged) == {"Syria", "Hamas"}
    assert image_ids(merged) == [extra_1.pk, shared.pk, extra_2.pk]


def test_merge_is_logged_with_who_and_why():
    editor = make_editor()
    survivor, merged = make_article(), make_article()
    article_merge(survivor_id=survivor.pk, merged_id=merged.pk, user=editor, reason="updated copy")
    messages = list(LogEntry.objects.filter(user=editor).values_list("object_id", "change_message"))
    assert (str(survivor.pk), f"Merged article {merged.pk} (“{merged.title}”) into this one. Reason: updated copy") in messages
    assert any(object_id == str(merged.pk) for object_id, _ in messages)


def test_merged_article_is_hidden_from_readers_and_its_url_redirects(client):
    survivor, merged = make_article(), make_article()
    url = merged.get_absolute_url()
    article_merge(survivor_id=survivor.pk, merged_id=merged.pk)
    assert merged not in Article.objects.published()
    response = client.get(url)
    assert response.status_code == 301
    assert response["Location"] == survivor.get_absolute_url()


def test_a_chain_of_merges_redirects_in_one_hop(client):
    first, second, third = make_article(), make_article(), make_article()
    article_merge(survivor_id=second.pk, merged_id=first.pk)
    article_merge(survivor_id=third.pk, merged_id=second.pk)
    first.refresh_from_db()
    assert first.merged_into_id == third.pk
    assert client.get(first.get_absolute_url())["Location"] == third.get_absolute_url()


def test_an_already_merged_article_cannot_be_merged_again():
    a, b, c = make_article(), make_article(), make_article()
    article_merge(survivor_id=b.pk, merged_id=a.pk)
    with pytest.raises(MergeError, match="already merged"):
        article_merge(survivor_id=c.pk, merged_id=a.pk)
    with pytest.raises(MergeError, match="already merged"):
        article_merge(survivor_id=a.pk, merged_id=c.pk)
    with pytest.raises(MergeError, match="into itself"):
        article_merge(survivor_id=c.pk, merged_id=c.pk)


def test_a_merge_that_fails_half_way_changes_nothing():
    survivor = make_article(tags=["Iraq"], images=[make_image()])
    merged = make_article(tags=["Hamas"], images=[make_image()])
    before = (set(TaggedArticle.objects.values_list("content_object_id", "tag_id")),
              set(ArticleImage.objects.values_list("article_id", "image_id", "position")))

    with mock.patch.object(merging, "_move_open_candidates", side_effect=RuntimeError("disk full")):
        with pytest.raises(RuntimeError):
            article_merge(survivor_id=survivor.pk, merged_id=merged.pk)

    merged.refresh_from_db()
    assert merged.status == Article.Status.PUBLISHED and merged.merged_into is None
    assert (set(TaggedArticle.objects.values_list("content_object_id", "tag_id")),
            set(ArticleImage.objects.values_list("article_id", "image_id", "position"))) == before


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    survivor_tags=st.sets(st.sampled_from(["a", "b", "c", "d", "e"])),
    merged_tags=st.sets(st.sampled_from(["a", "b", "c", "d", "e"])),
    survivor_images=st.lists(st.integers(0, 5), unique=True, max_size=4),
    merged_images=st.lists(st.integers(0, 5), unique=True, max_size=4),
)
def test_merging_never_loses_a_tag_or_image_link(survivor_tags, merged_tags, survivor_images, merged_images):
    pool = [make_image() for _ in range(6)]
    survivor = make_article(tags=sorted(survivor_tags), images=[pool[i] for i in survivor_images])
    merged = make_article(tags=sorted(merged_tags), images=[pool[i] for i in merged_images])
    tag_links_before = TaggedArticle.objects.count()
    image_links_before = ArticleImage.objects.count()

    article_merge(survivor_id=survivor.pk, merged_id=merged.pk)

    gained_tags = len(merged_tags - survivor_tags)
    gained_images = len(set(merged_images) - set(survivor_images))
    assert TaggedArticle.objects.count() == tag_links_before + gained_tags
    assert ArticleImage.objects.count() == image_links_before + gained_images
    assert tag_names(survivor) == survivor_tags | merged_tags
    expected = [pool[i].pk for i in survivor_images] + [pool[i].pk for i in merged_images if i not in survivor_images]
    assert image_ids(survivor) == expected


@pytest.mark.django_db(transaction=True)
def test_two_editors_merging_a_into_b_and_b_into_a_at_once_lose_nothing():
    a, b = make_article(), make_article()
    barrier = threading.Barrier(2)
    outcomes = []

    def merge(survivor, merged):
        try:
            barrier.wait()
            article_merge(survivor_id=survivor.pk, merged_id=merged.pk)
            outcomes.append("merged")
        except MergeError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=merge, args=(a, b)), threading.Thread(target=merge, args=(b, a))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["merged", "refused"]
    rows = {article.pk: article for article in Article.objects.filter(pk__in=[a.pk, b.pk])}
    assert len(rows) == 2
    live = [article for article in rows.values() if article.status != Article.Status.MERGED]
    merged = [article for article in rows.values() if article.status == Article.Status.MERGED]
    assert len(live) == 1 and len(merged) == 1
    assert merged[0].merged_into_id == live[0].pk


# --- images --------------------------------------------------------------------


def test_merging_images_repoints_every_article_that_used_the_merged_one():
    keep = make_image(caption="Rally in Baghdad.", credit="AFP")
    gone = make_image(caption="A rally in Baghdad", credit="AFP", alt_text="Crowd with flags")
    only_gone = make_article(images=[gone])
    both = make_article(images=[gone, make_image(), keep])

    image_merge(survivor_id=keep.pk, merged_id=gone.pk)

    assert image_ids(only_gone) == [keep.pk]
    assert image_ids(both)[0] == keep.pk and image_ids(both).count(keep.pk) == 1
    assert not Image.objects.filter(pk=gone.pk).exists()
    keep.refresh_from_db()
    assert keep.alt_text == "Crowd with flags"


def test_survivor_image_takes_the_file_when_it_has_none():
    caption_only = make_image(caption="Photo")
    with_file = make_image(caption="Photo", with_file=True)
    image_merge(survivor_id=caption_only.pk, merged_id=with_file.pk)
    caption_only.refresh_from_db()
    assert caption_only.file.name == with_file.file.name
    assert caption_only.width == 40


# --- tags ------------------------------------------------------------------------


def test_merging_tags_repoints_articles_and_keeps_the_old_spelling_as_an_alias(client):
    isis = Tag.objects.create(name="ISIS")
    dotted = Tag.objects.create(name="I.S.I.S.", slug="i-s-i-s")
    both = make_article(tags=[isis, dotted])
    only_dotted = make_article(tags=[dotted])

    tag_merge(survivor_id=isis.pk, merged_id=dotted.pk)

    assert tag_names(both) == {"ISIS"} and tag_names(only_dotted) == {"ISIS"}
    assert not Tag.objects.filter(pk=dotted.pk).exists()
    alias = TagAlias.objects.get()
    assert (alias.name, alias.slug, alias.tag) == ("I.S.I.S.", "i-s-i-s", isis)
    response = client.get("/tags/i-s-i-s/")
    assert response.status_code == 301
    assert response["Location"] == isis.get_absolute_url()


def test_an_alias_maps_later_imports_to_the_surviving_tag(tmp_path):
    from django.core.management import call_command

    isis = Tag.objects.create(name="ISIS")
    daesh = Tag.objects.create(name="Daesh")
    tag_merge(survivor_id=isis.pk, merged_id=daesh.pk)
    path = tmp_path / "dump.txt"
    path.write_text("Daesh claims attack\n\nTT\n20\n\nDaesh claims attack\n\nThe group known as Daesh said.\n")
    call_command("import_dump", str(path), "--tag", "daesh", stdout=open("/dev/null", "w"))
    article = Article.objects.get(title="Daesh claims attack")
    assert tag_names(article) == {"ISIS"}
    assert not Tag.objects.filter(name__iexact="daesh").exists()


# --- candidates --------------------------------------------------------------------


def test_merging_a_candidate_marks_it_merged():
    a, b = make_article(), make_article()
    candidate = DuplicateCandidate.objects.create(kind="article", article_a=a, article_b=b, score=0.9)
    merging.candidate_merge(candidate=candidate, survivor_id=b.pk, user=make_editor())
    candidate.refresh_from_db()
    assert candidate.status == DuplicateCandidate.Status.MERGED
    assert candidate.resolved_by is not None


# --- authors -----------------------------------------------------------------------


def credit(article, *authors):
    from articles.people.models import ArticleAuthor

    for position, author in enumerate(authors):
        ArticleAuthor.objects.create(article=article, author=author, position=position)


def author_names(article):
    from articles.people.models import ArticleAuthor

    return list(ArticleAuthor.objects.filter(article=article).order_by("position", "id")
                .values_list("author__name", flat=True))


def test_merging_authors_credits_the_survivor_once_at_the_earlier_place(client):
    from articles.people.models import Author

    jane = Author.objects.create(name="Jane Doe")
    initial = Author.objects.create(name="J. Doe")
    other = Author.objects.create(name="Sam Roe")
    both = make_article()
    credit(both, other, initial, jane)
    only_merged = make_article()
    credit(only_merged, initial, other)

    merging.author_merge(survivor_id=jane.pk, merged_id=initial.pk)

    assert author_names(both) == ["Sam Roe", "Jane Doe"]
    assert author_names(only_merged) == ["Jane Doe", "Sam Roe"]
    assert not Author.objects.filter(pk=initial.pk).exists()


def test_merging_authors_keeps_the_old_name_and_address_and_the_aliases(client):
    from articles.people.models import Author, AuthorAlias
    from articles.people.services import author_ids_for_names

    jane = Author.objects.create(name="Jane Doe")
    initial = Author.objects.create(name="J. Doe", slug="j-doe")
    AuthorAlias.objects.create(author=initial, name="JD", slug="jd")
    make_article(status=Article.Status.PUBLISHED)

    merging.author_merge(survivor_id=jane.pk, merged_id=initial.pk)

    assert set(jane.aliases.values_list("name", "slug")) == {("J. Doe", "j-doe"), ("JD", "jd")}
    assert author_ids_for_names(["J. DOE", "jd"]) == {"J. DOE": jane.pk, "jd": jane.pk}
    response = client.get("/authors/j-doe/")
    assert response.status_code == 301
    assert response["Location"] == jane.get_absolute_url()


def test_each_article_an_author_merge_touches_gets_a_version_with_the_reason_and_one_notice(
        notices, django_capture_on_commit_callbacks):
    from articles.models import ArticleVersion
    from articles.people.models import Author

    jane = Author.objects.create(name="Jane Doe")
    initial = Author.objects.create(name="J. Doe")
    article, untouched = make_article(), make_article()
    credit(article, initial)
    credit(untouched, jane)
    editor = make_editor()
    notices.clear()

    with django_capture_on_commit_callbacks(execute=True):
        merging.author_merge(survivor_id=jane.pk, merged_id=initial.pk, user=editor, reason="same reporter")

    version = ArticleVersion.objects.filter(article_id=article.pk).order_by("-number").first()
    assert "J. Doe" in version.reason and "same reporter" in version.reason and version.user == editor
    assert not ArticleVersion.objects.filter(article_id=untouched.pk).exists()
    assert len(notices) == 1
    assert article.pk in notices[0]["articles"]
    assert {("people.Author", jane.pk), ("people.Author", initial.pk)} <= {
        (obj._meta.label, obj.pk) for obj in notices[0]["instances"]}
    assert LogEntry.objects.filter(object_id=str(jane.pk), change_message__contains="same reporter").exists()


def test_an_author_cannot_be_merged_into_themselves_or_a_missing_author():
    from articles.people.models import Author

    jane = Author.objects.create(name="Jane Doe")
    with pytest.raises(MergeError):
        merging.author_merge(survivor_id=jane.pk, merged_id=jane.pk)
    with pytest.raises(MergeError):
        merging.author_merge(survivor_id=jane.pk, merged_id=jane.pk + 100)
    assert Author.objects.filter(pk=jane.pk).exists()
