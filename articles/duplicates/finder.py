"""Finding duplicate articles, images, tags and authors.

Articles: MinHash signatures with LSH band keys, and a key per paragraph,
stored in an indexed table (articles.duplicates.minhash holds the maths).
Checking new articles against everything stored is one indexed look-up of
their keys, never a comparison with every stored article; each pair found
is then judged on the signals an editor uses (bodies, how much of the
shorter text the longer holds, headlines, photos), and the queue shows them. Images: the same normalised caption
and credit, the same file bytes, or a near-identical perceptual hash,
found through indexed columns and ImageBand keys. Tags:
names equal once case, accents, punctuation and spacing are folded.
Authors: names equal once middle initials are dropped, or an initial
standing for a first name with the same surname.

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
    Article, ArticleBand, ArticleImage, ArticleSignature, DuplicateCandidate, ImageBand, Tag, paragraphs_from_body,
)
from articles.core.text import normalize_for_matching, normalized_parts
from articles.people.models import Author
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


# Part of every text hash: a change to what a print holds (its keys, its
# size) makes the next rescan sign every article again.
PRINT_SCHEME = "2"


def article_print(title, paragraphs):
    """The MinHash print the importer computes (signature, index keys, size), for stored text."""
    return minhash.text_print(normalized_parts(title, paragraphs))


def text_hash(title, body):
    """Identifies the text a print was computed from (title and stored body) and how."""
    return hashlib.sha1(f"{PRINT_SCHEME}\x00{title}\x00{body}".encode()).hexdigest()


def article_prints_store(*, prints, hashes=None, replace=True):
    """Store {article_id: TextPrint} as signature rows and index keys.

    hashes: {article_id: text_hash}. replace=False skips deleting old rows,
    for articles that have none yet.
    """
    ids = list(prints)
    hashes = hashes or {}
    if replace:
        ArticleSignature.objects.filter(article_id__in=ids).delete()
        ArticleBand.objects.filter(article_id__in=ids).delete()
    insert_rows(ArticleSignature, ["article", "signature", "shingles", "text_hash"],
                [(article_id, minhash.signature_to_bytes(found.signature), found.size, hashes.get(article_id, ""))
                 for article_id, found in prints.items()])
    insert_rows(ArticleBand, ["article", "key"],
                [(article_id, key) for article_id, found in prints.items() for key in found.keys])


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


def stored_prints(article_ids):
    """{article_id: (signature, size)} of stored articles."""
    found = {}
    for chunk in chunked(article_ids, KEY_CHUNK):
        for article_id, data, size in ArticleSignature.objects.filter(article_id__in=chunk).values_list(
            "article_id", "signature", "shingles"
        ):
            found[article_id] = (minhash.signature_from_bytes(bytes(data)), size)
    return found


def article_candidates_for(*, prints):
    """Copies among {article_id: TextPrint} and with stored articles.

    Returns [(low_id, high_id, Verdict)].
    """
    new_ids = set(prints)
    key_owner = defaultdict(list)
    for article_id, found in prints.items():
        for key in found.keys:
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
    known = {article_id: (found.signature, found.size) for article_id, found in prints.items()}
    known.update(stored_prints(other_ids))
    return judged_pairs(pairs, known)


def _headlines_and_photos(article_ids):
    """Normalised headlines and the photos of articles, for judging pairs.

    A photo is known by its caption key (the same caption and credit is the
    same picture, whichever image row holds it), or by its image if it has
    no caption, so that two articles' photos in common can be counted.
    """
    headlines, photos = {}, defaultdict(set)
    for chunk in chunked(article_ids, KEY_CHUNK):
        for article_id, title in Article.objects.filter(pk__in=chunk).values_list("id", "title"):
            headlines[article_id] = normalize_for_matching(title)
        for article_id, image_id, key in ArticleImage.objects.filter(article_id__in=chunk).values_list(
            "article_id", "image_id", "image__caption_key"
        ):
            photos[article_id].add(("caption", key) if key else ("image", image_id))
    return headlines, photos


def _paragraph_keys(article_ids):
    """{article_id: its paragraph keys}, from the stored text."""
    found = {}
    for chunk in chunked(article_ids, KEY_CHUNK):
        for article_id, title, body in Article.objects.filter(pk__in=chunk).values_list("id", "title", "body"):
            found[article_id] = set(minhash.paragraph_keys(normalized_parts(title, paragraphs_from_body(body))))
    return found


def judged_pairs(pairs, known):
    """[(low_id, high_id, Verdict)] of candidate pairs that are copies of one story.

    known: {article_id: (signature, size)}. The headlines and photos of the
    articles involved are read in two queries; the text of the few pairs
    that a paragraph in common can still decide, in one more.
    """
    pairs = [(a, b) for a, b in pairs if a in known and b in known]
    headlines, photos = _headlines_and_photos({i for pair in pairs for i in pair})
    signals = {}
    for a, b in pairs:
        (sig_a, size_a), (sig_b, size_b) = known[a], known[b]
        signals[a, b] = dict(
            body=minhash.estimate_similarity(sig_a, sig_b), size_a=size_a, size_b=size_b,
            headline=minhash.headline_similarity(headlines.get(a, ""), headlines.get(b, "")),
            same_photo=len(photos.get(a, set()) & photos.get(b, set())),
        )
    found = {pair: minhash.verdict(**signal) for pair, signal in signals.items()}
    # Paragraphs are read from the stored text, so only for pairs showing the
    # same photos (two or more) that the other signals left undecided.
    undecided = [pair for pair, verdict in found.items() if verdict is None and signals[pair]["same_photo"] >= 2]
    paragraphs = _paragraph_keys({i for pair in undecided for i in pair})
    for a, b in undecided:
        if paragraphs.get(a, set()) & paragraphs.get(b, set()):
            found[a, b] = minhash.verdict(**signals[a, b], same_paragraph=True)
    return [(a, b, verdict) for (a, b), verdict in found.items() if verdict is not None]


def candidates_record(kind, pairs, reason=""):
    """Store [(low_id, high_id, score or Verdict)] as open candidates; known pairs keep their status."""
    DuplicateCandidate.objects.bulk_create(
        [DuplicateCandidate(kind=kind, score=min(max(_score(found), 0.0), 1.0),
                            reason=found.explain() if isinstance(found, minhash.Verdict) else reason,
                            **{f"{kind}_a_id": a, f"{kind}_b_id": b})
         for a, b, found in pairs],
        ignore_conflicts=True,
    )


def _score(found):
    return found.score if isinstance(found, minhash.Verdict) else found


def articles_check(*, prints, hashes=None):
    """At import: record the copies among new articles ({article_id: TextPrint})
    and stored ones, then store their prints. Returns the number of pairs found.
    """
    pairs = article_candidates_for(prints=prints)
    article_prints_store(prints=prints, hashes=hashes, replace=False)
    candidates_record(DuplicateCandidate.Kind.ARTICLE, pairs)
    return len(pairs)


def article_check(*, article):
    """For one article an editor just wrote: sign it again and record the stored articles it copies or is copied by.

    The same look-up as at import (its keys against the index), so a
    pasted copy is found at once rather than at the next rescan. Returns
    the number of pairs found.
    """
    ArticleSignature.objects.filter(article_id=article.pk).delete()
    ArticleBand.objects.filter(article_id=article.pk).delete()
    if article.status == Article.Status.MERGED:
        return 0
    found = article_print(article.title, paragraphs_from_body(article.body))
    return articles_check(prints={article.pk: found}, hashes={article.pk: text_hash(article.title, article.body)})


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
        article_prints_store(prints=batch, hashes=hashes, replace=True)
        batch.clear()
        hashes.clear()

    for article_id, title, body in live.values_list("id", "title", "body").iterator(chunk_size=SCAN_CHUNK):
        current = text_hash(title, body)
        if stored.get(article_id) == current:
            continue
        hashes[article_id] = current
        batch[article_id] = article_print(title, paragraphs_from_body(body))
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
    found = judged_pairs(pairs, stored_prints(involved))
    candidates_record(DuplicateCandidate.Kind.ARTICLE, found)
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


# --- authors -------------------------------------------------------------------

SAME_BUT_INITIALS = "same name but for middle initials or punctuation"
INITIAL_FOR_NAME = "an initial for the first name, the same surname"


def author_keys(name):
    """(name key, initial key, whether the first name is an initial) of an author's name.

    "Jane A. Doe" and "Jane Doe" share the name key; "J. Doe" and "Jane Doe"
    the initial key. Two full first names with one initial ("Jane Doe",
    "John Doe") are different people, so the initial key pairs only where
    one side is an initial.
    """
    # "J.A. Doe" is two initials, as "J. A. Doe" is.
    words = normalize_for_matching(name.replace(".", ". ")).split()
    if len(words) < 2:
        return " ".join(words), None, False
    first, *middle, last = words
    return " ".join([first, *(word for word in middle if len(word) > 1), last]), f"{first[0]} {last}", len(first) == 1


def author_pairs(rows, *, among=None):
    """{(low_id, high_id): reason} for [(author id, name)]; with `among`, only pairs naming one of those ids."""
    by_name, by_initial = defaultdict(list), defaultdict(list)
    for author_id, name in rows:
        name_key, initial_key, initialled = author_keys(name)
        by_name[name_key].append(author_id)
        if initial_key:
            by_initial[initial_key].append((author_id, initialled))
    pairs = {}
    for ids in by_name.values():
        for a, b in combinations(sorted(ids), 2):
            pairs[a, b] = SAME_BUT_INITIALS
    for members in by_initial.values():
        for (a, initial_a), (b, initial_b) in combinations(sorted(members), 2):
            if initial_a or initial_b:
                pairs.setdefault((a, b), INITIAL_FOR_NAME)
    if among is not None:
        pairs = {pair: reason for pair, reason in pairs.items() if pair[0] in among or pair[1] in among}
    return pairs


def _authors_record(pairs):
    for reason, score in ((SAME_BUT_INITIALS, 0.9), (INITIAL_FOR_NAME, 0.7)):
        candidates_record(DuplicateCandidate.Kind.AUTHOR,
                          [(a, b, score) for (a, b), why in pairs.items() if why == reason], reason)
    return len(pairs)


def authors_check(*, names):
    """Candidates for authors just created or renamed ({author id: a name of theirs}), in one query.

    The authors sharing a surname with one of theirs are read with them;
    the pairs are judged on the names stored.
    """
    surnames = {normalize_for_matching(name).rsplit(" ", 1)[-1] for name in names.values()} - {""}
    if not surnames:
        return 0
    # The surname ends the match key: a narrowing, the names then decide.
    wanted = Q(pk__in=names)
    for surname in surnames:
        wanted |= Q(match_key__endswith=surname)
    return _authors_record(author_pairs(Author.objects.filter(wanted).values_list("id", "name"), among=set(names)))


def author_check(*, author):
    """For one author an editor just saved: record the authors who look like the same person."""
    return authors_check(names={author.pk: author.name})


def authors_rescan():
    return _authors_record(author_pairs(Author.objects.values_list("id", "name").iterator(chunk_size=SCAN_CHUNK)))


def duplicates_rescan(*, recompute=False):
    """Rescan everything; returns counts for the report."""
    signatures, articles = articles_rescan(recompute=recompute)
    return {"signatures": signatures, "article_pairs": articles, "image_pairs": images_rescan(),
            "tag_pairs": tags_rescan(), "author_pairs": authors_rescan()}
