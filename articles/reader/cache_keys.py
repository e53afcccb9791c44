"""Cache tags (surrogate keys): what each page shows, and what each change touches.

Every cached page carries the keys of what it shows; every key has a
version in the cache that moves on when its object changes. A stored page
is good while all its keys still have the versions they had when it was
rendered (one multi-get). The same keys go to edge caches (Varnish xkey,
Fastly, Cloudflare) in Surrogate-Key and Cache-Tag headers, and are purged
there when PURGE_URL names them.

Keys:
    a<id>   an article: its text, dates, address, photos and tags as placed
    t<id>   a tag: its name, address, aliases
    i<id>   a photo: caption, credit, file
    tl<id>  which articles a tag's pages and feeds list
    au<id>  an author: name, address, bio, photo, links, aliases
    aul<id> which articles an author's pages and feeds list
    al      which articles the site's lists show: home, feeds, sitemaps, search, API
    tags    which tags exist and are in use (the tag sitemap)
    authors which authors exist and their addresses (the author sitemap)
    all     everything: every page carries it; a change that names nothing bumps it
"""

import logging
import os
import re
import threading
import time
import urllib.request
from functools import lru_cache
from urllib.error import URLError

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache

from articles.models import TaggedArticle
from articles.people.selectors import article_author_ids

logger = logging.getLogger(__name__)

EVERYTHING = "all"
LISTS = "al"
TAG_SET = "tags"
AUTHOR_SET = "authors"
VERSION = "newsroom:key:{}"


def article_keys(article):
    """The keys of an article as a page shows it (from selectors.with_images_and_tags)."""
    keys = {f"a{article.pk}"}
    keys.update(f"i{placement.image_id}" for placement in getattr(article, "placements", ()))
    keys.update(f"t{tagging.tag_id}" for tagging in getattr(article, "taggings", ()))
    keys.update(f"au{authorship.author_id}" for authorship in getattr(article, "authorships", ()))
    return keys


def page_keys(*, articles=(), linked=(), tags=(), lists=False, tag_lists=(), authors=(), author_lists=(), images=()):
    """The keys of a page showing `articles` in full, links to `linked`, `tags`, `authors`, `images` and lists."""
    keys = {EVERYTHING}
    for article in articles:
        keys |= article_keys(article)
    keys.update(f"a{article.pk}" for article in linked)
    keys.update(f"t{tag.pk}" for tag in tags)
    keys.update(f"tl{tag.pk}" for tag in tag_lists)
    keys.update(f"au{author.pk}" for author in authors)
    keys.update(f"aul{author.pk}" for author in author_lists)
    keys.update(f"i{image.pk}" for image in images)
    if lists:
        keys.add(LISTS)
    return keys


def change_keys(*, instances=(), articles=(), tags=(), images=(), tag_lists=(), lists=False, authors=(),
                author_lists=()):
    """The keys a change touches. Naming nothing means everything."""
    articles, tags, images, tag_lists = set(articles), set(tags), set(images), set(tag_lists)
    authors, author_lists = set(authors), set(author_lists)
    for obj in instances:
        name = obj._meta.label
        if name == "articles.Article":
            articles.add(obj.pk)
        elif name == "articles.Tag":
            tags.add(obj.pk)
        elif name == "articles.TagAlias":
            tags.add(obj.tag_id)
        elif name == "articles.TaggedArticle":
            articles.add(obj.content_object_id)
            tag_lists.add(obj.tag_id)
        elif name == "articles.ArticleImage":
            articles.add(obj.article_id)
        elif name == "media.Image":
            images.add(obj.pk)
        elif name == "people.Author":
            authors.add(obj.pk)
        elif name == "people.AuthorAlias":
            authors.add(obj.author_id)
        elif name == "people.ArticleAuthor":
            articles.add(obj.article_id)
            author_lists.add(obj.author_id)
    if not (articles or tags or images or tag_lists or lists or authors or author_lists):
        return {EVERYTHING}
    keys = {f"a{pk}" for pk in articles} | {f"t{pk}" for pk in tags} | {f"i{pk}" for pk in images}
    if articles:
        # Any article change may change what a list shows (a title, a date, a status).
        lists = True
        tag_lists.update(TaggedArticle.objects.filter(content_object_id__in=articles).values_list("tag_id", flat=True))
        author_lists |= article_author_ids(article_ids=articles)
    if tags:
        keys.add(TAG_SET)
        tag_lists |= tags
    if lists:
        keys.update({LISTS, TAG_SET})
    keys.update(f"tl{pk}" for pk in tag_lists)
    if authors:
        keys.add(AUTHOR_SET)
    keys.update(f"au{pk}" for pk in authors)
    keys.update(f"aul{pk}" for pk in author_lists)
    return keys


# --- versions ---------------------------------------------------------------------------


def _new_version():
    # The time of the change, in nanoseconds: a page is good while its keys'
    # versions are equal to those it was rendered with; a version later than
    # the start of a render says the key moved on while the page rendered;
    # the largest gives the page its Last-Modified.
    return time.time_ns()


