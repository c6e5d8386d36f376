"""Translating the backend-neutral query tree (search.query) and filters into Whoosh queries."""

from __future__ import annotations

import datetime as dt
import functools

from whoosh import query as wq

from backends.whoosh.schema import ANCHOR_FIELDS, FOLDED_FIELDS, HEADINGS_FIELDS, LANGUAGES, TEXT_FIELDS, TITLE_FIELDS
from search.query import (
    FOLDED, AllOf, AnyOf, Everything, Excluding, Filters, Node, Nothing, Phrase, Words,
)

# The fields each analysis fills: every role (Finnish also the breadcrumb section), or titles only.
ANALYSIS_FIELDS = {
    **{
        lang: (TITLE_FIELDS[lang], HEADINGS_FIELDS[lang], TEXT_FIELDS[lang], ANCHOR_FIELDS[lang], *(("section",) if lang == "fi" else ()))
        for lang in LANGUAGES
    },
    FOLDED: FOLDED_FIELDS,
}
TITLE_ANALYSIS_FIELDS = {**{lang: (TITLE_FIELDS[lang],) for lang in LANGUAGES}, FOLDED: ("title_folded",)}


def to_whoosh(node: Node) -> wq.Query:
    """The Whoosh query of a query-tree node."""
    return _translate(node)


@functools.singledispatch
def _translate(node) -> wq.Query:
    raise TypeError(f"no Whoosh translation for {type(node).__name__}")


@_translate.register
def _(node: Words) -> wq.Query:
    fields = TITLE_ANALYSIS_FIELDS if node.title_only else ANALYSIS_FIELDS
    return wq.Or([wq.Term(f, alt.term, boost=alt.weight) for alt in node.alts for f in fields[alt.analysis]])


@_translate.register
def _(node: Phrase) -> wq.Query:
    fields = TITLE_ANALYSIS_FIELDS if node.title_only else ANALYSIS_FIELDS
    clauses = []
    for analysis in (a for a, _ in node.steps[0]):
        for f in fields[analysis]:
            if f == "section":
                continue
            steps = [wq.Or([wq.Term(f, t) for t in dict(step)[analysis]]) for step in node.steps]
            clauses.append(wq.Sequence(steps, slop=node.slop))
    return wq.Or(clauses) if clauses else wq.NullQuery


@_translate.register
def _(node: AllOf) -> wq.Query:
    return wq.And([_translate(c) for c in node.children])


@_translate.register
def _(node: AnyOf) -> wq.Query:
    return wq.Or([_translate(c) for c in node.children])


@_translate.register
def _(node: Excluding) -> wq.Query:
    return wq.AndNot(_translate(node.wanted), _translate(node.unwanted))


@_translate.register
def _(node: Everything) -> wq.Query:
    return wq.Every()


@_translate.register
def _(node: Nothing) -> wq.Query:
    return wq.NullQuery


def filter_query(filters: Filters) -> wq.Query | None:
    """The filters as one Whoosh query: values of one field are alternatives, fields all apply."""
    parts = []
    for name, values in filters.values.items():
        if name == "site":  # site:phhyky.fi also means www.phhyky.fi
            terms = [c for v in values for c in (wq.Term("site", v), wq.Wildcard("site", f"*.{v}"))]
        elif name == "section":
            terms = [wq.Term("section_top", v) for v in values]
        else:
            terms = [wq.Term(name, v) for v in values]
        parts.append(terms[0] if len(terms) == 1 else wq.Or(terms))
    if filters.date_from or filters.date_to:
        start = dt.datetime.combine(filters.date_from, dt.time()) if filters.date_from else None
        end = dt.datetime.combine(filters.date_to, dt.time.max) if filters.date_to else None
        parts.append(wq.DateRange("updated", start, end))
    return None if not parts else parts[0] if len(parts) == 1 else wq.And(parts)
