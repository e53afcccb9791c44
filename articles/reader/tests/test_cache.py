"""Caching of reader pages: conditional GET, invalidation on every kind of change,
a shared Redis cache, and no outage when the cache server is gone."""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from articles.core.signals import changed, content_changed
from articles.reader import cache as page_cache
from articles.reader import cache_keys
from articles.ingest.pipeline import ImportOptions, import_paths
from articles.models import Tag
from devtools.factories import make_article, make_image
from devtools.processes import database_url, free_port

# Changes reach readers' caches when they commit: these tests commit, as a request does.
pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[3]
SAMPLE_DUMP = ROOT / "samples" / "seed-dump.txt"


# --- conditional GET -------------------------------------------------------------


def test_pages_carry_validators_that_make_revalidation_cost_no_query(client, django_assert_num_queries):
    article = make_article()
    first = client.get(article.get_absolute_url())
    assert first["ETag"].startswith('W/"') and first["Last-Modified"]
    assert "must-revalidate" in first["Cache-Control"] and "public" in first["Cache-Control"]
    with django_assert_num_queries(0):
        again = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    since = client.get(article.get_absolute_url(), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304


@pytest.mark.parametrize("url", ["/", "/tags/iraq/", "/search/?q=story", "/feed/", "/feed/atom/", "/tags/iraq/feed/",
                                 "/sitemap.xml", "/robots.txt", "/api/articles/"])
def test_every_reader_url_answers_conditional_gets(client, url):
    make_article(title="A story", tags=["Iraq"])
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_change_gives_a_new_etag_and_the_new_content(client):
    article = make_article(title="Old headline")
    etag = client.get(article.get_absolute_url())["ETag"]
    article.title = "New headline"
    article.save()
    response = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag
    assert "New headline" in response.content.decode()


def test_not_found_pages_are_neither_cached_nor_validated(client):
    response = client.get("/articles/nothing/")
    assert response.status_code == 404 and "ETag" not in response


def test_tracking_parameters_share_the_cached_page(client, django_assert_num_queries):
    article = make_article()
    client.get(article.get_absolute_url())
    with django_assert_num_queries(0):
        assert client.get(article.get_absolute_url() + "?utm_source=social&fbclid=1").status_code == 200


def test_a_cache_hit_skips_sessions_auth_and_csrf_but_keeps_every_header(client, session_middleware_calls):
    article = make_article(title="A story")
    sessions = session_middleware_calls
    rendered = client.get(article.get_absolute_url())
    assert sessions == [article.get_absolute_url()]
    hit = client.get(article.get_absolute_url())
    assert sessions == [article.get_absolute_url()], "a hit must not reach the session middleware"
    assert hit.content == rendered.content
    compared = {name for name in rendered.headers if name not in ("Date",)}
    assert {name: hit.headers.get(name) for name in compared} == {name: rendered[name] for name in compared}
    assert {"Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Content-Length"} <= compared


@pytest.fixture
def session_middleware_calls(monkeypatch):
    """Paths that reached the session middleware: a cache hit must not."""
    from django.contrib.sessions.middleware import SessionMiddleware

    calls = []
    real = SessionMiddleware.process_request
    monkeypatch.setattr(SessionMiddleware, "process_request",
                        lambda self, request: calls.append(request.path) or real(self, request))
    return calls


def test_a_cache_hit_answers_conditional_gets_and_redirects_too(client, session_middleware_calls):
    article = make_article(title="Survivor")
    etag = client.get(article.get_absolute_url())["ETag"]
    assert client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=etag).status_code == 304
    tag = Tag.objects.create(name="Weather")
    tag.aliases.create(name="Climate", slug="climate")
    first = client.get("/tags/climate/")
    again = client.get("/tags/climate/")
    assert first.status_code == again.status_code == 301 and again["Location"] == first["Location"]
    assert session_middleware_calls == [article.get_absolute_url(), "/tags/climate/"]


def test_a_cached_sitemap_keeps_the_views_own_headers(client, session_middleware_calls):
    make_article()
    rendered = client.get("/sitemap.xml")
    hit = client.get("/sitemap.xml")
    assert session_middleware_calls == ["/sitemap.xml"]
    assert hit["X-Robots-Tag"] == rendered["X-Robots-Tag"] and "noindex" in hit["X-Robots-Tag"]
    assert hit["Content-Type"] == rendered["Content-Type"] and hit.content == rendered.content


def test_a_query_value_cannot_pass_for_another_page(client):
    article = make_article(title="Alpha story")
    # "?q=alpha%26page%3D2" searches for the text "alpha&page=2", which
    # finds nothing; that page must not be stored where "?q=alpha&page=2"
    # (the last page of results for "alpha") is looked for.
    link = f'href="{article.get_absolute_url()}"'
    assert link not in client.get("/search/", {"q": "alpha&page=2"}).content.decode()
    assert link in client.get("/search/", {"q": "alpha", "page": "2"}).content.decode()
    api = client.get("/api/articles/", {"q": "alpha"}).json()
    client.get("/api/articles/", {"tag": "x&q=alpha"})
    assert client.get("/api/articles/", {"q": "alpha"}).json() == api and api["count"] == 1


