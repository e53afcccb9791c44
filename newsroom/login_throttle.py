"""Password spraying: one address trying one password on many user names.

django-axes pauses a user name at one address after a few wrong passwords
(AXES_*), which leaves an address free to try a few passwords on every
user name it can guess. This pauses the address itself once the wrong
passwords it sent, over every user name, reach LOGIN_ADDRESS_FAILURE_LIMIT
within the lockout time. The limit is higher than the per-user one, so a
newsroom behind one office address is not locked out by a few typos; the
count comes from axes' own records, kept in the database and shared by
every app server.
"""

from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from newsroom.client_ip import client_ip


def address_failures(address):
    """Wrong passwords from `address` within the lockout time, over every user name."""
    from axes.models import AccessAttempt

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start"))["total"] or 0


class AddressThrottleMiddleware:
    """Refuse login attempts from an address that has sent too many wrong passwords (HTTP 429)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path == reverse("admin:login"):
            if address_failures(client_ip(request)) >= settings.NEWSROOM_LOGIN_ADDRESS_FAILURE_LIMIT:
                return render(request, "admin/locked_out.html", {
                    "by_address": True, "cooloff_timedelta": settings.AXES_COOLOFF_TIME,
                    "site_title": "Newsroom admin"}, status=429)
        return self.get_response(request)
