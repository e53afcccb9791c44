"""RSS and Atom feeds, site-wide and per tag."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape

from articles.models import Article
from devtools.factories import make_article

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def fetch(client, url, content_type):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    return ET.fromstring(response.content)


def test_rss_feed_lists_published_articles_newest_first(client):
    older = make_article(title="Older", published_at=timezone.now() - timedelta(days=2), byline="Jane Doe",
                         tags=["Iraq"])
    make_article(title="Newer", standfirst="The summary.", published_at=timezone.now() - timedelta(days=1))
    make_article(title="Draft", status=Article.Status.DRAFT)
    channel = fetch(client, "/feed/", "application/rss+xml").find("channel")
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == ["Newer", "Older"]
    assert items[0].findtext("link") == "http://testserver" + Article.objects.get(title="Newer").get_absolute_url()
    assert items[0].findtext("description") == "The summary."
    assert items[1].findtext("category") == "Iraq"
    assert items[1].findtext("{http://purl.org/dc/elements/1.1/}creator") == "Jane Doe"
    assert items[1].findtext("pubDate").endswith("+0000")
    assert older.get_absolute_url() in items[1].findtext("guid")


def test_atom_feed_has_the_same_entries(client):
    make_article(title="Story one", standfirst="Summary one.")
    feed = fetch(client, "/feed/atom/", "application/atom+xml")
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["Story one"]
    assert entries[0].findtext(f"{ATOM}summary") == "Summary one."
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "http://testserver/feed/atom/"


def test_feed_is_limited_to_the_latest_articles(client, settings):
    settings.NEWSROOM_FEED_SIZE = 3
    for n in range(5):
        make_article(title=f"Story {n}")
    assert len(fetch(client, "/feed/", "application/rss+xml").find("channel").findall("item")) == 3


def test_tag_feeds_list_only_the_tags_articles(client):
    make_article(title="Iraq story", tags=["Iraq"])
    make_article(title="Gaza story", tags=["Gaza"])
    channel = fetch(client, "/tags/iraq/feed/", "application/rss+xml").find("channel")
    assert [item.findtext("title") for item in channel.findall("item")] == ["Iraq story"]
    assert channel.findtext("title") == "Iraq · Newsroom"
    atom = fetch(client, "/tags/iraq/feed/atom/", "application/atom+xml")
    assert [entry.findtext(f"{ATOM}title") for entry in atom.findall(f"{ATOM}entry")] == ["Iraq story"]


def test_unknown_tag_feed_is_not_found(client):
    assert client.get("/tags/nothing/feed/").status_code == 404


def test_markup_in_feed_data_reaches_feed_readers_as_text(client):
    """RSS titles and descriptions, and Atom summaries, are HTML: the data is escaped into them."""
    make_article(title="<script>alert(1)</script> news", standfirst="<img src=x onerror=alert(1)> & more",
                 tags=["<b>tag</b>"])
    raw = client.get("/feed/").content.decode()
    assert "<script>" not in raw and "<img" not in raw and "<b>" not in raw
    item = ET.fromstring(raw).find("channel/item")
    assert item.findtext("title") == escape("<script>alert(1)</script> news")
    assert item.findtext("description") == escape("<img src=x onerror=alert(1)> & more")
    atom_raw = client.get("/feed/atom/").content.decode()
    assert "<script>" not in atom_raw and "<img" not in atom_raw
    entry = ET.fromstring(atom_raw).find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "<script>alert(1)</script> news"  # type="text"
    assert entry.find(f"{ATOM}summary").get("type") == "html"
    assert entry.findtext(f"{ATOM}summary") == escape("<img src=x onerror=alert(1)> & more")


def test_pages_advertise_their_feeds(client):
    make_article(tags=["Iraq"])
    home = client.get("/").content.decode()
    assert '<link rel="alternate" type="application/rss+xml" title="Newsroom (RSS)" href="/feed/">' in home
    assert 'type="application/atom+xml"' in home
    assert 'type="application/rss+xml" title="Iraq (RSS)" href="/tags/iraq/feed/"' in client.get("/tags/iraq/").content.decode()
