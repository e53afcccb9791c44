"""The desk: /admin/ opens on what needs an editor now, each counted, each one click from being acted on."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from articles.editorial import desk_selectors
from articles.models import Article, ArticleVersion, DuplicateCandidate, ImportRun
from devtools.factories import make_article, make_editor

pytestmark = pytest.mark.django_db

DESK = "/admin/"


def text_of(response):
    """The page's words, tags dropped and spaces folded, to read the way an editor does."""
    html = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(unescape(html).split())


def part(response, heading_id):
    """The HTML of one part of the desk, found by its heading's id."""
    html = response.content.decode()
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start:html.index("</section>", start)]


def edit(article, user, *, kind=ArticleVersion.Kind.EDITED, minutes_ago=0):
    return ArticleVersion.objects.create(article_id=article.pk, number=1, kind=kind, snapshot={}, user=user,
                                         created_at=timezone.now() - timedelta(minutes=minutes_ago))


@pytest.fixture
def editor(client):
    user = make_editor()
    client.force_login(user)
    return user


def test_the_admin_opens_on_the_desk_and_every_admin_section_stays_one_link_away(client, editor):
    response = client.get(DESK)
    assert response.status_code == 200
    assert response.templates[0].name == "admin/desk.html"
    assert reverse("admin:index") == DESK
    sections = reverse("admin_sections")
    assert f'href="{sections}"' in response.content.decode()
    listing = client.get(sections)
    assert listing.status_code == 200
    assert reverse("admin:articles_article_changelist") in listing.content.decode()


def test_write_a_story_opens_an_empty_article_form(client, editor):
    html = client.get(DESK).content.decode()
    assert re.search(rf'<a class="button default desk-write" href="{reverse("admin:articles_article_add")}">'
                     r"Write a story</a>", html)


def test_only_staff_see_the_desk(client):
    assert client.get(DESK).url.startswith(reverse("admin:login"))
    reader = get_user_model().objects.create_user("reader", password="correct horse battery")
    client.force_login(reader)
    response = client.get(DESK)
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))


def test_staff_without_permissions_see_no_counts(client):
    make_article(status=Article.Status.DRAFT, title="Secret draft")
    client.force_login(get_user_model().objects.create_user("intern", password="x", is_staff=True))
    response = client.get(DESK)
    assert response.status_code == 200
    assert "Secret draft" not in text_of(response)
    assert "Write a story" not in text_of(response)
    assert 'id="desk-waiting"' not in response.content.decode()


def test_drafts_wait_for_review_counted_listed_and_linked_to_the_filtered_list(client, editor):
    drafts = [make_article(status=Article.Status.DRAFT, title=f"Draft {n}") for n in range(3)]
    make_article(title="Already out")
    response = client.get(DESK)
    waiting = part(response, "desk-waiting")
    assert f'href="{reverse("admin:articles_article_changelist")}?state=draft"' in waiting
    assert re.search(r'<span class="desk-number">3</span> drafts', waiting)
    for draft in drafts:
        assert f'href="{reverse("admin:articles_article_change", args=[draft.pk])}"' in waiting
    assert "Already out" not in waiting
    listed = client.get(f'{reverse("admin:articles_article_changelist")}?state=draft')
    assert listed.context["cl"].result_count == 3


def test_scheduled_in_the_next_24_hours_with_their_times_soonest_first(client, editor):
    now = timezone.now()
    later = make_article(title="Goes live tonight", published_at=now + timedelta(hours=9))
    soon = make_article(title="Goes live soon", published_at=now + timedelta(hours=2))
    make_article(title="Next week", published_at=now + timedelta(days=7))
    make_article(title="Already live", published_at=now - timedelta(hours=1))
    response = client.get(DESK)
    scheduled = part(response, "desk-scheduled")
    assert re.search(r'<span class="desk-number">2</span> going live', scheduled)
    assert scheduled.index("Goes live soon") < scheduled.index("Goes live tonight")
    assert "Next week" not in scheduled and "Already live" not in scheduled
    local = timezone.localtime(soon.published_at)
    assert f'datetime="{local.isoformat()}"' in scheduled
    assert f'{local:%H:%M}</time>' in scheduled
    # The count's link opens the article list narrowed to the same articles.
    link = unescape(re.search(r'href="([^"]*state=scheduled[^"]*)"', scheduled).group(1))
    listed = client.get(link)
    assert listed.status_code == 200
    assert {article.pk for article in listed.context["cl"].result_list} == {soon.pk, later.pk}


def test_recently_published_newest_first_with_the_last_days_count(client, editor):
    now = timezone.now()
    make_article(title="Old news", published_at=now - timedelta(days=3))
    make_article(title="This morning", published_at=now - timedelta(hours=5))
    make_article(title="Just out", published_at=now - timedelta(minutes=5))
    make_article(title="Tomorrow", published_at=now + timedelta(hours=5))
    published = part(client.get(DESK), "desk-published")
    assert re.search(r'<span class="desk-number">2</span> in the last 24 hours', published)
    assert published.index("Just out") < published.index("This morning") < published.index("Old news")
    assert "Tomorrow" not in published
    link = unescape(re.search(r'href="([^"]*state=published[^"]*)"', published).group(1))
    listed = client.get(link)
    assert {article.title for article in listed.context["cl"].result_list} == {"Just out", "This morning"}


