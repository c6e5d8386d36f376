"""Translating the backend-neutral query tree (search.query) and filters into Solr's Lucene query syntax.

Every term is quoted (a quoted value is analysed by the slot field type: one term, or for a phrase one
stacked position per slot), so no query word is ever read as syntax. A word's alternative goes to every
field of its analysis, boosted by the field's role (titles x3, headings x1.5, anchor text x SOLR_ANCHOR_BOOST)
times the alternative's own weight (query.py: folded forms, synonyms, query compound parts). Compound parts
share the whole words' fields, as in the embedded index.
"""

from __future__ import annotations

import datetime as dt
import functools

from backends.solr.configset import LANGUAGES, SLOT_SEPARATOR, slot_field
from indexer.analysis import FOLDED
from search.ranking import ANCHOR_BOOST
from search.query import AllOf, AnyOf, Everything, Excluding, Filters, Node, Nothing, Phrase, Words

TITLE_BOOST = 3.0
HEADINGS_BOOST = 1.5
# Anchor text weighs less here than the embedded index's ANCHOR_BOOST for the same reason as compound parts
# below: few documents have a word in their anchor field, and Lucene's idf, log(1 + (N - df + 0.5) /
# (df + 0.5)), favours such rare terms more than Whoosh's log(N / (df + 1)) + 1 does (on the sample site
# a word in one anchor field against fifteen texts: 2.6 times the text's weight here, 1.9 times there).
# At 1.5 a page known to the query only by a link's words ("valmistelun työryhmistä") outranked the page
# the embedded index puts first for *valmistelu*; the parity table holds at 1.0 and at 0.75.
SOLR_ANCHOR_BOOST = ANCHOR_BOOST * 2 / 3
ROLE_BOOSTS = {"title": TITLE_BOOST, "headings": HEADINGS_BOOST, "text": 1.0, "section": 1.0, "anchors": SOLR_ANCHOR_BOOST}
NOTHING = "(+*:* -*:*)"


def _fields(analysis: str, title_only: bool) -> list[tuple[str, float]]:
    """(field, boost) of every field an analysis fills; the Finnish analysis also fills the section fields."""
    if analysis == FOLDED:
        roles, weight_class, lang = ("title", "text", "anchors"), FOLDED, "fi"
    else:
        roles = ("title", "headings", "text", "anchors", "section") if analysis == "fi" else ("title", "headings", "text", "anchors")
        weight_class, lang = "lemma", analysis
    if title_only:
        roles = ("title",)
    return [(slot_field(role, weight_class, lang), ROLE_BOOSTS[role]) for role in roles]


@functools.lru_cache(maxsize=64)
def analysis_fields(analysis: str, title_only: bool = False) -> tuple[tuple[str, float], ...]:
    if analysis != FOLDED and analysis not in LANGUAGES:
        return ()
    return tuple(_fields(analysis, title_only))


def quote(value: str) -> str:
    """A value as a quoted Lucene phrase: only the quote and the backslash need escaping.

    >>> quote('Ajankohtaista" OR x')
    '"Ajankohtaista\\\\" OR x"'
    """
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _boost(value: float) -> str:
    return f"{value:.6g}"


def to_lucene(node: Node) -> str:
    """The Lucene query string of a query-tree node."""
    return _translate(node)


@functools.singledispatch
def _translate(node) -> str:
    raise TypeError(f"no Solr translation for {type(node).__name__}")


@_translate.register
def _(node: Words) -> str:
    clauses = [
        f"{field}:{quote(alt.term)}^{_boost(alt.weight * boost)}"
        for alt in node.alts
        for field, boost in analysis_fields(alt.analysis, node.title_only)
    ]
    return f"({' '.join(clauses)})" if clauses else NOTHING


@_translate.register
def _(node: Phrase) -> str:
    clauses = []
    for analysis in (a for a, _ in node.steps[0]):
        slots = " ".join(SLOT_SEPARATOR.join(dict(step)[analysis]) for step in node.steps)
        for field, boost in analysis_fields(analysis, node.title_only):
            if field.startswith("section"):
                continue  # as the embedded backend, which has no positions there
            clauses.append(f"{field}:{quote(slots)}~{max(0, node.slop - 1)}^{_boost(boost)}")
    return f"({' '.join(clauses)})" if clauses else NOTHING


@_translate.register
def _(node: AllOf) -> str:
    return "(" + " ".join(f"+{_translate(c)}" for c in node.children) + ")"


@_translate.register
def _(node: AnyOf) -> str:
    return "(" + " ".join(_translate(c) for c in node.children) + ")"


@_translate.register
def _(node: Excluding) -> str:
    return f"(+{_translate(node.wanted)} -{_translate(node.unwanted)})"


@_translate.register
def _(node: Everything) -> str:
    return "*:*"


@_translate.register
def _(node: Nothing) -> str:
    return NOTHING


def _escape(value: str) -> str:
    """A value escaped for the Lucene syntax outside quotes (for the wildcard of site filters)."""
    return "".join(f"\\{c}" if c in '+-&|!(){}[]^"~*?:\\/ ' else c for c in value)


def filter_queries(filters: Filters) -> list[str]:
    """The filters as Solr filter queries: values of one field are alternatives, fields all apply.

    >>> filter_queries(Filters({"site": ("phhyky.fi",), "section": ("Palvelut",)}))
    ['(site:"phhyky.fi" site:*.phhyky.fi)', '(section_top:"Palvelut")']
    """
    out = []
    for name, values in filters.values.items():
        if name == "site":  # site:phhyky.fi also means www.phhyky.fi
            terms = [t for v in values for t in (f"site:{quote(v)}", f"site:*.{_escape(v)}")]
        else:
            field = "section_top" if name == "section" else name
            terms = [f"{field}:{quote(v)}" for v in values]
        out.append(f"({' '.join(terms)})")
    if filters.date_from or filters.date_to:
        start = f"{filters.date_from.isoformat()}T00:00:00Z" if filters.date_from else "*"
        end = f"{filters.date_to.isoformat()}T23:59:59.999Z" if filters.date_to else "*"
        out.append(f"updated:[{start} TO {end}]")
    return out


def date_value(value) -> dt.date | None:
    """A date from Solr's date string ("2023-05-02T00:00:00Z")."""
    return dt.date.fromisoformat(value[:10]) if value else None
