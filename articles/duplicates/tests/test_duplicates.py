"""Finding duplicates at import and on rescan; reviewing them in the admin."""

import io
import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from PIL import Image as PILImage

from articles.duplicates.finder import duplicates_rescan, image_check
from articles.models import Article, ArticleBand, DuplicateCandidate, Tag
from devtools.factories import make_article, make_editor
from devtools.dumps import article_text, dump, run_import
from media.models import Image

pytestmark = pytest.mark.django_db

BODY = [
    "Iranian proxies have established a resistance operations room to help Hamas during the war, sources said.",
    "A senior commander in an Iraqi faction said the army postponed its ground operation in anticipation.",
    "On Sunday, the newspaper reported that leaders of several factions have headed to Syria and Lebanon.",
    "The sources said the leaders were accompanied by groups of fighters assessing the situation on the ground.",
    "Activists close to the factions were circulating photos of their commanders currently present in Lebanon.",
]
OTHER_BODY = [
    "The remains of 30 people believed killed by the group have been found in a remote town in the north.",
    "The internal security forces said the bureau had requested the search and that tests are underway.",
    "Dozens of foreigners, including aid workers and journalists, were killed by militants over the years.",
    "Since then, dozens of gravesites have been discovered containing remains of people who were abducted.",
]


def open_pairs(kind="article"):
    return {tuple(sorted(c.pair_ids)) for c in DuplicateCandidate.objects.filter(kind=kind, status="open")}


# --- finding ---------------------------------------------------------------------


def test_an_edited_copy_in_a_later_import_becomes_a_candidate(tmp_path):
    run_import(dump(article_text("Factions set up operations room", BODY), tmp_path, "first.txt"))
    edited = BODY[:2] + ["A new paragraph added by the editors in the updated version of the story."] + BODY[2:]
    run_import(dump(article_text("Factions set up joint operations room", edited), tmp_path, "second.txt"))
    original, copy = Article.objects.order_by("id")
    candidate = DuplicateCandidate.objects.get(kind="article")
    assert candidate.pair_ids == (original.pk, copy.pk)
    assert 0.5 < candidate.score < 1.0


def test_near_duplicates_within_one_dump_are_found(tmp_path):
    text = article_text("Factions set up operations room", BODY) + \
        article_text("Factions set up joint operations room", BODY[:-1])
    run_import(dump(text, tmp_path))
    assert len(open_pairs()) == 1


def test_copies_differing_only_in_punctuation_case_or_spacing_are_exact_duplicates(tmp_path):
    text = article_text("Factions set up operations room", BODY) + \
        article_text("FACTIONS set up  operations room!", [p.replace(",", "") for p in BODY])
    out, _, _ = run_import(dump(text, tmp_path))
    assert Article.objects.count() == 1
    assert "skipped 1" in out


def test_articles_that_only_share_a_photo_or_topic_are_not_candidates(tmp_path):
    caption = "Members of a movement are seen at a rally in Baghdad. (AFP)"
    text = article_text("Factions set up operations room", BODY, [caption]) + \
        article_text("Remains of 30 people found in Syria", OTHER_BODY + ["Factions in Syria and Lebanon."], [caption])
    run_import(dump(text, tmp_path))
    assert open_pairs() == set()


def test_planted_near_duplicates_in_a_generated_dump_are_found(tmp_path):
    from devtools.dumpgen import dump_articles, write_dump
    from articles.core.text import content_fingerprint

    out = io.StringIO()
    truth = write_dump(out, 150, seed=5, near_duplicates=20)
    run_import(dump(out.getvalue(), tmp_path))
    fingerprints = [content_fingerprint(a.title, a.paragraphs)
                    for a in dump_articles(150, seed=5, near_duplicates=20)]
    ids = dict(Article.objects.values_list("fingerprint", "id"))
    # Copies that differ only in punctuation share a fingerprint: skipped at import.
    groups = {}
    for pair in truth:
        groups.setdefault(pair.original, {ids[fingerprints[pair.original]]}).add(ids[fingerprints[pair.copy]])
    # Two copies of one original are near-duplicates of each other too.
    planted = {(a, b) for group in groups.values() for a in group for b in group if a < b}
    found = open_pairs()
    assert len(planted) >= 10
    assert len(planted & found) >= len(planted) - 1  # recall; the benchmark measures it at scale
    assert len(found - planted) <= 1  # precision


