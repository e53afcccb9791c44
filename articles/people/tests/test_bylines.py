"""Who a byline names: the parser's table."""

import pytest

from articles.people.bylines import display_name, match_key, parse_byline

BYLINES = [
    ("Jane Doe", ["Jane Doe"]),
    ("By Jane Doe", ["Jane Doe"]),
    ("by: Jane Doe", ["Jane Doe"]),
    ("Written by Jane Doe", ["Jane Doe"]),
    ("By Jane Doe and John Smith", ["Jane Doe", "John Smith"]),
    ("Jane Doe & John Smith", ["Jane Doe", "John Smith"]),
    ("Jane Doe, John Smith and Ann Lee", ["Jane Doe", "John Smith", "Ann Lee"]),
    ("Jane Doe, Reuters", ["Jane Doe"]),
    ("By JANE DOE, AFP", ["JANE DOE"]),
    ("Jane Doe, NYT", ["Jane Doe"]),
    ("Jane Doe/AFP", ["Jane Doe"]),
    ("Jane Doe (Reuters)", ["Jane Doe"]),
    ("Jane Doe, Staff Reporter", ["Jane Doe"]),
    ("Jane Doe in Baghdad", ["Jane Doe"]),
    ("By Jane Doe and John Smith in Cairo", ["Jane Doe", "John Smith"]),
    ("Jane Doe reporting from Gaza", ["Jane Doe"]),
    ("Jane Doe and jane doe", ["Jane Doe"]),
    ("Byron Smith", ["Byron Smith"]),
    ("بقلم سارة علي", ["سارة علي"]),
    ("كتب: محمد أحمد", ["محمد أحمد"]),
    ("بقلم سارة علي و أحمد حسن", ["سارة علي", "أحمد حسن"]),
    ("سارة علي، رويترز", ["سارة علي"]),
    ("Staff", []),
    ("AFP", []),
    ("Reuters staff", []),
    ("وكالات", []),
    ("", []),
    ("  ,  ", []),
    ("This is a whole sentence that someone typed into the byline field", []),
]


@pytest.mark.parametrize(("byline", "names"), BYLINES)
def test_a_byline_names_its_people_in_order_without_agencies_places_or_roles(byline, names):
    assert parse_byline(byline) == names


@pytest.mark.parametrize("spelling", ["Jane Doe", "JANE DOE", "jane  doe", "Jané Doe", "Jane-Doe"])
def test_spellings_of_one_name_share_a_match_key_whatever_the_case_and_accents(spelling):
    assert match_key(spelling) == match_key("Jane Doe")


def test_arabic_names_match_without_harakat_or_hamza_forms():
    assert match_key("أحمد حسن") == match_key("احمد حسن") == match_key("أَحْمَد حسن")


def test_a_name_in_capitals_only_is_shown_as_a_name():
    assert display_name("JANE DOE") == "Jane Doe"
    assert display_name("Jane McDoe") == "Jane McDoe"
    assert display_name("سارة علي") == "سارة علي"
