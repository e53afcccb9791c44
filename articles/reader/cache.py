"""The reader pages' cache: pages kept with the keys of what they show.

A rendered page is kept, in the process that rendered it, with its cache
tags (cache_keys.py) and the versions they had in the shared cache. A
request is answered from it only while every one of those keys still has
that version: one multi-get, or none while the process hears the change
notices and none names one of its keys. A change moves on
the versions of the keys it touches (an edit to one article: that article's
key, the lists and its tags' lists), so only the pages that show it are
rendered again; every other page stays a hit. The same versions make the
pages' ETag and Last-Modified, so a reader's browser or feed reader is told
"not modified" without the page being rendered.

The cache listens to articles.core.signals.changed (see signal_handlers):
writers announce changes there and never call this module.
"""

import hashlib
import logging
import threading
import time
from datetime import datetime, timezone as dt_timezone
from collections import OrderedDict
from functools import lru_cache, wraps
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseNotAllowed
from django.template.response import SimpleTemplateResponse
from django.urls import Resolver404, get_urlconf, resolve
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from articles.reader import cache_keys
from articles.reader.cache_keys import EVERYTHING
from articles.selectors import article_next_publication_time, articles_published_between

try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is in requirements.txt
    RedisError = None

logger = logging.getLogger(__name__)

SCHEDULE_KEY = "newsroom:next-publication"
NEVER = float("inf")
# An unreachable cache server must not take the site down with it, nor stop
# editors saving: pages are then rendered on every request, and it is logged.
CACHE_UNAVAILABLE = (RedisError,) if RedisError else ()
# Statuses worth keeping: pages and redirects. Not 404s: anyone can invent
# as many missing URLs as they like.
CACHEABLE_STATUSES = {200, 301}
EDGE_PURGE_AGAIN_SECONDS = 0.5


# --- invalidation -----------------------------------------------------------------------


def invalidate(sender=None, signal=None, **touched):
    """The receiver of core.signals.changed: new versions for the keys the change touched, once it commits.

    A page rendered from the old rows meanwhile is not kept: its render
    started before the keys moved on (see _rendered). Then the edge caches
    are purged, and once more a moment later.
    """
    try:
        keys = cache_keys.change_keys(**touched)
    except Exception:  # noqa: BLE001 - a failed look-up must not lose the invalidation
        logger.exception("Could not tell which pages a change touched; invalidating every page")
        keys = {EVERYTHING}

    def committed():
        _bump_logged(keys)
        if EVERYTHING in keys or cache_keys.LISTS in keys:
            _schedule_logged()  # an edit may have set or moved a publication date
        cache_keys.purge_edge(keys)
        if settings.NEWSROOM_PURGE_URLS:
            # Once more a moment later: an app process that had not yet heard the
            # change notice may have answered the edge's refetch with the old page.
            timer = threading.Timer(EDGE_PURGE_AGAIN_SECONDS, cache_keys.purge_edge, [keys])
            timer.daemon = True
            timer.start()

    transaction.on_commit(committed)  # at once when not in a transaction


_failed_bumps = set()  # keys this process could not move on: tried again at its next request


def _bump_logged(keys):
    try:
        cache_keys.bump(keys)
    except CACHE_UNAVAILABLE:
        logger.exception("Could not invalidate the page cache; will try again")
        _failed_bumps.update(keys)


def _retry_failed_bumps():
    if _failed_bumps:
        keys = set(_failed_bumps)
        cache_keys.bump(keys)  # raises CACHE_UNAVAILABLE if the cache is still away: callers render
        _failed_bumps.difference_update(keys)


def _schedule():
    """Look up, and keep in the cache, when the next scheduled article goes live."""
    upcoming = article_next_publication_time()
    due = upcoming.timestamp() if upcoming else NEVER
    cache.set(SCHEDULE_KEY, due, settings.NEWSROOM_CONTENT_VERSION_SECONDS)
    return due