def test_rescan_finds_the_same_pairs_and_keeps_dismissed_ones_dismissed():
    a = make_article(title="Factions set up operations room", paragraphs=BODY)
    b = make_article(title="Factions set up a joint operations room", paragraphs=BODY[:4])
    make_article(title="Unrelated", paragraphs=OTHER_BODY)
    duplicates_rescan()
    assert open_pairs() == {(a.pk, b.pk)}
    DuplicateCandidate.objects.filter(kind="article").update(status="dismissed")
    duplicates_rescan()
    assert open_pairs() == set()
    assert DuplicateCandidate.objects.get(kind="article").status == "dismissed"


def test_band_and_paragraph_keys_are_stored_so_new_articles_are_checked_by_index_lookups(tmp_path):
    run_import(dump(article_text("Factions set up operations room", BODY), tmp_path))
    article = Article.objects.get()
    # 32 bands of the signature, the headline and it without each of its
    # five words, and one key for each of the five paragraphs.
    assert ArticleBand.objects.filter(article=article).count() == 32 + 6 + 5
    assert article.signature.shingles > 0


def test_tags_spelled_differently_are_candidates():
    pairs = [("Nëws", "News"), ("some tag", "some-tag"), ("I.S.I.S.", "ISIS")]
    for first, second in pairs:
        Tag.objects.create(name=first)
        Tag.objects.create(name=second)
    Tag.objects.create(name="Newsroom")
    duplicates_rescan()
    found = {tuple(sorted(str(t) for t in c.pair)) for c in DuplicateCandidate.objects.filter(kind="tag")}
    assert found == {tuple(sorted(pair)) for pair in pairs}


