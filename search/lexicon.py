"""The domain lexicon: groups of synonyms and abbreviations, edited as TOML, applied at query time."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from search import SearchError
from search.filecache import ChangedFileCache

STARTER_LEXICON = Path(__file__).parent / "data" / "lexicon.toml"
LEXICON_FILENAME = "lexicon.toml"


class LexiconError(SearchError):
    """The lexicon file is missing or malformed."""


@dataclass(frozen=True)
class Lexicon:
    """Synonym groups: each group's terms (words or phrases) mean the same.

    >>> Lexicon.from_toml('[[synonyms]]\\nterms = ["hyte", "hyvinvoinnin ja terveyden edistäminen"]').groups
    (('hyte', 'hyvinvoinnin ja terveyden edistäminen'),)
    """

    groups: tuple[tuple[str, ...], ...] = ()
    path: str = ""

    @classmethod
    def from_toml(cls, text: str, path: str = "<lexicon>") -> "Lexicon":
        """Parse and check a lexicon; errors name the file and the group."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise LexiconError(f"{path} is not valid TOML: {exc}. Fix it; searches use no lexicon until then.") from None
        tables = data.get("synonyms", [])
        if not isinstance(tables, list):
            raise LexiconError(f"{path}: write each group as a [[synonyms]] table with a 'terms' list.")
        groups = []
        for number, table in enumerate(tables, 1):
            terms = table.get("terms") if isinstance(table, dict) else None
            if not isinstance(terms, list) or len(terms) < 2 or not all(isinstance(t, str) and t.strip() for t in terms):
                raise LexiconError(f"{path}: [[synonyms]] group #{number} needs 'terms', a list of at least two non-empty strings.")
            groups.append(tuple(t.strip() for t in terms))
        return cls(tuple(groups), path)


def lexicon_path(data_dir: str | Path | None) -> Path:
    """The lexicon in force: lexicon.toml in the data directory if there is one, else the starter lexicon."""
    if data_dir is not None:
        own = Path(data_dir) / LEXICON_FILENAME
        if own.is_file():
            return own
    return STARTER_LEXICON


_cache: ChangedFileCache[Lexicon] = ChangedFileCache()


def load_lexicon(path: str | Path) -> Lexicon:
    """Read a lexicon file, re-reading it only when it has changed on disk."""
    path = Path(path)
    try:
        stat = os.stat(path)
    except OSError as exc:
        raise LexiconError(f"Cannot read the lexicon {path}: {exc.strerror}.") from None
    return _cache.get(path, stat, lambda: Lexicon.from_toml(path.read_text(encoding="utf-8"), str(path)))
