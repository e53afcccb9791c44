"""Editors work in the admin; anonymous visitors are sent to log in."""

import pytest
from django.urls import reverse

from articles.models import Article, ImportRun, Tag
from devtools.factories import make_article, make_editor, make_image

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    ("admin:articles_article_changelist", None),
    ("admin:articles_article_add", None),
    ("admin:articles_article_change", "article"),
    ("admin:articles_tag_changelist", None),
    ("admin:articles_tag_change", "tag"),
    ("admin:media_image_changelist", None),
    ("admin:media_image_change", "image"),
    ("admin:articles_importrun_changelist", None),
    ("admin:articles_importrun_change", "run"),
    ("admin:articles_article_preview", "article"),
]


@pytest.fixture
def objects():
    image = make_image()
    article = make_article(tags=["Syria"], images=[image, make_image(with_file=True)])
    run = ImportRun.objects.create(file_name="dump.txt", errors=["dump.txt line 3: headline but no body"])
    return {"article": article, "tag": article.tags.get(), "image": image, "run": run}


def url_for(name, key, objects):
    return reverse(name, args=[objects[key].pk]) if key else reverse(name)


@pytest.mark.parametrize("name,key", ADMIN_PAGES)
def test_editor_can_open_admin_page(client, objects, name, key):
    client.force_login(make_editor())
    response = client.get(url_for(name, key, objects))
    assert response.status_code == 200


