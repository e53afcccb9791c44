"""Automatic tagging from a newsroom's vocabulary. Pure Python, no Django.

A tag applies to an article when its name appears in the headline or body
as a whole word (or run of whole words), ignoring case: the tag "Gaza"
matches "in gaza," but not "Gazan", and "Bashar al-Assad" matches
"Bashar al-Assad's". Names are compared word by word, so punctuation
between words does not matter.
"""

import re

_WORD = re.compile(r"\w+")


def words(text):
    return _WORD.findall(text.casefold())


class Vocabulary:
    """Maps tag names (and aliases) to tag ids and finds them in text."""

    def __init__(self, names=()):
        self._ids = {}
        # First word of every name -> the word counts of names starting with it.
        self._lengths = {}
        for name, tag_id in names:
            self.add(name, tag_id)

    def add(self, name, tag_id):
        key = tuple(words(name))
        if key:
            # A name already present keeps its first owner: a tag beats an alias.
            self._ids.setdefault(key, tag_id)
            self._lengths.setdefault(key[0], set()).add(len(key))

    def __len__(self):
        return len(self._ids)

    def lookup(self, name):
        return self._ids.get(tuple(words(name)))

    def match(self, *texts):
        """The ids of every vocabulary entry found in the texts."""
        found = set()
        if not self._ids:
            return found
        for text in texts:
            tokens = words(text)
            # Most articles share no word with the names' first words; the
            # set intersection finds that without a Python-level loop.
            if self._lengths.keys().isdisjoint(tokens):
                continue
            for start, token in enumerate(tokens):
                for length in self._lengths.get(token, ()):
                    tag_id = self._ids.get(tuple(tokens[start:start + length]))
                    if tag_id is not None:
                        found.add(tag_id)
        return found
