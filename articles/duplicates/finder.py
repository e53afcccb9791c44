"""Finding duplicate articles, images and tags.

Articles: MinHash signatures with LSH band keys stored in an indexed table
(articles.duplicates.minhash holds the maths). Checking new articles against
everything stored is one indexed look-up of their band keys, never a
comparison with every stored article. Images: the same normalised caption
and credit, the same file bytes, or a near-identical perceptual hash,
found through indexed columns and ImageBand keys. Tags:
names equal once case, accents, punctuation and spacing are folded.

Candidates are written with ignore_conflicts against the pair's unique
constraint, so a pair an editor dismissed or merged keeps its status
however often it is found again.
"""

from __future__ import annotations

import hashlib

from collections import defaultdict
from itertools import combinations

from django.db import connection, transaction
from django.db.models import Count, Q

from articles.core.bulk import chunked, insert_rows
from articles.duplicates import minhash
from articles.models import (
    Article, ArticleBand, ArticleSignature, DuplicateCandidate, ImageBand, Tag, paragraphs_from_body,
)
from articles.core.text import normalize_for_matching, normalized_parts
from media.hashing import hash_bands, is_same_picture
from media.hashing import similarity as picture_similarity
from media.models import Image

SCAN_CHUNK = 2000
# A band key shared by more articles than this is text common to a whole
# topic (a stock caption or sentence), not evidence of copying: skipped, so
# one boilerplate line cannot make every pair of its articles a candidate.
# Real copies still meet in their other bands.
MAX_BUCKET = 200
# Look-ups of band keys per query: below SQLite's and PostgreSQL's limits.
KEY_CHUNK = 900


# --- articles ------------------------------------------------------------------


def article_signature(title, paragraphs):
    """The MinHash signature the importer computes, for stored text."""
    return minhash.signature_of_normalized(normalized_parts(title, paragraphs))


def text_hash(title, body):
    """Identifies the text a signature was computed from (title and stored body)."""
    return hashlib.sha1(f"{title}\x00{body}".encode()).hexdigest()


def article_signatures_store(*, signatures, keys=None, hashes=None, replace=True):
    """Store signatures and band keys for {article_id: signature}.

    keys: {article_id: band keys} when already computed; hashes:
    {article_id: text_hash}. replace=False skips deleting old rows, for
    articles that have none yet.
    """
    ids = list(signatures)
    keys = keys or {article_id: minhash.band_keys(sig) for article_id, sig in signatures.items()}
    hashes = hashes or {}
    if replace:
        ArticleSignature.objects.filter(article_id__in=ids).delete()
        ArticleBand.objects.filter(article_id__in=ids).delete()
    insert_rows(ArticleSignature, ["article", "signature", "text_hash"],
                [(article_id, minhash.signature_to_bytes(sig), hashes.get(article_id, ""))
                 for article_id, sig in signatures.items()])
    insert_rows(ArticleBand, ["article", "key"],
                [(article_id, key) for article_id in ids for key in keys[article_id]])


def stored_band_owners(keys):
    """(key, article_id) rows of stored articles having any of the keys.

    Raw SQL: an import batch asks for 16,000 keys, and preparing each as an
    ORM lookup parameter cost more than the indexed look-up itself. On
    PostgreSQL the keys go as one array literal: adapting 16,000 ints one
    by one took longer than the query.
    """
    table = connection.ops.quote_name(ArticleBand._meta.db_table)
    keys = list(keys)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT key, article_id FROM {table} WHERE key = ANY(%s::bigint[])",
                           ["{" + ",".join(map(str, keys)) + "}"])
            yield from cursor.fetchall()
            return
        for chunk in chunked(keys, KEY_CHUNK):
            cursor.execute(f"SELECT key, article_id FROM {table} WHERE key IN ({', '.join(['%s'] * len(chunk))})",
                           chunk)
            yield from cursor.fetchall()


def stored_signatures(article_ids):
    found = {}
    for chunk in chunked(article_ids, KEY_CHUNK):
        for article_id, data in ArticleSignature.objects.filter(article_id__in=chunk).values_list(
            "article_id", "signature"
        ):
            found[article_id] = minhash.signature_from_bytes(bytes(data))
    return found


def article_candidates_for(*, signatures, keys):
    """Near-duplicate pairs among {article_id: signature} and with stored articles.

    keys: {article_id: band keys}. Returns [(low_id, high_id, score)] with
    scores at or above THRESHOLD.
    """
    new_ids = set(signatures)
    key_owner = defaultdict(list)
    for article_id, article_keys in keys.items():
        for key in article_keys:
            key_owner[key].append(article_id)
    # Stored articles join the batch's buckets: pairs within the batch and
    # with the archive, under the rescan's rule for oversized buckets.
    for key, stored_id in stored_band_owners(list(key_owner)):
        if stored_id not in new_ids:
            key_owner[key].append(stored_id)
    pairs = minhash.pairs_in_buckets(key_owner.values(), max_size=MAX_BUCKET)
    if not pairs:
        return []
    other_ids = {i for pair in pairs for i in pair} - new_ids
    known = dict(signatures)
    known.update(stored_signatures(other_ids))
    return scored_pairs(pairs, known)


