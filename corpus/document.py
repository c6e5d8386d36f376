"""The Document record: the contract between the corpus, indexer and search stages."""

from __future__ import annotations

import dataclasses
import functools
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

VISIBILITIES = ("public", "internal")
# The access keys a document carries, which search.access matches against a viewer's: "public",
# "internal" (any signed-in staff), or one "group:NAME" per group an internal document is limited to.
GROUP_PREFIX = "group:"
MAX_GROUP_LENGTH = 200
STRING_FIELDS = (
    "id", "text", "title", "url", "lang", "visibility", "updated", "source", "section", "description",
    "content_type", "parent", "duplicate_of",
)
# Fields that name or locate a document: a NUL in them cuts keys short in SQLite's C API and in file paths.
KEY_FIELDS = ("id", "url", "source", "parent", "duplicate_of")
JSON_TYPE_NAMES = {bool: "a boolean", int: "a number", float: "a number", list: "a list", dict: "an object"}


def check_record(obj: object) -> None:
    """Refuse an imported record whose fields have the wrong JSON type or whose keys hold a NUL character.

    Without it, `"text": ["a"]` was stored as the string "['a']". A numeric id is taken as its digits.

    >>> check_record({"id": "a", "text": ["a"]})
    Traceback (most recent call last):
    ValueError: field 'text' must be a string, not a list
    """
    if not isinstance(obj, dict):
        raise ValueError("expected a JSON object with at least 'id' and 'text'")
    for key in STRING_FIELDS:
        value = obj.get(key)
        if value is None or isinstance(value, str) or (key == "id" and type(value) is int):
            continue
        raise ValueError(f"field {key!r} must be a string, not {JSON_TYPE_NAMES.get(type(value), type(value).__name__)}")
    for key in KEY_FIELDS:
        if "\x00" in str(obj.get(key) or ""):
            raise ValueError(f"field {key!r} holds a NUL character")
    access = obj.get("access")
    if access is not None and not (isinstance(access, list) and all(isinstance(g, str) for g in access)):
        raise ValueError("field 'access' must be a list of group names (strings)")
    confidence = obj.get("ocr_confidence")
    if confidence is not None and (type(confidence) not in (int, float) or not 0 <= confidence <= 100):
        raise ValueError("field 'ocr_confidence' must be a number from 0 to 100, or null when no text was read by OCR")
    headings = obj.get("headings")
    if headings is not None and not (isinstance(headings, list) and all(isinstance(h, str) for h in headings)):
        raise ValueError("field 'headings' must be a list of strings")


