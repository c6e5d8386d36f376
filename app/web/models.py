"""The JSON API's response shapes, so that /openapi.json describes what each endpoint answers."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class HitOut(BaseModel):
    """One ranked result."""

    id: str
    url: str
    title: str
    snippet: str = Field(description="HTML: the matching passages, text escaped, query words in <mark> elements")
    score: float
    updated: str | None = Field(description="Last update, YYYY-MM-DD")
    lang: str = Field(description="Document language: fi, sv or en")
    type: str = Field(description="html, pdf or docx")
    source: str
    section: str = Field(description="Where on its site the page is: 'Etusivu > Palvelut > Kotihoito'")


class FacetValueOut(BaseModel):
    """How many matching documents have one value of a facet."""

    value: str
    count: int


class SearchOut(BaseModel):
    """A page of results with facet counts and a did-you-mean suggestion."""

    query: str
    total: int = Field(description="Matching documents the caller may see, near-duplicates counted once")
    page: int
    size: int
    relaxed: bool = Field(description="No document had every word; documents with any of them are shown")
    corrected: bool = Field(description="The query found nothing and the hits are for `suggestion` instead")
    suggestion: str | None = Field(description="Did you mean: the query with misspelt words corrected")
    hits: list[HitOut]
    facets: dict[str, list[FacetValueOut]] = Field(
        description="Counts per value of section, lang, year, type and source; pass a value back as that parameter to narrow"
    )


class SuggestOut(BaseModel):
    """Completions of the last word typed."""

    query: str
    suggestions: list[str]


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
