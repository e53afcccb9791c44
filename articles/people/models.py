"""Authors: the people behind bylines, and which articles each one wrote, in order.

An article keeps its byline as the text it displays; these rows are its
structure. Imported at the models' level: nothing here imports feature code.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import slugify

from articles.core.text import normalize_for_matching


_web_address = URLValidator(schemes=["http", "https"])


def is_web_address(value):
    try:
        _web_address(value)
    except ValidationError:
        return False
    return True


def author_slug(name):
    # Arabic and other non-Latin names need unicode slugs, as tags do.
    return slugify(name, allow_unicode=True)[:90].strip("-") or "author"


class Author(models.Model):
    name = models.CharField(max_length=200, help_text="As readers see it, e.g. “Jane Doe”.")
    slug = models.SlugField(
        max_length=100, unique=True, allow_unicode=True,
        help_text="The author page's address: /authors/<slug>/. Letters of any script are allowed.",
    )
    bio = models.TextField(blank=True, help_text="A sentence or two shown on the author page.")
    photo = models.ForeignKey(
        "media.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="A portrait shown on the author page.",
    )
    links = models.JSONField(
        default=list, blank=True,
        help_text="Addresses of the author's profiles elsewhere (a list of URLs); search engines read them "
                  "as “sameAs”.",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="author",
        help_text="The editor's account, when the author is also a user here.",
    )
    match_key = models.CharField(
        max_length=200, editable=False, db_index=True,
        help_text="The name with case, accents and punctuation folded: how bylines find this author.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    def __html__(self):
        return format_html("<bdi>{}</bdi>", self.name)

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})

    @property
    def web_links(self):
        """The links readers and search engines are given: web addresses only, whoever wrote the row."""
        links = self.links if isinstance(self.links, list) else []
        return [link for link in links if isinstance(link, str) and is_web_address(link)]

    def clean(self):
        if not isinstance(self.links, list) or not all(isinstance(link, str) for link in self.links):
            raise ValidationError({"links": "A list of addresses, e.g. [\"https://example.org/jane\"]."})
        wrong = [link for link in self.links if not is_web_address(link)]
        if wrong:
            raise ValidationError({"links": f"Not a web address (http or https): {wrong[0]}"})
        if self.slug and AuthorAlias.objects.filter(slug=self.slug).exclude(author_id=self.pk).exists():
            raise ValidationError({"slug": "This address belonged to another author and still leads there."})

    def save(self, *args, **kwargs):
        self.match_key = normalize_for_matching(self.name)
        if not self.slug:
            self.slug = author_slug(self.name)
        super().save(*args, **kwargs)


class AuthorAlias(models.Model):
    """Another name of an author, kept when authors are merged.

    Later bylines with this name find the author, and the old page address
    redirects to the author's page.
    """

    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200, help_text="The other spelling, e.g. “J. Doe”.")
    slug = models.SlugField(max_length=100, allow_unicode=True, help_text="The old author page address.")
    match_key = models.CharField(max_length=200, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "author aliases"
        constraints = [
            models.UniqueConstraint(
                fields=["slug"], name="people_authoralias_slug_unique",
                violation_error_message="This address is already an alias of an author.",
            ),
        ]

    def __str__(self):
        return f"{self.name} → {self.author}"

    def get_absolute_url(self):
        return self.author.get_absolute_url()

    def save(self, *args, **kwargs):
        self.match_key = normalize_for_matching(self.name)
        super().save(*args, **kwargs)


class ArticleAuthor(models.Model):
    """An author of an article, in the order the byline names them."""

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="article_authors")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="article_authors")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the byline; lowest first.")

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "article author"
        constraints = [
            models.UniqueConstraint(
                fields=["article", "author"], name="people_articleauthor_unique",
                violation_error_message="This author is already an author of the article.",
            ),
        ]
        indexes = [
            # An author page's articles, newest first, found from the author's side.
            models.Index(fields=["author", "-article"], name="people_author_articles_idx"),
        ]

    def __str__(self):
        return f"{self.author} – {self.article}"