@pytest.mark.parametrize("name,key", ADMIN_PAGES)
def test_anonymous_visitor_is_sent_to_the_login_page(client, objects, name, key):
    response = client.get(url_for(name, key, objects))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_article_changelist_query_count_does_not_grow_with_rows(client, django_assert_max_num_queries):
    client.force_login(make_editor())
    for n in range(30):
        make_article(tags=[f"tag{n}", "common"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:articles_article_changelist"))
    assert response.status_code == 200


def test_import_runs_are_read_only_for_editors(client, objects):
    client.force_login(make_editor())
    response = client.post(url_for("admin:articles_importrun_change", "run", objects), {"file_name": "x"})
    assert response.status_code == 403
    assert client.get(reverse("admin:articles_importrun_add")).status_code == 403


def test_markup_in_a_caption_is_shown_as_text_in_the_admin(client):
    client.force_login(make_editor())
    image = make_image(caption='<script>alert("x")</script>', credit='"><img src=x onerror=alert(1)>')
    make_article(title="<b>bold</b> headline", images=[image])
    for url in [reverse("admin:media_image_changelist"), reverse("admin:articles_article_changelist"),
                reverse("admin:media_image_change", args=[image.pk])]:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html
        assert "<img src=x onerror" not in html
        assert "<b>bold</b>" not in html


def test_editor_can_add_an_article_with_tags_through_the_admin(client):
    client.force_login(make_editor())
    Tag.objects.create(name="Iraq")
    data = {
        "title": "New story", "slug": "new-story", "body": "First.\n\nSecond.", "status": "draft",
        "standfirst": "", "byline": "", "source": "", "published_at_0": "", "published_at_1": "",
        "article_images-TOTAL_FORMS": "0", "article_images-INITIAL_FORMS": "0",
        "tags": "iraq, Syria",  # an existing tag in another case, and a new one
    }
    response = client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302
    article = Article.objects.get(slug="new-story")
    assert article.paragraphs == ["First.", "Second."]
    assert sorted(article.tags.names()) == ["Iraq", "Syria"]
    assert article.fingerprint


def test_admin_form_reports_a_duplicate_article_instead_of_crashing(client):
    client.force_login(make_editor())
    make_article(title="Existing story", paragraphs=["Body."])
    data = {
        "title": "Existing story", "slug": "another-slug", "body": "Body.", "status": "draft",
        "article_images-TOTAL_FORMS": "0", "article_images-INITIAL_FORMS": "0",
        "taggedarticle_set-TOTAL_FORMS": "0", "taggedarticle_set-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 200
    assert "same headline and body already exists" in response.content.decode()


def article_form_data(article, **changes):
    data = {
        "title": article.title, "base_version": str(article.version), "slug": article.slug, "body": article.body, "status": article.status,
        "standfirst": "", "byline": "", "source": "",
        "published_at_0": article.published_at.strftime("%Y-%m-%d") if article.published_at else "",
        "published_at_1": article.published_at.strftime("%H:%M:%S") if article.published_at else "",
        "article_images-TOTAL_FORMS": "0", "article_images-INITIAL_FORMS": "0",
        "taggedarticle_set-TOTAL_FORMS": "0", "taggedarticle_set-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def test_article_page_lists_its_open_duplicate_candidates(client):
    from articles.models import DuplicateCandidate

    a, b = make_article(title="First <i>copy</i>"), make_article(title="Second copy")
    candidate = DuplicateCandidate.objects.create(kind="article", article_a=a, article_b=b, score=0.83)
    client.force_login(make_editor())
    html = client.get(reverse("admin:articles_article_change", args=[b.pk])).content.decode()
    assert reverse("admin:articles_duplicatecandidate_compare", args=[candidate.pk]) in html
    assert "0.83" in html and "First &lt;i&gt;copy&lt;/i&gt;" in html


def test_an_editor_cannot_mark_an_article_merged_by_hand(client):
    article = make_article()
    client.force_login(make_editor())
    response = client.post(reverse("admin:articles_article_change", args=[article.pk]),
                           article_form_data(article, status="merged"))
    assert response.status_code == 200
    assert "merged from the duplicates queue" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED


def test_setting_a_merged_article_back_to_draft_unmerges_it(client):
    from articles.duplicates.merging import article_merge

    survivor, merged = make_article(), make_article()
    article_merge(survivor_id=survivor.pk, merged_id=merged.pk)
    merged.refresh_from_db()
    client.force_login(make_editor())
    response = client.post(reverse("admin:articles_article_change", args=[merged.pk]),
                           article_form_data(merged, status="draft"))
    assert response.status_code == 302
    merged.refresh_from_db()
    assert (merged.status, merged.merged_into) == (Article.Status.DRAFT, None)


# --- previews -------------------------------------------------------------------------


def preview(client, article):
    return client.get(reverse("admin:articles_article_preview", args=[article.pk]))


def test_editors_preview_a_draft_as_readers_would_see_it(client):
    from django.contrib.auth import get_user_model

    draft = make_article(title="Draft <b>headline</b>", status=Article.Status.DRAFT, tags=["Iraq"],
                         images=[make_image(caption="A caption.")])
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(make_editor())
    response = preview(client, draft)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Preview of a draft: readers cannot see this article." in html
    assert "Draft &lt;b&gt;headline&lt;/b&gt;" in html and "<b>headline</b>" not in html
    assert "A caption." in html and ">Iraq</a>" in html
    assert '<meta name="robots" content="noindex' in html
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    # Nobody else sees it: a signed-in user who may not view articles is refused.
    client.force_login(get_user_model().objects.create_user("visitor", password="x" * 12, is_staff=True))
    assert preview(client, draft).status_code == 403


@pytest.mark.parametrize("fields,note", [
    ({"status": Article.Status.PUBLISHED}, "Preview: this article is published."),
    ({"status": Article.Status.PUBLISHED, "published_at": "future"}, "Preview of a scheduled article"),
])
def test_the_preview_says_who_can_see_the_article(client, fields, note):
    from datetime import timedelta

    from django.utils import timezone

    if fields.get("published_at") == "future":
        fields = {**fields, "published_at": timezone.now() + timedelta(days=1)}
    article = make_article(**fields)
    client.force_login(make_editor())
    html = preview(client, article).content.decode()
    assert note in html
    assert (f'href="{article.get_absolute_url()}">Open the public page' in html) == (note.endswith("published."))


def test_view_on_site_opens_the_public_page_once_published_and_the_preview_before(client):
    client.force_login(make_editor())
    draft = make_article(status=Article.Status.DRAFT)
    published = make_article()
    change = "admin:articles_article_change"
    draft_page = client.get(reverse(change, args=[draft.pk])).content.decode()
    assert f'href="{reverse("admin:articles_article_preview", args=[draft.pk])}" class="viewsitelink"' in draft_page
    published_page = client.get(reverse(change, args=[published.pk])).content.decode()
    assert f'href="{published.get_absolute_url()}" class="viewsitelink"' in published_page


def test_a_missing_article_has_no_preview(client):
    client.force_login(make_editor())
    assert client.get(reverse("admin:articles_article_preview", args=[999999])).status_code == 404


def test_a_merged_articles_preview_says_where_readers_really_go(client):
    from articles.duplicates.merging import article_merge

    survivor = make_article(title="Survivor story")
    merged = make_article(title="Merged copy")
    article_merge(survivor_id=survivor.pk, merged_id=merged.pk)
    client.force_login(make_editor())
    assert "readers are sent to “Survivor story”" in preview(client, merged).content.decode()
    Article.objects.filter(pk=survivor.pk).update(status=Article.Status.DRAFT)
    assert client.get(merged.get_absolute_url()).status_code == 404
    assert "readers get “not found”" in preview(client, merged).content.decode()
