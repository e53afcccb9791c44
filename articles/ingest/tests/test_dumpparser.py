"""Tests for the dump parser and the synthetic dump generator (no Django needed)."""

import io
import random
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from devtools.dumpgen import (
    CREDITS,
    EXACT,
    NEAR_DUPLICATE_KINDS,
    UPDATE,
    Article,
    article_at,
    dump_articles,
    generate_article,
    near_duplicate,
    plan_duplicates,
    render_article,
    write_dump,
)
from articles.ingest.dumpparser import (
    BLANK,
    BODY,
    CAPTION,
    DROPPED,
    ERROR_NO_BODY,
    ERROR_NO_HEADLINE,
    ERROR_OUTSIDE_ARTICLE,
    REPEATED_CAPTION,
    REPEATED_HEADLINE,
    TITLE,
    UNREADABLE,
    WIDGET,
    ParsedImage,
    explain,
    parse_lines,
    parse_text,
)
from articles.core.text import clean_text
from articles.ingest.lines import Line, looks_binary, read_lines

REPO_ROOT = Path(__file__).resolve().parents[3]
SEED_DUMP = REPO_ROOT / "samples" / "seed-dump.txt"

SAMPLE_TITLE_1 = "Report: Iraqi Pro-Iran Factions Establish Operations Room with Hamas"
SAMPLE_TITLE_2 = "Remains of 30 People Believed Killed by ISIS Found in Syria in a Search by Qatar and FBI"


