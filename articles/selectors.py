"""Read-side queries over the models, shared by the reader site, the admin, exports and commands."""

from django.db import connection
from django.db.models import Min, Prefetch
from django.db.models.functions import Lower
from django.utils import timezone

from articles.models import Article, ArticleImage, DuplicateCandidate, Tag, TaggedArticle
from media.models import Image


def with_images_and_tags(queryset):
    """Prefetch images and tags: two queries for any number of articles.

    The contract: each article gets `placements`, its ArticleImages in
    order with their images, and `tag_list`, its tags by name ignoring case
    (the same on either database; read through `taggings`). Reader pages,
    feeds, exports and the API read these, and nothing else loads them:
    `tag_list` on an article from elsewhere raises NotLoaded. Lists rather than
    the related managers because Django builds a filtered queryset per
    article and relation for a prefetched manager, a large share of a
    listing's render time. Tags come through the tagging table because taggit's
    manager accepts no queryset, and so no ordering.
    """
    return queryset.prefetch_related(
        Prefetch(
            "article_images",
            queryset=ArticleImage.objects.select_related("image").order_by("position", "id"),
            to_attr="placements",
        ),
        Prefetch(
            "taggedarticle_set",
            queryset=TaggedArticle.objects.select_related("tag").order_by(Lower("tag__name"), "tag_id"),
            to_attr="taggings",
        ),
    )


# Readers never see the dump text an article was parsed from, and it is as
# long as the body: leave it in the database.
READER_DEFERRED_FIELDS = ("raw_text",)


def article_list_published():
    return with_images_and_tags(Article.objects.published().defer(*READER_DEFERRED_FIELDS))


def article_get_for_preview(*, pk):
    """Any article, whatever its status, with what its page shows: for editors' previews."""
    return with_images_and_tags(Article.objects.defer(*READER_DEFERRED_FIELDS)).get(pk=pk)


def article_get_published(*, slug):
    """The published article with this slug, with what with_images_and_tags loads; or Article.DoesNotExist.

    Three statements written out rather than built by the ORM: this is the
    reader's article page, and building the queryset and its two prefetches
    cost more than running them (docs/benchmarks.md, "Uncached render time").
    The result is the same as article_list_published().get(slug=slug).
    """
    quote = connection.ops.quote_name
    table = quote(Article._meta.db_table)
    columns = ", ".join(f"{table}.{quote(field.column)}" for field in Article._meta.concrete_fields
                        if field.name not in READER_DEFERRED_FIELDS)
    published, params = Article.objects.published_sql(connection)
    found = list(Article.objects.raw(f"SELECT {columns} FROM {table} WHERE {table}.{quote('slug')} = %s AND "
                                     f"{published}", [slug, *params]))
    if not found:
        raise Article.DoesNotExist(f"No published article with the slug {slug!r}")
    article = found[0]
    placements, images = quote(ArticleImage._meta.db_table), quote(Image._meta.db_table)
    article.placements = []
    for image in Image.objects.raw(
        f"SELECT {images}.*, {placements}.id AS placement_id, {placements}.position AS placement_position "
        f"FROM {images} JOIN {placements} ON {placements}.image_id = {images}.id "
        f"WHERE {placements}.article_id = %s ORDER BY {placements}.position, {placements}.id", [article.pk],
    ):
        placement = ArticleImage(id=image.placement_id, article_id=article.pk, position=image.placement_position)
        placement.image = image
        article.placements.append(placement)
    taggings, tags = quote(TaggedArticle._meta.db_table), quote(Tag._meta.db_table)
    article.taggings = []
    for tag in Tag.objects.raw(
        f"SELECT {tags}.*, {taggings}.id AS tagging_id FROM {tags} JOIN {taggings} ON {taggings}.tag_id = {tags}.id "
        f"WHERE {taggings}.content_object_id = %s ORDER BY LOWER({tags}.name), {tags}.id", [article.pk],
    ):
        tagging = TaggedArticle(id=tag.tagging_id, content_object_id=article.pk)
        tagging.tag = tag
        article.taggings.append(tagging)
    return article


# A merge chain longer than this is a loop, not history.
MAX_MERGE_HOPS = 20
RELATED_ARTICLES = 4
RELATED_TAGS = 6
RELATED_PER_TAG = 20


def article_get_merge_survivor(*, article):
    """Where `article`'s merged_into chain ends: the article itself unless it was merged.

    Still a merged article only when the chain is longer than MAX_MERGE_HOPS.
    Each hop reads only what the walk needs, and none for a successor
    already loaded with select_related("merged_into").
    """
    for _ in range(MAX_MERGE_HOPS):
        if article.status != Article.Status.MERGED or article.merged_into_id is None:
            break
        if Article.merged_into.is_cached(article):
            article = article.merged_into
        else:
            article = Article.objects.only("id", "status", "merged_into").get(pk=article.merged_into_id)
    return article


