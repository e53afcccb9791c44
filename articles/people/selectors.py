"""Reading authors: an author by address, their articles, and the authors of loaded articles."""

from django.db.models import Prefetch

from articles.models import published_q
from articles.people.models import ArticleAuthor, Author
from articles.selectors import article_list_published

AUTHORSHIPS = "authorships"


def _authorships():
    return ArticleAuthor.objects.select_related("author").order_by("position", "id")


def with_authors(queryset):
    """Each article gets `authorships`, its ArticleAuthors in order with their authors: one query for all."""
    return queryset.prefetch_related(Prefetch("article_authors", queryset=_authorships(), to_attr=AUTHORSHIPS))


def authors_attach(articles):
    """`authorships` for articles already loaded (a page's list, a raw article): one query, none if loaded."""
    articles = [article for article in articles if not hasattr(article, AUTHORSHIPS)]
    if not articles:
        return
    rows = {}
    for row in _authorships().filter(article_id__in=[article.pk for article in articles]):
        rows.setdefault(row.article_id, []).append(row)
    for article in articles:
        setattr(article, AUTHORSHIPS, rows.get(article.pk, []))


def authors_of(article):
    """The article's authors in order, as authors_attach or with_authors loaded them."""
    return [row.author for row in getattr(article, AUTHORSHIPS)]


def author_get_by_slug(*, slug):
    return Author.objects.select_related("photo").filter(slug=slug).first()


def author_get_by_alias(*, slug):
    """The author an old address (a merged author's) leads to, or None."""
    return Author.objects.filter(aliases__slug=slug).first()


def article_list_for_author(*, author):
    return article_list_published().filter(article_authors__author=author)


def author_list_published():
    """Authors with at least one published article."""
    written = ArticleAuthor.objects.filter(published_q(prefix="article__")).values("author_id")
    return Author.objects.filter(pk__in=written)


def article_author_ids(*, article_ids):
    """The authors of these articles, by id: whose lists show them."""
    return set(ArticleAuthor.objects.filter(article_id__in=article_ids).values_list("author_id", flat=True))
