"""The weights the query tree gives a typed word's alternatives, and that both backends' translations carry."""

import math

from backends.solr.translate import to_lucene
from backends.whoosh.translate import to_whoosh
from search.query import READINGS_POWER, Words, parse_query


def _words(text: str) -> dict[str, Words]:
    parsed = parse_query(text, languages=("fi",))
    return {word.surface: unit for word, unit in zip(parsed.words, parsed.all_words.children)}


def test_a_word_with_several_readings_shares_its_weight():
    words = _words("tuli palveluseteli")
    tuli = {alt.term: alt.weight for alt in words["tuli"].alts if alt.analysis == "fi"}
    assert set(tuli) == {"tulla", "tuli"}  # Voikko reads it as a verb form and as a noun
    assert all(math.isclose(w, 2**-READINGS_POWER) for w in tuli.values())
    assert sum(tuli.values()) < 2  # no longer twice a one-reading word
    assert [alt.weight for alt in words["palveluseteli"].alts if alt.analysis == "fi"] == [1.0]


def test_both_backends_carry_the_shared_weight():
    tuli = _words("tuli palveluseteli")["tuli"]
    weight = 2**-READINGS_POWER
    assert f'text_fi:"tulla"^{weight:.6g}' in to_lucene(tuli)
    boosts = {(t.fieldname, t.text): t.boost for t in to_whoosh(tuli).subqueries}
    assert math.isclose(boosts[("text_fi", "tulla")], weight)