def _schedule_logged():
    try:
        _schedule()
    except CACHE_UNAVAILABLE:
        logger.exception("Could not keep the publication schedule in the cache")


def publish_due(due):
    """Scheduled articles whose time has come: move on the keys of what they join.

    A scheduled article going live changes what readers see without any
    write. `due` is when the next one goes live, as read from the cache
    with the page (None: not known since the last change, so asked of the
    database and kept). Whoever sees it pass moves the keys of the articles
    that went live: their lists and their tags' lists. Returns whether it did.
    """
    if due is None:
        due = _schedule()
    _next_due[0] = due
    now = time.time()
    if due > now:
        return False
    # A second's margin: the stored time is a float, the dates are exact.
    since = datetime.fromtimestamp(due - 1, tz=dt_timezone.utc)
    live = articles_published_between(start=since, end=datetime.fromtimestamp(now, tz=dt_timezone.utc))
    _bump_logged(cache_keys.change_keys(articles=live, lists=True))
    _next_due[0] = _schedule()
    return True


# When this process last read that the next scheduled article goes live: a
# page trusted without asking Redis is asked about again once that time comes.
_next_due = [0.0]


# --- validators -------------------------------------------------------------------------


@lru_cache(maxsize=1)
def release():
    """Identifies the code that renders pages, so a deploy starts a fresh cache.

    Several servers share one Redis; pages cached by the old templates must
    not be served after a deploy. RELEASE (e.g. a commit id) names it; by
    default it is a digest of the templates, stylesheets and Python sources,
    which is the same on every server running the same code.
    """
    if settings.NEWSROOM_RELEASE:
        return settings.NEWSROOM_RELEASE
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for folder in ("templates", "static", "articles", "media", "newsroom"):
        for path in sorted((base / folder).rglob("*")):
            if path.is_file() and path.suffix in {".html", ".css", ".txt", ".xml", ".py", ".js"} \
                    and "tests" not in path.parts and "migrations" not in path.parts:
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


class Validators:
    """The versions of a page's keys, and the ETag and Last-Modified made from them."""

    def __init__(self, versions):
        self.versions = versions
        digest = hashlib.sha256(repr(sorted(versions.items())).encode()).hexdigest()[:16]
        self.etag = f'W/"{release()}-{digest}"'
        # One-second resolution: a client sending only If-Modified-Since
        # may miss a second change within the same second. Browsers and
        # feed readers send If-None-Match too, which takes precedence.
        self.last_modified = max(versions.values()) // 1_000_000_000
        self.last_modified_header = http_date(self.last_modified)
        keys = sorted(versions)
        self.surrogate_keys = " ".join(keys)
        self.cache_tags = ",".join(keys)


def _with_validators(response, validators):
    if response.status_code in (200, 301, 304):
        # For edge caches (Varnish xkey, Fastly): the keys to purge this page by.
        response.headers["Surrogate-Key"] = validators.surrogate_keys
        response.headers["Cache-Tag"] = validators.cache_tags
    if response.status_code in (200, 304):
        response.headers["ETag"] = validators.etag
        response.headers["Last-Modified"] = validators.last_modified_header
        # Browsers may keep the page, but must ask every time.
        response.headers["Cache-Control"] = "public, max-age=0, must-revalidate"
    return response


# Set on every answer by _with_validators; not worth storing.
VALIDATOR_HEADERS = {"etag", "last-modified", "cache-control", "surrogate-key", "cache-tag"}


# --- the store --------------------------------------------------------------------------


def _page_key(request, params):
    # Encoded: a value holding "&page=2" must not make another page's key.
    query = urlencode([(name, value) for name in params for value in request.GET.getlist(name)])
    return "\n".join([release(), request.scheme, request.get_host(), request.path, query])


class _Page:
    """A rendered page kept by this process: what to answer with, and the key versions it was rendered at."""

    __slots__ = ("status", "headers", "content", "validators", "stored_at", "checked_at")

    def __init__(self, status, headers, content, validators, checked_at):
        self.status, self.headers, self.content, self.validators = status, headers, content, validators
        self.stored_at, self.checked_at = time.time(), checked_at