def scored_pairs(pairs, signatures):
    result = []
    for a, b in pairs:
        if a in signatures and b in signatures:
            score = minhash.estimate_similarity(signatures[a], signatures[b])
            if score >= minhash.THRESHOLD:
                result.append((a, b, score))
    return result


def candidates_record(kind, pairs, reason=""):
    """Store [(low_id, high_id, score)] as open candidates; known pairs keep their status."""
    DuplicateCandidate.objects.bulk_create(
        [DuplicateCandidate(kind=kind, score=min(max(score, 0.0), 1.0), reason=reason,
                            **{f"{kind}_a_id": a, f"{kind}_b_id": b})
         for a, b, score in pairs],
        ignore_conflicts=True,
    )


def articles_check(*, signatures, keys, hashes=None):
    """At import: record near-duplicate candidates of new articles, then store
    their signatures and band keys ({article_id: ...} each). Returns the
    number of pairs found.
    """
    pairs = article_candidates_for(signatures=signatures, keys=keys)
    article_signatures_store(signatures=signatures, keys=keys, hashes=hashes, replace=False)
    candidates_record(DuplicateCandidate.Kind.ARTICLE, pairs, "similar text")
    return len(pairs)


def article_check(*, article):
    """For one article an editor just wrote: sign it again and record the stored articles it nearly duplicates.

    The same look-up as at import (its band keys against the index), so a
    pasted copy is found at once rather than at the next rescan. Returns
    the number of pairs found.
    """
    ArticleSignature.objects.filter(article_id=article.pk).delete()
    ArticleBand.objects.filter(article_id=article.pk).delete()
    if article.status == Article.Status.MERGED:
        return 0
    signature = article_signature(article.title, paragraphs_from_body(article.body))
    return articles_check(signatures={article.pk: signature}, keys={article.pk: minhash.band_keys(signature)},
                          hashes={article.pk: text_hash(article.title, article.body)})


@transaction.atomic
def articles_rescan(*, recompute=False):
    """Find all near-duplicate pairs, re-signing articles whose text changed.

    An article whose headline and body hash to what its stored signature
    was computed from keeps its signature and keys (a threshold change needs
    no new ones); recompute=True re-signs every article. One transaction:
    an interrupted rescan leaves the previous keys in place.
    """
    merged = Article.objects.filter(status=Article.Status.MERGED).values("id")
    ArticleBand.objects.filter(article_id__in=merged).delete()
    ArticleSignature.objects.filter(article_id__in=merged).delete()
    stored = {} if recompute else dict(ArticleSignature.objects.values_list("article_id", "text_hash"))
    live = Article.objects.exclude(status=Article.Status.MERGED).order_by("id")
    signatures_written = 0
    batch, hashes = {}, {}

    def flush():
        article_signatures_store(signatures=batch, hashes=hashes, replace=True)
        batch.clear()
        hashes.clear()

    for article_id, title, body in live.values_list("id", "title", "body").iterator(chunk_size=SCAN_CHUNK):
        current = text_hash(title, body)
        if stored.get(article_id) == current:
            continue
        hashes[article_id] = current
        batch[article_id] = article_signature(title, paragraphs_from_body(body))
        signatures_written += 1
        if len(batch) == SCAN_CHUNK:
            flush()
    if batch:
        flush()
    # Keys shared by two or more articles, found by the database.
    shared = (ArticleBand.objects.values("key").annotate(n=Count("id")).filter(n__gt=1).values("key"))
    groups = defaultdict(list)
    for key, article_id in ArticleBand.objects.filter(key__in=shared).values_list("key", "article_id"):
        groups[key].append(article_id)
    pairs = minhash.pairs_in_buckets(groups.values(), max_size=MAX_BUCKET)
    involved = {i for pair in pairs for i in pair}
    found = scored_pairs(pairs, stored_signatures(involved))
    candidates_record(DuplicateCandidate.Kind.ARTICLE, found, "similar text")
    return signatures_written, len(found)


# --- images --------------------------------------------------------------------
#
# One rule, for a rescan and for the check of one saved image alike: two
# images are the same photo when they have the same caption and credit (a
# caption at all), the same file bytes, or perceptual hashes within
# media.hashing.MAX_DISTANCE bits. Each is an indexed look-up: caption_key
# and file_hash are indexed columns, hashes meet through ImageBand keys.


