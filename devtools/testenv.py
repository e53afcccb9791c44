"""Test environment, loaded as a pytest plugin before Django starts.

The suite runs with DEBUG off, like production; it needs a secret key, and
plain HTTP so the test client is not redirected to https.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-" + "x" * 60)
os.environ.setdefault("SECURE_HTTPS", "false")
os.environ.setdefault("DEVTOOLS", "true")
os.environ.setdefault("MEDIA_ROOT", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test-uploads"))

# Static files are served from source by the finders in tests: no
# collectstatic run, no manifest needed.
_static_root = os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test-static")
os.makedirs(_static_root, exist_ok=True)
os.environ.setdefault("STATIC_ROOT", _static_root)
os.environ.setdefault("STATICFILES_MANIFEST", "false")

# Each test process has its own local-memory cache, emptied before every test
# (conftest.py); a CACHE_URL in the environment must not make the suite flush
# a shared Redis. The Redis tests configure their own, under their own prefix.
os.environ["CACHE_URL"] = "locmem://"
os.environ.pop("REDIS_URL", None)