class _Kept:
    """The pages this process rendered last, least recently served out first.

    Only the keys' versions are shared (in Redis): a page is tens of
    kilobytes, its versions a few numbers. Each process keeps the pages it
    serves and checks them against the versions; while it hears the change
    notices (cache_keys.ChangeListener), a page checked once stays good
    until a notice names one of its keys. A page another process or server
    rendered is rendered again here once: behind an edge cache (Varnish)
    the edge is what every server shares.
    """

    def __init__(self, size):
        self.size = size
        self.pages = OrderedDict()

    def get(self, key):
        page = self.pages.get(key)
        if page is not None:
            self.pages.move_to_end(key)
        return page

    def put(self, key, page):
        self.pages[key] = page
        self.pages.move_to_end(key)
        while len(self.pages) > self.size:
            self.pages.popitem(last=False)

    def forget(self, key):
        self.pages.pop(key, None)


_kept = _Kept(1024)


def _current(page):
    """One multi-get: whether `page`'s keys still have their versions, and when the next scheduled article is due."""
    versions = page.validators.versions
    names = [cache_keys.VERSION.format(key) for key in versions]
    found = cache.get_many([*names, SCHEDULE_KEY])
    fresh = all(found.get(name) == version for name, version in zip(names, versions.values()))
    return fresh, found.get(SCHEDULE_KEY)


def _trusted(page, now):
    """Whether a kept page may be served without asking the cache about its keys again."""
    listener = cache_keys.change_listener()
    return (listener is not None and page.checked_at > cache_keys.last_local_bump()
            and now - page.checked_at < settings.NEWSROOM_KEY_CHECK_SECONDS and time.time() < _next_due[0]
            and listener.trusts(page.validators.versions, page.checked_at))


def _from_store(request, params):
    """A "not modified" or the kept page, while its keys are unchanged; else None.

    Raises CACHE_UNAVAILABLE when the cache cannot be read.
    """
    if not settings.NEWSROOM_PAGE_CACHE_SECONDS:
        return None
    _retry_failed_bumps()
    page_key = _page_key(request, params)
    page = _kept.get(page_key)
    if page is None:
        # About to render: articles whose time has come make other pages stale too.
        publish_due(cache.get(SCHEDULE_KEY))
        return None
    now = time.monotonic()
    if not _trusted(page, now):
        fresh, due = _current(page)
        expired = page.stored_at + settings.NEWSROOM_PAGE_CACHE_SECONDS < time.time()
        if publish_due(due) or not fresh or expired:
            _kept.forget(page_key)
            return None
        page.checked_at = now
    validators = page.validators
    response = get_conditional_response(request, etag=validators.etag, last_modified=validators.last_modified)
    if response is None:
        response = HttpResponse(page.content, status=page.status)
        for name, value in page.headers:
            response.headers[name] = value
    return _with_validators(response, validators)


def _rendered(request, view, args, kwargs, params, static_keys):
    """Render the view; keep the page with its keys' versions when nothing changed meanwhile."""
    started = time.time_ns()
    response = view(request, *args, **kwargs)
    if response.status_code not in CACHEABLE_STATUSES or response.streaming:
        return response
    if isinstance(response, SimpleTemplateResponse):
        # The sitemap views answer lazily; the content is needed now.
        response.render()
    keys = {EVERYTHING, *static_keys, *getattr(response, "cache_keys", ())}
    checked_at = time.monotonic()  # before the read: a change heard after it is newer than what was read
    try:
        versions, created = cache_keys.versions(keys)
    except CACHE_UNAVAILABLE:
        logger.exception("Page cache unavailable; rendering %s", request.path)
        return response
    validators = Validators(versions)
    # A key that moved on while the page was rendering may have changed
    # what it shows: answer with it, but do not keep it.
    changed_meanwhile = any(version > started for key, version in versions.items() if key not in created)
    if settings.NEWSROOM_PAGE_CACHE_SECONDS and not changed_meanwhile:
        # The view's own headers (Content-Type, Location, a sitemap's
        # X-Robots-Tag); middleware add theirs to a hit as to a render.
        headers = [(name, value) for name, value in response.headers.items()
                   if name.lower() not in VALIDATOR_HEADERS]
        _kept.put(_page_key(request, params),
                  _Page(response.status_code, headers, response.content, validators, checked_at))
    if response.status_code == 200:
        not_modified = get_conditional_response(request, etag=validators.etag,
                                                last_modified=validators.last_modified)
        if not_modified is not None:
            return _with_validators(not_modified, validators)
    return _with_validators(response, validators)