def dump(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def article(title, captions=(), paragraphs=("Body paragraph.",), widget="20"):
    """Lines of one article in the dump format."""
    doubled = [line for caption in captions for line in (caption, caption)]
    lines = [title, "", *doubled, "TT", widget, "", title, ""]
    if doubled:
        lines += [*doubled, ""]
    for index, paragraph in enumerate(paragraphs):
        lines += ([""] if index else []) + [paragraph]
    return lines


def parse_bytes(data: bytes, **kwargs):
    return list(parse_lines(read_lines(io.BytesIO(data), **kwargs)))


def summary(parsed):
    return [(a.title, a.images, a.paragraphs, a.error) for a in parsed]


# ----------------------------------------------------------- the real sample


@pytest.fixture(scope="module")
def sample():
    with SEED_DUMP.open("rb") as f:
        return list(parse_lines(read_lines(f)))


def test_sample_has_exactly_two_articles_with_their_titles(sample):
    assert [a.title for a in sample] == [SAMPLE_TITLE_1, SAMPLE_TITLE_2]
    assert all(a.error is None for a in sample)


def test_sample_titles_lose_the_trailing_nbsp(sample):
    assert "\u00a0" in SEED_DUMP.read_text(encoding="utf-8")
    assert not sample[1].title.endswith(("\u00a0", " "))


def test_sample_paragraph_counts_and_first_and_last_paragraphs(sample):
    first, second = sample
    assert len(first.paragraphs) == 13
    assert len(second.paragraphs) == 9
    assert first.paragraphs[0].startswith("Iranian proxies have established a “resistance operations room”")
    assert first.paragraphs[-1].endswith("supervised by Hezbollah.")
    assert second.paragraphs[0].startswith("The remains of 30 people believed to have been killed")
    assert second.paragraphs[-1].endswith("descended into a 13-year civil war.")


def test_sample_has_one_photo_each_with_caption_and_credit_split(sample):
    assert sample[0].images == [
        ParsedImage("Members of Iraq's Shiite al-Nujaba movement are seen at a rally in Baghdad.", "AFP")
    ]
    assert sample[1].images == [
        ParsedImage(
            "Journalist James Foley responds to questions during an interview with "
            "The Associated Press, in Boston, May 27, 2011.",
            "AP",
        )
    ]


def test_sample_line_ranges_exclude_the_blank_lines_between_articles(sample):
    assert (sample[0].first_line, sample[0].last_line) == (1, 37)
    assert (sample[1].first_line, sample[1].last_line) == (41, 69)


def test_sample_raw_text_is_the_article_lines_as_read(sample):
    lines = SEED_DUMP.read_text(encoding="utf-8").split("\n")
    assert sample[0].raw_text == "\n".join(lines[0:37])
    assert sample[1].raw_text == "\n".join(lines[40:69])


def test_sample_dropped_lines_have_reasons(sample):
    assert [(d.number, d.reason) for d in sample[0].dropped] == [
        (4, REPEATED_CAPTION),
        (5, WIDGET),
        (6, WIDGET),
        (8, REPEATED_HEADLINE),
        (10, REPEATED_CAPTION),
        (11, REPEATED_CAPTION),
    ]
    assert [(d.number, d.reason) for d in sample[1].dropped] == [
        (44, REPEATED_CAPTION),
        (45, WIDGET),
        (46, WIDGET),
        (48, REPEATED_HEADLINE),
        (50, REPEATED_CAPTION),
        (51, REPEATED_CAPTION),
    ]
    assert sample[0].dropped[1].text == "TT"


def test_explain_gives_every_line_of_the_sample_a_role(sample):
    explained = explain(sample[0])
    assert [e.number for e in explained] == list(range(1, 38))
    roles = {e.number: (e.role, e.reason) for e in explained}
    assert roles[1] == (TITLE, "")
    assert roles[2] == (BLANK, "")
    assert roles[3] == (CAPTION, "")
    assert roles[4] == (DROPPED, REPEATED_CAPTION)
    assert roles[5] == (DROPPED, WIDGET)
    assert roles[8] == (DROPPED, REPEATED_HEADLINE)
    assert roles[13] == (BODY, "")
    assert roles[37] == (BODY, "")
    assert sum(role == BODY for role, _ in roles.values()) == 13
    assert explained[0].text == SAMPLE_TITLE_1


def test_sample_parses_the_same_from_text_and_from_bytes(sample):
    assert summary(parse_text(SEED_DUMP.read_text(encoding="utf-8"))) == summary(sample)


# ------------------------------------------------------------------ variants


def test_article_without_photo_has_no_images():
    text = dump(*article("No Photo Here", paragraphs=["One.", "Two."]))
    [parsed] = parse_text(text)
    assert (parsed.title, parsed.images, parsed.paragraphs) == ("No Photo Here", [], ["One.", "Two."])
    assert parsed.error is None


def test_several_photos_are_kept_in_order():
    captions = ["First photo. (AFP)", "Second photo. (Reuters)", "Third photo. (AP)"]
    [parsed] = parse_text(dump(*article("Three Photos", captions)))
    assert parsed.images == [
        ParsedImage("First photo.", "AFP"),
        ParsedImage("Second photo.", "Reuters"),
        ParsedImage("Third photo.", "AP"),
    ]
    assert parsed.paragraphs == ["Body paragraph."]


def test_distinct_photos_sharing_a_caption_are_not_merged():
    captions = ["Gaza. (AFP)", "Other. (AP)", "Gaza. (AFP)", "Gaza. (AFP)"]
    [parsed] = parse_text(dump(*article("Shared Captions", captions)))
    assert [image.caption for image in parsed.images] == ["Gaza.", "Other.", "Gaza.", "Gaza."]


def test_caption_with_parentheses_keeps_them_and_takes_the_last_group_as_credit():
    [parsed] = parse_text(dump(*article("Parens", ["Protesters (file photo) gather in Gaza. (Reuters)"])))
    assert parsed.images == [ParsedImage("Protesters (file photo) gather in Gaza.", "Reuters")]


def test_photo_credits_of_all_kinds():
    captions = [f"Photo {i}. ({credit})" for i, credit in enumerate(CREDITS)]
    [parsed] = parse_text(dump(*article("Credits", captions)))
    assert [image.credit for image in parsed.images] == list(CREDITS)


def test_body_paragraph_ending_in_a_credit_stays_body():
    paragraphs = ["BEIRUT - Talks resumed on Monday. (Reuters)", "More details followed. (AFP)"]
    [parsed] = parse_text(dump(*article("Wire Story", ["A photo. (AFP)"], paragraphs)))
    assert parsed.paragraphs == paragraphs
    assert parsed.images == [ParsedImage("A photo.", "AFP")]


def test_arabic_article():
    lines = article(
        "الرئيس يبحث الوضع الأمني في بغداد",
        ["متظاهرون في ساحة التحرير ببغداد (أرشيفية). (أ.ف.ب)"],
        ["قال مسؤول إن المفاوضات تشهد تقدما.", "وأضاف أن الهدنة ستستمر."],
    )
    [parsed] = parse_text(dump(*lines))
    assert parsed.title == "الرئيس يبحث الوضع الأمني في بغداد"
    assert parsed.images == [ParsedImage("متظاهرون في ساحة التحرير ببغداد (أرشيفية).", "أ.ف.ب")]
    assert parsed.paragraphs == ["قال مسؤول إن المفاوضات تشهد تقدما.", "وأضاف أن الهدنة ستستمر."]


def test_nbsp_and_leading_spaces_are_cleaned_everywhere():
    lines = [
        "Title With NBSP\u00a0\u00a0",
        "",
        "\u00a0 Caption. (AFP)",
        "Caption. (AFP)\u00a0",
        "TT",
        "20",
        "",
        "Title With NBSP\u00a0",
        "",
        " Caption. (AFP)",
        "Caption. (AFP)",
        "",
        "\u00a0Paragraph\u00a0one.\u00a0",
    ]
    [parsed] = parse_text(dump(*lines))
    assert parsed.title == "Title With NBSP"
    assert parsed.images == [ParsedImage("Caption.", "AFP")]
    assert parsed.paragraphs == ["Paragraph one."]


def test_crlf_line_endings():
    text = dump(*article("A", ["Cap. (AFP)"], ["One.", "Two."]), "", "", *article("B")).replace("\n", "\r\n")
    expected = [
        ("A", [ParsedImage("Cap.", "AFP")], ["One.", "Two."], None),
        ("B", [], ["Body paragraph."], None),
    ]
    assert summary(parse_text(text)) == expected
    assert summary(parse_bytes(text.encode())) == expected
    assert "\r" not in parse_bytes(text.encode())[0].raw_text


def test_utf8_bom_is_ignored():
    text = "\ufeff" + dump(*article("Bom Title"))
    [from_text] = parse_text(text)
    [from_bytes] = parse_bytes(text.encode("utf-8"))
    assert from_text.title == from_bytes.title == "Bom Title"
    assert not from_bytes.raw_text.startswith("\ufeff")


def test_nul_bytes_are_removed_from_text_and_raw_text():
    text = dump(*article("Nul\x00 Title", ["Cap\x00tion. (AFP)"], ["Para\x00graph."]))
    [parsed] = parse_bytes(text.encode())
    assert (parsed.title, parsed.images, parsed.paragraphs) == (
        "Nul Title",
        [ParsedImage("Caption.", "AFP")],
        ["Paragraph."],
    )
    assert "\x00" not in parsed.raw_text


def test_nul_inside_the_widget_line_still_counts_as_widget():
    lines = article("Title")
    lines[lines.index("TT")] = "T\x00T"
    [parsed] = parse_text(dump(*lines))
    assert parsed.title == "Title"
    assert parsed.paragraphs == ["Body paragraph."]


@pytest.mark.parametrize("widget", ["8", "14", "20", "28", "100"])
def test_other_widget_numbers(widget):
    [parsed] = parse_text(dump(*article("Widget", ["Cap. (AFP)"], widget=widget)))
    assert parsed.title == "Widget"
    assert [d.text for d in parsed.dropped if d.reason == WIDGET] == ["TT", widget]


@pytest.mark.parametrize("blank_lines", [0, 1, 2, 3, 7])
def test_any_number_of_blank_lines_between_articles(blank_lines):
    text = dump(*article("A", ["Cap A. (AFP)"], ["A one.", "A two."]), *[""] * blank_lines, *article("B"))
    assert [(a.title, a.paragraphs) for a in parse_text(text)] == [
        ("A", ["A one.", "A two."]),
        ("B", ["Body paragraph."]),
    ]


def test_extra_blank_lines_inside_an_article():
    lines = [
        "Spacious", "", "", "Cap. (AFP)", "Cap. (AFP)", "", "TT", "", "20", "", "", "",
        "Spacious", "", "", "Cap. (AFP)", "", "Cap. (AFP)", "", "", "One.", "", "", "", "Two.", "", "",
    ]  # fmt: skip
    [parsed] = parse_text(dump(*lines))
    assert (parsed.title, parsed.images, parsed.paragraphs) == (
        "Spacious",
        [ParsedImage("Cap.", "AFP")],
        ["One.", "Two."],
    )
    assert parsed.last_line == 25


def test_headline_without_body_is_an_error_record_and_the_next_article_still_parses():
    lines = ["Lonely", "", "Cap. (AFP)", "Cap. (AFP)", "TT", "20", "", "Lonely", "", "Cap. (AFP)", "Cap. (AFP)"]
    parsed = parse_text(dump(*lines, "", "", *article("Next", paragraphs=["Fine."])))
    assert [(a.title, a.error) for a in parsed] == [("Lonely", ERROR_NO_BODY), ("Next", None)]
    assert parsed[0].paragraphs == []
    assert (parsed[0].first_line, parsed[0].last_line) == (1, 11)
    assert parsed[1].paragraphs == ["Fine."]


def test_headline_without_body_at_end_of_file_is_an_error_record():
    parsed = parse_text(dump(*article("First"), "", "Last", "", "TT", "20", "", "Last"))
    assert [(a.title, a.error) for a in parsed] == [("First", None), ("Last", ERROR_NO_BODY)]


@pytest.mark.parametrize("text", ["", "\n", "\n\n \u00a0\n", "\ufeff", "\r\n\r\n"])
def test_empty_or_blank_input_gives_no_records(text):
    assert parse_text(text) == []
    assert parse_bytes(text.encode()) == []


def test_file_of_only_widget_lines_gives_one_error_record():
    [parsed] = parse_text(dump("TT", "20", "", "TT", "20", "TT", "18"))
    assert parsed.error == ERROR_NO_HEADLINE
    assert parsed.title == ""
    assert (parsed.first_line, parsed.last_line) == (1, 7)
    assert [d.reason for d in parsed.dropped] == [WIDGET] * 6


def test_text_before_the_first_article_becomes_an_error_record():
    parsed = parse_text(dump("Scraped from example.com", "Page 1", "", "", *article("Real", ["Cap. (AFP)"])))
    assert [(a.title, a.error) for a in parsed] == [("", ERROR_OUTSIDE_ARTICLE), ("Real", None)]
    assert (parsed[0].first_line, parsed[0].last_line) == (1, 2)
    assert parsed[0].raw_text == "Scraped from example.com\nPage 1"
    assert parsed[1].first_line == 5


def test_text_without_any_widget_is_one_error_record():
    [parsed] = parse_text(dump("Just some text", "", "More text"))
    assert parsed.error == ERROR_OUTSIDE_ARTICLE


def test_long_text_without_widgets_is_emitted_in_bounded_error_records():
    lines = [f"Line {i}" for i in range(1, 20_001)]
    parsed = parse_text(dump(*lines, "", *article("Finally")))
    outside, last = parsed[:-1], parsed[-1]
    assert len(outside) > 1
    assert all(a.error == ERROR_OUTSIDE_ARTICLE for a in outside)
    assert all(a.last_line - a.first_line < 4096 for a in outside)
    assert [a.first_line for a in outside[1:]] == [a.last_line + 1 for a in outside[:-1]]
    assert (outside[0].first_line, outside[-1].last_line) == (1, 20_000)
    assert (last.title, last.first_line, last.error) == ("Finally", 20_002, None)


def test_missing_headline_repeat_falls_back_to_the_line_before_the_captions():
    lines = ["Headline", "", "Cap. (AFP)", "Cap. (AFP)", "TT", "20", "", "Cap. (AFP)", "Cap. (AFP)", "", "Body."]
    parsed = parse_text(dump(*article("Before", paragraphs=["Earlier body."]), "", *lines))
    assert [(a.title, a.images, a.paragraphs, a.error) for a in parsed] == [
        ("Before", [], ["Earlier body."], None),
        ("Headline", [ParsedImage("Cap.", "AFP")], ["Body."], None),
    ]
    assert [d.reason for d in parsed[1].dropped].count(REPEATED_HEADLINE) == 0


def test_missing_headline_repeat_without_photos():
    parsed = parse_text(dump("Previous body.", "", "Headline", "", "TT", "20", "", "First para.", "", "Second para."))
    assert [(a.title, a.paragraphs) for a in parsed] == [
        ("", ["Previous body."]),
        ("Headline", ["First para.", "Second para."]),
    ]


def test_caption_identical_to_the_headline_is_still_a_photo():
    lines = ["Same text", "", "Same text", "Same text", "TT", "20", "", "Same text", "", "Same text", "Same text", "", "Body."]
    [parsed] = parse_text(dump(*lines))
    assert parsed.title == "Same text"
    assert parsed.images == [ParsedImage("Same text", "")]
    assert parsed.paragraphs == ["Body."]


def test_previous_body_paragraph_equal_to_the_next_headline_stays_with_the_previous_article():
    first = article("A", paragraphs=["One.", "B"])
    parsed = parse_text(dump(*first, "", *article("B", ["Cap. (AFP)"])))
    assert [(a.title, a.paragraphs) for a in parsed] == [("A", ["One.", "B"]), ("B", ["Body paragraph."])]


def test_repeated_widget_right_after_the_header_is_dropped():
    [parsed] = parse_text(dump("Title", "", "TT", "20", "", "Title", "", "TT", "20", "", "Body."))
    assert (parsed.title, parsed.paragraphs, parsed.error) == ("Title", ["Body."], None)
    assert [d.reason for d in parsed.dropped] == [WIDGET, WIDGET, REPEATED_HEADLINE, WIDGET, WIDGET]


def test_tt_line_not_followed_by_a_number_is_ordinary_text():
    [parsed] = parse_text(dump(*article("Title", paragraphs=["One.", "TT", "Two."])))
    assert parsed.paragraphs == ["One.", "TT", "Two."]


def test_parse_lines_accepts_numbered_pairs_and_line_objects():
    lines = article("Numbered")
    pairs = [(number + 100, text) for number, text in enumerate(lines)]
    [from_pairs] = parse_lines(pairs)
    assert (from_pairs.first_line, from_pairs.last_line) == (100, 100 + len(lines) - 1)
    [from_objects] = parse_lines(Line(number, text) for number, text in enumerate(lines, 1))
    assert from_objects.title == from_pairs.title == "Numbered"


def test_parse_lines_strips_line_terminators_from_strings():
    [parsed] = parse_lines(line + "\r\n" for line in article("Terminated"))
    assert parsed.title == "Terminated"
    assert "\r" not in parsed.raw_text


def test_parse_lines_yields_each_article_before_reading_the_rest():
    lines = dump(*article("A"), "", *article("B"), "", *article("C")).split("\n")
    consumed = []

    def source():
        for line in lines:
            consumed.append(line)
            yield line

    articles = parse_lines(source())
    assert next(articles).title == "A"
    # "A" is complete once "B"'s headline repeat has been read, not later.
    assert len(consumed) == len(article("A")) + 1 + lines[len(article("A")) + 1 :].index("B", 1) + 1
    assert [a.title for a in articles] == ["B", "C"]


def test_parser_memory_is_bounded_by_one_article(tmp_path):
    path = tmp_path / "dump.txt"
    with path.open("wb") as f:
        write_dump(f, 1500, seed=11)
    tracemalloc.start()
    try:
        with path.open("rb") as f:
            count = sum(1 for _ in parse_lines(read_lines(f)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 1500
    assert path.stat().st_size > 4_000_000
    assert peak < 1_000_000


# ---------------------------------------------------------------- read_lines


def test_read_lines_splits_on_newline_strips_cr_and_keeps_a_last_line_without_newline():
    lines = list(read_lines(io.BytesIO(b"one\r\ntwo\n\nthree")))
    assert lines == [Line(1, "one"), Line(2, "two"), Line(3, ""), Line(4, "three")]


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 5, 7, 64])
def test_read_lines_is_independent_of_chunk_boundaries(chunk_size):
    data = "\ufeffالعنوان\r\nNBSP\u00a0line\n\nlast é".encode()
    lines = list(read_lines(io.BytesIO(data), chunk_size=chunk_size))
    assert lines == [Line(1, "العنوان"), Line(2, "NBSP\u00a0line"), Line(3, ""), Line(4, "last é")]


def test_undecodable_line_reports_its_byte_offset_and_suggests_encoding():
    data = b"fine\nbad \xff\xfe here\nfine again\n"
    lines = list(read_lines(io.BytesIO(data)))
    assert lines[0] == Line(1, "fine")
    assert lines[1].error is not None
    assert "byte offset 9" in lines[1].error
    assert "--encoding" in lines[1].error
    assert lines[2] == Line(3, "fine again")


def test_undecodable_byte_offset_counts_the_bom():
    lines = list(read_lines(io.BytesIO(b"\xef\xbb\xbfab\xff\n")))
    assert "byte offset 5" in lines[0].error


def test_article_with_undecodable_line_gets_the_error_and_the_next_article_parses():
    good = dump(*article("Good", paragraphs=["Fine."])).encode()
    bad = dump(*article("Bad", paragraphs=["X", "Y"])).encode().replace(b"Y", b"Y \xc3\x28")
    offset = len(good) + 2 + bad.index(b"\xc3")
    parsed = parse_bytes(good + b"\n\n" + bad + b"\n\n" + good)
    assert [a.title for a in parsed] == ["Good", "Bad", "Good"]
    assert [a.error is None for a in parsed] == [True, False, True]
    assert f"byte offset {offset}" in parsed[1].error
    assert UNREADABLE in parsed[1].roles


def test_other_encodings_can_be_read():
    text = dump(*article("Café Crème", paragraphs=["Déjà vu."]))
    [parsed] = parse_bytes(text.encode("latin-1"), encoding="latin-1")
    assert (parsed.title, parsed.paragraphs) == ("Café Crème", ["Déjà vu."])


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_wide_encodings_use_the_incremental_decoder(encoding):
    text = dump(*article("عنوان\u2028Wide", ["صورة. (أ.ف.ب)"], ["Line one.", "Line two."])).replace("\n", "\r\n")
    [parsed] = parse_bytes(text.encode(encoding), encoding=encoding, chunk_size=5)
    assert parsed.title == "عنوان Wide"
    assert parsed.images == [ParsedImage("صورة.", "أ.ف.ب")]
    assert parsed.paragraphs == ["Line one.", "Line two."]


@pytest.mark.parametrize("chunk_size", [3, 65536])
def test_undecodable_bytes_in_a_wide_encoding_report_the_offset_and_reading_continues(chunk_size):
    data = "ok line\nbad ".encode("utf-16-le") + b"\x00\xd8" + "x\nmore\n".encode("utf-16-le")
    lines = list(read_lines(io.BytesIO(data), encoding="utf-16-le", chunk_size=chunk_size))
    assert [(line.number, line.error is None) for line in lines] == [(1, True), (2, False), (3, True)]
    assert "byte offset 24" in lines[1].error
    assert lines[2] == Line(3, "more")


def test_long_line_in_a_wide_encoding_is_skipped():
    data = ("x" * 10 + "\r\n" + "y" * 11 + "\r\nz").encode("utf-32")
    lines = list(read_lines(io.BytesIO(data), encoding="utf-32", max_line_bytes=40, chunk_size=5))
    assert lines == [Line(1, "x" * 10), _too_long_line(2, "40 bytes"), Line(3, "z")]


def _too_long_line(number, limit):
    return Line(number, "", f"line {number} is longer than {limit}; skipped")


def test_unknown_encoding_raises_lookup_error():
    with pytest.raises(LookupError):
        list(read_lines(io.BytesIO(b"x"), encoding="no-such-encoding"))


class _HugeLineStream:
    """A binary stream whose first line has ``size`` bytes, made on demand."""

    def __init__(self, size: int, tail: bytes = b"\nafter\n") -> None:
        self.left = size
        self.tail = tail

    def read(self, n: int) -> bytes:
        if self.left:
            take = min(n, self.left)
            self.left -= take
            return b"x" * take
        tail, self.tail = self.tail, b""
        return tail


def test_long_line_is_skipped_with_an_error_and_reading_continues():
    lines = list(read_lines(_HugeLineStream(10_000), max_line_bytes=1000, chunk_size=256))
    assert lines[0].number == 1
    assert lines[0].error == "line 1 is longer than 1000 bytes; skipped"
    assert lines[1] == Line(2, "after")


def test_line_of_exactly_the_limit_is_accepted_even_with_crlf():
    lines = list(read_lines(io.BytesIO(b"x" * 100 + b"\r\n" + b"y" * 101 + b"\n"), max_line_bytes=100, chunk_size=7))
    assert lines[0] == Line(1, "x" * 100)
    assert lines[1].error is not None


def test_fifty_megabyte_line_is_never_held_in_memory():
    tracemalloc.start()
    try:
        lines = list(read_lines(_HugeLineStream(50 * 1024 * 1024)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert lines[0].error == "line 1 is longer than 1 MiB; skipped"
    assert lines[1] == Line(2, "after")
    assert peak < 4 * 1024 * 1024


def test_fifty_megabyte_line_in_a_real_file_makes_only_its_article_fail(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.write(dump(*article("Huge", paragraphs=["Before."])).encode())
        block = b"y" * (1024 * 1024)
        for _ in range(50):
            f.write(block)
        f.write(b"\n\n\n" + dump(*article("Next")).encode())
    tracemalloc.start()
    try:
        with path.open("rb") as f:
            parsed = list(parse_lines(read_lines(f)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [(a.title, a.error) for a in parsed] == [
        ("Huge", "line 9 is longer than 1 MiB; skipped"),
        ("Next", None),
    ]
    assert peak < 4 * 1024 * 1024


# -------------------------------------------------------------- looks_binary


@pytest.mark.parametrize(
    "head",
    [
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 20,
        b"PK\x03\x04" + b"word/document.xml",
        b"\x1f\x8b\x08\x00",
        b"%PDF-1.7\n",
        b"\x7fELF\x02\x01\x01",
        random.Random(1).randbytes(8192),  # like compressed or encrypted data
        b"\x00" * 100,
        "UTF-16 without a BOM".encode("utf-16-le"),
    ],
)
def test_binary_files_are_detected(head):
    assert looks_binary(head)


@pytest.mark.parametrize(
    "head",
    [
        b"",
        SEED_DUMP.read_bytes(),
        b"\xef\xbb\xbf" + SEED_DUMP.read_bytes(),
        SEED_DUMP.read_bytes().replace(b"Hamas", b"Ham\x00as"),  # stray NULs, as in real dumps
        SEED_DUMP.read_text(encoding="utf-8").encode("utf-16"),  # BOM says it is text
        "عنوان الخبر\n".encode() * 100,
        "Caf\xe9 cr\xe8me\n".encode("latin-1") * 50,
    ],
)
def test_text_files_are_not_binary(head):
    assert not looks_binary(head)


# ------------------------------------------------ property: render and parse

# Characters for generated text: ASCII, parentheses, Arabic, accents, and the
# invisible/space characters real dumps contain.  No "\n" or "\r": a text
# field is one line of the dump by definition.  (U+2028 is included to show
# that it does not split lines.)
_FIELD_CHARS = st.sampled_from(
    list("abcdefghij ABCXYZ 0123456789 .,;:'!?-/\"“”()[]")
    + list("العربيةمنفيأخبارغزةبيروت")
    + ["é", "ü", "\u0301", "\u064e", "\u00a0", "\u202f", "\u200c", "\u200b", "\ufeff", "\x00", "\t", "\u2028"]
)
raw_field = st.text(_FIELD_CHARS, min_size=1, max_size=30).filter(lambda s: clean_text(s))
raw_caption = st.text(_FIELD_CHARS, max_size=30)
# Credits never contain parentheses: the credit is the last balanced group,
# so an unbalanced ")" in a credit would be ambiguous.
raw_credit = st.text(_FIELD_CHARS.filter(lambda ch: ch not in "()"), min_size=1, max_size=12).filter(
    lambda s: clean_text(s)
)


@st.composite
def raw_articles(draw):
    images = tuple(ParsedImage(draw(raw_caption), draw(raw_credit)) for _ in range(draw(st.integers(0, 3))))
    paragraphs = tuple(draw(st.lists(raw_field, min_size=1, max_size=5)))
    return Article(draw(raw_field), images, paragraphs, "en")


def _expected(articles):
    return [
        (
            clean_text(a.title),
            [ParsedImage(clean_text(i.caption), clean_text(i.credit)) for i in a.images],
            [clean_text(p) for p in a.paragraphs],
            None,
        )
        for a in articles
    ]


def _assume_unambiguous(articles):
    """Reject inputs that no parser could read back unambiguously.

    * No text may be exactly "TT": with a number after it, it is the widget.
    * A paragraph must not equal any headline or caption line: a caption
      line right after the header is dropped as a repeated caption, and a
      last paragraph equal to the next headline would look like a
      duplicated line before that headline.
    """
    headlines = {clean_text(a.title) for a in articles}
    caption_lines = {clean_text(f"{i.caption} ({i.credit})") for a in articles for i in a.images}
    for a in articles:
        fields = [a.title, *a.paragraphs, *(f"{i.caption} ({i.credit})" for i in a.images)]
        assume(all(clean_text(field) != "TT" for field in fields))
        assume(not any(clean_text(p) in headlines | caption_lines for p in a.paragraphs))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    articles=st.lists(raw_articles(), min_size=1, max_size=4),
    noise_seed=st.integers(0, 2**32),
    separators=st.lists(st.integers(0, 4), min_size=4, max_size=4),
    crlf=st.booleans(),
    bom=st.booleans(),
)
def test_rendered_articles_parse_back_exactly(articles, noise_seed, separators, crlf, bom):
    _assume_unambiguous(articles)
    rng = random.Random(noise_seed)
    parts = [render_article(a, rng=rng, noise=True) for a in articles]
    text = parts[0] + "".join("\n" * blanks + part for blanks, part in zip(separators, parts[1:]))
    if crlf:
        text = text.replace("\n", "\r\n")
    if bom:
        text = "\ufeff" + text
    expected = _expected(articles)
    assert summary(parse_text(text)) == expected
    assert summary(parse_bytes(text.encode(), chunk_size=97)) == expected


@settings(max_examples=100, deadline=None)
@given(articles=st.lists(raw_articles(), min_size=1, max_size=3))
def test_every_line_of_a_rendered_article_is_explained(articles):
    _assume_unambiguous(articles)
    parsed = parse_text("\n".join(render_article(a) for a in articles))
    for a in parsed:
        explained = explain(a)
        assert len(explained) == a.last_line - a.first_line + 1
        assert [e.role for e in explained].count(TITLE) == 1
        assert [e.role for e in explained].count(BODY) == len(a.paragraphs)
        assert [e.role for e in explained].count(CAPTION) == len(a.images)


# ------------------------------------------------------------------- dumpgen


def _dump_text(n, **kwargs):
    out = io.StringIO()
    pairs = write_dump(out, n, **kwargs)
    return out.getvalue(), pairs


def test_dumpgen_is_deterministic_for_a_seed():
    assert _dump_text(60, seed=5, near_duplicates=5, noise=True) == _dump_text(60, seed=5, near_duplicates=5, noise=True)
    assert _dump_text(60, seed=5)[0] != _dump_text(60, seed=6)[0]
    assert generate_article(random.Random(3)) == generate_article(random.Random(3))


def test_dumpgen_articles_have_the_promised_shape():
    articles = [article_at(2, i) for i in range(400)]
    assert all(5 <= len(a.title.split()) <= 14 for a in articles)
    assert all(3 <= len(a.paragraphs) <= 15 for a in articles)
    assert all(len(a.images) <= 3 for a in articles)
    assert {i.credit for a in articles for i in a.images} == set(CREDITS)
    assert any(a.language == "ar" for a in articles)
    assert any("(" in i.caption for a in articles for i in a.images)  # "(file photo)", "(C)"
    assert any(p.endswith("(Reuters)") for a in articles for p in a.paragraphs)
    assert all(clean_text(text) == text for a in articles for text in (a.title, *a.paragraphs))


def _shingles(a):
    words = " ".join([a.title, *a.paragraphs]).split()
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def _jaccard(a, b):
    x, y = _shingles(a), _shingles(b)
    return len(x & y) / len(x | y)


def test_distinct_generated_articles_are_not_near_duplicates():
    articles = [article_at(4, i) for i in range(150)]
    worst = max(_jaccard(a, b) for i, a in enumerate(articles) for b in articles[i + 1 :])
    assert worst < 0.15


def test_near_duplicates_stay_clearly_similar_and_differ():
    rng = random.Random(8)
    for index in range(200):
        original = article_at(9, index)
        for kind in NEAR_DUPLICATE_KINDS:
            copy = near_duplicate(original, kind, rng)
            assert copy != original
            # An update rewrites a paragraph and adds one: in a short story
            # that is most of the text, which is why the finder also reads headlines.
            assert _jaccard(original, copy) > (0.25 if kind == UPDATE else 0.45)
            shared = set(original.paragraphs) & set(copy.paragraphs)
            assert len(shared) >= len(original.paragraphs) // 2


def test_write_dump_returns_ground_truth_pairs_of_planted_copies():
    out = io.StringIO()
    pairs = write_dump(out, 300, seed=1, exact_duplicates=10, near_duplicates=25)
    assert len(parse_text(out.getvalue())) == 335
    assert len(pairs) == 35
    assert sum(p.kind == EXACT for p in pairs) == 10
    assert {p.kind for p in pairs} - {EXACT} <= set(NEAR_DUPLICATE_KINDS)
    assert len({p.kind for p in pairs}) >= 4  # the kinds vary
    copies = {p.copy for p in pairs}
    assert len(copies) == 35
    assert all(p.original < p.copy and p.original not in copies for p in pairs)
    articles = list(dump_articles(300, seed=1, exact_duplicates=10, near_duplicates=25))
    assert len(articles) == 335
    for pair in pairs:
        original, copy = articles[pair.original], articles[pair.copy]
        assert (original == copy) == (pair.kind == EXACT)
        assert _jaccard(original, copy) > 0.5


def test_plan_needs_an_original_to_copy():
    with pytest.raises(ValueError):
        plan_duplicates(0, exact_duplicates=1)
    assert [p.original for p in plan_duplicates(1, exact_duplicates=3)] == [0, 0, 0]


@pytest.mark.parametrize("noise", [False, True])
@pytest.mark.parametrize("crlf", [False, True])
def test_generated_dump_parses_back_to_the_same_articles(noise, crlf):
    out = io.BytesIO()
    write_dump(out, 400, seed=7, exact_duplicates=10, near_duplicates=20, crlf=crlf, noise=noise)
    data = out.getvalue()
    assert (b"\r\n" in data) == crlf
    parsed = parse_bytes(data)
    expected = list(dump_articles(400, seed=7, exact_duplicates=10, near_duplicates=20))
    assert summary(parsed) == [(a.title, list(a.images), list(a.paragraphs), None) for a in expected]


def test_render_article_matches_the_dump_layout():
    a = Article("Head Line Words Are Here", (ParsedImage("Cap.", "AFP"),), ("P1.", "P2."), "en")
    assert render_article(a, widget_number=16) == dump(
        "Head Line Words Are Here", "", "Cap. (AFP)", "Cap. (AFP)", "TT", "16", "",
        "Head Line Words Are Here", "", "Cap. (AFP)", "Cap. (AFP)", "", "P1.", "", "P2.",
    )  # fmt: skip
    no_photo = Article("Head Line Words Are Here", (), ("P1.",), "en")
    assert render_article(no_photo) == dump(
        "Head Line Words Are Here", "", "TT", "20", "", "Head Line Words Are Here", "", "P1."
    )


class _NullText(io.TextIOBase):
    """A text stream that forgets what is written."""

    def write(self, s):
        return len(s)


def _write_dump_peak_memory(n):
    tracemalloc.start()
    try:
        write_dump(_NullText(), n, seed=1)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_write_dump_memory_does_not_grow_with_the_number_of_articles():
    assert _write_dump_peak_memory(3000) < 2 * _write_dump_peak_memory(300) + 100_000
