"""The Whoosh schema of the embedded index: analysed fields per language, folded fields, stored fields."""

from __future__ import annotations

from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, DATETIME, ID, STORED, TEXT, Schema

import languages
from search import ranking

from backends.whoosh.analysis import NeutralCharacters, NeutralPositions
from backends.whoosh.analysis import analyzer as whoosh_analyzer

LANGUAGES = languages.CODES  # one set of fields per registered language
# Field boosts for BM25F: a word in the title says more about a page than the same word in its body.
TITLE_BOOST = 3.0
HEADINGS_BOOST = 1.5
# The words of other pages' links to a page: one weight for every backend (search.ranking).
ANCHOR_BOOST = ranking.ANCHOR_BOOST
# Searchable text fields by role; a document's text goes into the field of its language.
TITLE_FIELDS = {lang: f"title_{lang}" for lang in LANGUAGES}
HEADINGS_FIELDS = {lang: f"headings_{lang}" for lang in LANGUAGES}
TEXT_FIELDS = {lang: f"text_{lang}" for lang in LANGUAGES}
ANCHOR_FIELDS = {lang: f"anchors_{lang}" for lang in LANGUAGES}
FOLDED_FIELDS = ("title_folded", "text_folded", "anchors_folded")
# Fields whose postings carry character offsets, from which snippets are cut without re-analysis.
SNIPPET_FIELDS = (*TEXT_FIELDS.values(), "text_folded")


def build_schema() -> Schema:
    """Stored fields for display, analysed fields for matching (one set per language), ids for filters."""
    analyzers = {lang: whoosh_analyzer(lang) for lang in LANGUAGES}
    folded = whoosh_analyzer("folded")
    fields = {
        "id": ID(stored=True, unique=True, sortable=True),
        # Stored only: no search looks a document up by these (a posting and a term per document each).
        "url": STORED(),
        # Filters and facets; sortable ones keep a column, read per hit without loading stored fields.
        "lang": ID(stored=True, sortable=True),
        "visibility": ID(stored=True),
        "access": ID(stored=True, sortable=True),  # access keys, newline-separated (search.access)
        "source": ID(stored=True, sortable=True),
        "type": ID(stored=True, sortable=True),
        "site": ID(sortable=True),
        "year": ID(sortable=True),
        "section_top": ID(sortable=True),
        "updated": DATETIME(stored=True, sortable=True),
        "content_hash": STORED(),
        "fingerprint": ID(),  # of every indexed field: an update keeps documents whose fingerprint is indexed
        "parent": STORED(),
        "duplicate_of": ID(stored=True, sortable=True),
        # The factor a document's score is multiplied by (indexer.fields.ranking_weight): low-confidence OCR text.
        "weight": COLUMN(NumericColumn("f", default=1.0)),
        "title": STORED(),
        "text": STORED(),
        "description": STORED(),
        "section": _text(analyzers["fi"], stored=True),
        "title_folded": _text(folded, field_boost=TITLE_BOOST),
        "text_folded": _text(folded, chars=True),
        "anchors_folded": _text(folded, field_boost=ANCHOR_BOOST),
    }
    for lang, analyzer in analyzers.items():
        fields[TITLE_FIELDS[lang]] = _text(analyzer, field_boost=TITLE_BOOST)
        fields[HEADINGS_FIELDS[lang]] = _text(analyzer, field_boost=HEADINGS_BOOST)
        fields[TEXT_FIELDS[lang]] = _text(analyzer, chars=True)
        fields[ANCHOR_FIELDS[lang]] = _text(analyzer, field_boost=ANCHOR_BOOST)
    return Schema(**fields)


def _text(analyzer, *, field_boost: float = 1.0, chars: bool = False, stored: bool = False) -> TEXT:
    """A Whoosh TEXT field whose postings (positions, and character offsets with `chars`) are made from
    the neutral analyzer's tokens directly (backends.whoosh.analysis.NeutralPositions)."""
    field = TEXT(analyzer=analyzer, field_boost=field_boost, chars=chars, stored=stored)
    field.format = (NeutralCharacters if chars else NeutralPositions)(field_boost=field_boost)
    return field


def index_language(lang: str) -> str:
    """The language whose fields hold a document: its own if supported, else Finnish."""
    return lang if lang in LANGUAGES else "fi"
