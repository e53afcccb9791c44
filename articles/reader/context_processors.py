"""Template context shared by every reader page."""

from django.conf import settings


def site(request):
    return {"site_name": settings.NEWSROOM_SITE_NAME}
