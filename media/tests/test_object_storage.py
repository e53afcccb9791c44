"""Photos on an S3-compatible object store: the storage settings the environment selects, against a real
S3 server (moto's) started here on 127.0.0.1."""

import io
import socket
import urllib.error
import urllib.request

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from media.models import Image
from newsroom.storage import RENDITION_CACHE_CONTROL, media_origin, media_storages

pytestmark = pytest.mark.django_db


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def s3_server():
    boto3 = pytest.importorskip("boto3")
    server_module = pytest.importorskip("moto.server")
    port = free_port()
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="newsroom", aws_secret_access_key="secret",
                          region_name="us-east-1")
    client.create_bucket(Bucket="newsroom-media")
    yield endpoint, client
    server.stop()


@pytest.fixture
def s3_storages(settings, s3_server):
    endpoint, client = s3_server
    environ = {"MEDIA_STORAGE": "s3", "S3_BUCKET": "newsroom-media", "S3_ENDPOINT_URL": endpoint,
               "S3_ACCESS_KEY_ID": "newsroom", "S3_SECRET_ACCESS_KEY": "secret", "S3_REGION": "us-east-1"}
    default, originals = media_storages(environ, originals_root="unused")
    settings.STORAGES = {**settings.STORAGES, "default": default, "originals": originals}
    return environ, client


def jpeg_bytes():
    buffer = io.BytesIO()
    PILImage.linear_gradient("L").resize((800, 500)).convert("RGB").save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def test_uploads_and_renditions_go_to_the_object_store_and_renditions_are_served_from_it(s3_storages):
    environ, client = s3_storages
    image = Image(file=SimpleUploadedFile("photo.jpg", jpeg_bytes()), caption="On S3")
    image.full_clean()
    image.save()
    keys = {item["Key"] for item in client.list_objects_v2(Bucket="newsroom-media")["Contents"]}
    assert f"originals/{image.file.name}" in keys
    width, height, name = image.renditions["sources"]["webp"][-1]
    assert f"media/{name}" in keys
    # Renditions: public, and cacheable for a year.
    head = client.head_object(Bucket="newsroom-media", Key=f"media/{name}")
    assert head["CacheControl"] == RENDITION_CACHE_CONTROL
    url, _, _ = image.largest_rendition()
    assert url.startswith(environ["S3_ENDPOINT_URL"] + "/newsroom-media/media/renditions/")
    with urllib.request.urlopen(url) as response, PILImage.open(io.BytesIO(response.read())) as served:
        assert served.format == "JPEG" and served.size == (800, 500)
    # The original: only through a signed URL that expires.
    assert "Signature=" in image.file.url or "X-Amz-Signature=" in image.file.url
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{environ['S3_ENDPOINT_URL']}/newsroom-media/originals/{image.file.name}")
    assert refused.value.code == 403
    assert media_origin(environ, "/uploads/") == environ["S3_ENDPOINT_URL"]
