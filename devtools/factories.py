"""Small builders for test data: plain functions, explicit arguments."""

import io
import itertools
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image as PILImage

from articles.models import Article, ArticleImage, body_from_paragraphs
from media.models import Image

_counter = itertools.count(1)


def make_article(*, title=None, paragraphs=None, status=Article.Status.PUBLISHED, published_at=None,
                 tags=(), images=(), **fields):
    n = next(_counter)
    title = title or f"Headline number {n}"
    paragraphs = paragraphs or [f"Body paragraph one of article {n}.", f"Second paragraph of article {n}."]
    if status == Article.Status.PUBLISHED and published_at is None:
        published_at = timezone.now() - timedelta(minutes=n)
    article = Article.objects.create(
        title=title, slug=fields.pop("slug", f"headline-{n}"), body=body_from_paragraphs(paragraphs),
        status=status, published_at=published_at, **fields,
    )
    if tags:
        article.tags.add(*tags)
    for position, image in enumerate(images):
        ArticleImage.objects.create(article=article, image=image, position=position)
    return article


def make_image(*, caption=None, credit="AFP", with_file=False, **fields):
    caption = caption if caption is not None else f"A photo caption {next(_counter)}."
    if with_file:
        fields["file"] = SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png")
    return Image.objects.create(caption=caption, credit=credit, **fields)


def png_bytes(size=(40, 30), color=(200, 30, 30)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def make_editor(username="editor"):
    user = get_user_model().objects.create_user(username=username, password="correct horse battery", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user
