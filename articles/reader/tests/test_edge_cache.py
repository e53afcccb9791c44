"""Varnish in front of gunicorn, for real: a hit, a fresh page within a second of an edit, the rest still hits.

Starts Debian's varnishd with docs/varnish/newsroom.vcl (the xkey vmod from
varnish-modules) in front of gunicorn serving this test's database. Skipped
where varnishd is not installed, except under CI=true, where .ci/run installs it.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from devtools.factories import make_article
from devtools.processes import database_url, free_port

ROOT = Path(__file__).resolve().parents[3]
VARNISHD = shutil.which("varnishd") or ("/usr/sbin/varnishd" if os.path.exists("/usr/sbin/varnishd") else None)

pytestmark = pytest.mark.skipif(not VARNISHD and not os.environ.get("CI"),
                                reason="varnishd is not installed (apt-get install varnish varnish-modules)")


def wait_for(port, process, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} ended: {process.stderr.read() if process.stderr else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


@pytest.fixture
def varnish(transactional_db, tmp_path):
    """(Varnish's address, gunicorn's address): gunicorn on this test's database, Varnish in front."""
    assert VARNISHD, "varnishd is required under CI"
    app_port, edge_port = free_port(), free_port()
    env = {**os.environ, "DATABASE_URL": database_url(), "DEBUG": "false", "SECRET_KEY": "edge-test-" + "k" * 50,
           "SECURE_HTTPS": "false", "ALLOWED_HOSTS": "127.0.0.1,localhost", "CACHE_URL": "locmem://",
           # Varnish is the page cache here; each gunicorn process's own would not hear of the edits.
           "PAGE_CACHE_SECONDS": "0", "DJANGO_SETTINGS_MODULE": "newsroom.settings", "LOG_LEVEL": "WARNING"}
    app = subprocess.Popen([sys.executable, "-m", "gunicorn", "newsroom.wsgi", "--bind", f"127.0.0.1:{app_port}",
                            "--workers", "1"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    vcl = (ROOT / "docs" / "varnish" / "newsroom.vcl").read_text().replace('.port = "8000";', f'.port = "{app_port}";')
    (tmp_path / "newsroom.vcl").write_text(vcl)
    edge = subprocess.Popen([VARNISHD, "-F", "-a", f"127.0.0.1:{edge_port}", "-f", str(tmp_path / "newsroom.vcl"),
                             "-n", str(tmp_path / "varnish"), "-s", "malloc,32m", "-T", "none", "-j", "none"],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        wait_for(app_port, app)
        wait_for(edge_port, edge)
        yield f"http://127.0.0.1:{edge_port}"
    finally:
        for process in (edge, app):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.headers.get("X-Cache"), response.read().decode()


def test_varnish_serves_hits_and_a_fresh_page_within_a_second_of_an_edit(varnish, settings):
    settings.NEWSROOM_PURGE_URLS = [varnish + "/"]
    edited = make_article(title="Before the edit", slug="edited")
    other = make_article(title="Someone else's story", slug="other")
    for article in (edited, other):
        url = varnish + article.get_absolute_url()
        assert fetch(url)[0] == "MISS"
        assert fetch(url)[0] == "HIT"

    edited.title = "After the edit"
    edited.save()  # not in a transaction here: committed, and purged, at once
    saved = time.monotonic()

    state, html = fetch(varnish + edited.get_absolute_url())
    assert state == "MISS" and "After the edit" in html
    assert time.monotonic() - saved < 1.0
    assert fetch(varnish + other.get_absolute_url())[0] == "HIT"


def test_only_the_app_servers_may_purge(varnish):
    # The app servers are on 127.0.0.1 here, so an allowed purge needs the right header.
    request = urllib.request.Request(varnish + "/", method="PURGE")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400
