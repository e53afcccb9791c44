"""Notes editors leave each other on an article, and who each note mentions.

A note is never deleted nor edited: resolving it keeps it, so the
conversation about an article stays its history. Notes outlive their
article's deletion (no database constraint, nothing cascades) so that a
recovered article, which keeps its id, finds them again.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


class Note(models.Model):
    article = models.ForeignKey("articles.Article", on_delete=models.DO_NOTHING, db_constraint=False,
                                related_name="notes", help_text="The article the note is about.")
    paragraph = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The paragraph it is about, counted from 1; empty for the whole article.")
    paragraph_text = models.TextField(
        blank=True, help_text="That paragraph as it read when the note was written, so the note still makes sense "
                              "after the body changes.")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(help_text="Plain text; @username mentions an editor, who is told by e-mail.")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["article", "created_at", "id"], name="notes_note_article_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="notes_note_text_not_empty"),
            models.CheckConstraint(condition=Q(paragraph__isnull=True) | Q(paragraph__gte=1),
                                   name="notes_note_paragraph_from_one"),
            models.CheckConstraint(condition=Q(resolved_by__isnull=True) | Q(resolved_at__isnull=False),
                                   name="notes_note_resolver_has_time"),
        ]

    def __str__(self):
        where = f", paragraph {self.paragraph}" if self.paragraph else ""
        return f"Note on article {self.article_id}{where}"

    def get_absolute_url(self):
        """Where editors read it: the notes panel of the article's admin page (readers have no page for it)."""
        return reverse("admin:articles_article_change", args=[self.article_id]) + "#notes"

    def is_resolved(self):
        return self.resolved_at is not None


class Mention(models.Model):
    """An editor named in a note: told by e-mail once, listed on their desk until they open it."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="note_mentions")
    notified_at = models.DateTimeField(null=True, blank=True, help_text="When the e-mail went; empty if none did.")
    seen_at = models.DateTimeField(null=True, blank=True, help_text="When they opened it from their desk.")

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["note", "user"], name="notes_mention_once_per_note")]
        indexes = [
            # The desk's "Mentions for you": one editor's unseen mentions, newest first.
            models.Index(fields=["user", "-id"], condition=Q(seen_at__isnull=True), name="notes_mention_unseen_idx"),
        ]

    def __str__(self):
        return f"{self.user} in {self.note}"

    def get_absolute_url(self):
        return self.note.get_absolute_url()
