"""What the reader site does when content changes: its cached pages go stale."""

from articles.core.signals import changed
from articles.reader import cache


def register_signal_handlers():
    changed.connect(cache.invalidate, dispatch_uid="reader-page-cache")
