"""The JSON API's response shapes, so that /openapi.json describes what each endpoint answers.

A search's shapes are not written here: HitOut and SearchOut are built from the fields of the engine's
Hit and Results dataclasses (whose to_json() the CLI prints too), so the API cannot drift from them. Only
the JSON form of a few types is chosen here: dates are ISO strings and a facet's (value, count) pair is
a FacetValue object.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing

from pydantic import BaseModel, ConfigDict, Field, create_model

from search.api import FacetValue, Hit, Results


# What the fields mean to an API caller; keys must be fields of the dataclasses (a test checks).
DESCRIPTIONS = {
    Hit: {
        "snippet": "HTML: the matching passages, text escaped, query words in <mark> elements",
        "updated": "Last update, YYYY-MM-DD",
        "lang": "Document language: fi, sv or en",
        "type": "html, pdf or docx",
        "section": "Where on its site the page is: 'Etusivu > Palvelut > Kotihoito'",
        "visibility": "public, or internal (only staff see these)",
        "recommended": "Pinned for this query by the web team (best bets); such hits come first",
        "groups": "The groups an internal document is limited to (empty: any signed-in staff)",
    },
    Results: {
        "sort": "The order of the hits: relevance, or date (newest first)",
        "search_id": "The logged search's id (page 1 only): pass it to /api/click or /go with a hit's rank and id",
        "total": "Matching documents the caller may see, near-duplicates counted once",
        "relaxed": "No document had every word; documents with any of them are shown",
        "corrected": "The query found nothing and the hits are for `suggestion` instead",
        "suggestion": "Did you mean: the query with misspelt words corrected",
        "missing": "Typed words that no document the caller may see has",
        "replaced": "A missing compound word -> the last part of it that documents have, searched instead",
        "common_words": "Every typed word is a very common word (such as 'ja', 'mikä') that no page is searched by: no hits; ask for a more specific word",
        "facets": "Counts per value of section, lang, year, type and source; pass a value back as that parameter to narrow",
    },
}
# The models' names in /openapi.json (clients' generated code uses them), when not the dataclass's + "Out".
NAMES = {Results: "SearchOut"}
_MODELS: dict[type, type[BaseModel]] = {}


def json_type(annotation):
    """The type a dataclass field has in JSON (as its to_json() writes it).

    >>> json_type(dt.date | None), json_type(list[tuple[str, int]])
    (str | None, list[app.web.models.FacetValueOut])
    """
    if annotation is dt.date:
        return str
    if dataclasses.is_dataclass(annotation):
        return model_of(annotation)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is tuple and args == (str, int):
        return model_of(FacetValue)  # Results.to_json writes facet pairs as FacetValues
    if origin in (types.UnionType, typing.Union):
        return union_of([json_type(a) for a in args])
    if origin is list:
        return list[json_type(args[0])]
    if origin is dict:
        return dict[args[0], json_type(args[1])]
    return annotation


def union_of(members: list):
    """`a | b | ...` of the members."""
    union = members[0]
    for member in members[1:]:
        union = union | member
    return union


def model_of(cls: type) -> type[BaseModel]:
    """The pydantic model of an engine dataclass: every field, in order, with its JSON type, all required."""
    if cls not in _MODELS:
        hints = typing.get_type_hints(cls)
        descriptions = DESCRIPTIONS.get(cls, {})
        fields = {
            f.name: (json_type(hints[f.name]), Field(description=descriptions.get(f.name)))
            for f in dataclasses.fields(cls)
        }
        _MODELS[cls] = create_model(NAMES.get(cls, f"{cls.__name__}Out"), __doc__=cls.__doc__.splitlines()[0], **fields)
    return _MODELS[cls]


HitOut = model_of(Hit)
SearchOut = model_of(Results)


class CompletionOut(BaseModel):
    """One completion and how much of it is what was typed, to emphasise that part."""

    text: str
    typed: int = Field(description="Leading characters of `text` that match what was typed (case and umlauts aside)")


class SuggestOut(BaseModel):
    """Completions of the last word typed."""

    query: str
    suggestions: list[str]
    completions: list[CompletionOut] = Field(description="The same completions, each with the typed part's length")


class DocumentOut(BaseModel):
    """A stored document."""

    model_config = ConfigDict(extra="allow")

    id: str
    url: str = ""
    title: str = ""
    text: str = ""
    updated: str | None = None
    lang: str = ""
    type: str = ""
    source: str = ""
    section: str = ""
    visibility: str = Field("public", description="public, or internal (only staff see these)")
    groups: list[str] = Field(default_factory=list, description="The groups an internal document is limited to (empty: any signed-in staff)")


class SimilarOut(BaseModel):
    """Documents like one document, most similar first."""

    id: str = Field(description="The document asked about")
    hits: list[HitOut] = Field(description="Similar documents the caller may see, near-duplicates of the document left out")  # type: ignore[valid-type]


class ClickIn(BaseModel):
    """Which result of a logged search was opened: nothing about who opened it."""

    search_id: str = Field(min_length=1, max_length=64, description="The search's `search_id`")
    rank: int = Field(ge=1, le=10_000, description="The hit's position in the results, from 1")
    id: str = Field(min_length=1, max_length=2000, description="The hit's document id")


class HealthOut(BaseModel):
    """The service is up and searches this index version."""

    status: str
    index_version: str | None


class ErrorOut(BaseModel):
    """What went wrong and what to do about it."""

    error: str


ERROR_RESPONSES = {
    400: {"model": ErrorOut, "description": "A bad parameter; the message names it and the fix"},
    401: {"model": ErrorOut, "description": "An Authorization header with a wrong, expired or revoked token"},
    503: {"model": ErrorOut, "description": "No index yet, or the index cannot be read"},
}