def image_bands_store(*, hashes, replace=True):
    """Index {image_id: perceptual hash or None} by hash band."""
    if replace:
        ImageBand.objects.filter(image_id__in=list(hashes)).delete()
    insert_rows(ImageBand, ["image", "key"],
                [(image_id, key) for image_id, phash in hashes.items() if phash is not None
                 for key in hash_bands(phash)])


def _groups(rows):
    groups = defaultdict(list)
    for value, image_id in rows:
        groups[value].append(image_id)
    return groups.values()


def image_pairs(*, image_ids=None):
    """{(low_id, high_id): score} of images that are the same photo by the rule
    above: all of them, or those pairing with `image_ids`."""
    images = Image.objects.all()
    scope = images if image_ids is None else images.filter(pk__in=image_ids)
    pairs = {}

    def add(a, b, score):
        key = (min(a, b), max(a, b))
        pairs[key] = max(score, pairs.get(key, 0.0))

    for field, blank in (("caption_key", Q(caption="")), ("file_hash", Q(file_hash=""))):
        shared = images.exclude(blank).values(field).annotate(n=Count("id")).filter(n__gt=1).values(field)
        wanted = scope.exclude(blank).filter(**{f"{field}__in": shared}).values(field)
        for group in _groups(images.exclude(blank).filter(**{f"{field}__in": wanted}).values_list(field, "id")):
            for a, b in combinations(group, 2):
                add(a, b, 1.0)
    if image_ids is None:
        keys = ImageBand.objects.values("key").annotate(n=Count("id")).filter(n__gt=1).values("key")
        near = minhash.pairs_in_buckets(_groups(ImageBand.objects.filter(key__in=keys).values_list("key", "image_id")))
    else:
        # Only pairs with the images asked about: a slice value shared by
        # many images would otherwise pair all of them with each other.
        keys = ImageBand.objects.filter(image__in=scope).values("key")
        asked = set(image_ids)
        near = {(min(a, b), max(a, b))
                for group in _groups(ImageBand.objects.filter(key__in=keys).values_list("key", "image_id"))
                for a in asked.intersection(group) for b in group if a != b}
    hashes = dict(Image.objects.filter(pk__in={i for pair in near for i in pair}).values_list("id", "perceptual_hash"))
    for a, b in near:
        if hashes.get(a) is not None and hashes.get(b) is not None and is_same_picture(hashes[a], hashes[b]):
            add(a, b, picture_similarity(hashes[a], hashes[b]))
    if image_ids is not None:
        pairs = {pair: score for pair, score in pairs.items() if asked.intersection(pair)}
    return pairs


@transaction.atomic
def images_rescan():
    """Re-index every image's hash and record every pair of the same photo."""
    ImageBand.objects.all().delete()
    for chunk in chunked(Image.objects.values_list("id", "perceptual_hash").iterator(chunk_size=SCAN_CHUNK),
                         SCAN_CHUNK):
        image_bands_store(hashes=dict(chunk), replace=False)
    pairs = image_pairs()
    candidates_record(DuplicateCandidate.Kind.IMAGE, [(a, b, s) for (a, b), s in pairs.items()], "same photo")
    return len(pairs)


def image_check(*, image):
    """For one image an editor just saved: record the images it is the same photo as."""
    pairs = image_pairs(image_ids=[image.pk])
    candidates_record(DuplicateCandidate.Kind.IMAGE, [(a, b, s) for (a, b), s in pairs.items()], "same photo")
    return len(pairs)


# --- tags ----------------------------------------------------------------------


def tag_key(name):
    """Folded spelling: "Nëws", "news" and "NEWS" agree; so do "some tag", "some-tag"."""
    return normalize_for_matching(name).replace(" ", "")


def tag_check(*, tag):
    """Candidates for one tag an editor just saved: the same name spelled differently."""
    key = tag_key(tag.name)
    pairs = [(min(tag.pk, other), max(tag.pk, other), 1.0)
             for other, name in Tag.objects.exclude(pk=tag.pk).values_list("id", "name") if tag_key(name) == key]
    candidates_record(DuplicateCandidate.Kind.TAG, pairs, "same name, spelled differently")
    return len(pairs)


def tags_rescan():
    groups = defaultdict(list)
    for tag_id, name in Tag.objects.values_list("id", "name"):
        groups[tag_key(name)].append(tag_id)
    pairs = [(min(a, b), max(a, b), 1.0) for ids in groups.values() for a, b in combinations(ids, 2)]
    candidates_record(DuplicateCandidate.Kind.TAG, pairs, "same name, spelled differently")
    return len(pairs)


def duplicates_rescan(*, recompute=False):
    """Rescan everything; returns counts for the report."""
    signatures, articles = articles_rescan(recompute=recompute)
    return {"signatures": signatures, "article_pairs": articles, "image_pairs": images_rescan(),
            "tag_pairs": tags_rescan()}
