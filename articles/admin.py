"""Registers the editorial admin (articles.editorial), found here by admin autodiscovery."""

from articles.editorial import articles, authors, duplicates, images, import_runs, tags  # noqa: F401
