"""Tests for articles.duplicates.minhash (pure Python, no Django needed).

Run: pytest -p no:django articles/tests/test_similarity.py
"""

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from articles.duplicates import minhash as sim

REPO_ROOT = Path(__file__).resolve().parents[3]

WORDS = (
    "council budget river harbour minister police school strike hospital election "
    "bridge farmers drought flood tax court union rail airport wages housing fire "
    "market report inquiry plan vote protest energy prices water station museum "
    "festival league coach season injury transfer contract village mayor survey "
    "border trade factory jobs pension nurses teachers storm road bus ferry"
).split()
GLUE = "the a of in on to and for with said after before while that was were has".split()

CAPTION = "Residents queue for water in Marlford on Sunday as the drought continues. (AFP)"
TOPIC = "The row over the drought in the southern provinces shows no sign of ending."


@pytest.fixture(autouse=True)
def _empty_cache():
    """Override the suite-wide cache fixture: these tests must run without Django."""


def make_article(rng: random.Random, n_paragraphs: int = 6) -> tuple[str, list[str]]:
    """A random article that, like real same-topic stories, shares a caption and a topic line."""

    def sentence() -> str:
        words = [rng.choice(WORDS if rng.random() < 0.6 else GLUE) for _ in range(rng.randint(8, 20))]
        return " ".join(words).capitalize() + "."

    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 12))).title()
    paragraphs = [CAPTION, TOPIC]
    paragraphs += [" ".join(sentence() for _ in range(rng.randint(1, 4))) for _ in range(n_paragraphs)]
    return title, paragraphs


def sig_of(title: str, paragraphs: list[str]) -> np.ndarray:
    return sim.signature(sim.shingles(title, paragraphs))


@pytest.fixture
def article():
    return make_article(random.Random(7))


def test_identical_text_has_similarity_one_and_same_band_keys(article):
    a, b = sig_of(*article), sig_of(*article)
    assert sim.estimate_similarity(a, b) == 1.0
    assert sim.band_keys(a) == sim.band_keys(b)
    assert len(sim.band_keys(a)) == sim.BANDS


def test_punctuation_case_diacritics_and_whitespace_do_not_change_shingles():
    plain = sim.shingles("Cafe owners protest new tax", ["The mayor said it's a well known plan."])
    noisy = sim.shingles(
        "  CAFÉ Owners — Protest   New Tax!",
        ["\u201cThe  mayor,\u201d said: it\u2019s a well-known\nplan…  "],
    )
    assert plain == noisy


def test_headline_word_change_stays_above_threshold_and_shares_a_band_key(article):
    title, paragraphs = article
    words = title.split()
    words[2] = "Replaced"
    a, b = sig_of(title, paragraphs), sig_of(" ".join(words), paragraphs)
    assert sim.estimate_similarity(a, b) > sim.THRESHOLD
    assert set(sim.band_keys(a)) & set(sim.band_keys(b))


def test_added_paragraph_stays_above_threshold_and_shares_a_band_key(article):
    title, paragraphs = article
    extra = "Officials added that a second meeting would take place in the capital next week."
    a, b = sig_of(title, paragraphs), sig_of(title, paragraphs[:3] + [extra] + paragraphs[3:])
    assert sim.estimate_similarity(a, b) > sim.THRESHOLD
    assert set(sim.band_keys(a)) & set(sim.band_keys(b))


def test_unrelated_articles_sharing_caption_and_topic_line_share_no_band_keys():
    rng = random.Random(11)
    keys = [set(sim.band_keys(sig_of(*make_article(rng, rng.randint(3, 10))))) for _ in range(60)]
    shared = [(i, j) for i in range(len(keys)) for j in range(i + 1, len(keys)) if keys[i] & keys[j]]
    assert shared == []  # 1,770 pairs


def test_band_keys_fit_bigint_and_are_salted_by_band_index():
    uniform = np.full(sim.NUM_PERM, 12345, dtype=np.uint32)  # every band has the same rows
    keys = sim.band_keys(uniform)
    assert len(set(keys)) == sim.BANDS
    assert all(0 <= key < 2**63 for key in keys)


