"""The reader pages' cache, and the one way to invalidate it.

Pages are cached under a *content version*: a number kept in the cache that
every change to articles, images or tags replaces. Nothing is deleted on a
change; the next request simply looks under the new version, and entries
under old versions expire by themselves. The same version makes the pages'
ETag and Last-Modified, so a reader's browser or feed reader is told "not
modified" without the page being rendered or even read from the cache.

The cache listens to articles.core.signals.changed (see signal_handlers):
writers announce changes there and never call this module.
"""

import hashlib
import logging
import time
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

from articles.selectors import article_next_publication_time

try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is in requirements.txt
    RedisError = None

logger = logging.getLogger(__name__)

VERSION_KEY = "newsroom:content-version"
SCHEDULE_KEY = "newsroom:next-publication:{version}"
PAGE_KEY = "newsroom:page:{digest}"
NEVER = float("inf")
# An unreachable cache server must not take the site down with it, nor stop
# editors saving: pages are then rendered on every request, and it is logged.
CACHE_UNAVAILABLE = (RedisError,) if RedisError else ()
# Statuses worth keeping: pages and redirects. Not 404s: anyone can invent
# as many missing URLs as they like.
CACHEABLE_STATUSES = {200, 301}


def invalidate(sender=None, **kwargs):
    """Make every cached page stale: the receiver of core.signals.changed.

    Inside a transaction the version is bumped at once and again on
    commit, so a page rendered from the old rows between the two is not
    kept under the new version.
    """
    _bump_logged()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_bump_logged)


def content_version():
    """The current content version: an increasing number of nanoseconds.

    A scheduled article going live changes what readers may see without any
    write, so the version also moves on when the next scheduled publication
    time (looked up once per version) has passed.
    """
    version = cache.get(VERSION_KEY)
    if version is None:
        version = _bump()
    # A version's schedule never changes: each process remembers the last one.
    known_version, due = _schedule_seen
    if known_version != version:
        due = _schedule(version)
        _schedule_seen[:] = [version, due]
    if due <= time.time():
        version = _bump()
    return version


_schedule_seen = [None, NEVER]


def _schedule(version):
    """When the published set next changes by itself, as of `version` (a timestamp)."""
    schedule_key = SCHEDULE_KEY.format(version=version)
    due = cache.get(schedule_key)
    if due is None:
        next_time = article_next_publication_time()
        due = next_time.timestamp() if next_time else NEVER
        cache.set(schedule_key, due, settings.NEWSROOM_CONTENT_VERSION_SECONDS)
    return due


def _bump():
    # Never backwards, even if two servers' clocks disagree: a version seen
    # before must not come back and revive old cached pages.
    previous = cache.get(VERSION_KEY) or 0
    version = max(time.time_ns(), previous + 1)
    cache.set(VERSION_KEY, version, settings.NEWSROOM_CONTENT_VERSION_SECONDS)
    return version


def _bump_logged():
    try:
        _bump()
    except CACHE_UNAVAILABLE:
        logger.exception("Could not invalidate the page cache")


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
            if path.is_file() and path.suffix in {".html", ".css", ".txt", ".xml", ".py"} \
                    and "tests" not in path.parts and "migrations" not in path.parts:
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _page_key(request, version, params):
    # Encoded: a value holding "&page=2" must not make another page's key.
    query = urlencode([(name, value) for name in params for value in request.GET.getlist(name)])
    raw = "\n".join([release(), str(version), request.scheme, request.get_host(), request.path, query])
    return PAGE_KEY.format(digest=hashlib.sha256(raw.encode()).hexdigest())


# The views cached_page made, with their params. By identity: functools.wraps
# copies attributes, so a marker attribute would also mark an outer decorator
# (login_required, say) whose checks a cache hit must not skip.
_cached_views = {}