def test_a_host_that_is_not_allowed_gets_400_not_a_cached_answer(client):
    article = make_article()
    etag = client.get(article.get_absolute_url())["ETag"]
    assert client.get(article.get_absolute_url(), HTTP_HOST="evil.example").status_code == 400
    response = client.get(article.get_absolute_url(), HTTP_HOST="evil.example", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 400


def test_pages_that_are_not_cached_still_get_the_whole_stack(admin_client, session_middleware_calls):
    # The admin needs its session, user and CSRF token: the cache must stay out of its way.
    for _ in range(2):
        response = admin_client.get("/admin/")
        assert response.status_code == 200 and "ETag" not in response
    assert session_middleware_calls == ["/admin/", "/admin/"]


# --- invalidation --------------------------------------------------------------------


def cached_then_changed(client, url, change):
    """The page at `url` after `change`, with the page cached before it."""
    client.get(url)
    change()
    return client.get(url).content.decode()


def test_editing_an_article_shows_at_once(client):
    article = make_article(title="Before")

    def edit():
        article.title = "After"
        article.save()

    assert "After" in cached_then_changed(client, "/", edit)


def test_unpublishing_and_deleting_articles_show_at_once(client):
    article = make_article(title="Going away")

    def unpublish():
        article.status = "draft"
        article.save()

    assert "Going away" not in cached_then_changed(client, "/", unpublish)
    other = make_article(title="Deleted soon")
    assert "Deleted soon" not in cached_then_changed(client, "/", other.delete)


def test_editing_a_caption_shows_at_once(client):
    image = make_image(caption="Old caption.")
    article = make_article(images=[image])

    def edit():
        image.caption = "New caption."
        image.save()

    assert "New caption." in cached_then_changed(client, article.get_absolute_url(), edit)


def test_tagging_untagging_and_renaming_tags_show_at_once(client):
    article = make_article()
    assert "Weather" in cached_then_changed(client, article.get_absolute_url(), lambda: article.tags.add("Weather"))
    tag = Tag.objects.get(name="Weather")

    def rename():
        tag.name = "Climate"
        tag.save()

    assert "Climate" in cached_then_changed(client, article.get_absolute_url(), rename)
    html = cached_then_changed(client, article.get_absolute_url(), lambda: article.tags.remove(tag))
    assert "Climate" not in html


def test_adding_a_photo_shows_at_once(client):
    article = make_article()
    from articles.models import ArticleImage

    def add_photo():
        ArticleImage.objects.create(article=article, image=make_image(caption="Fresh photo."), position=0)

    assert "Fresh photo." in cached_then_changed(client, article.get_absolute_url(), add_photo)


def test_import_announces_one_change_when_it_created_something(client):
    calls = []

    def receiver(sender, **kwargs):
        calls.append(sender)

    changed.connect(receiver)
    try:
        import_paths([str(SAMPLE_DUMP)], options=ImportOptions())
        assert len(calls) == 1
        import_paths([str(SAMPLE_DUMP)], options=ImportOptions())  # nothing new
        assert len(calls) == 1
    finally:
        changed.disconnect(receiver)


def test_imported_articles_show_on_a_cached_home_page(client):
    assert "No articles have been published yet." in client.get("/").content.decode()
    report = import_paths([str(SAMPLE_DUMP)], options=ImportOptions())
    assert report.articles_created
    assert "No articles have been published yet." not in client.get("/").content.decode()


@pytest.mark.django_db  # in a test transaction: the commit is the test's to run
def test_a_change_inside_a_transaction_moves_its_keys_once_on_commit(django_capture_on_commit_callbacks):
    article = make_article()
    key = f"a{article.pk}"

    def version():
        return cache_keys.versions({key})[0][key]

    before = version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        content_changed(articles=[article.pk])
    assert version() == before and len(callbacks) == 1
    callbacks[0]()
    assert version() != before


def test_scheduled_article_appears_when_its_time_comes_without_any_save(client):
    make_article(title="Scheduled story", published_at=timezone.now() + timedelta(seconds=1))
    assert "Scheduled story" not in client.get("/").content.decode()
    time.sleep(1.2)
    assert "Scheduled story" in client.get("/").content.decode()


def test_page_cache_can_be_switched_off(client, settings, django_assert_max_num_queries):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    article = make_article()
    client.get(article.get_absolute_url())
    with django_assert_max_num_queries(6) as context:
        client.get(article.get_absolute_url())
    assert len(context.captured_queries) > 0


def test_a_new_release_does_not_serve_pages_cached_by_the_old_one(settings):
    page_cache.release.cache_clear()
    settings.NEWSROOM_RELEASE = "abc123"
    try:
        assert page_cache.release() == "abc123"
    finally:
        page_cache.release.cache_clear()
    settings.NEWSROOM_RELEASE = ""
    digest = page_cache.release()
    assert len(digest) == 12 and digest != "abc123"


# --- a shared Redis cache -------------------------------------------------------------


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_or_skip():
    """Redis must be there in CI; on a laptop without it these tests are skipped."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"Redis at {REDIS_URL} is required in CI: {error}")
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")


@pytest.fixture
def redis_cache(settings):
    import redis

    redis_or_skip()
    prefix = f"newsroom-test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": REDIS_URL, "KEY_PREFIX": prefix}}
    settings.NEWSROOM_CONTENT_VERSION_SECONDS = None
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_redis_cache_is_shared_so_a_change_in_another_process_shows_at_once(client, redis_cache,
                                                                           django_assert_num_queries):
    article = make_article(title="Shared")
    first = client.get(article.get_absolute_url())
    with django_assert_num_queries(0):
        assert client.get(article.get_absolute_url()).status_code == 200
    # Another app server (or an import command) changes content: it shares only the cache.
    env = {**os.environ, "CACHE_URL": REDIS_URL, "CACHE_KEY_PREFIX": redis_cache,
           "DJANGO_SETTINGS_MODULE": "newsroom.settings", "DATABASE_URL": database_url()}
    subprocess.run([sys.executable, "-c", "import django; django.setup(); "
                    "from articles.core.signals import content_changed; content_changed()"],
                   cwd=ROOT, env=env, check=True, timeout=60)
    after = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200 and after["ETag"] != first["ETag"]


def _eventually(condition, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_process_hears_changes_and_asks_redis_about_a_page_only_then(client, redis_cache, monkeypatch):
    import redis

    article = make_article(title="Heard")
    url = article.get_absolute_url()
    from django.core.cache import caches

    reads = []
    backend = caches["default"]
    real_get_many = backend.get_many
    monkeypatch.setattr(backend, "get_many", lambda names: reads.append(names) or real_get_many(names))
    client.get(url)  # rendered and stored; the listener starts
    listener = cache_keys.change_listener()
    _eventually(lambda: listener.live_since is not None)
    client.get(url)  # checked once the notices are heard
    reads.clear()
    for _ in range(5):
        assert client.get(url).status_code == 200
    assert reads == []  # no round trip while nothing changes
    # Another process changes the article: it writes the new version and publishes the key, as bump() does.
    first = client.get(url)
    other = redis.Redis.from_url(REDIS_URL)
    from django.core.cache import cache, caches

    cache.set(cache_keys.VERSION.format(f"a{article.pk}"), time.time_ns(), None)
    other.publish(caches["default"].make_key(cache_keys.CHANGES_CHANNEL), f"a{article.pk}")
    _eventually(lambda: f"a{article.pk}" in listener.changed)
    after = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert reads and after.status_code == 200 and after["ETag"] != first["ETag"]
    # Notices lost (Redis restarted, the connection dropped): every request asks again.
    listener.live_since = None
    reads.clear()
    client.get(url)
    client.get(url)
    assert len(reads) == 2


def test_a_change_made_here_shows_at_once_and_is_published(client, redis_cache):
    article = make_article(title="Published change")
    url = article.get_absolute_url()
    client.get(url)
    listener = cache_keys.change_listener()
    _eventually(lambda: listener.live_since is not None)
    etag = client.get(url)["ETag"]
    content_changed(articles=[article.pk])
    assert client.get(url)["ETag"] != etag
    _eventually(lambda: f"a{article.pk}" in listener.changed)


def test_settings_select_redis_from_cache_url_or_redis_url():
    code = ("import django; django.setup(); from django.conf import settings; "
            "print(settings.CACHES['default']['BACKEND'], settings.NEWSROOM_CONTENT_VERSION_SECONDS)")
    base = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL", "REDIS_URL")}
    base["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"

    def backend(**env):
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**base, **env},
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout.split()

    assert backend() == ["django.core.cache.backends.locmem.LocMemCache", "30"]
    assert backend(REDIS_URL="redis://cache:6379/0") == ["django.core.cache.backends.redis.RedisCache", "None"]
    assert backend(CACHE_URL="rediss://cache:6379/1")[0] == "django.core.cache.backends.redis.RedisCache"


def test_pages_and_saves_keep_working_when_redis_is_down(client, settings, caplog):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}}
    article = make_article(title="Still here")
    article.title = "Still here, edited"
    article.save()
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200 and "Still here, edited" in response.content.decode()
    assert "cache" in caplog.text.lower()


def test_a_scheduled_article_appears_on_time_on_pages_trusted_without_asking(client, redis_cache,
                                                                            django_capture_on_commit_callbacks):
    make_article(title="Already out")
    client.get("/")
    listener = cache_keys.change_listener()
    _eventually(lambda: listener.live_since is not None)
    with django_capture_on_commit_callbacks(execute=True):  # as a save commits in service
        make_article(title="Scheduled story", published_at=timezone.now() + timedelta(seconds=1))
    client.get("/")
    assert "Scheduled story" not in client.get("/").content.decode()
    time.sleep(1.2)
    assert "Scheduled story" in client.get("/").content.decode()
