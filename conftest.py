"""Fixtures for the whole suite."""

import pytest


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache, so no cached page leaks from one test into another."""
    from django.core.cache import cache

    cache.clear()



@pytest.fixture
def notices():
    """Every `changed` sent, with what it named. What a test's own setting up announced is not what it
    measures: tests clear it first."""
    from articles.core.signals import changed

    sent = []

    def receiver(sender, **touched):
        sent.append(touched)

    changed.connect(receiver, dispatch_uid="test-notices")
    yield sent
    changed.disconnect(dispatch_uid="test-notices")