def test_my_recent_edits_are_mine_newest_first_each_article_once(client, editor):
    first, second = make_article(title="First I touched"), make_article(title="Then this one")
    gone = make_article(title="Since deleted")
    edit(gone, editor, minutes_ago=30)
    gone_id = gone.pk
    Article.objects.filter(pk=gone_id).delete()
    edit(first, editor, minutes_ago=20)
    edit(second, editor, minutes_ago=10)
    edit(first, editor, kind=ArticleVersion.Kind.PUBLISHED, minutes_ago=1)
    someone = make_editor("someone")
    edit(make_article(title="Someone else's"), someone)
    mine = part(client.get(DESK), "desk-edits")
    assert mine.count("First I touched") == 1
    assert mine.index("First I touched") < mine.index("Then this one") < mine.index(f"Article #{gone_id}, deleted")
    assert "Published" in mine
    assert "Someone else" not in mine
    assert f'href="{reverse("admin:articles_article_deleted")}"' in mine


def test_the_last_imports_and_their_failures_each_link_to_the_run(client, editor):
    fine = ImportRun.objects.create(file_name="monday.txt", status=ImportRun.Status.FINISHED, articles_created=40)
    broken = ImportRun.objects.create(file_name="tuesday.txt", status=ImportRun.Status.FAILED, articles_created=3,
                                      articles_failed=2, errors=["line 4: headline but no body"])
    ImportRun.objects.create(file_name="wednesday.txt", status=ImportRun.Status.INTERRUPTED)
    response = client.get(DESK)
    imports = part(response, "desk-imports")
    assert re.search(r'<span class="desk-number">2</span> runs failed or interrupted', imports)
    for run in (fine, broken):
        assert f'href="{reverse("admin:articles_importrun_change", args=[run.pk])}"' in imports
    assert "2 failed" in text_of(response)
    link = unescape(re.search(r'href="([^"]*status__in[^"]*)"', imports).group(1))
    listed = client.get(link)
    assert {run.file_name for run in listed.context["cl"].result_list} == {"tuesday.txt", "wednesday.txt"}


def test_undecided_duplicate_stories_counted_and_the_next_one_opens_in_one_click(client, editor):
    a, b, c = (make_article(title=f"Flood copy {n}") for n in range(3))
    d, e = make_article(title="Quake copy 1"), make_article(title="Quake copy 2")
    DuplicateCandidate.objects.create(kind="article", article_a=a, article_b=b, score=0.9)
    DuplicateCandidate.objects.create(kind="article", article_a=b, article_b=c, score=0.8)
    DuplicateCandidate.objects.create(kind="article", article_a=d, article_b=e, score=0.99)
    response = client.get(DESK)
    duplicates = part(response, "desk-duplicates")
    assert re.search(r'<span class="desk-number">2</span> undecided stories', duplicates)
    assert f'href="{reverse("admin:articles_duplicatecandidate_stories")}"' in duplicates
    # The best-scored story first, as the duplicate desk takes them.
    assert f'href="{reverse("admin:articles_duplicatecandidate_story", args=[d.pk])}"' in duplicates


def test_nothing_waiting_says_so(client, editor):
    text = text_of(client.get(DESK))
    assert "Nothing to decide" in text
    assert "Nothing is due to go live" in text
    assert "No dump has been imported yet" in text


def test_counts_stop_at_the_limit_and_say_so(client, editor, monkeypatch):
    monkeypatch.setattr(desk_selectors, "COUNT_LIMIT", 4)
    for n in range(6):
        make_article(status=Article.Status.DRAFT, title=f"Draft {n}")
    waiting = part(client.get(DESK), "desk-waiting")
    assert re.search(r'<span class="desk-number">4\+</span> drafts', waiting)
    monkeypatch.setattr(desk_selectors, "COUNT_LIMIT", 1000)
    for n in range(1001 - 6):
        Article.objects.create(title=f"Bulk {n}", slug=f"bulk-{n}", fingerprint=f"bulk-{n}")
    assert str(desk_selectors.rows_count_bounded(queryset=Article.objects.filter(status="draft"))) == "1,000+"


def test_the_desk_takes_a_fixed_number_of_queries_whatever_the_archive(client, editor,
                                                                       django_assert_max_num_queries):
    def fill(n):
        for _ in range(n):
            make_article(status=Article.Status.DRAFT)
            scheduled = make_article(published_at=timezone.now() + timedelta(hours=3))
            edit(make_article(), editor)
            edit(scheduled, editor)
            ImportRun.objects.create(file_name="dump.txt", status=ImportRun.Status.FAILED)
        DuplicateCandidate.objects.create(kind="article", article_a=make_article(), article_b=make_article(),
                                          score=0.9)

    fill(2)
    with django_assert_max_num_queries(16) as small:  # 15, and one for the mentions
        assert client.get(DESK).status_code == 200
    fill(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(DESK).status_code == 200
