"""Articles, tags and import runs."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.contrib.postgres.search import SearchVectorField
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import slugify
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from articles.core.text import content_fingerprint

PARAGRAPH_SEPARATOR = "\n\n"


class Tag(TagBase):
    """A taggit tag whose name is unique regardless of case.

    taggit's TAGGIT_CASE_INSENSITIVE makes lookups case-insensitive; the
    constraint makes it a fact, whoever writes the row.
    """

    version = models.PositiveIntegerField(
        default=1, editable=False,
        help_text="Moves on with every saved change: a save made from an older version is refused, not applied.",
    )

    class Meta:
        verbose_name = "tag"
        verbose_name_plural = "tags"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), name="articles_tag_name_ci_unique",
                violation_error_message="A tag with this name already exists (names are the same whatever the case).",
            ),
        ]

    def get_absolute_url(self):
        return reverse("articles:tag", kwargs={"slug": self.slug})

    def __html__(self):
        return format_html("<bdi>{}</bdi>", self.name)

    def slugify(self, tag, i=None):
        # Arabic and other non-Latin names need unicode slugs, or every one
        # of them would slugify to "".
        slug = slugify(tag, allow_unicode=True) or "tag"
        if i is not None:
            slug += f"-{i}"
        return slug

    def clean(self):
        if self.slug:
            _check_tag_address_free(tag_id=self.pk, slug=self.slug)

    def save(self, *args, **kwargs):
        if self._state.adding and not self.slug:
            self.slug = self._free_slug()
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            hold_tag_address(tag_id=self.pk, slug=self.slug)

    def _free_slug(self):
        """The slug of the name, numbered past any address a tag has or had."""
        base = self.slugify(self.name)
        taken = set(TagAddress.objects.filter(slug__startswith=base).values_list("slug", flat=True))
        taken |= set(Tag.objects.filter(slug__startswith=base).values_list("slug", flat=True))
        slug, i = base, 0
        while slug in taken:
            i += 1
            slug = self.slugify(self.name, i)
        return slug


class TagAddress(models.Model):
    """Every address a tag holds or has held (its slug, its aliases' slugs), each owned by one tag for good."""

    slug = models.SlugField(max_length=100, allow_unicode=True)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="addresses")

    class Meta:
        verbose_name_plural = "tag addresses"
        constraints = [
            models.UniqueConstraint(
                fields=["slug"], name="articles_tagaddress_slug_unique",
                violation_error_message="Another tag has or had this address.",
            ),
        ]

    def __str__(self):
        return f"/tags/{self.slug}/ → tag {self.tag_id}"


def _check_tag_address_free(*, tag_id, slug):
    held = TagAddress.objects.filter(slug=slug).exclude(tag_id=tag_id).select_related("tag").first()
    if held is not None:
        raise ValidationError({"slug": f"This address belongs to the tag “{held.tag.name}”, now or in the past, "
                                      "and still leads there; choose another."})


def hold_tag_address(*, tag_id, slug):
    """Keep `slug` as an address of the tag; IntegrityError if another tag has or had it."""
    address, _ = TagAddress.objects.get_or_create(slug=slug, defaults={"tag_id": tag_id})
    if address.tag_id != tag_id:
        raise IntegrityError(f"Tag {address.tag_id} has or had the address {slug!r}.")


class TagAlias(models.Model):
    """Another spelling of a tag, kept when tags are merged.

    Later imports and automatic tagging map the alias to its tag, and the
    alias's old URL redirects to the tag's page.
    """

    name = models.CharField(max_length=100, help_text="The old spelling, e.g. “Isis”.")
    slug = models.SlugField(max_length=100, allow_unicode=True, help_text="The old tag page address.")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="aliases")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "tag aliases"
        constraints = [
            models.UniqueConstraint(
                Lower("name"), name="articles_tagalias_name_ci_unique",
                violation_error_message="This spelling is already an alias of a tag.",
            ),
            models.UniqueConstraint(
                fields=["slug"], name="articles_tagalias_slug_unique",
                violation_error_message="This address is already an alias of a tag.",
            ),
        ]

    def __str__(self):
        return f"{self.name} → {self.tag}"

    def clean(self):
        if self.slug and self.tag_id:
            _check_tag_address_free(tag_id=self.tag_id, slug=self.slug)

    def save(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            hold_tag_address(tag_id=self.tag_id, slug=self.slug)

    def get_absolute_url(self):
        return self.tag.get_absolute_url()


class TaggedArticle(TaggedItemBase):
    content_object = models.ForeignKey("Article", on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_articles")

    class Meta:
        verbose_name = "article tag"
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="articles_taggedarticle_unique",
                violation_error_message="The article already has this tag.",
            ),
        ]
        indexes = [
            # A tag's newest taggings, read in order: related articles are
            # found among them, whatever the number of articles with the tag.
            models.Index(fields=["tag", "-id"], name="articles_tagging_newest_idx"),
        ]


