"""The data model's guarantees, enforced by the database."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import Article, NotLoaded, Tag, publication_date
from articles.selectors import with_images_and_tags
from devtools.factories import make_article, make_image
from media.models import Image

pytestmark = pytest.mark.django_db


def test_two_articles_with_the_same_normalised_content_are_refused_by_the_database():
    make_article(title="Same story", paragraphs=["One.", "Two."], slug="a")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(title="  same   STORY ", paragraphs=["One.", "Two."], slug="b")


def test_fingerprint_is_kept_when_an_editor_corrects_the_text():
    article = make_article(title="Typo in headlne", paragraphs=["Body."])
    original = article.fingerprint
    article.title = "Typo in headline"
    article.save()
    article.refresh_from_db()
    assert article.fingerprint == original


def test_tags_differing_only_in_case_are_one_tag():
    first = make_article(tags=["ISIS"])
    second = make_article(tags=["isis"])
    assert Tag.objects.count() == 1
    assert set(first.tags.all()) == set(second.tags.all())


def test_database_refuses_a_second_tag_spelt_in_another_case():
    Tag.objects.create(name="ISIS", slug="isis")
    with pytest.raises(IntegrityError), transaction.atomic():
        Tag.objects.create(name="Isis", slug="isis-2")


def test_arabic_titles_and_tags_get_arabic_slugs():
    tag = Tag.objects.create(name="سوريا")
    assert tag.slug == "سوريا"
    article = make_article(title="عنوان عربي", slug="عنوان-عربي")
    assert article.get_absolute_url() == "/articles/%D8%B9%D9%86%D9%88%D8%A7%D9%86-%D8%B9%D8%B1%D8%A8%D9%8A/"


def test_published_excludes_drafts_and_future_articles():
    visible = make_article()
    make_article(status=Article.Status.DRAFT)
    make_article(published_at=timezone.now() + timedelta(days=1))
    assert list(Article.objects.published()) == [visible]


def test_a_published_article_always_has_a_publication_date():
    article = make_article(status=Article.Status.DRAFT)
    article.status = Article.Status.PUBLISHED
    article.save()
    assert article.published_at is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(published_at=None)


def test_paragraphs_are_the_blank_line_separated_body():
    article = make_article(paragraphs=["First.", "Second\nline kept.", "Third."])
    assert article.paragraphs == ["First.", "Second\nline kept.", "Third."]


def test_caption_only_images_are_unique_on_normalised_caption_and_credit():
    make_image(caption="A rally in Baghdad.", credit="AFP")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_image(caption="A  rally in Baghdad. ", credit="afp")
    assert Image.objects.count() == 1


def test_images_with_files_may_share_a_caption_and_get_size_and_hash():
    first = make_image(caption="Same caption", with_file=True)
    second = make_image(caption="Same caption", with_file=True)
    assert (first.width, first.height) == (40, 30)
    assert len(first.file_hash) == 64
    assert first.file_hash == second.file_hash


def test_one_image_can_illustrate_many_articles_in_order():
    lead, second = make_image(), make_image()
    article = make_article(images=[lead, second])
    other = make_article(images=[second])
    assert [p.image for p in article.article_images.all()] == [lead, second]
    assert set(second.articles.all()) == {article, other}


# --- rules decided once, read without queries ---------------------------------------


def test_is_visible_to_readers_agrees_with_published_and_runs_no_query(django_assert_num_queries):
    now = timezone.now()
    articles = [
        make_article(),
        make_article(status=Article.Status.DRAFT),
        make_article(published_at=now + timedelta(hours=1)),
    ]
    visible = set(Article.objects.published().values_list("pk", flat=True))
    with django_assert_num_queries(0):
        answers = {article.pk: article.is_visible_to_readers() for article in articles}
    assert answers == {article.pk: article.pk in visible for article in articles}
    assert list(answers.values()) == [True, False, False]


def test_tag_list_is_loaded_by_the_selector_and_never_queried_behind_the_callers_back(django_assert_num_queries):
    article = make_article(tags=["Zebra", "apple", "Mango"])
    with pytest.raises(NotLoaded):
        Article.objects.get(pk=article.pk).tag_list
    loaded = with_images_and_tags(Article.objects.filter(pk=article.pk)).get()
    with django_assert_num_queries(0):
        assert [tag.name for tag in loaded.tag_list] == ["apple", "Mango", "Zebra"]


def test_a_published_article_without_a_date_gets_the_same_date_from_a_save_and_an_import():
    moment = timezone.now()
    assert publication_date(Article.Status.PUBLISHED, None, now=moment) == moment
    assert publication_date(Article.Status.DRAFT, None, now=moment) is None
    earlier = moment - timedelta(days=3)
    assert publication_date(Article.Status.PUBLISHED, earlier, now=moment) == earlier
    saved = Article.objects.create(title="Saved", slug="saved", body="Text.", status=Article.Status.PUBLISHED)
    assert saved.published_at is not None and saved.published_at >= moment