def article_get_redirect_target(*, slug):
    """Where an old address now leads: the published article, or None.

    An address is old when the article's slug changed since (ArticleAddress
    remembers every slug an article held, so a chain of renames leads
    straight to today's address) or when the article was merged: then the
    merged_into chain is followed to the article readers can see.
    """
    article = Article.objects.filter(slug=slug, status=Article.Status.MERGED).select_related("merged_into").first()
    if article is None:
        article = Article.objects.filter(addresses__slug=slug).exclude(slug=slug).select_related("merged_into").first()
    if article is not None:
        article = article_get_merge_survivor(article=article)
    if article is None or article.status == Article.Status.MERGED:
        return None
    return Article.objects.published().filter(pk=article.pk).only("slug").first()


def article_resolve(*, slug):
    """What a reader's address leads to: (article, None) for a published
    article, (None, survivor) for a merged one, (None, None) for nothing."""
    try:
        return article_get_published(slug=slug), None
    except Article.DoesNotExist:
        return None, article_get_redirect_target(slug=slug)


def article_list_for_tag(*, tag):
    return article_list_published().filter(tags=tag)


def article_list_related(*, article, limit=RELATED_ARTICLES):
    """Published articles sharing the most tags with `article`, newest first among equals.

    Candidates are the newest taggings of each of the article's tags (at
    most RELATED_PER_TAG each, for RELATED_TAGS tags), read in order from an
    index: the cost does not grow with the archive, nor with a tag on half
    of it. Near-duplicates of the article (open candidates) and merged
    articles never count. `article` comes from with_images_and_tags.
    """
    tag_ids = [tag.pk for tag in article.tag_list][:RELATED_TAGS]
    if not tag_ids:
        return []
    # One statement, counted, filtered and ordered by the database: built
    # through the ORM it cost three times as much as running it.
    quote = connection.ops.quote_name
    articles, taggings = quote(Article._meta.db_table), quote(TaggedArticle._meta.db_table)
    pairs = quote(DuplicateCandidate._meta.db_table)
    # Each part in a subquery of its own: SQLite allows no ORDER BY/LIMIT
    # on the parts of a compound SELECT.
    newest = " UNION ALL ".join(
        f"SELECT * FROM (SELECT content_object_id FROM {taggings} WHERE tag_id = %s ORDER BY id DESC "
        f"LIMIT {RELATED_PER_TAG}) AS part{index}" for index in range(len(tag_ids)))
    published, published_params = Article.objects.published_sql(connection)
    fields = ("id", "title", "slug", "published_at")
    columns = ", ".join(f"{articles}.{quote(field)}" for field in fields)
    sql = (
        f"SELECT {columns}, COUNT(*) AS shared FROM ({newest}) AS newest "
        f"JOIN {articles} ON {articles}.id = newest.content_object_id "
        f"WHERE {articles}.id <> %s AND {published} "
        f"AND NOT EXISTS (SELECT 1 FROM {pairs} WHERE status = %s AND kind = %s AND ("
        f"(article_a_id = %s AND article_b_id = {articles}.id) OR (article_b_id = %s AND article_a_id = {articles}.id))) "
        f"GROUP BY {columns} ORDER BY shared DESC, {articles}.published_at DESC, {articles}.id DESC LIMIT %s"
    )
    params = [*tag_ids, article.pk, *published_params, DuplicateCandidate.Status.OPEN, "article",
              article.pk, article.pk, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [Article.from_db(connection.alias, fields, row[:len(fields)]) for row in rows]


def article_next_publication_time():
    """When the next scheduled article goes live, or None.

    The complement of Article.objects.published(): published articles whose
    date has not come yet. Caches use it to know when the set changes by itself.
    """
    upcoming = Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())
    return upcoming.aggregate(next=Min("published_at"))["next"]


def articles_published_between(*, start, end):
    """Ids of published articles dated from `start` to `end`: those a schedule just made visible."""
    return list(Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gte=start,
                                       published_at__lte=end).values_list("pk", flat=True))


def tag_get_by_slug(*, slug):
    return Tag.objects.filter(slug=slug).first()


def tag_get_by_alias(*, slug):
    """The tag an old address (a merged tag's, an old spelling's, a renamed tag's) belongs to, or None."""
    return Tag.objects.filter(addresses__slug=slug).exclude(slug=slug).first()


def tag_list_published():
    """Tags with at least one published article."""
    tagged = TaggedArticle.objects.filter(content_object__in=Article.objects.published()).values("tag_id")
    return Tag.objects.filter(pk__in=tagged)
