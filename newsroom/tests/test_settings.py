"""Settings behave safely whatever the environment says."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_python(code, **env):
    environment = {key: value for key, value in os.environ.items()
                   if key not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "SECURE_HTTPS"}}
    environment.update(env, DJANGO_SETTINGS_MODULE="newsroom.settings")
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)


def test_production_refuses_to_start_without_a_secret_key():
    result = run_python("import django; django.setup()", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_refuses_a_short_or_insecure_secret_key():
    result = run_python("import django; django.setup()", DEBUG="false", SECRET_KEY="django-insecure-abc")
    assert "SECRET_KEY must be at least 50 random characters" in result.stderr


def test_deploy_checks_pass_with_production_settings():
    result = run_python(
        "from django.core.management import execute_from_command_line as run;"
        "run(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        DEBUG="false", SECRET_KEY="k" * 20 + "9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f", ALLOWED_HOSTS="news.example.org",
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="SQLite behaviour")
def test_sqlite_writer_waits_for_a_concurrent_writer_instead_of_failing(tmp_path):
    """An import holding the write lock must not make an editor's save fail."""
    env = {"DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    setup = run_python("""
        import django; django.setup()
        from django.db import connection
        with connection.cursor() as c:
            c.execute("CREATE TABLE t (n integer)")
            c.execute("PRAGMA journal_mode")
            print(c.fetchone()[0])
    """, **env)
    assert setup.stdout.strip() == "wal", setup.stderr
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent("""
            import sys, time, django; django.setup()
            from django.db import connection, transaction
            with transaction.atomic():
                with connection.cursor() as c:
                    c.execute("INSERT INTO t VALUES (1)")
                print("locked", flush=True)
                time.sleep(1.5)
        """)],
        cwd=ROOT, env={**os.environ, **env, "DJANGO_SETTINGS_MODULE": "newsroom.settings"},
        stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    writer = run_python("""
        import django; django.setup()
        from django.db import connection, transaction
        with transaction.atomic():
            with connection.cursor() as c:
                # Read, then write: the pattern of a save after a lookup,
                # which fails at once with deferred transactions.
                c.execute("SELECT count(*) FROM t")
                c.execute("INSERT INTO t VALUES (2)")
        with connection.cursor() as c:
            c.execute("SELECT count(*) FROM t")
            print(c.fetchone()[0])
    """, **env)
    holder.wait(timeout=30)
    assert writer.returncode == 0, writer.stderr
    assert writer.stdout.strip().endswith("2")