def cached_page(*, params=()):
    """Cache a reader view's responses and answer conditional GETs; other methods get a 405.

    `params` names the query parameters that change the page (e.g. "page");
    any others (tracking parameters from social links) share one entry.
    PageCacheMiddleware serves what this stores without running the stack
    below it; the decorator alone works too, only with more work per hit.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                # Reader pages are read, never written to: a POST, PUT or
                # DELETE is refused as a method, not as a missing CSRF token.
                return HttpResponseNotAllowed(["GET", "HEAD"])
            try:
                validators = _validators()
            except CACHE_UNAVAILABLE:
                logger.exception("Page cache unavailable; rendering %s", request.path)
                return view(request, *args, **kwargs)
            try:
                response = _answer_without_view(request, validators, params)
            except CACHE_UNAVAILABLE:
                logger.exception("Page cache unavailable; rendering %s", request.path)
                return _with_validators(view(request, *args, **kwargs), validators)
            if response is None:
                response = _rendered_and_stored(request, view, args, kwargs, validators.version, params)
            return _with_validators(response, validators)

        # Only GET and HEAD get through, so there is no form to protect.
        wrapper.csrf_exempt = True
        _cached_views[wrapper] = params
        return wrapper

    return decorator


class Validators:
    """A content version and the ETag and Last-Modified made from it."""

    def __init__(self, version):
        self.version = version
        self.etag = f'W/"{release()}-{version:x}"'
        # One-second resolution: a client sending only If-Modified-Since
        # may miss a second change within the same second. Browsers and
        # feed readers send If-None-Match too, which takes precedence.
        self.last_modified = version // 1_000_000_000
        self.last_modified_header = http_date(self.last_modified)


@lru_cache(maxsize=4)
def _validators_for(release, version):
    return Validators(version)


def _validators():
    return _validators_for(release(), content_version())


def _with_validators(response, validators):
    if response.status_code in (200, 304):
        response.headers["ETag"] = validators.etag
        response.headers["Last-Modified"] = validators.last_modified_header
        # Browsers and proxies may keep the page, but must ask every time.
        response.headers["Cache-Control"] = "public, max-age=0, must-revalidate"
    return response


# Set on every answer by _with_validators; not worth storing.
VALIDATOR_HEADERS = {"etag", "last-modified", "cache-control"}


def _stored_response(key):
    """The page stored under `key` as a response, or None."""
    stored = cache.get(key)
    if stored is None:
        return None
    status, headers, content = stored
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response.headers[name] = value
    return response


def _answer_without_view(request, validators, params):
    """A "not modified", or the stored page, for this request; None if the
    view must run. Raises CACHE_UNAVAILABLE when the cache cannot be read."""
    response = get_conditional_response(request, etag=validators.etag, last_modified=validators.last_modified)
    if response is None and settings.NEWSROOM_PAGE_CACHE_SECONDS:
        response = _stored_response(_page_key(request, validators.version, params))
    return response


def _rendered_and_stored(request, view, args, kwargs, version, params):
    """The view's response, stored for the next request when it may be."""
    seconds = settings.NEWSROOM_PAGE_CACHE_SECONDS
    response = view(request, *args, **kwargs)
    if not seconds:
        return response
    if isinstance(response, SimpleTemplateResponse):
        # The sitemap views answer lazily; the content is needed now.
        response.render()
    if response.status_code in CACHEABLE_STATUSES and not response.streaming:
        # The view's own headers (Content-Type, Location, a sitemap's
        # X-Robots-Tag); middleware add theirs to a hit as to a render.
        headers = [(name, value) for name, value in response.headers.items()
                   if name.lower() not in VALIDATOR_HEADERS]
        stored = (response.status_code, headers, response.content)
        try:
            cache.set(_page_key(request, version, params), stored, seconds)
        except CACHE_UNAVAILABLE:
            logger.exception("Page cache unavailable; not storing %s", request.path)
    return response


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
            validators = _validators()
            response = _answer_without_view(request, validators, params)
        except CACHE_UNAVAILABLE:
            return None  # the decorator logs it and renders
        if response is None:
            return None
        if not response.has_header("Content-Length"):
            # What CommonMiddleware would have added.
            response.headers["Content-Length"] = str(len(response.content))
        return _with_validators(response, validators)
