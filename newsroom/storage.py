"""Where photo files live, chosen from the environment: local folders, or an S3-compatible object store.

Two storages: "default" holds the renditions readers get, served publicly
and cacheable for a year (their names change with their content);
"originals" holds editors' uploads, never served publicly: the admin hands
them to editors as downloads (on S3, objects typed by their format and marked
as downloads, media.storage).
"""

from django.core.exceptions import ImproperlyConfigured

RENDITION_CACHE_CONTROL = "public, max-age=31536000, immutable"


def media_storages(environ, *, originals_root):
    """(default, originals) STORAGES entries for MEDIA_STORAGE=local (the default) or s3."""
    kind = environ.get("MEDIA_STORAGE", "local")
    if kind == "local":
        return (
            {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            # Not under MEDIA_ROOT, so no web server serves it; its URLs lead
            # to the admin, which hands a file to signed-in editors only.
            {"BACKEND": "django.core.files.storage.FileSystemStorage",
             "OPTIONS": {"location": originals_root, "base_url": "/admin/media/image/original/"}},
        )
    if kind != "s3":
        raise ImproperlyConfigured(f"MEDIA_STORAGE must be local or s3, not {kind!r}")
    common = {
        "bucket_name": environ.get("S3_BUCKET", ""),
        "endpoint_url": environ.get("S3_ENDPOINT_URL") or None,
        "region_name": environ.get("S3_REGION") or None,
        "access_key": environ.get("S3_ACCESS_KEY_ID") or None,
        "secret_key": environ.get("S3_SECRET_ACCESS_KEY") or None,
        "file_overwrite": False,
    }
    if not common["bucket_name"]:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs S3_BUCKET (and S3_ENDPOINT_URL for a store other than AWS)")
    return (
        {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
            **common, "location": "media", "querystring_auth": False,
            "custom_domain": environ.get("S3_CUSTOM_DOMAIN") or None,
            # Readers fetch renditions straight from the store; S3_MEDIA_ACL= (empty)
            # for buckets that grant that with a policy and refuse ACLs.
            "default_acl": environ.get("S3_MEDIA_ACL", "public-read") or None,
            "object_parameters": {"CacheControl": RENDITION_CACHE_CONTROL},
        }},
        {"BACKEND": "media.storage.OriginalsS3Storage", "OPTIONS": {
            **common, "location": "originals", "querystring_auth": True, "querystring_expire": 600,
            "default_acl": "private",
        }},
    )


def media_origin(environ, media_url):
    """The origin renditions are served from, for the Content-Security-Policy's img-src ("" for this site)."""
    from urllib.parse import urlsplit

    if environ.get("MEDIA_STORAGE", "local") == "s3":
        domain = environ.get("S3_CUSTOM_DOMAIN")
        url = urlsplit(f"https://{domain}/" if domain else environ.get("S3_ENDPOINT_URL")
                       or f"https://{environ.get('S3_BUCKET')}.s3.amazonaws.com/")
    else:
        url = urlsplit(media_url)
    return f"{url.scheme}://{url.netloc}" if url.netloc else ""