_SUBPROCESS_CODE = """
import json, sys
from articles.duplicates import minhash as sim
title, paragraphs = json.loads(sys.stdin.read())
sig = sim.signature(sim.shingles(title, paragraphs))
print(json.dumps({"shingles": sorted(sim.shingles(title, paragraphs)),
                  "signature": sig.tolist(), "keys": sim.band_keys(sig)}))
"""


def test_shingles_signature_and_keys_are_stable_across_processes(article):
    env = {**os.environ, "PYTHONHASHSEED": "4242"}  # a different str hash than ours
    done = subprocess.run(
        [sys.executable, "-c", _SUBPROCESS_CODE],
        input=json.dumps(article), capture_output=True, text=True, cwd=REPO_ROOT, env=env, check=True,
    )
    other = json.loads(done.stdout)
    sig = sig_of(*article)
    assert other["shingles"] == sorted(sim.shingles(*article))
    assert other["signature"] == sig.tolist()
    assert other["keys"] == sim.band_keys(sig)


def test_signature_survives_bytes_round_trip(article):
    sig = sig_of(*article)
    data = sim.signature_to_bytes(sig)
    assert isinstance(data, bytes) and len(data) == sim.NUM_PERM * 4
    back = sim.signature_from_bytes(data)
    assert np.array_equal(back, sig)
    assert sim.band_keys(back) == sim.band_keys(sig)


def test_signature_from_bytes_rejects_wrong_length():
    with pytest.raises(ValueError):
        sim.signature_from_bytes(b"\x00" * 10)


def test_estimate_is_close_to_exact_jaccard():
    rng = random.Random(3)
    errors = []
    for _ in range(40):
        title, paragraphs = make_article(rng, 8)
        edited = paragraphs[: rng.randint(3, 9)] + [p[::-1] for p in paragraphs[9:]]
        a, b = sim.shingles(title, paragraphs), sim.shingles(title, edited)
        errors.append(abs(sim.estimate_similarity(sim.signature(a), sim.signature(b)) - sim.jaccard(a, b)))
    # standard error with 128 permutations is at most 0.5 / sqrt(128) ~ 0.044
    assert max(errors) < 0.15
    assert sum(errors) / len(errors) < 0.04


def test_exact_jaccard():
    assert sim.jaccard({1, 2, 3}, {2, 3, 4}) == 0.5
    assert sim.jaccard({1}, {1}) == 1.0
    assert sim.jaccard(set(), set()) == 0.0


def test_empty_text_has_no_band_keys_and_matches_nothing(article):
    empty = sig_of("", ["", "  ...  "])
    assert sim.shingles("", []) == set()
    assert sim.band_keys(empty) == []
    assert sim.estimate_similarity(empty, empty) == 0.0
    assert sim.estimate_similarity(empty, sig_of(*article)) == 0.0


def test_text_shorter_than_shingle_size_still_gets_a_signature():
    sig = sig_of("Storm", ["closes ports"])
    assert len(sim.shingles("Storm", ["closes ports"])) == 1
    assert sim.estimate_similarity(sig, sig_of("STORM:", ["Closes ports!"])) == 1.0


def test_band_key_buckets_pair_each_copy_once_and_leave_unrelated_articles_apart():
    # As the finder does with its band-key table: articles sharing a key are candidates.
    rng = random.Random(5)
    texts = dict(enumerate(make_article(rng) for _ in range(20)))
    title, paragraphs = texts[4]
    texts[100], texts[101] = (title + " Update", paragraphs), (title, paragraphs)
    owners = {}
    for article_id, text in texts.items():
        for key in sim.band_keys(sig_of(*text)):
            owners.setdefault(key, []).append(article_id)
    assert sorted(sim.pairs_in_buckets(owners.values())) == [(4, 100), (4, 101), (100, 101)]
