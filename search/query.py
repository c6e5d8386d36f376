"""Turning what a user typed into Whoosh queries that go through the same Finnish analysis as the index."""

from __future__ import annotations

from dataclasses import dataclass

from whoosh import query as q

from search import SearchError

SEARCH_FIELDS = ("title", "headings", "section", "text")
MAX_QUERY_CHARS = 1000


class QueryError(SearchError):
    """A query that cannot be searched as typed; the message says how to fix it."""


@dataclass(frozen=True)
class ParsedQuery:
    """The strict form (every word), the lenient fallback (any word), and the analysed terms."""

    text: str
    all_words: q.Query
    any_word: q.Query
    terms: frozenset[str]


def parse_query(text: str, schema) -> ParsedQuery:
    """Analyse the query like the indexed text: one group of alternative lemmas per typed word.

    A word matches if any of its lemmas occurs in any search field; the strict query wants every word.
    """
    text = (text or "").strip()
    if not text:
        raise QueryError("The query is empty. Type one or more words to search for.")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"The query is {len(text)} characters long; shorten it to at most {MAX_QUERY_CHARS}.")
    analyzer = schema["text"].analyzer
    groups: dict[int, list[str]] = {}
    for token in analyzer(text, positions=True, mode="query"):
        group = groups.setdefault(token.pos, [])
        if token.text not in group:
            group.append(token.text)
    if not groups:
        raise QueryError(f"The query {text!r} has only very common words. Add a more specific word.")
    word_queries = [
        q.Or([q.Term(field, lemma) for lemma in lemmas for field in SEARCH_FIELDS])
        for _, lemmas in sorted(groups.items())
    ]
    all_words = word_queries[0] if len(word_queries) == 1 else q.And(word_queries)
    any_word = word_queries[0] if len(word_queries) == 1 else q.Or(word_queries)
    terms = frozenset(lemma for lemmas in groups.values() for lemma in lemmas)
    return ParsedQuery(text=text, all_words=all_words, any_word=any_word, terms=terms)
