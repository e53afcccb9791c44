"""The versions history keeps: each saved state of an article.

Registered with the `articles` app through articles.models, which imports
this module; the table stays `articles_articleversion`.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ArticleVersion(models.Model):
    """One saved state of an article: its text, publication, address, tags and photos.

    `article_id` is a plain number, not a foreign key, so that a deleted
    article's versions stay and it can be recovered from them.
    """

    class Kind(models.TextChoices):
        IMPORTED = "imported", "Imported"
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        RESTORED = "restored", "Restored"
        MERGED = "merged", "Merged"
        PUBLISHED = "published", "Published"
        SCHEDULED = "scheduled", "Scheduled"
        UNPUBLISHED = "unpublished", "Unpublished"
        DELETED = "deleted", "Deleted"
        RECOVERED = "recovered", "Recovered"
        UNMERGED = "unmerged", "Merge undone"

    article_id = models.BigIntegerField(db_index=True)
    number = models.PositiveIntegerField(help_text="The article's version number this state had.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    snapshot = models.JSONField(help_text="The article's fields, tag names and photo ids in order.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "articles"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["article_id", "-created_at", "-id"], name="articles_version_history_idx"),
            # "My recent edits" on the desk: one editor's newest versions, read in order.
            models.Index(fields=["user", "-created_at", "-id"], name="articles_version_by_user_idx"),
        ]

    def __str__(self):
        return f"article {self.article_id}, version {self.number} ({self.get_kind_display()})"
