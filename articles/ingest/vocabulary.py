"""The newsroom's tag vocabulary, read from the database and applied to stored articles.

Imports tag each new article with the tags (and old spellings, aliases) its
headline or body names; apply_vocabulary does the same for articles already
stored, so a tag created or merged today reaches the archive too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain

from articles.history.changes import content_change
from articles.history.snapshots import snapshot_of
from articles.ingest.tagging import Vocabulary
from articles.models import Article, ArticleVersion, Tag, TagAlias, TaggedArticle
from articles.selectors import with_images_and_tags

APPLY_BATCH = 500


def vocabulary_load():
    """Every tag's name and every alias; a tag's own name wins over another tag's alias."""
    return Vocabulary(chain(Tag.objects.values_list("name", "id"), TagAlias.objects.values_list("name", "tag_id")))


@dataclass
class VocabularyReport:
    articles_checked: int = 0
    articles_tagged: int = 0
    tags_added: int = 0
    by_tag: dict = field(default_factory=dict)  # tag id -> articles that gain it


def vocabulary_apply(*, articles=None, dry_run=False, user=None):
    """Tag stored articles with every vocabulary tag their text names and they lack.

    `articles`: a queryset (default every article not merged). Nothing is
    taken away. Each article that gains a tag moves to a new version, so an
    editor's open form notices, and the change can be undone from its
    history. Batches commit one by one; with `dry_run` nothing is written
    and the report says what would change.
    """
    vocabulary = vocabulary_load()
    report = VocabularyReport()
    queryset = (articles if articles is not None else Article.objects.all()).exclude(status=Article.Status.MERGED)
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), APPLY_BATCH):
        _apply_batch(ids[start:start + APPLY_BATCH], vocabulary, report, dry_run=dry_run, user=user)
    return report


def _apply_batch(ids, vocabulary, report, *, dry_run, user):
    with content_change(user=user) as change:
        batch = with_images_and_tags(Article.objects.filter(pk__in=ids).select_for_update(of=("self",)))
        gains = {}
        for article in batch:
            report.articles_checked += 1
            missing = vocabulary.match(article.title, *article.paragraphs) - {tag.pk for tag in article.tag_list}
            if missing:
                gains[article] = missing
                for tag_id in missing:
                    report.by_tag[tag_id] = report.by_tag.get(tag_id, 0) + 1
        report.articles_tagged += len(gains)
        report.tags_added += sum(map(len, gains.values()))
        if dry_run or not gains:
            return
        change.move(*gains)
        TaggedArticle.objects.bulk_create([TaggedArticle(content_object=article, tag_id=tag_id)
                                           for article, missing in gains.items() for tag_id in missing])
        names = dict(Tag.objects.filter(pk__in=set().union(*gains.values())).values_list("pk", "name"))
        for article, missing in gains.items():
            tags = [tag.name for tag in article.tag_list] + [names[tag_id] for tag_id in missing]
            snapshot = snapshot_of(article, tags=tags, image_ids=[p.image_id for p in article.placements])
            change.record(article, kind=ArticleVersion.Kind.EDITED, snapshot=snapshot,
                          reason="Tagged from the vocabulary: " + ", ".join(sorted(names[t] for t in missing)))
        change.touch(tag_lists=set().union(*gains.values()))
