"""An article's review (draft, in review, approved), its sign-offs, and every move between them.

Publication itself stays on the article (status and date): "approved" is the
review state that lets an editor publish. Imported at the models' level:
nothing here imports feature code.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ArticleReview(models.Model):
    """Where one article stands in review. An article with no row is approved: the archive and imports."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"

    article = models.OneToOneField("articles.Article", on_delete=models.CASCADE, related_name="review")
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    reason = models.CharField(max_length=500, blank=True, help_text="Why it was last sent back, if it was.")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", help_text="Who last submitted it: sent back, it waits for them.")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["state", "-changed_at"], name="workflow_review_state_idx")]
        permissions = [
            ("publish_article", "Can publish, schedule and unpublish articles"),
            ("review_article", "Can approve articles or send them back"),
            ("sign_off_legal", "Can give the legal sign-off"),
        ]

    def __str__(self):
        return f"article {self.article_id}: {self.get_state_display()}"

    def get_absolute_url(self):
        return self.article.get_absolute_url()


class SignOff(models.Model):
    """A sign-off asked for on one article (legal, say): until it is given, nobody can publish the article."""

    class Kind(models.TextChoices):
        LEGAL = "legal", "Legal"

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="sign_offs")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.LEGAL)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    given_at = models.DateTimeField(null=True, blank=True, help_text="Empty while the sign-off is still awaited.")

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["article", "kind"], name="workflow_signoff_one_per_kind")]
        # "Waits for me" for Legal: sign-offs not given yet, oldest request first.
        indexes = [models.Index(fields=["kind", "given_at", "requested_at"], name="workflow_signoff_waiting_idx")]

    def __str__(self):
        state = "given" if self.given_at else "requested"
        return f"{self.get_kind_display()} sign-off on article {self.article_id} ({state})"

    def get_absolute_url(self):
        return self.article.get_absolute_url()


class ReviewEvent(models.Model):
    """One move in an article's review, for its History: who, when, what and why."""

    class What(models.TextChoices):
        SUBMITTED = "submitted", "Submitted for review"
        APPROVED = "approved", "Approved"
        SENT_BACK = "sent_back", "Sent back"
        SIGN_OFF_REQUESTED = "sign_off_requested", "Sign-off requested"
        SIGNED_OFF = "signed_off", "Signed off"

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="review_events")
    what = models.CharField(max_length=30, choices=What.choices)
    kind = models.CharField(max_length=20, blank=True, help_text="The sign-off's kind, for a sign-off.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["article", "-created_at", "-id"], name="workflow_event_history_idx")]

    def __str__(self):
        return f"{self.get_what_display()} (article {self.article_id})"

    def get_absolute_url(self):
        return self.article.get_absolute_url()
