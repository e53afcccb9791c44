"""Two editors' body edits merged paragraph by paragraph (pure Python)."""

from articles.core.comparison import merged_paragraphs, paragraphs_merge

BASE = ["One.", "Two.", "Three.", "Four."]


def test_changes_to_different_paragraphs_are_both_kept():
    theirs = ["One.", "Two, fixed.", "Three.", "Four."]
    mine = ["One.", "Two.", "Three.", "Four, fixed.", "Five."]
    regions = paragraphs_merge(BASE, theirs, mine)
    assert not any(region.clash for region in regions)
    assert merged_paragraphs(regions) == ["One.", "Two, fixed.", "Three.", "Four, fixed.", "Five."]


def test_the_same_change_on_both_sides_is_kept_once():
    both = ["One.", "Two!", "Three.", "Four."]
    regions = paragraphs_merge(BASE, both, both)
    assert merged_paragraphs(regions) == both and not any(region.clash for region in regions)


def test_the_same_paragraph_changed_differently_is_a_clash_with_both_versions_and_what_it_was():
    theirs = ["One.", "Two (theirs).", "Three.", "Four."]
    mine = ["One, mine.", "Two (mine).", "Three.", "Four."]
    regions = paragraphs_merge(BASE, theirs, mine)
    clashes = [region for region in regions if region.clash]
    assert len(clashes) == 1
    assert clashes[0].base == ("Two.",) and clashes[0].theirs == ("Two (theirs).",)
    assert clashes[0].mine == ("Two (mine).",)
    assert merged_paragraphs(regions) == ["One, mine.", "Two (mine).", "Three.", "Four."]
    # Only the clash is settled by the choice: my change to the first paragraph stays.
    assert merged_paragraphs(regions, choices=["theirs"]) == ["One, mine.", "Two (theirs).", "Three.", "Four."]


def test_paragraphs_added_at_the_same_place_clash_and_elsewhere_merge():
    theirs = ["One.", "Theirs after one.", "Two.", "Three.", "Four."]
    same_place = ["One.", "Mine after one.", "Two.", "Three.", "Four."]
    elsewhere = ["One.", "Two.", "Three.", "Mine after three.", "Four."]
    assert any(region.clash for region in paragraphs_merge(BASE, theirs, same_place))
    merged = merged_paragraphs(paragraphs_merge(BASE, theirs, elsewhere))
    assert merged == ["One.", "Theirs after one.", "Two.", "Three.", "Mine after three.", "Four."]


def test_a_paragraph_removed_by_one_and_another_edited_by_the_other_merge():
    theirs = ["One.", "Three.", "Four."]
    mine = ["One.", "Two.", "Three.", "Four, edited."]
    assert merged_paragraphs(paragraphs_merge(BASE, theirs, mine)) == ["One.", "Three.", "Four, edited."]


def test_only_one_side_changed_gives_that_side():
    mine = ["Zero.", *BASE]
    assert merged_paragraphs(paragraphs_merge(BASE, BASE, mine)) == mine
    assert merged_paragraphs(paragraphs_merge(BASE, mine, BASE)) == mine


def test_neighbouring_paragraphs_rewritten_by_one_clash_only_where_the_other_changed_too():
    theirs = ["One (theirs).", "Two (theirs).", "Three.", "Four."]
    mine = ["One (mine).", "Two.", "Three.", "Four."]
    regions = paragraphs_merge(BASE, theirs, mine)
    clashes = [region for region in regions if region.clash]
    assert [clash.base for clash in clashes] == [("One.",)]
    assert merged_paragraphs(regions) == ["One (mine).", "Two (theirs).", "Three.", "Four."]
