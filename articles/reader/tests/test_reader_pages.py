"""Reader pages: what each URL shows, where old addresses lead, and what it costs."""

import json
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Tag, TagAlias
from devtools.factories import make_article, make_image

pytestmark = pytest.mark.django_db


def merge(article, *, into):
    """What the merge service leaves behind, without depending on it."""
    article.status = Article.Status.MERGED
    article.merged_into = into
    article.save()


def queries_for(client, url):
    """Queries to render `url` from nothing: an empty cache, as after a change."""
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def json_ld(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


# --- home ------------------------------------------------------------------------


def test_home_card_shows_headline_lead_photo_summary_date_and_tags(client):
    photo = make_image(caption="Flood water in Basra.", credit="Reuters", with_file=True, alt_text="A flooded street")
    make_article(title="Basra floods", standfirst="Rain fell for a week.", tags=["Iraq"], images=[photo])
    html = client.get("/").content.decode()
    assert ">Basra floods</a></h2>" in html
    photo.refresh_from_db()
    # A rendition readers may have, never the upload itself.
    assert f'src="{photo.largest_rendition()[0]}"' in html and 'alt="A flooded street"' in html
    assert photo.file.url not in html
    assert "Rain fell for a week." in html
    assert '<time datetime="' in html
    assert f'href="{reverse("articles:tag", args=["iraq"])}"' in html


def test_home_card_falls_back_to_the_first_paragraph_without_a_standfirst(client):
    make_article(paragraphs=["The first paragraph is the summary.", "The second is not."])
    html = client.get("/").content.decode()
    assert "The first paragraph is the summary." in html
    assert "The second is not." not in html


def test_home_card_shows_a_caption_only_placeholder_for_a_photo_without_file(client):
    make_article(images=[make_image(caption="A caption with no photo.")])
    html = client.get("/").content.decode()
    assert "figure--caption-only" in html and "A caption with no photo." in html
    assert "<img" not in html


def test_home_is_paginated(client, settings):
    settings.NEWSROOM_PAGE_SIZE = 2
    start = timezone.now() - timedelta(days=1)
    for n in range(5):
        make_article(title=f"Story {n}", published_at=start + timedelta(minutes=n))
    first = client.get("/").content.decode()
    third = client.get("/?page=3").content.decode()
    assert "Story 4" in first and "Story 3" in first and "Story 2" not in first
    assert 'rel="next" href="?page=2"' in first
    assert "Story 0" in third and "Page 3 of 3" in third
    assert '<link rel="canonical" href="http://testserver/?page=3">' in third


def test_home_answers_a_nonsense_page_number_with_a_real_page(client):
    make_article(title="Only story")
    for page in ["abc", "0", "-1", "999999999999999999999"]:
        response = client.get("/", {"page": page})
        assert response.status_code == 200
        assert "Only story" in response.content.decode()


def test_home_with_no_articles_says_so(client):
    assert "No articles have been published yet." in client.get("/").content.decode()


def test_scheduled_article_stays_hidden_until_its_time(client):
    make_article(title="Tomorrow's story", published_at=timezone.now() + timedelta(days=1))
    assert "Tomorrow&#x27;s story" not in client.get("/").content.decode()


# --- article page ------------------------------------------------------------------


def test_article_page_shows_standfirst_byline_source_date_and_photos_with_credits(client):
    photo = make_image(caption="Members at a rally.", credit="AFP", with_file=True)
    caption_only = make_image(caption="Smoke over the city.", credit="AP")
    article = make_article(title="Factions meet", standfirst="Talks resume.", byline="Jane Doe",
                           source="Asharq Al-Awsat", images=[photo, caption_only])
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<p class="standfirst" dir="auto">Talks resume.</p>' in html
    assert "By <span dir=\"auto\">Jane Doe</span>" in html and "Asharq Al-Awsat" in html
    assert f'<time datetime="{article.published_at.isoformat()}"' in html
    figures = re.findall(r"<figure.*?</figure>", html, re.S)
    assert len(figures) == 2
    assert "<img" in figures[0] and "Members at a rally." in figures[0] and "(AFP)" in figures[0]
    assert "<img" not in figures[1] and "Smoke over the city. <span class=\"credit\">(AP)</span>" in figures[1]


def test_article_photo_alt_text_is_the_editors_or_else_the_caption(client):
    described = make_image(caption="Caption one.", alt_text="Two men shake hands", with_file=True)
    undescribed = make_image(caption="Caption two.", with_file=True)
    article = make_article(images=[described, undescribed])
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'alt="Two men shake hands"' in html and 'alt="Caption two."' in html


def test_article_tags_link_to_their_tag_pages(client):
    article = make_article(tags=["Iraq", "Gaza"])
    html = client.get(article.get_absolute_url()).content.decode()
    for tag in Tag.objects.all():
        assert f'<a href="{tag.get_absolute_url()}" dir="auto">{tag.name}</a>' in html


def test_tags_are_listed_by_name_everywhere(client):
    article = make_article(tags=["Zebra", "alpha", "Mango"])
    html = client.get(article.get_absolute_url()).content.decode()
    assert html.index(">alpha<") < html.index(">Mango<") < html.index(">Zebra<")
    assert client.get(f"/api/articles/{article.slug}/").json()["tags"] == ["alpha", "Mango", "Zebra"]


def test_related_articles_are_those_sharing_most_tags_published_only(client):
    article = make_article(title="Main", tags=["Iraq", "Oil", "Basra"])
    make_article(title="Shares three", tags=["Iraq", "Oil", "Basra"])
    make_article(title="Shares one", tags=["Iraq"])
    make_article(title="Shares none", tags=["Sport"])
    make_article(title="Draft sharing all", tags=["Iraq", "Oil", "Basra"], status=Article.Status.DRAFT)
    html = client.get(article.get_absolute_url()).content.decode()
    related = html[html.index('id="related-heading"'):]
    assert related.index("Shares three") < related.index("Shares one")
    assert "Shares none" not in related and "Draft sharing all" not in related
    assert ">Main</a>" not in related


def test_related_articles_break_ties_by_date_skip_scheduled_ones_and_stop_at_four(client):
    from articles.selectors import RELATED_ARTICLES, article_get_published, article_list_related

    now = timezone.now()
    article = make_article(title="Main", tags=["Iraq", "Oil"])
    older = make_article(title="Older, two shared", tags=["Iraq", "Oil"], published_at=now - timedelta(days=3))
    newer = make_article(title="Newer, two shared", tags=["Iraq", "Oil"], published_at=now - timedelta(days=1))
    singles = [make_article(title=f"One shared {n}", tags=["Iraq"], published_at=now - timedelta(days=10 + n))
               for n in range(5)]
    make_article(title="Scheduled", tags=["Iraq", "Oil"], published_at=now + timedelta(days=1))
    related = article_list_related(article=article_get_published(slug=article.slug))
    assert RELATED_ARTICLES == 4
    assert [other.title for other in related] == [newer.title, older.title, singles[0].title, singles[1].title]


def test_arabic_article_is_laid_out_right_to_left(client):
    article = make_article(title="اجتماع الفصائل في بغداد", paragraphs=["فقرة أولى.", "فقرة ثانية."],
                           slug="اجتماع-الفصائل")
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<article class="article" dir="rtl">' in html
    assert '<p dir="auto">فقرة أولى.</p>' in html
    assert '<article class="card" dir="rtl">' in client.get("/").content.decode()


def test_english_article_is_laid_out_left_to_right(client):
    article = make_article(title="Factions meet")
    assert '<article class="article" dir="ltr">' in client.get(article.get_absolute_url()).content.decode()


def test_draft_and_unknown_articles_are_not_found_with_a_friendly_page(client):
    draft = make_article(status=Article.Status.DRAFT, title="Secret")
    for url in [draft.get_absolute_url(), "/articles/no-such-story/"]:
        response = client.get(url)
        assert response.status_code == 404
        html = response.content.decode()
        assert "Page not found" in html and 'role="search"' in html and "Secret" not in html


def test_merged_article_redirects_permanently_to_the_surviving_one(client):
    survivor = make_article(title="Survivor")
    merged = make_article(title="Copy")
    merge(merged, into=survivor)
    response = client.get(merged.get_absolute_url())
    assert response.status_code == 301
    assert response["Location"] == survivor.get_absolute_url()


def test_merge_chain_is_followed_to_the_published_article(client):
    final = make_article(title="Final")
    middle = make_article(title="Middle")
    first = make_article(title="First")
    merge(first, into=middle)
    merge(middle, into=final)
    response = client.get(first.get_absolute_url())
    assert response.status_code == 301 and response["Location"] == final.get_absolute_url()


def test_a_loop_of_merges_is_not_found(client):
    one, two = make_article(title="One"), make_article(title="Two")
    merge(one, into=two)
    merge(two, into=one)
    assert client.get(one.get_absolute_url()).status_code == 404


def test_article_merged_into_a_draft_is_not_found(client):
    draft = make_article(status=Article.Status.DRAFT)
    merged = make_article()
    merge(merged, into=draft)
    assert client.get(merged.get_absolute_url()).status_code == 404


def test_article_page_has_canonical_opengraph_and_twitter_tags(client):
    photo = make_image(caption="A rally.", alt_text="A crowd with flags", with_file=True)
    article = make_article(title="Factions meet", standfirst="Talks resume in Baghdad.", images=[photo], tags=["Iraq"])
    html = client.get(article.get_absolute_url() + "?utm_source=social").content.decode()
    url = f"http://testserver{article.get_absolute_url()}"
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="Factions meet">' in html
    assert '<meta property="og:description" content="Talks resume in Baghdad.">' in html
    photo.refresh_from_db()
    assert f'<meta property="og:image" content="http://testserver{photo.og_rendition()[0]}">' in html
    assert '<meta property="og:image:alt" content="A crowd with flags">' in html
    assert '<meta property="article:tag" content="Iraq">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html


def test_article_page_describes_itself_as_a_schema_org_news_article(client):
    photo = make_image(caption="A rally in Baghdad.", credit="AFP", with_file=True)
    article = make_article(title="Factions meet", byline="Jane Doe", images=[photo, make_image()], tags=["Iraq"])
    data = json_ld(client.get(article.get_absolute_url()).content.decode())
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    assert data["headline"] == "Factions meet"
    assert data["datePublished"].startswith(article.published_at.strftime("%Y-%m-%dT%H:%M:%S"))
    assert "dateModified" in data
    assert data["author"] == [{"@type": "Person", "name": "Jane Doe"}]
    assert data["keywords"] == ["Iraq"]
    # Only photos with a file can be images for search engines: the widest rendition.
    photo.refresh_from_db()
    assert data["image"] == [{"@type": "ImageObject", "url": f"http://testserver{photo.largest_rendition()[0]}",
                              "width": 40, "height": 30, "caption": "A rally in Baghdad.", "creditText": "AFP"}]


def test_every_page_has_canonical_opengraph_and_twitter_tags(client):
    article = make_article(tags=["Iraq"])
    pages = ["/", article.get_absolute_url(), "/tags/iraq/", "/search/?q=headline", "/articles/missing/"]
    for url in pages:
        html = client.get(url).content.decode()
        for tag in ['<link rel="canonical"', 'property="og:title"', 'property="og:url"', 'name="twitter:card"']:
            assert tag in html, (url, tag)


def test_search_results_and_error_pages_are_not_indexed(client):
    assert '<meta name="robots" content="noindex">' in client.get("/search/?q=x").content.decode()
    assert '<meta name="robots" content="noindex">' in client.get("/articles/missing/").content.decode()
    assert 'content="noindex"' not in client.get("/").content.decode()


# --- tag pages -------------------------------------------------------------------


def test_tag_page_lists_published_articles_with_the_tag(client, settings):
    settings.NEWSROOM_PAGE_SIZE = 1
    make_article(title="Older Iraq story", tags=["Iraq"], published_at=timezone.now() - timedelta(days=2))
    make_article(title="Newer Iraq story", tags=["Iraq"], published_at=timezone.now() - timedelta(days=1))
    make_article(title="Gaza story", tags=["Gaza"])
    make_article(title="Draft Iraq story", tags=["Iraq"], status=Article.Status.DRAFT)
    first = client.get("/tags/iraq/").content.decode()
    second = client.get("/tags/iraq/?page=2").content.decode()
    assert '<h1 dir="auto">Iraq</h1>' in first
    assert "Newer Iraq story" in first and "Older Iraq story" in second
    assert "Gaza story" not in first + second and "Draft Iraq story" not in first + second
    assert 'href="/tags/iraq/feed/"' in first


def test_unicode_tag_slug_works(client):
    make_article(title="Baghdad story", tags=["العراق"])
    tag = Tag.objects.get(name="العراق")
    response = client.get(tag.get_absolute_url())
    assert response.status_code == 200 and "Baghdad story" in response.content.decode()


def test_unknown_tag_is_not_found(client):
    assert client.get("/tags/nothing/").status_code == 404


def test_old_tag_spelling_redirects_permanently_to_the_tag(client):
    make_article(tags=["ISIS"])
    tag = Tag.objects.get(name="ISIS")
    TagAlias.objects.create(name="Daesh", slug="daesh", tag=tag)
    response = client.get("/tags/daesh/")
    assert response.status_code == 301 and response["Location"] == tag.get_absolute_url()
    feed = client.get("/tags/daesh/feed/")
    assert feed.status_code == 301 and feed["Location"] == reverse("articles:tag_feed", args=[tag.slug])


# --- query counts ----------------------------------------------------------------


def test_article_page_runs_the_same_few_queries_with_one_or_thirty_photos_and_tags(client):
    small = make_article(tags=["t0"], images=[make_image(with_file=True)])
    large = make_article(tags=[f"t{n}" for n in range(30)], images=[make_image() for _ in range(30)])
    make_article(tags=["t0", "t1"])  # something related to both
    small_count = queries_for(client, small.get_absolute_url())
    large_count = queries_for(client, large.get_absolute_url())
    assert small_count == large_count <= 6


@pytest.mark.parametrize("url", ["/", "/tags/common/", "/search/?q=headline", "/feed/", "/api/articles/"])
def test_list_pages_run_the_same_few_queries_for_two_or_twenty_articles(client, url):
    def articles(count):
        for n in range(count):
            make_article(tags=["common", f"tag {n}", f"other {n}"], images=[make_image(), make_image()])

    articles(2)
    few = queries_for(client, url)
    articles(18)
    many = queries_for(client, url)
    assert few == many <= 6


def test_cached_page_runs_no_query(client, django_assert_num_queries):
    article = make_article(tags=["Iraq"])
    client.get(article.get_absolute_url())
    with django_assert_num_queries(0):
        assert client.get(article.get_absolute_url()).status_code == 200


# --- machine-readable files -------------------------------------------------------


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_admin(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Disallow: /admin/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_sitemap_lists_published_articles_and_tags_in_use(client):
    published = make_article(tags=["Iraq"])
    draft = make_article(status=Article.Status.DRAFT, tags=["Secret tag"])
    merged = make_article()
    merge(merged, into=published)
    index = client.get("/sitemap.xml").content.decode()
    assert "http://testserver/sitemap-articles.xml" in index and "http://testserver/sitemap-tags.xml" in index
    articles = client.get("/sitemap-articles.xml").content.decode()
    assert f"<loc>http://testserver{published.get_absolute_url()}</loc>" in articles
    assert draft.get_absolute_url() not in articles and merged.get_absolute_url() not in articles
    assert "<lastmod>" in articles
    tags = client.get("/sitemap-tags.xml").content.decode()
    assert "http://testserver/tags/iraq/" in tags and "secret-tag" not in tags
    assert "<loc>http://testserver/</loc>" in client.get("/sitemap-home.xml").content.decode()


def test_server_error_page_is_friendly_and_needs_no_request(client):
    from django.template import loader

    html = loader.get_template("500.html").render({})
    assert "Something went wrong" in html and "Newsroom" in html


def test_near_duplicates_and_merged_articles_never_count_as_related(client):
    from articles.duplicates.merging import article_merge
    from articles.models import DuplicateCandidate

    article = make_article(title="The story", tags=["Iraq", "Oil"])
    copy = make_article(title="A copy of the story", tags=["Iraq", "Oil"])
    merged = make_article(title="Merged away", tags=["Iraq", "Oil"])
    survivor = make_article(title="Merge survivor", tags=["Sport"])
    make_article(title="Truly related", tags=["Iraq"])
    low, high = sorted([article.pk, copy.pk])
    DuplicateCandidate.objects.create(kind="article", article_a_id=low, article_b_id=high, score=0.9)
    article_merge(survivor_id=survivor.pk, merged_id=merged.pk)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Truly related" in html
    assert "A copy of the story" not in html and "Merged away" not in html


def test_related_articles_come_from_each_tags_newest_taggings_only(client, django_assert_max_num_queries):
    from articles.selectors import RELATED_PER_TAG, article_get_published, article_list_related

    article = make_article(title="Today", tags=["Middle East"])
    for n in range(RELATED_PER_TAG + 5):
        make_article(title=f"Older {n}", tags=["Middle East"])
    loaded = article_get_published(slug=article.slug)
    with django_assert_max_num_queries(2):
        related = article_list_related(article=loaded)
    assert len(related) == 4


@pytest.mark.parametrize("url", ["/", "/tags/iraq/", "/api/articles/"])
def test_list_pages_count_a_bounded_number_of_articles(client, url):
    from articles.reader.views import LISTED_ARTICLES

    make_article(tags=["Iraq"])
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    counts = [q["sql"] for q in context.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and all(f"LIMIT {LISTED_ARTICLES}" in sql for sql in counts)


def test_the_article_pages_loader_gives_what_the_list_loader_gives():
    from articles.models import Article
    from articles.selectors import article_get_published, article_list_published

    photos = [make_image(caption="Second", with_file=True), make_image(caption="First")]
    article = make_article(title="Loaded", tags=["zebra", "Alpha", "beta"], images=photos)
    draft = make_article(title="Draft", status=Article.Status.DRAFT)
    fast, usual = article_get_published(slug=article.slug), article_list_published().get(slug=article.slug)
    assert [t.name for t in fast.tag_list] == [t.name for t in usual.tag_list] == ["Alpha", "beta", "zebra"]
    assert [(p.pk, p.position, p.image_id) for p in fast.placements] == \
        [(p.pk, p.position, p.image_id) for p in usual.placements]
    assert [p.image.renditions for p in fast.placements] == [p.image.renditions for p in usual.placements]
    assert fast.published_at == usual.published_at and fast.body == usual.body
    assert "raw_text" in fast.get_deferred_fields()
    with pytest.raises(Article.DoesNotExist):
        article_get_published(slug=draft.slug)
