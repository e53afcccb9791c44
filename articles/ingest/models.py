"""The record an import keeps of each file it read.

Registered with the `articles` app through articles.models, which imports
this module; the table stays `articles_importrun`.
"""

from django.db import models
from django.utils import timezone


class ImportRun(models.Model):
    """One dump file imported by `import_dump`, with what it produced."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Finished with errors"
        INTERRUPTED = "interrupted", "Interrupted"

    file_name = models.CharField(max_length=500)
    file_size = models.BigIntegerField(null=True, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    options = models.JSONField(default=dict, blank=True)
    articles_created = models.PositiveIntegerField(default=0)
    articles_skipped = models.PositiveIntegerField(default=0, help_text="Already present (same fingerprint).")
    articles_failed = models.PositiveIntegerField(default=0)
    images_created = models.PositiveIntegerField(default=0)
    images_reused = models.PositiveIntegerField(default=0)
    tags_applied = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    # Which process runs the import, so that a run whose process is gone
    # (killed, crashed, the machine restarted) can be told from a live one.
    # `process` is "boot id:pid namespace:start time" where /proc tells them
    # (Linux): a process id reused later, or a reboot, is then not mistaken
    # for the import, nor is a process in another container's namespace.
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)
    process = models.CharField(max_length=200, blank=True)

    class Meta:
        app_label = "articles"
        ordering = ["-started_at", "-id"]
        verbose_name = "import run"

    def __str__(self):
        return f"{self.file_name} ({self.started_at:%Y-%m-%d %H:%M})"
