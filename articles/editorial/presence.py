"""Who else has an article open in the admin: a warning, never a lock.

Each open form reports in every PRESENCE_SECONDS / 3 (static/js/presence.js);
an editor not heard from for PRESENCE_SECONDS has left. Kept in the cache,
which every app server shares when CACHE_URL names Redis.
"""

import time

from django.core.cache import cache
from django.utils import timezone

PRESENCE_SECONDS = 90


def _key(article_id):
    return f"newsroom:editing:{article_id}"


def _live(entries):
    now = time.time()
    return {user_id: entry for user_id, entry in entries.items() if now - entry["seen"] < PRESENCE_SECONDS}


def presence_mark(*, article_id, user):
    """Note that `user` has the article open; keeps the time they opened it."""
    entries = _live(cache.get(_key(article_id)) or {})
    entry = entries.get(user.pk) or {"name": user.get_full_name() or user.get_username(),
                                     "since": timezone.now().isoformat()}
    entry["seen"] = time.time()
    entries[user.pk] = entry
    cache.set(_key(article_id), entries, PRESENCE_SECONDS)


def presence_leave(*, article_id, user):
    entries = _live(cache.get(_key(article_id)) or {})
    if entries.pop(user.pk, None) is not None:
        cache.set(_key(article_id), entries, PRESENCE_SECONDS)


def presence_others(*, article_id, user):
    """[(name, since datetime)] of the other editors with the article open, earliest first."""
    entries = _live(cache.get(_key(article_id)) or {})
    others = [(entry["name"], timezone.datetime.fromisoformat(entry["since"]))
              for user_id, entry in entries.items() if user_id != user.pk]
    return sorted(others, key=lambda other: other[1])
