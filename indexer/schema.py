"""The Whoosh schema of a sotehaku index."""

from __future__ import annotations

from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema

from indexer.analysis import finnish_analyzer

# Field boosts for BM25F: a word in the title says more about a page than the same word in its body.
TITLE_BOOST = 3.0
HEADINGS_BOOST = 1.5


def build_schema() -> Schema:
    """Fields of the index: analysed text for matching, stored fields for hits and snippets, ids for filters."""
    analyzer = finnish_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        url=ID(stored=True),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=TITLE_BOOST),
        headings=TEXT(analyzer=analyzer, field_boost=HEADINGS_BOOST),
        section=TEXT(analyzer=analyzer, stored=True),
        text=TEXT(analyzer=analyzer, stored=True, chars=True),
        description=STORED(),
        lang=ID(stored=True),
        visibility=ID(stored=True),
        source=ID(stored=True),
        type=ID(stored=True),
        updated=DATETIME(stored=True),
        content_hash=ID(stored=True),
    )
