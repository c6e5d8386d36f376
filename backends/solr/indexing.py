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

import hashlib
import json
from collections import defaultdict

from backends.solr.configset import LANGUAGES, encode_slots, slot_field
from corpus.document import Document
from indexer.analysis import FOLDED, analyzer
from indexer.fields import filter_values, ranking_weight

META_ID = "__meta__"
META_VISIBILITY = "meta"
# A partitioned run (`sotehaku index --partition K/N`) keeps its share's vocabulary in a meta document
# of its own, PARTITION_META_PREFIX + "K_of_N"; when all N are there, they make the index's meta document.
PARTITION_META_PREFIX = META_ID + "partition_"
# The format of the analysed fields, kept in the meta documents: a collection written in another one is
# searched only after `sotehaku solr setup` and a full `sotehaku index` (2: compound parts in the whole
# words' fields, lengths counting stacked terms).
FORMAT = "sotehaku-solr-2"
# The weight class (configset.WEIGHT_CLASSES) of each kind of token the neutral analyzers yield.
KIND_CLASSES = {"lemma": "lemma", "stem": "lemma", "word": "lemma", "part": "lemma", "folded": "folded", "folded_part": "folded"}


def index_language(lang: str) -> str:
    """The language whose fields hold a document: its own if the schema has fields for it, else Finnish.

    >>> index_language("sv"), index_language("de")
    ('sv', 'fi')
    """
    return lang if lang in LANGUAGES else "fi"


def analysed(text: str, analysis: str) -> list:
    """The index tokens of a text under one analysis, in position order."""
    return sorted(analyzer(analysis)(text, mode="index"), key=lambda t: t.position)


def slot_values(role: str, text: str, analysis: str, lang: str = "fi", tokens: list | None = None) -> dict[str, str]:
    """The slot text of each weight class's field for one role's text under one analysis (its tokens,
    when the caller has them already).

    >>> slot_values("title", "Työryhmän kokous", "fi")
    {'title_fi': 'työryhmä|työ|ryhmä kokous'}
    """
    by_class: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for token in analysed(text, analysis) if tokens is None else tokens:
        weight_class = KIND_CLASSES.get(token.kind)
        if weight_class is not None:
            by_class[weight_class].append((token.position, token.term))
    return {slot_field(role, weight_class, lang): encode_slots(terms) for weight_class, terms in by_class.items()}


def term_offsets(tokens_by_analysis: dict[str, list]) -> str:
    """The character spans in the text of every term of its tokens, by analysis, as the stored field
    `offsets` holds them (JSON: analysis -> term -> [start, end, start, end, ...]). Snippets are cut
    with them (backend.match_text) without analysing a hit's text again at search time.

    >>> term_offsets({"fi": analysed("Kokous ja kokoukset", "fi")})
    '{"fi":{"kokous":[0,6,10,19]}}'
    """
    out: dict[str, dict[str, list[int]]] = {}
    for analysis, tokens in tokens_by_analysis.items():
        spans: dict[str, list[int]] = {}
        for token in tokens:
            found = spans.setdefault(token.term, [])
            if found[-2:] != [token.start, token.end]:
                found += (token.start, token.end)
        out[analysis] = spans
    return json.dumps(out, ensure_ascii=False, separators=(",", ":"))


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
        fields["weight"] = weight
    fields["duplicate_group"] = doc.duplicate_of or doc.id
    text_tokens = {lang: analysed(doc.text, lang), FOLDED: analysed(doc.text, FOLDED)} if doc.text else {}
    anchors = "\n".join(doc.anchors)  # other pages' link texts (corpus.anchors)
    for role, text in (("title", doc.title), ("headings", "\n".join(doc.headings)), ("text", doc.text), ("anchors", anchors)):
        if text:
            fields.update(slot_values(role, text, lang, lang, text_tokens.get(lang) if role == "text" else None))
    if doc.section:
        fields.update(slot_values("section", doc.section, "fi"))
    for role, text in (("title", doc.title), ("text", doc.text), ("anchors", anchors)):
        if text:
            fields.update(slot_values(role, text, FOLDED, tokens=text_tokens.get(FOLDED) if role == "text" else None))
    if text_tokens:
        fields["offsets"] = term_offsets(text_tokens)
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
