"""What the duplicate finder keeps and what editors decide on.

The finder's indexes (MinHash signatures, LSH band keys of articles, slices
of images' perceptual hashes), the candidate pairs of the queue, and each
merge with what undoing it puts back. Registered with the `articles` app
through articles.models, which imports this module once Article and Tag
are defined; the tables keep their `articles_` names.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from articles.models import Article, Tag


class ArticleSignature(models.Model):
    """An article's MinHash signature, kept to score candidate pairs."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True, related_name="signature")
    signature = models.BinaryField()
    shingles = models.PositiveIntegerField(
        default=0, help_text="Distinct shingles of the text: how much of it another article can contain.",
    )
    text_hash = models.CharField(
        max_length=40, blank=True, default="",
        help_text="SHA-1 of the headline and body the signature was computed from: a rescan skips unchanged text.",
    )

    class Meta:
        app_label = "articles"

    def __str__(self):
        return f"signature of article {self.article_id}"


class ArticleBand(models.Model):
    """One LSH band key of an article's signature, or one key of a paragraph.

    Articles sharing a key are near-duplicate candidates; the index on key
    turns "which stored articles resemble this one?" into a few look-ups.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="band_keys")
    key = models.BigIntegerField()

    class Meta:
        app_label = "articles"
        indexes = [models.Index(fields=["key"], name="articles_band_key_idx")]

    def __str__(self):
        return f"{self.article_id}:{self.key}"


class ImageBand(models.Model):
    """One slice of an image's perceptual hash, for finding near-identical pictures.

    Two hashes within MAX_DISTANCE bits agree exactly on at least one of
    MAX_DISTANCE + 1 slices (media.hashing.hash_bands): the index on key
    turns "which images look like this one?" into a few look-ups.
    """

    image = models.ForeignKey("media.Image", on_delete=models.CASCADE, related_name="hash_bands")
    key = models.BigIntegerField()

    class Meta:
        app_label = "articles"
        indexes = [models.Index(fields=["key"], name="articles_image_band_key_idx")]

    def __str__(self):
        return f"{self.image_id}:{self.key}"


class DuplicateCandidate(models.Model):
    """Two articles, images, tags or authors that may be the same, for an editor to decide.

    Each kind has its own pair of foreign keys so the database keeps the
    pair's integrity; the lower id is always on the left, so a pair is
    stored once whichever way it was found.
    """

    class Kind(models.TextChoices):
        ARTICLE = "article", "Article"
        IMAGE = "image", "Image"
        TAG = "tag", "Tag"
        AUTHOR = "author", "Author"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DISMISSED = "dismissed", "Not duplicates"
        MERGED = "merged", "Merged"
        FOLDED = "folded", "Folded into another pair by a merge"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    score = models.FloatField(help_text="Similarity from 0 to 1.")
    reason = models.CharField(max_length=200, blank=True, help_text="Why the pair was proposed.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    article_a = models.ForeignKey(Article, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    article_b = models.ForeignKey(Article, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    image_a = models.ForeignKey("media.Image", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    image_b = models.ForeignKey("media.Image", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    tag_a = models.ForeignKey(Tag, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    tag_b = models.ForeignKey(Tag, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    author_a = models.ForeignKey("people.Author", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    author_b = models.ForeignKey("people.Author", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    successor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The pair this one continues as, after a merge replaced one of its two articles.",
    )

    class Meta:
        app_label = "articles"
        ordering = ["-score", "id"]
        verbose_name = "duplicate candidate"
        permissions = [("merge_duplicates", "Can merge duplicates or mark them as not duplicates")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="article", article_a__isnull=False, article_b__isnull=False,
                             image_a__isnull=True, image_b__isnull=True, tag_a__isnull=True, tag_b__isnull=True,
                             author_a__isnull=True, author_b__isnull=True)
                    | models.Q(kind="image", image_a__isnull=False, image_b__isnull=False,
                               article_a__isnull=True, article_b__isnull=True, tag_a__isnull=True, tag_b__isnull=True,
                               author_a__isnull=True, author_b__isnull=True)
                    | models.Q(kind="tag", tag_a__isnull=False, tag_b__isnull=False,
                               article_a__isnull=True, article_b__isnull=True, image_a__isnull=True, image_b__isnull=True,
                               author_a__isnull=True, author_b__isnull=True)
                    | models.Q(kind="author", author_a__isnull=False, author_b__isnull=False,
                               article_a__isnull=True, article_b__isnull=True, image_a__isnull=True, image_b__isnull=True,
                               tag_a__isnull=True, tag_b__isnull=True)
                ),
                name="articles_duplicate_pair_matches_kind",
            ),
            models.CheckConstraint(
                condition=(models.Q(article_a__lt=models.F("article_b")) | models.Q(image_a__lt=models.F("image_b"))
                           | models.Q(tag_a__lt=models.F("tag_b")) | models.Q(author_a__lt=models.F("author_b"))),
                name="articles_duplicate_pair_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=0) & models.Q(score__lte=1), name="articles_duplicate_score_range",
            ),
            models.UniqueConstraint(fields=["article_a", "article_b"], name="articles_duplicate_article_pair_unique"),
            models.UniqueConstraint(fields=["image_a", "image_b"], name="articles_duplicate_image_pair_unique"),
            models.UniqueConstraint(fields=["tag_a", "tag_b"], name="articles_duplicate_tag_pair_unique"),
            models.UniqueConstraint(fields=["author_a", "author_b"], name="articles_duplicate_author_pair_unique"),
        ]
        indexes = [models.Index(fields=["status", "kind", "-score"], name="articles_duplicate_queue_idx")]

    def __str__(self):
        a, b = self.pair
        return f"{self.get_kind_display()}: {a} ↔ {b} ({self.score:.2f})"

    @property
    def pair(self):
        return getattr(self, f"{self.kind}_a"), getattr(self, f"{self.kind}_b")

    @property
    def pair_ids(self):
        return getattr(self, f"{self.kind}_a_id"), getattr(self, f"{self.kind}_b_id")


class ArticleMerge(models.Model):
    """One article merged into another, with what the merge changed: what undoing it puts back."""

    survivor = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    merged = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    merged_status = models.CharField(max_length=10, choices=Article.Status.choices,
                                     help_text="The merged article's status before the merge.")
    added_tags = models.JSONField(default=list, help_text="Ids of the tags the survivor gained.")
    added_images = models.JSONField(default=list, help_text="Ids of the photos the survivor gained.")
    added_paragraphs = models.JSONField(default=list, help_text="Paragraphs taken into the survivor's body.")
    redirected = models.JSONField(
        default=list, help_text="Articles merged earlier into the merged one, which now lead to the survivor.")
    folded = models.JSONField(
        default=list, help_text="[pair, successor, whether the merge created it] for each open pair it folded.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        app_label = "articles"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(survivor=models.F("merged")),
                                   name="articles_merge_not_into_itself"),
            # One live merge per merged article: an undone one may be followed by another.
            models.UniqueConstraint(fields=["merged"], condition=models.Q(undone_at__isnull=True),
                                    name="articles_merge_one_live_per_article"),
        ]

    def __str__(self):
        return f"article {self.merged_id} merged into {self.survivor_id}"