def versions(keys):
    """({key: version} for `keys`, the keys that got their first version here and now)."""
    names = {VERSION.format(key): key for key in keys}
    found = cache.get_many(list(names))
    missing = {name: _new_version() for name in names if name not in found}
    created = set()
    if missing:
        # add(): another process giving the key a version at the same moment wins.
        for name, version in missing.items():
            if cache.add(name, version, settings.NEWSROOM_CONTENT_VERSION_SECONDS):
                created.add(names[name])
        found.update(cache.get_many(list(missing)))
    return {names[name]: version for name, version in found.items()}, created


_local_bump = [0.0]  # time.monotonic() of this process's last change
CHANGES_CHANNEL = "newsroom:changes"


def last_local_bump():
    """When this process last moved keys on: pages it checked before then are checked again."""
    return _local_bump[0]


def bump(keys):
    """New versions for `keys`: every page carrying one of them is stale, here and at the edge.

    On Redis the keys are also published, so every process hears of the
    change at once (ChangeListener) instead of asking on every request.
    """
    _local_bump[0] = time.monotonic()
    cache.set_many({VERSION.format(key): _new_version() for key in keys}, settings.NEWSROOM_CONTENT_VERSION_SECONDS)
    location = redis_location()
    if location is not None:
        _publisher(location).publish(cache.make_key(CHANGES_CHANNEL), " ".join(sorted(keys)))


def redis_location():
    """The Redis server the cache writes to (the first of its LOCATION), or None when the cache is not Redis."""
    if not isinstance(caches[DEFAULT_CACHE_ALIAS], RedisCache):
        return None
    location = settings.CACHES[DEFAULT_CACHE_ALIAS]["LOCATION"]
    # As Django's Redis backend reads it: the first server is the one written to.
    return (re.split("[;,]", location) if isinstance(location, str) else location)[0]


@lru_cache(maxsize=8)
def _publisher(location):
    import redis

    return redis.Redis.from_url(location)


class ChangeListener:
    """Hears every change to key versions as it is published, from any process, in a thread of its own.

    While it is subscribed, a page this process checked against Redis stays
    good without asking again until a change names one of its keys (or
    NEWSROOM_KEY_CHECK_SECONDS pass, should a notice ever go missing).
    Not subscribed (no Redis, the connection lost, just reconnected), every
    request asks, as before: a notice published meanwhile may have been missed.
    """

    def __init__(self, location, channel):
        self.location, self.channel = location, channel
        self.live_since = None  # time.monotonic() of the subscription, while it holds
        self.changed = {}  # key -> time.monotonic() its change was heard
        self.failing = False  # logged once, not every second
        self.thread = threading.Thread(target=self.run, name="newsroom-change-listener", daemon=True)
        self.thread.start()

    def run(self):
        import redis

        while True:
            try:
                client = redis.Redis.from_url(self.location, socket_connect_timeout=1, health_check_interval=10)
                pubsub = client.pubsub()
                pubsub.subscribe(self.channel)
                for message in pubsub.listen():
                    now = time.monotonic()
                    if message["type"] == "subscribe":
                        self.live_since, self.failing = now, False
                    elif message["type"] == "message":
                        for key in message["data"].decode().split():
                            self.changed[key] = now
            except Exception as error:  # noqa: BLE001 - any failure: stop trusting, and subscribe again
                if self.live_since is not None or not self.failing:
                    logger.warning("No change notices from Redis (%s); asking on every request until they are "
                                   "back", error)
                self.failing = True
            self.live_since = None
            time.sleep(1)

    def trusts(self, keys, checked_at):
        """Whether a page with `keys`, checked against Redis at `checked_at`, is still current without asking."""
        live_since = self.live_since
        if live_since is None or checked_at <= live_since:
            return False
        changed = self.changed
        return not any(changed.get(key, 0.0) >= checked_at for key in keys)


_listener = {}  # (pid, location, channel) -> ChangeListener


def change_listener():
    """This process's ChangeListener for the Redis cache in use, started on first use; None without Redis."""
    location = redis_location()
    if location is None:
        return None
    identity = (os.getpid(), location, cache.make_key(CHANGES_CHANNEL))
    listener = _listener.get(identity)
    if listener is None:
        listener = _listener[identity] = ChangeListener(identity[1], identity[2])
    return listener


def purge_edge(keys):
    """Ask each edge cache in PURGE_URLS to drop the objects tagged with `keys` (Varnish xkey)."""
    for url in settings.NEWSROOM_PURGE_URLS:
        request = urllib.request.Request(url, method="PURGE", headers={"xkey-purge": " ".join(sorted(keys))})
        try:
            urllib.request.urlopen(request, timeout=2).close()
        except (URLError, OSError) as error:
            logger.warning("Could not purge %s at %s: %s", " ".join(sorted(keys)), url, error)
