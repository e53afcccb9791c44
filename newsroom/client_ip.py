"""The address a request came from, for login throttling.

Behind TRUSTED_PROXIES proxies (a load balancer, Varnish) REMOTE_ADDR is
the nearest proxy's; the client is the address the outermost trusted proxy
appended to X-Forwarded-For. Entries further left are whatever the client
sent, so they are never believed.
"""

from django.conf import settings


def client_ip(request):
    proxies = settings.NEWSROOM_TRUSTED_PROXIES
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")
