"""What full-text search reads: each article's stored search document.

Registered with the `articles` app through articles.models, which imports
this module; the table stays `articles_articlesearchdocument`.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models


class ArticleSearchDocument(models.Model):
    """An article's full-text document on PostgreSQL, kept by a database trigger.

    Stored once per article rather than recomputed per query: ranking a
    common word over a large archive would otherwise run to_tsvector on
    every matching article. A table of its own keeps this bulky value out of
    every other query on articles. Empty on SQLite, which searches without it.
    """

    article = models.OneToOneField("articles.Article", on_delete=models.CASCADE, primary_key=True,
                                   related_name="search_document")
    document = SearchVectorField()

    class Meta:
        app_label = "articles"

    def __str__(self):
        return f"search document of article {self.article_id}"