def photo(size=(200, 150), quality=None, seed=0):
    """A picture with structure (not a flat colour), as PNG or JPEG bytes."""
    picture = PILImage.new("RGB", (200, 150))
    for x in range(200):
        for y in range(150):
            picture.putpixel((x, y), ((x * 3 + seed * 50) % 256, (y * 5 + x * seed) % 256, ((x * y) // 40) % 256))
    picture = picture.resize(size)
    buffer = io.BytesIO()
    if quality:
        picture.save(buffer, format="JPEG", quality=quality)
    else:
        picture.save(buffer, format="PNG")
    return buffer.getvalue()


def upload(data, name="photo.png", caption="A photo"):
    return Image.objects.create(file=SimpleUploadedFile(name, data), caption=caption)


def test_identical_and_resized_or_reencoded_photos_are_candidates_but_different_ones_are_not():
    original = upload(photo())
    same_bytes = upload(photo(), caption="Another caption")
    resized = upload(photo(size=(400, 300), quality=70), name="big.jpg", caption="Resized")
    different = upload(photo(seed=3), caption="Different")
    duplicates_rescan()
    found = open_pairs("image")
    assert (original.pk, same_bytes.pk) in found
    assert (original.pk, resized.pk) in found
    assert not any(different.pk in pair for pair in found)


# --- find_duplicates --------------------------------------------------------------


def test_find_duplicates_json_lists_open_candidates():
    a = make_article(title="Factions set up operations room", paragraphs=BODY)
    b = make_article(title="Factions set up the operations room", paragraphs=BODY)
    out = StringIO()
    call_command("find_duplicates", "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())
    assert rows == [{"kind": "article", "ids": [a.pk, b.pk], "labels": [a.title, b.title],
                     "score": rows[0]["score"], "status": "open"}]
    assert 0.35 <= rows[0]["score"] <= 1


# --- admin -------------------------------------------------------------------------


@pytest.fixture
def pair():
    a = make_article(title="Factions set up operations room", paragraphs=BODY, tags=["Iraq"])
    b = make_article(title="Factions set up <b>joint</b> operations room", paragraphs=BODY[:3] + ["New <script>."])
    return DuplicateCandidate.objects.create(kind="article", article_a=a, article_b=b, score=0.8)


def test_review_queue_and_comparison_load_for_an_editor(client, pair):
    client.force_login(make_editor())
    queue = client.get(reverse("admin:articles_duplicatecandidate_changelist"))
    assert queue.status_code == 200 and b"Compare" in queue.content
    page = client.get(reverse("admin:articles_duplicatecandidate_compare", args=[pair.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<mark>" in html  # changed words highlighted
    assert "&lt;b&gt;joint&lt;/b&gt;" in html and "<b>joint" not in html
    assert "&lt;script&gt;." in html and "<script>." not in html
    assert "created in the admin" in html  # provenance


def test_merge_goes_through_a_confirmation_page(client, pair):
    editor = make_editor()
    client.force_login(editor)
    url = reverse("admin:articles_duplicatecandidate_merge", args=[pair.pk])
    a, b = pair.pair
    confirm = client.post(url, {"survivor": a.pk, "reason": "same story"})
    assert confirm.status_code == 200 and b"Yes, merge" in confirm.content
    b.refresh_from_db()
    assert b.status == Article.Status.PUBLISHED  # nothing happened yet
    done = client.post(url, {"survivor": a.pk, "reason": "same story", "confirm": "yes"})
    assert done.status_code == 302
    b.refresh_from_db()
    assert b.status == Article.Status.MERGED and b.merged_into_id == a.pk
    pair.refresh_from_db()
    assert pair.status == "merged" and pair.resolved_by == editor


def test_merge_and_dismiss_refuse_get_requests(client, pair):
    client.force_login(make_editor())
    assert client.get(reverse("admin:articles_duplicatecandidate_merge", args=[pair.pk])).status_code == 405
    assert client.get(reverse("admin:articles_duplicatecandidate_dismiss", args=[pair.pk])).status_code == 405


def test_state_changing_posts_need_a_csrf_token(pair):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_editor())
    response = client.post(reverse("admin:articles_duplicatecandidate_dismiss", args=[pair.pk]), {"confirm": "yes"})
    assert response.status_code == 403
    pair.refresh_from_db()
    assert pair.status == "open"


def test_staff_without_the_merge_permission_get_403(client, pair):
    user = get_user_model().objects.create_user("viewer", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_duplicatecandidate"))
    client.force_login(user)
    assert client.get(reverse("admin:articles_duplicatecandidate_compare", args=[pair.pk])).status_code == 200
    for name in ("merge", "dismiss"):
        url = reverse(f"admin:articles_duplicatecandidate_{name}", args=[pair.pk])
        assert client.post(url, {"survivor": pair.pair_ids[0], "confirm": "yes"}).status_code == 403
    pair.refresh_from_db()
    assert pair.status == "open"


def test_bulk_dismiss_asks_for_confirmation_then_dismisses(client, pair):
    client.force_login(make_editor())
    url = reverse("admin:articles_duplicatecandidate_changelist")
    data = {"action": "dismiss_selected", "_selected_action": [pair.pk]}
    confirm = client.post(url, data)
    assert confirm.status_code == 200 and b"Yes, I" in confirm.content
    pair.refresh_from_db()
    assert pair.status == "open"
    client.post(url, {**data, "confirm": "yes"})
    pair.refresh_from_db()
    assert pair.status == "dismissed"


def test_bulk_merge_keeps_what_an_editor_would_keep_in_each_pair(client):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    brief = make_article(title="Floods in Basra", paragraphs=BODY[:2], published_at=now - timedelta(hours=5))
    update = make_article(title="Floods in Basra: update", paragraphs=BODY, published_at=now - timedelta(hours=1))
    live = make_article(title="Fires in Mosul", paragraphs=OTHER_BODY, published_at=now - timedelta(days=2))
    draft = make_article(title="Fires in Mosul (draft)", paragraphs=OTHER_BODY, status=Article.Status.DRAFT)
    newer = DuplicateCandidate.objects.create(kind="article", article_a=brief, article_b=update, score=0.8)
    published = DuplicateCandidate.objects.create(kind="article", article_a=live, article_b=draft, score=0.8)
    client.force_login(make_editor())
    url = reverse("admin:articles_duplicatecandidate_changelist")
    client.post(url, {"action": "merge_selected", "_selected_action": [newer.pk, published.pk], "confirm": "yes"})
    brief.refresh_from_db()
    draft.refresh_from_db()
    # The update supersedes the brief; a published article beats a newer draft.
    assert brief.merged_into_id == update.pk
    assert draft.merged_into_id == live.pk


def test_the_compare_page_suggests_the_survivor_and_says_why(client, pair):
    client.force_login(make_editor())
    a, b = pair.pair
    html = client.get(reverse("admin:articles_duplicatecandidate_compare", args=[pair.pk])).content.decode()
    # Both published; a is the newer (the factory dates later articles earlier).
    assert f"suggested: #{a.pk}, the newest" in html
    assert f'value="{a.pk}" required checked' in html


def test_a_merge_message_names_both_articles_by_id_and_headline(client, pair):
    client.force_login(make_editor())
    a, b = pair.pair
    response = client.post(reverse("admin:articles_duplicatecandidate_merge", args=[pair.pk]),
                           {"survivor": a.pk, "confirm": "yes"}, follow=True)
    message = [str(m) for m in response.context["messages"]][0]
    assert f"#{b.pk}" in message and f"#{a.pk}" in message and "joint" in message and "<b>" not in message


def test_an_editor_uploading_a_known_photo_is_warned_and_a_candidate_is_recorded(client):
    original = upload(photo())
    client.force_login(make_editor())
    response = client.post(reverse("admin:media_image_add"), {
        "file": SimpleUploadedFile("copy.jpg", photo(size=(300, 225), quality=80)),
        "caption": "The same photo, resized", "credit": "AFP", "alt_text": "",
    }, follow=True)
    assert b"may duplicate 1 other image" in response.content
    copy = Image.objects.exclude(pk=original.pk).get()
    assert open_pairs("image") == {(original.pk, copy.pk)}


def test_an_editor_creating_a_tag_variant_is_warned(client):
    Tag.objects.create(name="ISIS")
    client.force_login(make_editor())
    response = client.post(reverse("admin:articles_tag_add"), {
        "name": "I.S.I.S.", "slug": "i-s-i-s", "aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0",
    }, follow=True)
    assert b"another spelling of an existing tag" in response.content
    assert len(open_pairs("tag")) == 1


def test_rescan_re_signs_only_articles_whose_text_changed(tmp_path):
    from articles.models import ArticleSignature

    run_import(dump(article_text("Factions set up operations room", BODY) +
                    article_text("Remains of 30 people found in Syria", OTHER_BODY), tmp_path))
    first, second = Article.objects.order_by("id")
    assert duplicates_rescan()["signatures"] == 0  # signed at import, unchanged since
    second.title = "Factions set up the operations room"
    second.body = "\n\n".join(BODY)
    second.save()
    assert duplicates_rescan()["signatures"] == 1
    assert open_pairs() == {(first.pk, second.pk)}
    assert duplicates_rescan(recompute=True)["signatures"] == 2
    assert ArticleSignature.objects.count() == 2


def test_the_rescan_signs_text_exactly_as_the_importer_does():
    from articles.duplicates import minhash
    from articles.duplicates.finder import article_print
    from articles.ingest.records import ArticleRecord, prepare_record

    title, paragraphs = "Floods in Basra", ["Water covered the streets, and the streets flooded again.", "Again."]
    found = article_print(title, paragraphs)
    imported = prepare_record(ArticleRecord(title=title, paragraphs=paragraphs)).text_print
    signature = found.signature
    assert (signature == imported.signature).all() and found.keys == imported.keys and found.size == imported.size
    # The same minima as from the distinct shingles, which the signatures stored before were made from.
    assert (signature == minhash.signature(minhash.shingle_array(title, paragraphs))).all()


def test_checking_one_image_is_an_indexed_look_up_that_agrees_with_the_rescan(django_assert_max_num_queries):
    original = upload(photo())
    resized = upload(photo(size=(400, 300), quality=70), name="big.jpg", caption="Resized")
    others = [upload(photo(seed=seed), caption=f"Other {seed}") for seed in range(2, 10)]
    # The same (empty) caption and credit: two photos without captions are no evidence.
    upload(photo(seed=20), caption="")
    upload(photo(seed=21), caption="")
    with django_assert_max_num_queries(12):  # whatever the number of images stored
        found = image_check(image=resized)
    assert found == 1 and open_pairs("image") == {(original.pk, resized.pk)}
    DuplicateCandidate.objects.all().delete()
    duplicates_rescan()
    assert open_pairs("image") == {(original.pk, resized.pk)}
    assert len(others) == 8


def test_an_image_saved_anywhere_is_found_by_the_next_check(client):
    # Saved through the ORM, not the admin: the hash index follows the row.
    original = upload(photo())
    copy = upload(photo(size=(300, 225), quality=80), name="copy.jpg", caption="Copy")
    assert image_check(image=copy) == 1
    assert open_pairs("image") == {(original.pk, copy.pk)}


def test_dismissing_a_pair_already_merged_says_nothing_changed(client, pair):
    from articles.duplicates.merging import candidate_merge

    a, b = pair.pair
    candidate_merge(candidate=pair, survivor_id=a.pk)
    client.force_login(make_editor())
    response = client.post(reverse("admin:articles_duplicatecandidate_dismiss", args=[pair.pk]), {"confirm": "yes"},
                           follow=True)
    html = response.content.decode()
    assert "was merged already" in html and "Marked as not duplicates" not in html
    pair.refresh_from_db()
    assert pair.status == "merged"


def test_an_article_pasted_in_the_admin_is_checked_at_once(client):
    original = make_article(title="Factions set up operations room", paragraphs=BODY)
    from articles.duplicates.finder import duplicates_rescan as rescan

    rescan()  # the archive is signed, as imports leave it
    client.force_login(make_editor())
    response = client.post(reverse("admin:articles_article_add"), {
        "title": "Factions set up a joint operations room", "slug": "pasted-copy",
        "body": "\r\n\r\n".join(BODY + ["One more paragraph added by the desk."]), "status": "draft",
        "standfirst": "", "byline": "", "source": "", "published_at_0": "", "published_at_1": "",
        "article_images-TOTAL_FORMS": "0", "article_images-INITIAL_FORMS": "0",
        "taggedarticle_set-TOTAL_FORMS": "0", "taggedarticle_set-INITIAL_FORMS": "0",
    }, follow=True)
    assert "may duplicate 1 other article" in response.content.decode()
    copy = Article.objects.get(slug="pasted-copy")
    assert open_pairs() == {tuple(sorted((original.pk, copy.pk)))}
    page = client.get(reverse("admin:articles_article_change", args=[copy.pk])).content.decode()
    assert reverse("admin:articles_duplicatecandidate_compare", args=[DuplicateCandidate.objects.get().pk]) in page


# --- authors -----------------------------------------------------------------------


def author_pairs_open():
    return {frozenset(c.pair_ids) for c in DuplicateCandidate.objects.filter(kind="author", status="open")}


def test_authors_who_look_like_one_person_are_proposed_and_others_are_not():
    from articles.duplicates.finder import authors_rescan
    from articles.people.models import Author

    jane = Author.objects.create(name="Jane Doe")
    middle = Author.objects.create(name="Jane A. Doe")
    initial = Author.objects.create(name="J. Doe")
    john = Author.objects.create(name="John Doe")
    Author.objects.create(name="Jane Roe")
    alice = Author.objects.create(name="Jane Alice Doe")

    authors_rescan()

    assert author_pairs_open() == {
        frozenset({jane.pk, middle.pk}), frozenset({jane.pk, initial.pk}), frozenset({middle.pk, initial.pk}),
        frozenset({initial.pk, john.pk}), frozenset({initial.pk, alice.pk}),
    }
    # A middle name, unlike a middle initial, may be another person's.
    assert frozenset({jane.pk, alice.pk}) not in author_pairs_open()
    # Two full first names with the same initial are two people.
    assert frozenset({jane.pk, john.pk}) not in author_pairs_open()


def test_a_dismissed_author_pair_stays_dismissed_and_the_rescan_counts_authors():
    from articles.people.models import Author

    jane, initial = Author.objects.create(name="Jane Doe"), Author.objects.create(name="J. Doe")
    assert duplicates_rescan()["author_pairs"] == 1
    DuplicateCandidate.objects.filter(kind="author").update(status="dismissed")
    duplicates_rescan()
    assert DuplicateCandidate.objects.get(kind="author").status == "dismissed"


def test_merging_an_author_pair_keeps_the_fuller_name_and_folds_open_pairs():
    from articles.duplicates.merging import candidate_merge
    from articles.duplicates.selectors import survivor_suggest
    from articles.people.models import Author

    initial, jane, middle = (Author.objects.create(name=name) for name in ("J. Doe", "Jane Doe", "Jane A. Doe"))
    duplicates_rescan()
    pair = DuplicateCandidate.objects.get(kind="author", author_a=initial, author_b=jane)
    survivor_id, why = survivor_suggest(pair)
    assert (survivor_id, why) == (jane.pk, "the fuller name")

    candidate_merge(candidate=pair, survivor_id=jane.pk)

    assert not Author.objects.filter(pk=initial.pk).exists()
    assert author_pairs_open() == {frozenset({jane.pk, middle.pk})}
