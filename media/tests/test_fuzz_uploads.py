"""Fuzzing photo uploads through the admin: whatever the bytes, the name and the type a browser claims.

Never a 500; a refused file is a plain form error; an accepted one is
stored under the extension of the format found in it, never the name it
was sent under, and downloads as that type, as an attachment.
"""

import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings, strategies as st

from devtools.factories import make_editor
from media.models import Image
from media.tests.pictures import encode, png_html_polyglot, scene

pytestmark = pytest.mark.django_db
_editors = itertools.count()

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])
EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}
PICTURES = st.sampled_from([("PNG", png_html_polyglot())] + [
    (name, encode(scene(seed, (48, 32)), name)) for seed, name in enumerate(EXTENSIONS)])


@st.composite
def uploads(draw):
    """A picture (or its mangled bytes), under a hostile name and claimed type."""
    kind, data = draw(PICTURES)
    mangle = draw(st.sampled_from(["whole", "truncated", "prefixed", "random"]))
    if mangle == "truncated":
        data = data[:draw(st.integers(0, len(data) - 1))]
    elif mangle == "prefixed":
        data = b"<html><script>alert(1)</script>" + data
    elif mangle == "random":
        data = draw(st.binary(max_size=2048))
    name = draw(st.sampled_from(["x.html", "x.svg", "x.png.html", "../../x.js", "x", "photo.jpg", "\u202ex.gpj"]))
    claimed = draw(st.sampled_from(["text/html", "image/svg+xml", "application/javascript", "image/png", ""]))
    return kind if mangle == "whole" else None, data, name, claimed


@FUZZ
@given(upload=uploads())
def test_any_upload_is_stored_under_its_real_format_or_refused_plainly(client, upload):
    kind, data, name, claimed = upload
    client.force_login(make_editor(f"editor-{next(_editors)}"))
    before = set(Image.objects.values_list("pk", flat=True))
    response = client.post(reverse("admin:media_image_add"), {
        "caption": f"Fuzzed {len(data)} {name}", "credit": "AFP", "alt_text": "",
        "file": SimpleUploadedFile(name, data, content_type=claimed or "application/octet-stream")})
    assert response.status_code in (200, 302)
    added = Image.objects.exclude(pk__in=before).first()
    if added is None:
        assert response.status_code == 200 and b"errorlist" in response.content
        return
    stored = added.file.name
    assert not stored.endswith((".html", ".svg", ".js")) and "/.." not in stored
    if kind is not None:
        assert stored.endswith(EXTENSIONS[kind])
    download = client.get(reverse("admin:media_image_original", args=[stored.rsplit("/", 1)[-1]]))
    if download.status_code == 200:
        assert download["Content-Disposition"].startswith("attachment")
        assert download["X-Content-Type-Options"] == "nosniff"
        assert not download["Content-Type"].startswith(("text/", "image/svg"))