# --- the decorator and the middleware -----------------------------------------------------

# The views cached_page made, with their params. By identity: functools.wraps
# copies attributes, so a marker attribute would also mark an outer decorator
# (login_required, say) whose checks a cache hit must not skip.
_cached_views = {}


def cached_page(*, params=(), keys=()):
    """Cache a reader view's responses and answer conditional GETs; other methods get a 405.

    `params` names the query parameters that change the page (e.g. "page");
    any others (tracking parameters from social links) share one entry.
    The view sets `response.cache_keys` (cache_keys.page_keys) to what it
    showed; `keys` adds fixed ones, for views that cannot say (feeds,
    sitemaps). PageCacheMiddleware serves what this stores without running
    the stack below it; the decorator alone works too, only with more work
    per hit.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                # Reader pages are read, never written to: a POST, PUT or
                # DELETE is refused as a method, not as a missing CSRF token.
                return HttpResponseNotAllowed(["GET", "HEAD"])
            try:
                response = _from_store(request, params)
            except CACHE_UNAVAILABLE:
                logger.exception("Page cache unavailable; rendering %s", request.path)
                return view(request, *args, **kwargs)
            return response or _rendered(request, view, args, kwargs, params, keys)

        # Only GET and HEAD get through, so there is no form to protect.
        wrapper.csrf_exempt = True
        _cached_views[wrapper] = params
        return wrapper

    return decorator


@lru_cache(maxsize=1024)
def _page_cache_params(path, urlconf):
    """The cached_page params of the view at `path`, or None if it is not cached.

    Remembered per path: resolving is a good part of a cache hit's cost, and
    an address leads to the same view until the code changes.
    """
    try:
        return _cached_views.get(resolve(path, urlconf).func)
    except Resolver404:
        return None


@receiver(setting_changed)
def _forget_views_on_urlconf_change(*, setting, **kwargs):
    # As Django's own URL caches do when tests swap ROOT_URLCONF.
    if setting == "ROOT_URLCONF":
        _page_cache_params.cache_clear()


class PageCacheMiddleware:
    """Answer a reader page from the cache before sessions, CSRF and auth run.

    A stored page or a "not modified" is the same whoever asks (reader
    pages read no session, user or CSRF token), so the middleware below
    this one have nothing to add to it; skipping them and the view is what
    makes a cache hit cost about as much as the cheapest view. Anything it
    cannot answer (a miss, a POST, a page that is not cached) goes down the
    stack as usual, and the view's cached_page decorator stores the result.
    Keep it below the middleware that set headers on every response
    (security, CSP, X-Frame-Options, static files).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.page(request) or self.get_response(request)

    def page(self, request):
        if request.method not in ("GET", "HEAD"):
            return None
        params = _page_cache_params(request.path_info, get_urlconf())
        if params is None:
            return None
        # What CommonMiddleware would have checked first: a Host not in
        # ALLOWED_HOSTS gets its 400 (DisallowedHost), not a page or a 304.
        request.get_host()
        try:
            response = _from_store(request, params)
        except CACHE_UNAVAILABLE:
            return None  # the decorator logs it and renders
        if response is None:
            return None
        if not response.has_header("Content-Length"):
            # What CommonMiddleware would have added.
            response.headers["Content-Length"] = str(len(response.content))
        return response
