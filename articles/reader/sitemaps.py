"""Sitemaps: the home page, every published article, and every tag and author page in use."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from articles.models import Article
from articles.people.selectors import author_list_published
from articles.selectors import tag_list_published


class HomeSitemap(Sitemap):
    changefreq = "hourly"
    priority = 1.0

    def items(self):
        return ["articles:home"]

    def location(self, name):
        return reverse(name)


class ArticleSitemap(Sitemap):
    # Well under the protocol's 50,000; the index lists the pages.
    limit = 10_000

    def items(self):
        return Article.objects.published().only("slug", "updated_at").order_by("-published_at", "-id")

    def lastmod(self, article):
        return article.updated_at


class TagSitemap(Sitemap):
    limit = 10_000

    def items(self):
        return tag_list_published().only("slug").order_by("name")


class AuthorSitemap(Sitemap):
    limit = 10_000

    def items(self):
        return author_list_published().only("slug").order_by("name", "id")


SITEMAPS = {"home": HomeSitemap, "articles": ArticleSitemap, "tags": TagSitemap, "authors": AuthorSitemap}
