"""Copies of short stories: the finder reads headlines, containment and photos as an editor does."""

import io

import pytest

from articles.core.text import content_fingerprint
from articles.duplicates import minhash
from articles.duplicates.finder import duplicates_rescan
from articles.models import Article, DuplicateCandidate
from devtools.dumpgen import FOLLOW_UP, dump_articles, write_dump
from devtools.dumps import article_text, dump, run_import
from devtools.factories import make_article, make_image

pytestmark = pytest.mark.django_db

BRIEF = [
    "Rescue teams pulled 14 people from the rubble of a collapsed apartment block in Mosul on Tuesday night.",
    "The civil defence said the building had been weakened by heavy rain and that the search would go on.",
]
UPDATE = [
    "Rescue teams pulled 14 people from the rubble of a collapsed apartment block in Mosul on Tuesday night.",
    "The governor ordered an inspection of every building of that age in the old city by the end of the month.",
    "Two of those rescued were taken to hospital with serious injuries, a health ministry official said.",
]
STOCK = "The city has struggled to rebuild since the fighting ended, and many families still live in damaged homes."


def open_pairs():
    return {tuple(sorted(c.pair_ids)) for c in DuplicateCandidate.objects.filter(kind="article", status="open")}


def test_a_brief_and_its_update_are_found_with_the_signals_named(tmp_path):
    text = (article_text("Building collapses in Mosul after heavy rain", BRIEF)
            + article_text("Building collapses in Mosul after days of rain", UPDATE))
    run_import(dump(text, tmp_path))
    brief, update = Article.objects.order_by("id")
    # Half the brief is rewritten: bodies alone are far from alike.
    assert minhash.estimate_similarity(
        minhash.signature(minhash.shingle_array(brief.title, BRIEF)),
        minhash.signature(minhash.shingle_array(update.title, UPDATE))) < minhash.THRESHOLD
    assert open_pairs() == {(brief.pk, update.pk)}
    reason = DuplicateCandidate.objects.get().reason
    assert "headline" in reason and "of the shorter text in the longer" in reason


def test_a_headline_alone_a_shared_photo_or_a_stock_paragraph_keep_stories_apart():
    photo = make_image(caption="The old city of Mosul.")
    make_article(title="Building collapses in Mosul after heavy rain", paragraphs=[*BRIEF, STOCK], images=[photo])
    # The same headline over another story (a running headline).
    make_article(title="Building collapses in Mosul after heavy rain", paragraphs=[
        "A second building gave way in the Zanjili district on Friday, a week after the first collapse.",
        "Residents said cracks had appeared in the walls days before and that nobody had come to look.",
    ])
    # A follow-up: another headline, the same photo, the stock paragraph.
    make_article(title="Mosul engineers begin survey of old city homes", images=[photo], paragraphs=[
        "Engineers began surveying homes in the old city on Sunday, starting with those nearest the river.",
        STOCK,
    ])
    duplicates_rescan()
    assert open_pairs() == set()


def test_the_same_photo_tips_a_close_headline_with_some_shared_text():
    photo = make_image(caption="Rescuers search the rubble in Mosul.")
    first = make_article(title="Rescuers search the rubble of a Mosul block", paragraphs=BRIEF, images=[photo])
    second = make_article(title="Rescuers search the rubble of a Mosul tower", images=[photo], paragraphs=[
        BRIEF[0],
        "The governor ordered an inspection of every building of that age in the old city by the end of the month.",
        "Two of those rescued were taken to hospital with serious injuries, a health ministry official said.",
        "Officials said the death toll could rise as more of the building is cleared in the coming days.",
    ])
    duplicates_rescan()
    assert open_pairs() == {(first.pk, second.pk)}
    assert "same photo" in DuplicateCandidate.objects.get().reason


@pytest.mark.parametrize("paragraphs", [(2, 5), (4, 18)])
def test_planted_copies_of_short_and_long_stories_are_found_and_follow_ups_are_not(tmp_path, paragraphs):
    out = io.StringIO()
    plan = write_dump(out, 300, seed=11, near_duplicates=60, follow_ups=15, paragraphs=paragraphs)
    run_import(dump(out.getvalue(), tmp_path))
    fingerprints = [content_fingerprint(a.title, a.paragraphs) for a in
                    dump_articles(300, seed=11, near_duplicates=60, follow_ups=15, paragraphs=paragraphs)]
    ids = dict(Article.objects.values_list("fingerprint", "id"))
    groups, apart = {}, set()
    for pair in plan:
        original, copy = ids[fingerprints[pair.original]], ids[fingerprints[pair.copy]]
        if pair.kind == FOLLOW_UP:
            apart.add((min(original, copy), max(original, copy)))
        else:
            groups.setdefault(original, {original}).add(copy)
    planted = {(a, b) for group in groups.values() for a in group for b in group if a < b}
    found = open_pairs()
    assert len(planted) >= 50 and len(apart) == 15
    assert len(planted & found) / len(planted) >= 0.99  # recall
    assert len(found - planted) / len(found) <= 0.01  # precision
    assert not found & apart
