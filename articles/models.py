"""The models of the articles app.

Defined here: articles with their photo placements and addresses, and the
tags every feature reads and writes, with their aliases and addresses. Each
feature keeps its own models in its package (history, ingest, duplicates,
reader): they are imported at the end of this module, so that Django
registers them with this app and `from articles.models import X` finds any
model of it.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
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


class Address(models.Model):
    """An address (a slug) an owner has now or had, which stays that owner's for good.

    The slug is unique in the table: no other owner can take an address once
    given, and old links keep leading where they led. Each kind of address
    names its owner's foreign key in `owner_field`.
    """

    owner_field = None

    class Meta:
        abstract = True

    @staticmethod
    def held_once(owner):
        """The constraint that keeps each address with a single owner, for the Meta of each kind."""
        return models.UniqueConstraint(
            fields=["slug"], name=f"articles_{owner}address_slug_unique",
            violation_error_message=f"Another {owner} has or had this address.",
        )

    @classmethod
    def hold(cls, *, owner_id, slug):
        """Keep `slug` as an address of the owner; IntegrityError if another one has or had it."""
        address, _ = cls.objects.get_or_create(slug=slug, defaults={f"{cls.owner_field}_id": owner_id})
        holder_id = getattr(address, f"{cls.owner_field}_id")
        if holder_id != owner_id:
            raise IntegrityError(f"{cls.owner_field.capitalize()} {holder_id} has or had the address {slug!r}.")

    @classmethod
    def check_free(cls, *, owner_id, slug):
        """Refuse, as a form would show it, an address another owner has or had."""
        held = cls.objects.filter(slug=slug).exclude(**{f"{cls.owner_field}_id": owner_id}).first()
        if held is not None:
            raise ValidationError({"slug": held.refusal()})

    def refusal(self):
        """What an editor reads when choosing this address for another owner."""
        raise NotImplementedError


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
            TagAddress.check_free(owner_id=self.pk, slug=self.slug)

    def save(self, *args, **kwargs):
        if self._state.adding and not self.slug:
            self.slug = self._free_slug()
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            TagAddress.hold(owner_id=self.pk, slug=self.slug)

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


class TagAddress(Address):
    """Every address a tag holds or has held (its slug, its aliases' slugs), each owned by one tag for good."""

    owner_field = "tag"

    slug = models.SlugField(max_length=100, allow_unicode=True)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="addresses")

    class Meta:
        verbose_name_plural = "tag addresses"
        constraints = [Address.held_once("tag")]

    def __str__(self):
        return f"/tags/{self.slug}/ → tag {self.tag_id}"

    def refusal(self):
        return (f"This address belongs to the tag “{self.tag.name}”, now or in the past, "
                "and still leads there; choose another.")


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
            TagAddress.check_free(owner_id=self.tag_id, slug=self.slug)

    def save(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            TagAddress.hold(owner_id=self.tag_id, slug=self.slug)

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
    embargo_until = models.DateTimeField(
        null=True, blank=True,
        help_text="Under embargo until this time: nobody can publish it earlier, and readers, feeds, search "
                  "and the API see nothing of it until then. Schedule it for this time or later.",
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
            # The embargo holds on every path, the importer's COPY included: a published article
            # goes live no earlier than its embargo, so everything readers see keeps to it.
            models.CheckConstraint(
                condition=(~models.Q(status="published") | models.Q(embargo_until__isnull=True)
                           | models.Q(published_at__gte=models.F("embargo_until"))),
                name="articles_article_embargo_kept",
                violation_error_message="An article under embargo cannot be published before the embargo ends.",
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
        if (self.status == self.Status.PUBLISHED and self.embargo_until
                and self.published_at < self.embargo_until):
            when = timezone.localtime(self.embargo_until).strftime("%d %B %Y, %H:%M")
            raise ValidationError({"published_at": f"Under embargo until {when} ({settings.TIME_ZONE}): "
                                                   "schedule it for then or later, or lift the embargo."})
        if self.slug:
            ArticleAddress.check_free(owner_id=self.pk, slug=self.slug)
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
        # The current slug joins the article's addresses for good; the old
        # ones redirect here.
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            ArticleAddress.hold(owner_id=self.pk, slug=self.slug)


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


class ArticleAddress(Address):
    """Every slug an article holds or has held: its address now, and the old ones that redirect to it.

    A slug here belongs to one article for good, so no other article can
    take an old address, and renaming an article keeps its old links alive.
    """

    owner_field = "article"

    slug = models.SlugField(max_length=255, allow_unicode=True)
    # Kept when the article is deleted (no database constraint to cascade):
    # its addresses stay its own, and work again if it is recovered.
    article = models.ForeignKey(Article, on_delete=models.DO_NOTHING, db_constraint=False, related_name="addresses")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "article addresses"
        constraints = [Address.held_once("article")]

    def __str__(self):
        return f"/{self.slug}/ → article {self.article_id}"

    def refusal(self):
        return (f"This address belongs to another article (id {self.article_id}), "
                "now or in the past; its old links must keep working. Choose another.")


# Each feature's own models, registered with this app (their tables keep the
# `articles_` names). Imported last: the duplicates' models refer to Article
# and Tag above.
from articles.duplicates.models import (  # noqa: E402, F401
    ArticleBand, ArticleMerge, ArticleSignature, DuplicateCandidate, ImageBand,
)
from articles.history.models import ArticleVersion  # noqa: E402, F401
from articles.ingest.models import ImportRun  # noqa: E402, F401
from articles.reader.models import ArticleSearchDocument  # noqa: E402, F401
