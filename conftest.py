"""Fixtures for the whole suite."""

import pytest


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache, so no cached page leaks from one test into another."""
    from django.core.cache import cache

    cache.clear()

