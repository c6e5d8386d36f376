"""A sotehaku document as a SolrCloud document: sotehaku's own analysis sent as slots, one field per
role, language and weight class (see configset.py), beside docValues filter fields and stored text.

The fields mirror the embedded backend's (backends/whoosh/schema.py): a document's title, headings and
text go to the fields of its language (Finnish for a language without fields of its own), its
breadcrumb section to the Finnish section fields, its title, text and anchor text (the words of other
pages' links to it) also to the umlaut-folded fields.
Weights are not sent: the compound parts and folded forms are in fields of their own, weighted at
query time (translate.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from operator import itemgetter

from backends.solr.configset import LANGUAGES, encode_slots, slot_field
from corpus.document import Document
from indexer.analysis import FOLDED, analyzer
from indexer.fields import filter_values, ranking_weight
from search.ranking import FRESHNESS_HALF_LIFE_DAYS

META_ID = "__meta__"
META_VISIBILITY = "meta"
# A partitioned run (`sotehaku index --partition K/N`) keeps its share's vocabulary in a meta document
# of its own, PARTITION_META_PREFIX + "K_of_N"; when all N are there, they make the index's meta document.
PARTITION_META_PREFIX = META_ID + "partition_"
# The format of the analysed fields, kept in the meta documents: a collection written in another one is
# searched only after `sotehaku solr setup` and a full `sotehaku index` (2: compound parts in the whole
# words' fields, lengths counting stacked terms; 3: the text's slots stored, whose positions are the
# tokenizer's words, instead of a field of term offsets; a change of the tokenizer changes the format;
# 4: collapse_group, on the documents of real near-duplicate groups alone; 5: fresh, and weight on every
# document, for a boost function of two look-ups; its first configset also sorted segments by id, which
# the configset now leaves to the order documents are sent in: Lucene opens sorted segments without it).
FORMAT = "sotehaku-solr-5"
# search.ranking.freshness is 1 + FRESHNESS_WEIGHT x 0.5 ** (age / half-life), age = today - updated in days.
# 0.5 ** (age / h) = 2 ** (updated / h) x 2 ** (-today / h) (days since FRESHNESS_EPOCH): a document carries
# the first factor (fresh, freshness_value), a search multiplies it by the second (backend.boost_function),
# and min(1, ...) stands for the age's floor of 0. Exponents stay within FRESH_EXPONENT of 0, so that fresh
# is a 32-bit float (up to 2 ** 128): for dates some 120 half-lives from the epoch and beyond the boost is
# already 1 or 1 + FRESHNESS_WEIGHT to the float's precision.
FRESHNESS_EPOCH = dt.date(2000, 1, 1)
FRESH_EXPONENT = 120.0
_position = itemgetter(0)


def fresh_exponent(day: dt.date) -> float:
    """The half-lives from FRESHNESS_EPOCH to a day, within FRESH_EXPONENT of 0 (see FRESHNESS_EPOCH)."""
    return max(-FRESH_EXPONENT, min(FRESH_EXPONENT, (day - FRESHNESS_EPOCH).days / FRESHNESS_HALF_LIFE_DAYS))


def freshness_value(updated: dt.date | None) -> float:
    """A document's `fresh` field: 2 ** (its date's half-lives from FRESHNESS_EPOCH); 0 without a date, for
    which the boost function's min(1, fresh x 2 ** -today's) is 0 and the freshness boost 1.

    >>> freshness_value(dt.date(2000, 12, 31)), freshness_value(None)  # 365 days after the epoch
    (2.0, 0.0)
    """
    return 2.0 ** fresh_exponent(updated) if updated else 0.0


def index_language(lang: str) -> str:
    """The language whose fields hold a document: its own if the schema has fields for it, else Finnish.

    >>> index_language("sv"), index_language("de")
    ('sv', 'fi')
    """
    return lang if lang in LANGUAGES else "fi"


def analysed(text: str, analysis: str) -> list[tuple[int, str]]:
    """(position, term) of a text's index terms under one analysis, in position order (the analyzer's
    WordFilter path: no Token object per term)."""
    terms = [(position, term) for term, position, _start, _end, _weight in analyzer(analysis).index_terms(text)]
    terms.sort(key=_position)  # stable: the terms of a position keep the analyzer's order
    return terms


def slot_values(role: str, text: str, analysis: str, lang: str = "fi", terms: list | None = None) -> dict[str, str]:
    """The slot text of one role's field for a text under one analysis (from its `analysed` terms, when
    the caller has them already): the language's lemma field, or the folded one.

    >>> slot_values("title", "Työryhmän kokous", "fi")
    {'title_fi': 'työryhmä|työ|ryhmä kokous'}
    """
    terms = analysed(text, analysis) if terms is None else terms
    if not terms:
        return {}
    return {slot_field(role, FOLDED if analysis == FOLDED else "lemma", lang): encode_slots(terms)}


def solr_document(doc: Document, generation: str = "") -> dict:
    """The Solr fields of one document (empty values left out)."""
    lang = index_language(doc.lang)
    values = filter_values(doc)
    fields = {
        "id": doc.id,
        "url": doc.url,
        "lang": doc.lang,
        "type": values["type"],
        "site": values["site"],
        "source": doc.source,
        "section": doc.section,
        "section_top": values["section"],
        "year": values["year"],
        "updated": f"{doc.updated.isoformat()}T00:00:00Z" if doc.updated else None,
        "visibility": doc.visibility,
        "duplicate_of": doc.duplicate_of,
        # Near-duplicates share a group (and, through the collection's router.field, a shard) for {!collapse}.
        "duplicate_group": doc.duplicate_of or doc.id,
        # The group again, on the documents of real groups alone: {!collapse} compares those and passes the
        # others through (nullPolicy=expand), most of a large result set, without looking their ids up.
        "collapse_group": doc.duplicate_of or (doc.id if doc.has_duplicates else ""),
        "parent": doc.parent,
        "content_hash": doc.content_hash,
        "fingerprint": doc.fingerprint,
        "generation": generation,
        "title": doc.title,
        "description": doc.description,
        "text": doc.text,
    }
    fields = {name: value for name, value in fields.items() if value}
    fields["access"] = list(doc.access_keys)
    weight = ranking_weight(doc)
    if weight != 1.0:
        fields["weight"] = weight  # the schema's default is 1
    if doc.updated:
        fields["fresh"] = freshness_value(doc.updated)  # the schema's default is 0
    text_terms = {lang: analysed(doc.text, lang), FOLDED: analysed(doc.text, FOLDED)} if doc.text else {}
    anchors = "\n".join(doc.anchors)  # other pages' link texts (corpus.anchors)
    for role, text in (("title", doc.title), ("headings", "\n".join(doc.headings)), ("text", doc.text), ("anchors", anchors)):
        if text:
            fields.update(slot_values(role, text, lang, lang, text_terms.get(lang) if role == "text" else None))
    if doc.section:
        fields.update(slot_values("section", doc.section, "fi"))
    for role, text in (("title", doc.title), ("text", doc.text), ("anchors", anchors)):
        if text:
            fields.update(slot_values(role, text, FOLDED, terms=text_terms.get(FOLDED) if role == "text" else None))
    return fields


def in_partition(doc_id: str, partition: tuple[int, int] | None) -> bool:
    """True when a document belongs to partition K of N (1-based), by a hash of its id that is the same on
    every machine and every Python run; every document belongs to exactly one partition.

    >>> [in_partition("a", (k, 3)) for k in (1, 2, 3)].count(True), in_partition("a", None)
    (1, True)
    """
    if partition is None:
        return True
    k, n = partition
    digest = hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % n == k - 1


def partition_meta_id(k: int, n: int) -> str:
    """The id of partition K of N's meta document.

    >>> partition_meta_id(2, 4)
    '__meta__partition_2_of_4'
    """
    return f"{PARTITION_META_PREFIX}{k}_of_{n}"