class NotLoaded(Exception):
    """A value that only a selector loads was read from an instance without it.

    Raised rather than querying behind the caller's back (a query per
    article in a listing), and not an AttributeError, which templates
    would silently render as nothing.
    """


def published_q(prefix=""):
    """The one definition of what a reader may see, as a condition.

    `prefix` applies it across a relation (e.g. "content_object__" from a
    tagging), for queries that must start from the other side of the join.
    """
    return models.Q(**{f"{prefix}status": Article.Status.PUBLISHED, f"{prefix}published_at__lte": timezone.now()})


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_q())

    def published_sql(self, connection):
        """published_q() as an SQL condition on the article table, and its
        parameters: for the few statements written by hand."""
        query = self.model.objects.published().query
        return query.get_compiler(connection=connection).compile(query.where)


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        MERGED = "merged", "Merged into another article"

    title = models.CharField(max_length=500, help_text="The headline as readers see it.")
    slug = models.SlugField(
        max_length=255,
        unique=True,
        allow_unicode=True,
        help_text="The last part of the article's web address. Letters of any script are allowed.",
    )
    standfirst = models.TextField(blank=True, help_text="Optional summary shown under the headline.")
    body = models.TextField(
        blank=True,
        help_text="Plain text. Separate paragraphs with a blank line; no markup is interpreted.",
    )
    byline = models.CharField(max_length=255, blank=True, help_text="Author(s), e.g. “Jane Doe”.")
    source = models.CharField(
        max_length=255, blank=True, db_index=True, help_text="Publication the article comes from."
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True,
        help_text="Only published articles are visible to readers.",
    )
    published_at = models.DateTimeField(
        null=True, blank=True, db_index=True,
        help_text="Publication date. A published article with a future date stays hidden until then.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    fingerprint = models.CharField(
        max_length=64, editable=False,
        help_text="Hash of the normalised headline and body the article was created from.",
    )
    version = models.PositiveIntegerField(
        default=1, editable=False,
        help_text="Moves on with every saved change: a save made from an older version is refused, not applied.",
    )

    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_articles",
        help_text="The article this one was merged into; its address redirects there.",
    )

    # Provenance: where an imported article came from.
    import_run = models.ForeignKey(
        "ImportRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="articles",
    )
    source_file = models.CharField(max_length=500, blank=True)
    source_first_line = models.PositiveIntegerField(null=True, blank=True)
    source_last_line = models.PositiveIntegerField(null=True, blank=True)
    raw_text = models.TextField(blank=True, help_text="The dump text this article was parsed from.")

    images = models.ManyToManyField(
        "media.Image", through="ArticleImage", related_name="articles", blank=True,
    )
    tags = TaggableManager(through=TaggedArticle, blank=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["fingerprint"], name="articles_article_fingerprint_unique",
                violation_error_message="An article with the same headline and body already exists.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="articles_article_published_has_date",
                violation_error_message="A published article needs a publication date.",
            ),
            # A merged article always says where it went, and only merged ones do.
            models.CheckConstraint(
                condition=(models.Q(status="merged", merged_into__isnull=False)
                           | (~models.Q(status="merged") & models.Q(merged_into__isnull=True))),
                name="articles_article_merged_has_target",
                violation_error_message="Articles are merged from the duplicates queue, which says where they went.",
            ),
            models.CheckConstraint(
                condition=~models.Q(merged_into=models.F("pk")), name="articles_article_not_merged_into_itself",
                violation_error_message="An article cannot be merged into itself.",
            ),
        ]
        indexes = [
            # Matches published() and the readers' order, ties included, so
            # the newest page is read off the index instead of sorting the
            # archive (an import gives many articles the same date).
            models.Index(fields=["status", "-published_at", "-id"], name="articles_status_pub_id_idx"),
        ]

    def __str__(self):
        return self.title

    def __html__(self):
        # In markup (admin messages, lists of objects) the headline is
        # isolated: right-to-left text cannot reorder the sentence around it.
        return format_html("<bdi>{}</bdi>", self.title)

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @property
    def paragraphs(self):
        return paragraphs_from_body(self.body)

    def is_visible_to_readers(self):
        """published_q() in Python, on the loaded fields: no query."""
        return (self.status == self.Status.PUBLISHED and self.published_at is not None
                and self.published_at <= timezone.now())

    @property
    def tag_list(self):
        """The tags by name (ignoring case), as loaded by selectors.with_images_and_tags."""
        try:
            taggings = self.taggings
        except AttributeError:
            raise NotLoaded("Article.tag_list is loaded by articles.selectors.with_images_and_tags()") from None
        return [tagging.tag for tagging in taggings]

    @property
    def source_lines(self):
        if self.source_first_line is None:
            return ""
        return f"{self.source_first_line}–{self.source_last_line}"

    def compute_fingerprint(self):
        return content_fingerprint(self.title, self.paragraphs)

    def clean(self):
        if self.status == self.Status.MERGED and self.merged_into_id is None:
            raise ValidationError({"status": "Articles are merged from the duplicates queue, not by setting the status."})
        if self.status != self.Status.MERGED:
            # An editor taking an article out of "merged" un-merges it: its
            # address stops redirecting.
            self.merged_into = None
        # Before the constraints are checked: publishing without a date means now.
        self.published_at = publication_date(self.status, self.published_at)
        if self.slug:
            holder = ArticleAddress.objects.filter(slug=self.slug).exclude(article_id=self.pk).first()
            if holder is not None:
                raise ValidationError({"slug": f"This address belongs to another article (id {holder.article_id}), "
                                               "now or in the past; its old links must keep working. Choose another."})
        # The form does not edit the fingerprint, so the unique constraint
        # would only surface as an IntegrityError; say it in words instead.
        if not self.fingerprint:
            fingerprint = self.compute_fingerprint()
            if Article.objects.filter(fingerprint=fingerprint).exclude(pk=self.pk).exists():
                raise ValidationError("An article with the same headline and body already exists.")

    def save(self, *args, **kwargs):
        # The fingerprint identifies the content an article was created
        # from; editors' later corrections keep it, so re-importing the
        # original dump does not bring the uncorrected copy back.
        if not self.fingerprint:
            self.fingerprint = self.compute_fingerprint()
        self.published_at = publication_date(self.status, self.published_at)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "slug" not in update_fields:
            return super().save(*args, **kwargs)
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            self.hold_address()

    def hold_address(self):
        """Keep the current slug among the article's addresses for good.

        The unique slug of ArticleAddress is what stops another article
        taking an address this one has or had; the old ones redirect here.
        """
        address, _ = ArticleAddress.objects.get_or_create(slug=self.slug, defaults={"article": self})
        if address.article_id != self.pk:
            raise IntegrityError(f"Article {address.article_id} has or had the address {self.slug!r}.")


