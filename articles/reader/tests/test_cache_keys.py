"""Only what changed goes stale: pages carry the keys of what they show."""

import http.server
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.ingest.pipeline import ImportOptions, import_paths
from devtools.dumps import article_text, dump
from devtools.factories import make_article, make_image

# Changes reach readers' caches when they commit: these tests commit, as a request does.
pytestmark = pytest.mark.django_db(transaction=True)


def is_hit(client, url):
    """Whether `url` was answered from the page cache (no query at all)."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries) == 0


def test_an_edit_renders_again_only_the_pages_that_show_the_article(client):
    edited = make_article(title="Edited story", tags=["Iraq"])
    unrelated = make_article(title="Unrelated story", tags=["Sport"])
    for url in (edited.get_absolute_url(), unrelated.get_absolute_url(), "/"):
        client.get(url)
    edited.title = "Edited story, corrected"
    edited.save()
    assert is_hit(client, unrelated.get_absolute_url())
    assert not is_hit(client, edited.get_absolute_url())
    assert "Edited story, corrected" in client.get("/").content.decode()


def test_a_page_linking_to_an_article_as_related_shows_its_new_headline(client):
    linked = make_article(title="Linked story", tags=["Iraq"])
    page = make_article(title="Page", tags=["Iraq"])
    assert "Linked story" in client.get(page.get_absolute_url()).content.decode()
    linked.title = "Linked story, renamed"
    linked.save()
    assert "Linked story, renamed" in client.get(page.get_absolute_url()).content.decode()


def test_a_new_caption_renders_again_the_pages_with_that_photo_only(client):
    photo = make_image(caption="Old caption.")
    with_photo = make_article(images=[photo])
    without = make_article()
    client.get(with_photo.get_absolute_url())
    client.get(without.get_absolute_url())
    photo.caption = "New caption."
    photo.save()
    assert "New caption." in client.get(with_photo.get_absolute_url()).content.decode()
    assert is_hit(client, without.get_absolute_url())


def test_an_import_renders_again_the_lists_but_not_the_article_pages(client, tmp_path):
    article = make_article(tags=["Iraq"])
    client.get(article.get_absolute_url())
    client.get("/")
    import_paths([str(dump(article_text("Imported story", ["Body."]), tmp_path))],
                 options=ImportOptions(tags=["Iraq"]))
    assert is_hit(client, article.get_absolute_url())
    assert "Imported story" in client.get("/").content.decode()
    assert "Imported story" in client.get("/tags/iraq/").content.decode()


def test_reader_responses_name_their_keys_for_edge_caches(client):
    photo = make_image()
    article = make_article(tags=["Iraq"], images=[photo])
    tag = article.tags.get()
    response = client.get(article.get_absolute_url())
    keys = set(response["Surrogate-Key"].split())
    assert {f"a{article.pk}", f"i{photo.pk}", f"t{tag.pk}", "all"} <= keys
    assert set(response["Cache-Tag"].split(",")) == keys
    hit = client.get(article.get_absolute_url())
    assert hit["Surrogate-Key"] == response["Surrogate-Key"]
    assert "al" in client.get("/")["Surrogate-Key"].split()


class PurgeRecorder(http.server.BaseHTTPRequestHandler):
    received = []

    def do_PURGE(self):  # noqa: N802 - the method's name
        PurgeRecorder.received.append(self.headers["xkey-purge"])
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def purge_server():
    server = http.server.HTTPServer(("127.0.0.1", 0), PurgeRecorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    PurgeRecorder.received = []
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_a_change_is_purged_at_the_edge_by_its_keys(purge_server, settings, django_capture_on_commit_callbacks):
    settings.NEWSROOM_PURGE_URLS = [purge_server]
    article = make_article()
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Changed"
        article.save()
    purged = set(" ".join(PurgeRecorder.received).split())
    assert {f"a{article.pk}", "al"} <= purged and "all" not in purged


def test_an_unreachable_purge_url_is_logged_and_the_save_goes_through(settings, caplog,
                                                                      django_capture_on_commit_callbacks):
    settings.NEWSROOM_PURGE_URLS = ["http://127.0.0.1:9/"]
    article = make_article()
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Saved anyway"
        article.save()
    article.refresh_from_db()
    assert article.title == "Saved anyway" and "Could not purge" in caplog.text


# --- found in review ------------------------------------------------------------------------


def test_an_import_cut_short_still_shows_what_it_committed(client, tmp_path):
    import gzip

    from articles.ingest.writer import BATCH_SIZE

    client.get("/")
    text = "".join(article_text(f"Story {n}", [f"Paragraph {p} of story {n}, reported on day {n * 7 + p}."
                                               for p in range(8)]) for n in range(BATCH_SIZE * 3))
    data = gzip.compress(text.encode())
    path = tmp_path / "cut.txt.gz"
    path.write_bytes(data[: int(len(data) * 0.8)])  # the end lost: a read error after the first batches
    from articles.models import Article

    report = import_paths([str(path)], options=ImportOptions())
    assert "read error" in report.errors[0] and Article.objects.count() >= BATCH_SIZE
    assert "No articles have been published yet." not in client.get("/").content.decode()


def test_an_api_list_for_a_tag_that_does_not_exist_yet_shows_it_once_it_does(client):
    assert client.get("/api/articles/", {"tag": "weather"}).json()["count"] == 0
    make_article(tags=["Weather"])
    assert client.get("/api/articles/", {"tag": "weather"}).json()["count"] == 1


def test_feeds_show_a_renamed_tag(client):
    article = make_article(tags=["Weather"])
    assert "<category>Weather</category>" in client.get("/feed/").content.decode()
    tag = article.tags.get()
    tag.name = "Climate"
    tag.save()
    assert "<category>Climate</category>" in client.get("/feed/").content.decode()


def test_a_scheduled_article_shows_on_the_first_request_after_its_time(client):
    import time
    from datetime import timedelta

    from django.utils import timezone

    make_article(title="Scheduled story", published_at=timezone.now() + timedelta(seconds=1))
    client.get("/")
    client.get("/")  # now kept by the process too
    time.sleep(1.2)
    assert "Scheduled story" in client.get("/").content.decode()
