"""RSS and Atom feeds of the latest articles, site-wide, per tag and per author (Atom)."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from articles.people.selectors import article_list_for_author, author_get_by_slug
from articles.selectors import article_list_for_tag, article_list_published, tag_get_by_slug
from articles.reader.seo import article_summary


class LatestArticlesFeed(Feed):
    """RSS 2.0. Its title and description elements hold HTML, so the data is
    HTML-escaped first: a feed reader shows "<script>" in a headline as text."""

    description = "The latest published articles."

    def title(self):
        return settings.NEWSROOM_SITE_NAME

    def link(self):
        return reverse("articles:home")

    def feed_url(self):
        return reverse("articles:feed")

    def items(self):
        return article_list_published()[: settings.NEWSROOM_FEED_SIZE]

    def item_title(self, article):
        return escape(article.title)

    def item_description(self, article):
        return escape(article_summary(article))

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.updated_at

    def item_author_name(self, article):
        return article.byline or None

    def item_categories(self, article):
        return [tag.name for tag in article.tag_list]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    """Atom. Titles are plain text there; summaries are HTML, so stay escaped."""

    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description

    def feed_url(self):
        return reverse("articles:feed_atom")

    def item_title(self, article):
        return article.title


class TagFeedMixin:
    def get_object(self, request, slug):
        tag = tag_get_by_slug(slug=slug)
        if tag is None:
            raise Http404("No such tag")
        return tag

    def title(self, tag):
        return f"{tag.name} · {settings.NEWSROOM_SITE_NAME}"

    def link(self, tag):
        return tag.get_absolute_url()

    def description(self, tag):
        return f"The latest published articles tagged {tag.name}."

    def items(self, tag):
        return article_list_for_tag(tag=tag)[: settings.NEWSROOM_FEED_SIZE]


class TagFeed(TagFeedMixin, LatestArticlesFeed):
    def feed_url(self, tag):
        return reverse("articles:tag_feed", kwargs={"slug": tag.slug})


class TagAtomFeed(TagFeedMixin, LatestArticlesAtomFeed):
    def feed_url(self, tag):
        return reverse("articles:tag_feed_atom", kwargs={"slug": tag.slug})

    def subtitle(self, tag):
        return self.description(tag)


class AuthorAtomFeed(LatestArticlesAtomFeed):
    def get_object(self, request, slug):
        author = author_get_by_slug(slug=slug)
        if author is None:
            raise Http404("No such author")
        return author

    def title(self, author):
        return f"{author.name} · {settings.NEWSROOM_SITE_NAME}"

    def link(self, author):
        return author.get_absolute_url()

    def subtitle(self, author):
        return f"The latest published articles by {author.name}."

    def feed_url(self, author):
        return reverse("articles:author_feed_atom", kwargs={"slug": author.slug})

    def items(self, author):
        return article_list_for_author(author=author)[: settings.NEWSROOM_FEED_SIZE]