def publication_date(status, published_at, *, now=None):
    """The date an article is published under: its own, or `now` (default:
    the current time) for a published article that has none. The one rule,
    for editors' saves and imports alike."""
    if status == Article.Status.PUBLISHED and published_at is None:
        return now or timezone.now()
    return published_at


def paragraphs_from_body(body):
    return [p.strip() for p in body.replace("\r\n", "\n").split(PARAGRAPH_SEPARATOR) if p.strip()]


def body_from_paragraphs(paragraphs):
    return PARAGRAPH_SEPARATOR.join(paragraphs)


class ArticleImage(models.Model):
    """An image placed in an article, in order."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="article_images")
    image = models.ForeignKey("media.Image", on_delete=models.PROTECT, related_name="article_images")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the article; lowest first.")

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "article image"
        constraints = [
            models.UniqueConstraint(
                fields=["article", "image"], name="articles_articleimage_unique",
                violation_error_message="This photo is already in the article.",
            ),
        ]

    def __str__(self):
        return f"{self.article} – image {self.position + 1}"


class ArticleAddress(models.Model):
    """Every slug an article holds or has held: its address now, and the old ones that redirect to it.

    A slug here belongs to one article for good, so no other article can
    take an old address, and renaming an article keeps its old links alive.
    """

    slug = models.SlugField(max_length=255, allow_unicode=True)
    # Kept when the article is deleted (no database constraint to cascade):
    # its addresses stay its own, and work again if it is recovered.
    article = models.ForeignKey(Article, on_delete=models.DO_NOTHING, db_constraint=False, related_name="addresses")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "article addresses"
        constraints = [
            models.UniqueConstraint(
                fields=["slug"], name="articles_articleaddress_slug_unique",
                violation_error_message="Another article has or had this address.",
            ),
        ]

    def __str__(self):
        return f"/{self.slug}/ → article {self.article_id}"


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
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["article_id", "-created_at", "-id"], name="articles_version_history_idx")]

    def __str__(self):
        return f"article {self.article_id}, version {self.number} ({self.get_kind_display()})"


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
        ordering = ["-started_at", "-id"]
        verbose_name = "import run"

    def __str__(self):
        return f"{self.file_name} ({self.started_at:%Y-%m-%d %H:%M})"


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
        indexes = [models.Index(fields=["key"], name="articles_image_band_key_idx")]

    def __str__(self):
        return f"{self.image_id}:{self.key}"


class DuplicateCandidate(models.Model):
    """Two articles, images or tags that may be the same, for an editor to decide.

    Each kind has its own pair of foreign keys so the database keeps the
    pair's integrity; the lower id is always on the left, so a pair is
    stored once whichever way it was found.
    """

    class Kind(models.TextChoices):
        ARTICLE = "article", "Article"
        IMAGE = "image", "Image"
        TAG = "tag", "Tag"

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
        ordering = ["-score", "id"]
        verbose_name = "duplicate candidate"
        permissions = [("merge_duplicates", "Can merge duplicates or mark them as not duplicates")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="article", article_a__isnull=False, article_b__isnull=False,
                             image_a__isnull=True, image_b__isnull=True, tag_a__isnull=True, tag_b__isnull=True)
                    | models.Q(kind="image", image_a__isnull=False, image_b__isnull=False,
                               article_a__isnull=True, article_b__isnull=True, tag_a__isnull=True, tag_b__isnull=True)
                    | models.Q(kind="tag", tag_a__isnull=False, tag_b__isnull=False,
                               article_a__isnull=True, article_b__isnull=True, image_a__isnull=True, image_b__isnull=True)
                ),
                name="articles_duplicate_pair_matches_kind",
            ),
            models.CheckConstraint(
                condition=(models.Q(article_a__lt=models.F("article_b")) | models.Q(image_a__lt=models.F("image_b"))
                           | models.Q(tag_a__lt=models.F("tag_b"))),
                name="articles_duplicate_pair_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=0) & models.Q(score__lte=1), name="articles_duplicate_score_range",
            ),
            models.UniqueConstraint(fields=["article_a", "article_b"], name="articles_duplicate_article_pair_unique"),
            models.UniqueConstraint(fields=["image_a", "image_b"], name="articles_duplicate_image_pair_unique"),
            models.UniqueConstraint(fields=["tag_a", "tag_b"], name="articles_duplicate_tag_pair_unique"),
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


class ArticleSearchDocument(models.Model):
    """An article's full-text document on PostgreSQL, kept by a database trigger.

    Stored once per article rather than recomputed per query: ranking a
    common word over a large archive would otherwise run to_tsvector on
    every matching article. A table of its own keeps this bulky value out of
    every other query on articles. Empty on SQLite, which searches without it.
    """

    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True, related_name="search_document")
    document = SearchVectorField()

    def __str__(self):
        return f"search document of article {self.article_id}"
