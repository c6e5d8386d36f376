"""The Whoosh schema of the embedded index: analysed fields per language, folded fields, stored fields."""

from __future__ import annotations

from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema

import languages

from backends.whoosh.analysis import analyzer as whoosh_analyzer

LANGUAGES = languages.CODES  # one set of fields per registered language
# Field boosts for BM25F: a word in the title says more about a page than the same word in its body.
TITLE_BOOST = 3.0
HEADINGS_BOOST = 1.5
# Searchable text fields by role; a document's text goes into the field of its language.
TITLE_FIELDS = {lang: f"title_{lang}" for lang in LANGUAGES}
HEADINGS_FIELDS = {lang: f"headings_{lang}" for lang in LANGUAGES}
TEXT_FIELDS = {lang: f"text_{lang}" for lang in LANGUAGES}
FOLDED_FIELDS = ("title_folded", "text_folded")
# Fields whose postings carry character offsets, from which snippets are cut without re-analysis.
SNIPPET_FIELDS = (*TEXT_FIELDS.values(), "text_folded")


def build_schema() -> Schema:
    """Stored fields for display, analysed fields for matching (one set per language), ids for filters."""
    analyzers = {lang: whoosh_analyzer(lang) for lang in LANGUAGES}
    folded = whoosh_analyzer("folded")
    fields = {
        "id": ID(stored=True, unique=True, sortable=True),
        "url": ID(stored=True),
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
        "content_hash": ID(stored=True),
        "fingerprint": ID(),  # of every indexed field: an update keeps documents whose fingerprint is indexed
        "parent": ID(stored=True),
        "duplicate_of": ID(stored=True, sortable=True),
        "title": STORED(),
        "text": STORED(),
        "description": STORED(),
        "section": TEXT(analyzer=analyzers["fi"], stored=True),
        "title_folded": TEXT(analyzer=folded, field_boost=TITLE_BOOST),
        "text_folded": TEXT(analyzer=folded, chars=True),
    }
    for lang, analyzer in analyzers.items():
        fields[TITLE_FIELDS[lang]] = TEXT(analyzer=analyzer, field_boost=TITLE_BOOST)
        fields[HEADINGS_FIELDS[lang]] = TEXT(analyzer=analyzer, field_boost=HEADINGS_BOOST)
        fields[TEXT_FIELDS[lang]] = TEXT(analyzer=analyzer, chars=True)
    return Schema(**fields)


def index_language(lang: str) -> str:
    """The language whose fields hold a document: its own if supported, else Finnish."""
    return lang if lang in LANGUAGES else "fi"
