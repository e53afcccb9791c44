"""Views for measurements, never for readers."""

from django.http import HttpResponse


def hello(request):
    """The benchmark's baseline: the whole middleware stack and nothing else."""
    return HttpResponse("Hello, world", content_type="text/plain")
