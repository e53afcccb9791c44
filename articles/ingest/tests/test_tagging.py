"""Finding a newsroom's tags in an article's text (pure, no database)."""

from articles.ingest.tagging import Vocabulary


def test_a_tag_matches_as_a_whole_word_ignoring_case():
    vocabulary = Vocabulary([("Gaza", 1), ("ISIS", 2)])
    assert vocabulary.match("Fighting in GAZA continued.", "isis militants") == {1, 2}
    assert vocabulary.match("Gazan officials said") == set()


def test_a_multi_word_tag_matches_its_words_in_sequence_whatever_the_punctuation():
    vocabulary = Vocabulary([("Bashar al-Assad", 7), ("White House", 8)])
    assert vocabulary.match("Bashar al Assad's government") == {7}
    assert vocabulary.match("the house was white") == set()


def test_non_latin_tags_match_too():
    vocabulary = Vocabulary([("سوريا", 3)])
    assert vocabulary.match("قالت مصادر في سوريا اليوم") == {3}


def test_the_first_owner_of_a_name_keeps_it():
    vocabulary = Vocabulary([("ISIS", 1), ("isis", 2)])
    assert vocabulary.lookup("Isis") == 1
    assert len(vocabulary) == 1


def test_an_empty_vocabulary_matches_nothing():
    assert Vocabulary().match("anything at all") == set()
