"""Fixtures for the media tests."""

import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploads of each test go to a folder of their own, removed with the test's tmp_path.

    The storage re-reads MEDIA_ROOT when the setting changes, so a test can
    also check what was (or was no longer) written.
    """
    settings.MEDIA_ROOT = tmp_path / "uploads"
