"""The configset shipped in the package (configset/) and the slot text that its analysed fields receive.

sotehaku analyses the text itself; Solr only splits what it receives. An analysed field's value is one
whitespace-separated *slot* per token position, the terms of a position joined by SLOT_SEPARATOR, and
SLOT_SEPARATOR alone for a position without terms (a removed stopword). The field type stacks the terms of
a slot at one position, so positions, and phrase queries, stay those of sotehaku's analysis.

    >>> encode_slots([(0, "työryhmän"), (0, "työryhmä"), (0, "työ"), (1, "kokous")])
    'työryhmän|työryhmä|työ kokous'
    >>> encode_slots([(0, "sote"), (2, "uudistus")])
    'sote | uudistus'
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

from backends.solr.errors import ConfigsetError

CONFIGSET_DIR = Path(__file__).parent / "configset"
SLOT_SEPARATOR = "|"
EMPTY_SLOT = SLOT_SEPARATOR
# Files that Solr 9.10 leaves out of an uploaded configset, with only a warning in its log
# (ZkMaintenanceUtils' default forbidden file types).
FORBIDDEN_SUFFIXES = frozenset({"class", "java", "jar", "tgz", "zip", "tar", "gz"})

# Analysed fields: ROLE_LANG (whole words' lemmas or stems and compound parts), ROLE_LANG_synonym, ROLE_folded.
# Compound parts share the field of the whole words, as in the embedded index's one text field per
# analysis: lengths, document frequencies and tf saturation then agree (benchmarks/RESULTS.md, parity).
ROLES = ("title", "headings", "text", "section", "anchors")
LANGUAGES = ("fi", "sv", "en")
LANGUAGE_CLASSES = ("lemma", "synonym")
FOLDED_CLASSES = ("folded",)
WEIGHT_CLASSES = LANGUAGE_CLASSES + FOLDED_CLASSES
# Filters, facets and sorting: docValues strings (updated: a date).
FILTER_FIELDS = ("url", "lang", "type", "site", "source", "section", "section_top", "year", "updated",
                 "visibility", "access", "duplicate_of", "duplicate_group",
                 "collapse_group", "parent", "content_hash", "fingerprint")
# Stored, never searched: the text snippets are cut from (with the positions of its stored slots).
STORED_FIELDS = ("title", "description", "text")


def slot_field(role: str, weight_class: str, lang: str = "fi") -> str:
    """The name of an analysed field: slot_field("text", "synonym", "fi") is "text_fi_synonym".

    >>> slot_field("title", "lemma", "sv"), slot_field("text", "folded")
    ('title_sv', 'text_folded')
    """
    if role not in ROLES:
        raise ValueError(f"Unknown field role {role!r}; the schema has {', '.join(ROLES)}.")
    if weight_class in FOLDED_CLASSES:
        return f"{role}_{weight_class}"
    if weight_class not in LANGUAGE_CLASSES:
        raise ValueError(f"Unknown weight class {weight_class!r}; the schema has {', '.join(WEIGHT_CLASSES)}.")
    if lang not in LANGUAGES:
        raise ValueError(f"Unknown field language {lang!r}; the schema has {', '.join(LANGUAGES)}.")
    return f"{role}_{lang}" if weight_class == "lemma" else f"{role}_{lang}_{weight_class}"


# The fields of a document's text by analysis (a language's, or the folded one) are stored too: the
# positions of a hit's terms there give its snippet's words (backend.match_text). Field type stored_slots.
TEXT_SLOT_FIELDS = {**{lang: f"text_{lang}" for lang in LANGUAGES}, "folded": "text_folded"}
# What a configset must have for this sotehaku to index into it (Schema API paths): the meta document's
# format field, the stored slots' type, the collapse field and the freshness field; an older collection is
# refused with the fix named.
REQUIRED_SCHEMA = ("fields/meta_format", "fieldtypes/stored_slots", "fields/collapse_group", "fields/fresh")

SLOT_FIELDS = tuple(
    slot_field(role, weight_class, lang)
    for role in ROLES
    for lang in LANGUAGES
    for weight_class in LANGUAGE_CLASSES
) + tuple(slot_field(role, weight_class) for role in ROLES for weight_class in FOLDED_CLASSES)


def encode_slots(terms: Iterable[tuple[int, str]]) -> str:
    """The slot text of (position, term) pairs in position order, positions counted from 0.

    Terms at one position share a slot (a term repeated there is kept once, since Lucene would count it
    twice); a position without terms becomes EMPTY_SLOT, so later positions keep their numbers. A term
    containing whitespace or SLOT_SEPARATOR would shift positions: ValueError.
    """
    slots: list[list[str]] = []
    for position, term in terms:
        if not term or SLOT_SEPARATOR in term or any(c.isspace() for c in term):
            raise ValueError(f"Cannot send the term {term!r} as a slot: terms must be non-empty, without "
                             f"whitespace or {SLOT_SEPARATOR!r}.")
        if position < len(slots) - 1:
            raise ValueError(f"Term {term!r} at position {position} comes after position {len(slots) - 1}: "
                             "send the terms in position order.")
        while len(slots) <= position:
            slots.append([])
        if term not in slots[position]:
            slots[position].append(term)
    return " ".join(SLOT_SEPARATOR.join(slot) if slot else EMPTY_SLOT for slot in slots)


def match_positions(slots, wanted: set[str]) -> dict[str, list[int]]:
    """The positions, in the stored slot text of a text field (a string, or Solr's list of one), of each
    of the `wanted` terms that occur there: a snippet's spans are the words at those positions.

    >>> match_positions(["työryhmä|työ|ryhmä kokous | työ"], {"työ", "kokous", "ryhmä"})
    {'työ': [0, 3], 'ryhmä': [0], 'kokous': [1]}
    """
    if isinstance(slots, list):
        slots = " ".join(slots)
    terms = [t for t in wanted if t in slots]
    if not slots or not terms:
        return {}
    # A term matches a whole slot member: preceded and followed by a space, the separator or an end.
    bounds = "[^ " + re.escape(SLOT_SEPARATOR) + "]"
    expression = re.compile(f"(?<!{bounds})(?:" + "|".join(map(re.escape, sorted(terms, key=len, reverse=True))) + f")(?!{bounds})")
    found: dict[str, list[int]] = {}
    position, counted = 0, 0
    for match in expression.finditer(slots):
        position += slots.count(" ", counted, match.start())
        counted = match.start()
        at = found.setdefault(match.group(), [])
        if not at or at[-1] != position:
            at.append(position)
    return found


def configset_zip(directory: Path = CONFIGSET_DIR) -> bytes:
    """The configset as a zip with solrconfig.xml at its root, as the Configsets API's UPLOAD takes it."""
    directory = Path(directory)
    if not (directory / "solrconfig.xml").is_file():
        raise ConfigsetError(f"{directory} is not a configset: it has no solrconfig.xml. "
                             "Point to a folder holding solrconfig.xml and managed-schema.xml.")
    files = [p for p in sorted(directory.rglob("*")) if p.is_file() and not _hidden(p.relative_to(directory))]
    forbidden = [p.relative_to(directory).as_posix() for p in files if p.suffix.lstrip(".").lower() in FORBIDDEN_SUFFIXES]
    if forbidden:
        raise ConfigsetError(f"The configset {directory} contains {', '.join(forbidden)}: SolrCloud drops files of these "
                             f"types from an upload ({', '.join(sorted(FORBIDDEN_SUFFIXES))}) without an error. Remove them.")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.relative_to(directory).as_posix())
    return buffer.getvalue()


def _hidden(relative: Path) -> bool:
    """Hidden files and folders (editor swap files, .git): never part of a configset."""
    return any(part.startswith(".") for part in relative.parts)