@dataclass(frozen=True)
class Document:
    """One searchable document, as parsed or imported, before any analysis.

    >>> Document(id="a", text="Sote-uudistus alkaa.").visibility
    'public'
    """

    id: str
    text: str
    title: str = ""
    url: str = ""
    lang: str = "fi"
    visibility: str = "public"
    updated: dt.date | None = None
    source: str = ""
    section: str = ""
    description: str = ""
    headings: tuple[str, ...] = field(default_factory=tuple)
    content_type: str = "text/html"
    # The page that links to this attachment (a PDF or DOCX), by document id.
    parent: str = ""
    # The document this one nearly repeats (another URL or version of the same page); search shows that one.
    duplicate_of: str = ""
    # The groups an internal document is limited to (empty: any signed-in staff may read it).
    access: tuple[str, ...] = field(default_factory=tuple)
    # Tesseract's mean word confidence (0-100) of the text read by OCR from scanned pages; None when no
    # text was. Low confidence lowers the document's weight in ranking (indexer.fields.ranking_weight).
    ocr_confidence: float | None = None
    # The texts of other pages' links to this one (corpus.anchors), attached when the corpus is indexed;
    # the store keeps them with the linking pages, not here, and the JSONL shape leaves them out.
    anchors: tuple[str, ...] = field(default_factory=tuple)
    # Whether other documents are near-duplicates of this one (their duplicate_of names it), attached when
    # the corpus is indexed (corpus.dedup.with_duplicates_marked), like the anchors: a backend that collapses
    # near-duplicates at search time then compares only the documents of real groups.
    has_duplicates: bool = False

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("a document needs a non-empty id")
        if self.visibility not in VISIBILITIES:
            raise ValueError(
                f"visibility of document {self.id!r} is {self.visibility!r}; "
                f"use one of {', '.join(VISIBILITIES)}"
            )
        if self.access:
            if self.visibility != "internal":
                raise ValueError(
                    f"document {self.id!r} is limited to groups ({', '.join(self.access)}) but is public; "
                    "groups limit internal documents only: set visibility to internal or drop 'access'"
                )
            object.__setattr__(self, "access", check_groups(self.access, f"document {self.id!r}"))

    @property
    def access_keys(self) -> tuple[str, ...]:
        """The keys a viewer needs one of to see this document (see search.access).

        >>> Document(id="a", text="x", visibility="internal", access=("talous",)).access_keys
        ('group:talous',)
        """
        return access_keys(self.visibility, self.access)

    @property
    def content_hash(self) -> str:
        """SHA-256 of what the index sees, so unchanged documents can be recognised."""
        h = hashlib.sha256()
        for part in (self.title, self.text, self.lang, self.visibility, str(self.updated or "")):
            h.update(part.encode("utf-8"))
            h.update(b"\x00")
        if self.access:  # left out when empty, so that documents without groups keep their hashes
            h.update("\n".join(self.access).encode("utf-8"))
        return h.hexdigest()

    @functools.cached_property
    def fingerprint(self) -> str:
        """SHA-256 of every field the index holds, so an index update can skip documents that did not change:
        a page whose anchor text changed (another page's link to it) is indexed again. Computed once per
        document (it is frozen; `replace` makes a new one): an index run reads it to skip unchanged documents
        and again to store it (about 1 % of an index run on squad2-fi)."""
        fields = self.to_json()
        if self.anchors:  # left out when empty, so that documents nothing links to keep their fingerprints
            fields["anchors"] = list(self.anchors)
        if self.has_duplicates:  # likewise: a document gaining its first near-duplicate is indexed again
            fields["has_duplicates"] = True
        return hashlib.sha256(json.dumps(fields, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()

    def replace(self, **changes) -> "Document":
        """Return a copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def to_json(self) -> dict:
        """The JSONL export shape (also what `sotehaku import` reads)."""
        return {
            "id": self.id,
            "url": self.url,
            "title": self.title,
            "text": self.text,
            "lang": self.lang,
            "visibility": self.visibility,
            "updated": self.updated.isoformat() if self.updated else None,
            "source": self.source,
            "section": self.section,
            "description": self.description,
            "headings": list(self.headings),
            "content_type": self.content_type,
            "parent": self.parent,
            "duplicate_of": self.duplicate_of,
            "access": list(self.access),
            "ocr_confidence": self.ocr_confidence,
        }

    @classmethod
    def from_json(cls, obj: dict) -> "Document":
        """Build a document from the JSONL shape; raises ValueError naming the bad field."""
        check_record(obj)
        for key in ("id", "text"):
            if key not in obj or obj[key] in (None, ""):
                raise ValueError(f"missing required field {key!r}")
        updated = obj.get("updated")
        if updated:
            try:
                updated = dt.date.fromisoformat(str(updated)[:10])
            except ValueError:
                raise ValueError(f"field 'updated' must be an ISO date (YYYY-MM-DD), got {updated!r}") from None
        headings = obj.get("headings") or ()
        return cls(
            id=str(obj["id"]),
            text=str(obj["text"]),
            title=str(obj.get("title") or ""),
            url=str(obj.get("url") or ""),
            lang=str(obj.get("lang") or "fi"),
            visibility=str(obj.get("visibility") or "public"),
            updated=updated or None,
            source=str(obj.get("source") or ""),
            section=str(obj.get("section") or ""),
            description=str(obj.get("description") or ""),
            headings=tuple(str(h) for h in headings),
            content_type=str(obj.get("content_type") or "text/html"),
            parent=str(obj.get("parent") or ""),
            duplicate_of=str(obj.get("duplicate_of") or ""),
            access=tuple(obj.get("access") or ()),
            ocr_confidence=None if obj.get("ocr_confidence") is None else float(obj["ocr_confidence"]),
        )


def check_groups(groups, where: str) -> tuple[str, ...]:
    """Group names as given, stripped, sorted and distinct; an empty, over-long or control-character name is
    a ValueError naming where it came from.

    >>> check_groups([" talous", "hr", "talous"], "x")
    ('hr', 'talous')
    """
    out = set()
    for group in groups:
        name = str(group).strip()
        if not name or len(name) > MAX_GROUP_LENGTH or any(ord(c) < 32 or c == "\x7f" for c in name):
            raise ValueError(
                f"{where}: group name {group!r} must be 1-{MAX_GROUP_LENGTH} characters without control characters"
            )
        out.add(name)
    return tuple(sorted(out))


def covers(source_keys, target_keys) -> bool:
    """True if everyone who may see a document of `target_keys` may also see one of `source_keys`: what a
    page says about another (its link text, indexed as the other's anchor text) may then be searched in the
    other without telling anyone what they could not read themselves.

    >>> covers(("public",), ("group:hr",)), covers(("internal",), ("public",)), covers(("internal",), ("group:hr",))
    (True, False, True)
    >>> covers(("group:hr", "group:talous"), ("group:hr",)), covers(("group:hr",), ("group:hr", "group:talous"))
    (True, False)
    >>> covers(("group:hr",), ("internal",))
    False
    """
    source, target = set(source_keys), set(target_keys)
    if "public" in source:
        return True
    if "public" in target:
        return False
    if "internal" in source:
        return True
    return "internal" not in target and target <= source


def access_keys(visibility: str, groups: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The access keys of a document of this visibility and these groups.

    >>> access_keys("public"), access_keys("internal"), access_keys("internal", ("hr", "talous"))
    (('public',), ('internal',), ('group:hr', 'group:talous'))
    """
    if visibility == "public":
        return ("public",)
    if groups:
        return tuple(GROUP_PREFIX + g for g in groups)
    return ("internal",)
