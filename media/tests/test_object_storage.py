"""Photos on an S3-compatible object store: the storage settings the environment selects, against a real
S3 server (moto's) started here on 127.0.0.1."""

import io
import socket
import urllib.error
import urllib.request

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage

from devtools.factories import make_editor
from media.models import Image
from media.tests.pictures import png_html_polyglot
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


@pytest.fixture
def polyglot_on_s3(s3_storages):
    image = Image(file=SimpleUploadedFile("x.html", png_html_polyglot(), content_type="text/html"), caption="Polyglot")
    image.full_clean()
    image.save()
    return image


def test_a_polyglot_original_is_stored_as_a_png_to_download_not_as_the_page_it_came_as(s3_storages, polyglot_on_s3):
    _, client = s3_storages
    assert polyglot_on_s3.file.name.endswith(".png")
    head = client.head_object(Bucket="newsroom-media", Key=f"originals/{polyglot_on_s3.file.name}")
    assert head["ContentType"] == "image/png"
    assert head["ContentDisposition"] == "attachment"


def test_the_image_form_links_the_original_to_the_admin_never_to_the_store(client, s3_storages, polyglot_on_s3):
    client.force_login(make_editor())
    html = client.get(reverse("admin:media_image_change", args=[polyglot_on_s3.pk])).content.decode()
    download = reverse("admin:media_image_original", args=[polyglot_on_s3.file.name])
    assert f'<a href="{download}">' in html
    assert "Signature" not in html and "/newsroom-media/originals/" not in html
    response = client.get(download)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == png_html_polyglot()


def test_staff_who_may_only_view_images_get_no_link_to_the_original(client, s3_storages, polyglot_on_s3):
    viewer = get_user_model().objects.create_user(username="viewer", password="correct horse battery", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_image", content_type__app_label="media"))
    client.force_login(viewer)
    html = client.get(reverse("admin:media_image_change", args=[polyglot_on_s3.pk])).content.decode()
    assert "Signature" not in html
    assert client.get(reverse("admin:media_image_original", args=[polyglot_on_s3.file.name])).status_code == 403


def test_an_original_stored_before_with_its_senders_type_is_a_download_through_a_signed_link(s3_storages):
    _, client = s3_storages
    name = "images/2020/01/0123456789abcdef0123456789abcdef.html"
    client.put_object(Bucket="newsroom-media", Key=f"originals/{name}", Body=png_html_polyglot(),
                      ContentType="text/html")
    with urllib.request.urlopen(storages["originals"].url(name)) as response:
        assert response.headers["Content-Type"] == "application/octet-stream"
        assert response.headers["Content-Disposition"] == "attachment"
