"""Tests for articles.core.text (pure Python; runs without Django)."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from articles.core.text import (
    caption_key,
    clean_text,
    content_fingerprint,
    normalize_for_matching,
    split_credit,
)

# Text mixing the characters the normaliser has to care about.
_TRICKY = list("aZé ()-.,'\t") + [
    "\u00a0", "\u202f", "\u2007", "\u2003", "\u3000", "\u2028",  # spaces and separators
    "\ufeff", "\u200b", "\u2060", "\x00",  # removed
    "\u200c", "\u200d",  # kept by clean_text
    "\u0301", "\u0651", "\u064e", "\u0640",  # combining marks, tatweel
    "ب", "ة", "أ", "ﻻ", "ﬁ", "Ａ", "ß", "İ", "한", "\u1100", "\u1161",
]
tricky_text = st.text(st.sampled_from(_TRICKY) | st.characters(), max_size=40)


# ---------------------------------------------------------------- clean_text


def test_clean_text_removes_bom_zero_width_space_word_joiner_and_nul():
    assert clean_text("\ufeffGa\u200bza\u2060 city\x00") == "Gaza city"


def test_clean_text_turns_nbsp_and_other_unicode_spaces_and_tabs_into_one_space():
    assert clean_text("a\u00a0b\u202fc\u2007d\te \u3000 f") == "a b c d e f"


def test_clean_text_strips_and_collapses_whitespace():
    assert clean_text("  Remains of 30 People\u00a0\u00a0 ") == "Remains of 30 People"


def test_clean_text_keeps_zero_width_non_joiner_and_joiner():
    persian = "می\u200cخواهم"
    assert clean_text(persian) == persian
    assert clean_text("a\u200db") == "a\u200db"


def test_clean_text_applies_nfc():
    assert clean_text("Nu\u0308rnberg") == "Nürnberg"


def test_clean_text_composes_after_removing_zero_width_space():
    # Removal must happen before NFC, or the result would not be NFC.
    assert clean_text("e\u200b\u0301") == "é"


@given(tricky_text)
def test_clean_text_is_idempotent_nfc_and_has_no_stray_whitespace(s):
    cleaned = clean_text(s)
    assert clean_text(cleaned) == cleaned
    assert unicodedata.is_normalized("NFC", cleaned)
    assert cleaned == cleaned.strip()
    assert "  " not in cleaned
    assert not any(ch in cleaned for ch in "\ufeff\u200b\u2060\x00\u00a0\t\n\r")


# ------------------------------------------------------ normalize_for_matching


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Nëws", "news"),
        ("some-tag", "some tag"),
        ("I.S.I.S.", "isis"),
        ("ISIS", "isis"),
        ("Straße", "STRASSE"),
        ("Ａｌｅｐｐｏ", "aleppo"),  # full-width letters
        ("ﬁnal", "final"),  # ligature
        ("Iraq’s", "iraqs"),
        ("“Quoted”  text!", "quoted text"),
        ("Gaza/Israel", "gaza israel"),
        ("مُحَمَّد", "محمد"),  # harakat
        ("غـــزة", "غزة"),  # tatweel
        ("می\u200cخواهم", "میخواهم"),  # ZWNJ
        ("\ufeffNews\u00a0", "news"),
    ],
)
def test_normalize_for_matching_treats_variants_as_equal(a, b):
    assert normalize_for_matching(a) == normalize_for_matching(b)


def test_normalize_for_matching_keeps_different_words_different():
    assert normalize_for_matching("Iraq") != normalize_for_matching("Iran")
    assert normalize_for_matching("some tag") != normalize_for_matching("sometag")


def test_normalize_for_matching_output_is_lowercase_without_punctuation():
    assert normalize_for_matching("  Report: Pro-Iran FACTIONS (Update) ") == "report pro iran factions update"


@given(tricky_text)
def test_normalize_for_matching_is_idempotent(s):
    once = normalize_for_matching(s)
    assert normalize_for_matching(once) == once


# --------------------------------------------------------- content_fingerprint


def test_fingerprint_ignores_crlf_bom_whitespace_nbsp_and_case():
    a = content_fingerprint("Remains Found in Syria", ["The remains of 30 people.", "Second paragraph."])
    b = content_fingerprint(
        "\ufeffREMAINS  found in Syria\u00a0\r", [" The remains of 30 people.\r", "second\tparagraph. "]
    )
    assert a == b


def test_fingerprint_is_sha256_hex():
    fingerprint = content_fingerprint("Title", ["Body"])
    assert len(fingerprint) == 64
    assert int(fingerprint, 16) >= 0


def test_fingerprint_changes_with_content():
    base = content_fingerprint("Title", ["One.", "Two."])
    assert content_fingerprint("Title", ["One.", "Three."]) != base
    assert content_fingerprint("Other", ["One.", "Two."]) != base


def test_fingerprint_keeps_paragraph_boundaries_apart():
    assert content_fingerprint("T", ["a b"]) != content_fingerprint("T", ["a", "b"])
    assert content_fingerprint("T a", []) != content_fingerprint("T", ["a"])
    assert content_fingerprint("T", []) != content_fingerprint("T", [""])


# ---------------------------------------------------------------- split_credit


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Members seen at a rally in Baghdad. (AFP)", ("Members seen at a rally in Baghdad.", "AFP")),
        ("Protesters (file photo) gather in Gaza. (Reuters)", ("Protesters (file photo) gather in Gaza.", "Reuters")),
        ("Beirut port. (AP Photo/Hussein Malla)", ("Beirut port.", "AP Photo/Hussein Malla")),
        ("متظاهرون في غزة. (أ.ف.ب)", ("متظاهرون في غزة.", "أ.ف.ب")),
        (" Journalist James Foley in Boston. (AP)\u00a0", ("Journalist James Foley in Boston.", "AP")),
        ("A view (left) of Aleppo (Asharq Al-Awsat)", ("A view (left) of Aleppo", "Asharq Al-Awsat")),
        ("Minister (C) meets delegates (AP (pool))", ("Minister (C) meets delegates", "AP (pool)")),
        ("Caption( AFP )", ("Caption", "AFP")),
        ("(AFP)", ("", "AFP")),
    ],
)
def test_split_credit_takes_the_last_balanced_group_ending_the_line(line, expected):
    assert split_credit(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "No credit at all.",
        "The group (AFP) is not at the end.",
        "Unbalanced credit AFP)",
        "Empty group ()",
        "",
    ],
)
def test_split_credit_without_a_trailing_group_returns_the_cleaned_line(line):
    assert split_credit(line) == (clean_text(line), "")


caption_text = st.text(st.sampled_from(_TRICKY) | st.characters(blacklist_categories=["Cs"]), max_size=30)
credit_text = st.text(
    st.characters(blacklist_characters="()", blacklist_categories=["Cs"]), min_size=1, max_size=20
).filter(lambda s: clean_text(s))


@given(caption_text, credit_text)
def test_split_credit_recovers_any_caption_and_parenthesis_free_credit(caption, credit):
    assert split_credit(f"{caption} ({credit})") == (clean_text(caption), clean_text(credit))


# ----------------------------------------------------------------- caption_key


def test_caption_key_matches_equivalent_captions_and_separates_credits():
    key = caption_key("Protesters gather in Gaza.", "Reuters")
    assert caption_key("  protesters gather in gaza\u00a0", "REUTERS") == key
    assert caption_key("Protesters gather in Gaza.", "AFP") != key
    assert caption_key("Protesters gather in", "Gaza Reuters") != key


_FAST_PATH_ALPHABET = st.sampled_from(
    [chr(i) for i in range(32, 127)] + list("\u201c\u201d\u201e\u00ab\u00bb\u2018\u2019\u2013\u2014\u2026\u00a0\u202f\u2007\t\x00")
)


@given(st.text(alphabet=_FAST_PATH_ALPHABET, max_size=30))
def test_the_ascii_fast_path_normalises_exactly_like_the_full_path(s):
    from articles.core.text import _normalize_any

    assert normalize_for_matching(s) == _normalize_any(s)
