"""A brief updated three times: every update reaches the duplicate desk in the story of its original.

Each update changes one headline word, keeps the same two photos, rewrites
the brief's longer paragraph and adds one. The desk's story is the articles
joined by open pairs, so each update must be paired with the original or
with another update, whichever order and import batches they come in.
"""

import io
from itertools import permutations

import pytest

from articles.core.text import content_fingerprint
from articles.duplicates.finder import article_check, duplicates_rescan
from articles.duplicates.selectors import duplicate_stories
from articles.models import Article, DuplicateCandidate
from devtools.dumpgen import STORY_UPDATE, dump_articles, write_dump
from devtools.dumps import article_text, dump, run_import
from devtools.factories import make_article, make_image

pytestmark = pytest.mark.django_db

PHOTOS = [
    "Rescuers help a driver out of a stranded car on the coastal road near Zawiya. (AFP)",
    "The collapsed bridge south of Tripoli seen from the air on Sunday. (Reuters)",
]
KEPT = "Police closed the road on Sunday after a bridge near Zawiya gave way."
ORIGINAL = (
    "Flash floods cut the coastal road south of Tripoli overnight",
    [KEPT,
     "Civil defence crews spent the night pulling stranded drivers from their cars, and the municipality said it "
     "had opened two schools as shelters for families whose homes were flooded along the wadi. Officials put the "
     "number of people moved out of low-lying neighbourhoods at more than four hundred, and warned that the damage "
     "to farms along the valley would not be known for several days."],
)
UPDATES = [
    ("Flash floods cut the coastal road north of Tripoli overnight",
     ["Engineers said a temporary crossing could be in place within a week if the weather allowed the work to "
      "start, though contractors warned that the river bed was still shifting after the storm.",
      KEPT,
      "Traffic to the south is being diverted inland through Gharyan, adding several hours to the journey."]),
    ("Flash floods close the coastal road south of Tripoli overnight",
     [KEPT,
      "The transport ministry said the bridge had been due for repairs since the storms of last winter and that "
      "money set aside for the work had been held up by a dispute between two councils.",
      "Schools in the area will stay closed on Monday while the damage to other roads is assessed."]),
    ("Flash floods cut the coastal highway south of Tripoli overnight",
     ["Residents said the water rose faster than anyone could remember and that warnings sent by text message "
      "reached most of them only after the road was already under water.",
      KEPT,
      "The meteorological office expects more rain along the coast until the middle of the week."]),
]
STORY = [ORIGINAL, *UPDATES]
# Original first, original last, and every order between.
ORDERS = list(permutations(range(len(STORY))))


def text_of(index):
    title, paragraphs = STORY[index]
    return article_text(title, paragraphs, PHOTOS)


def stories_on_the_desk():
    """Each story on the desk as the set of its articles' headlines."""
    return [{member.title for member in story.members} for story in duplicate_stories()]


def the_whole_story():
    return [{title for title, _ in STORY}]


@pytest.mark.parametrize("order", ORDERS, ids=lambda order: "-".join(map(str, order)))
def test_every_update_joins_the_story_when_all_arrive_in_one_batch(tmp_path, order):
    run_import(dump("".join(text_of(i) for i in order), tmp_path))
    assert Article.objects.count() == len(STORY)
    assert stories_on_the_desk() == the_whole_story()


@pytest.mark.parametrize("order", ORDERS, ids=lambda order: "-".join(map(str, order)))
def test_every_update_joins_the_story_when_each_arrives_in_a_later_batch(tmp_path, order):
    for position, index in enumerate(order):
        run_import(dump(text_of(index), tmp_path, f"batch-{position}.txt"))
    assert Article.objects.count() == len(STORY)
    assert stories_on_the_desk() == the_whole_story()


@pytest.mark.parametrize("order", [(0, 1, 2, 3), (3, 2, 1, 0), (1, 0, 3, 2)], ids=lambda order: "-".join(map(str, order)))
def test_every_update_joins_the_story_when_editors_paste_them_in_one_by_one(order):
    photos = [make_image(caption=caption) for caption in PHOTOS]
    articles = {index: make_article(title=STORY[index][0], paragraphs=STORY[index][1], images=photos)
                for index in order}
    for index in order:
        article_check(article=articles[index])
    assert stories_on_the_desk() == the_whole_story()


def test_a_rescan_finds_the_whole_story():
    photos = [make_image(caption=caption) for caption in PHOTOS]
    for title, paragraphs in STORY:
        make_article(title=title, paragraphs=paragraphs, images=photos)
    duplicates_rescan()
    assert stories_on_the_desk() == the_whole_story()
    assert all("the same 2 photos" in pair.reason for pair in DuplicateCandidate.objects.all())


def test_a_close_headline_and_the_same_photos_without_a_paragraph_in_common_stay_apart():
    photos = [make_image(caption=caption) for caption in PHOTOS]
    make_article(title=ORIGINAL[0], paragraphs=ORIGINAL[1], images=photos)
    # The next day's story, under a running headline, illustrated with the same pictures.
    make_article(title="Flash floods cut the coastal road west of Tripoli overnight", images=photos, paragraphs=[
        "A second stretch of the road, between Zuwara and the border crossing, was closed on Monday night.",
        "Drivers heading for Tunisia were told to wait in Sabratha until the water had gone down.",
    ])
    duplicates_rescan()
    assert DuplicateCandidate.objects.count() == 0



def test_generated_stories_reach_the_desk_whole_across_import_batches(tmp_path):
    options = dict(seed=4, stories=40, paragraphs=(2, 3))
    out = io.StringIO()
    plan = write_dump(out, 60, **options)
    # Dumps of 50 articles: most stories are split between two of them.
    articles = out.getvalue().split("\n\n\n\n")
    for start in range(0, len(articles), 50):
        run_import(dump("\n\n\n\n".join(articles[start:start + 50]), tmp_path, f"part-{start}.txt"))
    fingerprints = [content_fingerprint(a.title, a.paragraphs) for a in dump_articles(60, **options)]
    ids = dict(Article.objects.values_list("fingerprint", "id"))
    planted = {}
    for pair in plan:
        assert pair.kind == STORY_UPDATE
        planted.setdefault(pair.original, {ids[fingerprints[pair.original]]}).add(ids[fingerprints[pair.copy]])
    stories = [{member.pk for member in story.members} for story in duplicate_stories()]
    assert len(planted) == 40
    assert all(any(group <= story for story in stories) for group in planted.values())
    assert len(stories) == 40
