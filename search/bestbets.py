"""Best bets: documents the web team pins for a query, edited as TOML and picked up when the file changes.

    [[bestbet]]
    query = "koronarokotus"
    documents = ["https://www.example.fi/palvelut/rokotukset.html"]

A best bet matches a search whose words are the bet's words in any inflected form (or any order): both
are analysed as the index is (indexer.analysis through search.query), so "koronarokotuksen" and
"koronarokotukset" pin what "koronarokotus" pins. The engine puts the pinned documents first, marked as
recommended, and only for viewers allowed to see them (search.engine).
"""

from __future__ import annotations

import os
import tempfile
import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from search import SearchError
from search.filecache import ChangedFileCache
from search.query import QueryWord, analyze_query

BESTBETS_FILENAME = "bestbets.toml"
MAX_PINNED = 5  # documents per query: more would push every organic result off the first page
# Analyses whose terms tell two typed words apart as the same word (compound parts do not count).
MATCHING_ANALYSES = ("fi", "sv", "en", "folded")


class BestBetsError(SearchError):
    """The best bets file is malformed; the message names the file, the entry and the fix."""


@dataclass(frozen=True)
class BestBet:
    """One pinned query: its words as typed and the documents (ids) pinned for it, in order."""

    query: str
    documents: tuple[str, ...]


def _content_words(text: str) -> list[QueryWord]:
    return [w for w in analyze_query(text) if not w.stop and w.terms]


def _terms(word: QueryWord) -> frozenset[tuple[str, str]]:
    return frozenset((analysis, term) for analysis in MATCHING_ANALYSES for term in word.terms.get(analysis, ()))


def same_words(typed: list[QueryWord], pinned: list[QueryWord]) -> bool:
    """True when every pinned word is one of the typed words by an analysed term and the search has no
    other word: the same words in any inflected form and order.

    >>> same_words(_content_words("koronarokotuksen"), _content_words("koronarokotus"))
    True
    >>> same_words(_content_words("koronarokotus hinta"), _content_words("koronarokotus"))
    False
    """
    if not typed or len(typed) != len(pinned):
        return False
    left = [_terms(w) for w in typed]
    for word in pinned:
        terms = _terms(word)
        match = next((i for i, t in enumerate(left) if t & terms), None)
        if match is None:
            return False
        left.pop(match)
    return True


@dataclass(frozen=True)
class BestBets:
    """Every best bet of a file, with its words analysed once."""

    bets: tuple[BestBet, ...] = ()
    path: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_words", tuple(_content_words(b.query) for b in self.bets))

    @classmethod
    def from_toml(cls, text: str, path: str = "<best bets>") -> "BestBets":
        """Parse and check a best bets file; errors name the file and the entry.

        >>> BestBets.from_toml('[[bestbet]]\\nquery = "rokotus"\\ndocuments = ["a", "b"]').bets
        (BestBet(query='rokotus', documents=('a', 'b')),)
        """
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise BestBetsError(f"{path} is not valid TOML: {exc}. Fix it; searches fail until then.") from None
        unknown = sorted(set(data) - {"bestbet"})
        if unknown:
            raise BestBetsError(f"{path}: unknown table {', '.join(unknown)}; write each pin as a [[bestbet]] table.")
        tables = data.get("bestbet", [])
        if not isinstance(tables, list):
            raise BestBetsError(f"{path}: write each pin as a [[bestbet]] table with 'query' and 'documents'.")
        bets = []
        for number, table in enumerate(tables, 1):
            where = f"{path}: [[bestbet]] #{number}"
            if not isinstance(table, dict) or set(table) - {"query", "documents"}:
                raise BestBetsError(f"{where} may only have 'query' (a string) and 'documents' (a list of document ids).")
            query, documents = table.get("query"), table.get("documents")
            if not isinstance(query, str) or not _content_words(query):
                raise BestBetsError(f"{where} needs 'query', the words people search for, such as query = \"koronarokotus\".")
            if (not isinstance(documents, list) or not documents or len(documents) > MAX_PINNED
                    or not all(isinstance(d, str) and d.strip() for d in documents)):
                raise BestBetsError(
                    f"{where} needs 'documents', a list of 1 to {MAX_PINNED} document ids (the 'id' of a search hit)."
                )
            bets.append(BestBet(query.strip(), tuple(dict.fromkeys(d.strip() for d in documents))))
        return cls(tuple(bets), path)

    def bet_for(self, query: str) -> BestBet | None:
        """The bet whose words are the query's (in any inflected form and order), or None."""
        words = _content_words(query)
        return next((b for b, w in zip(self.bets, self._words) if same_words(words, list(w))), None)

    def pin(self, query: str, doc_id: str) -> "BestBets":
        """These best bets with a document pinned for a query: added to the bet of the same words (last), or
        as a new bet. BestBetsError when the query has no words or its bet has MAX_PINNED documents.

        >>> BestBets().pin("Koronarokotus", "a").pin("koronarokotuksen", "b").bets
        (BestBet(query='Koronarokotus', documents=('a', 'b')),)
        """
        query, doc_id = " ".join(query.split()), doc_id.strip()
        if not has_words(query):
            raise BestBetsError(f"Best bet {query!r} has no words to search for; give words such as \"koronarokotus\".")
        if not doc_id:
            raise BestBetsError("A best bet needs a document id (the 'id' of a search hit).")
        bet = self.bet_for(query)
        if bet is None:
            return BestBets(self.bets + (BestBet(query, (doc_id,)),), self.path)
        if doc_id in bet.documents:
            return self
        if len(bet.documents) >= MAX_PINNED:
            raise BestBetsError(f"Best bet {bet.query!r} already pins {MAX_PINNED} documents, the most; remove one first.")
        return BestBets(tuple(BestBet(b.query, b.documents + (doc_id,)) if b is bet else b for b in self.bets), self.path)

    def unpin(self, query: str, doc_id: str) -> "BestBets":
        """These best bets without a document pinned for a query (a bet left without documents goes);
        unchanged when it is not pinned.

        >>> BestBets().pin("rokotus", "a").pin("rokotus", "b").unpin("rokotus", "a").unpin("rokotus", "b").bets
        ()
        """
        bet = self.bet_for(query)
        if bet is None or doc_id not in bet.documents:
            return self
        left = tuple(d for d in bet.documents if d != doc_id)
        bets = tuple((BestBet(b.query, left) if b is bet else b) for b in self.bets if b is not bet or left)
        return BestBets(bets, self.path)

    def to_toml(self) -> str:
        """The best bets as the file holds them (from_toml reads it back)."""
        return HEADER + tomli_w.dumps({"bestbet": [{"query": b.query, "documents": list(b.documents)} for b in self.bets]})

    def pinned(self, words: list[QueryWord]) -> tuple[str, ...]:
        """The ids pinned for a search of these (content) words, in file order, each once."""
        words = [w for w in words if not w.stop and w.terms]
        out: list[str] = []
        for bet, bet_words in zip(self.bets, self._words):
            if same_words(words, list(bet_words)):
                out.extend(d for d in bet.documents if d not in out)
        return tuple(out[:MAX_PINNED])


def has_words(query: str) -> bool:
    """Whether a query has words a best bet can match (not only stopwords and punctuation)."""
    return bool(_content_words(query))


NO_BEST_BETS = BestBets()
HEADER = "# Best bets (search.bestbets), also edited on the staff dashboard (/admin), which rewrites this file.\n\n"
_write_lock = threading.Lock()
_cache: ChangedFileCache[BestBets] = ChangedFileCache()


def load_bestbets(path: str | Path | None) -> BestBets:
    """The best bets of a file, re-read only when it has changed on disk; none when there is no file."""
    if path is None:
        return NO_BEST_BETS
    path = Path(path)
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return NO_BEST_BETS
    except OSError as exc:
        raise BestBetsError(f"Cannot read the best bets {path}: {exc.strerror}.") from None
    return _cache.get(path, stat, lambda: _read_bestbets(path))


def _read_bestbets(path: Path) -> BestBets:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BestBetsError(f"Cannot read the best bets {path}: {exc}. Save it as UTF-8 text.") from None
    return BestBets.from_toml(text, str(path))


def edit_bestbets(path: str | Path, change) -> BestBets:
    """Apply `change` (BestBets -> BestBets) to a best bets file and save the result atomically: written to
    a temporary file beside it, then renamed over it, so a search never reads half a file and a failed
    write leaves the old one. One edit at a time; a missing file is an empty one. BestBetsError when
    the file is malformed (it is left alone for a person to fix) or cannot be written."""
    path = Path(path)
    with _write_lock:
        bets = load_bestbets(path)
        changed = change(bets)
        if changed.bets == bets.bets and path.exists():
            return bets
        text = changed.to_toml()
        BestBets.from_toml(text, str(path))  # what is written must read back
        try:
            fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    out.write(text)
                    out.flush()
                    os.fsync(out.fileno())
                if path.exists():
                    os.chmod(temp, os.stat(path).st_mode & 0o777)
                else:
                    os.chmod(temp, 0o644)
                os.replace(temp, path)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise BestBetsError(f"Cannot save the best bets {path}: {exc.strerror or exc}. Check the folder's permissions.") from None
    return load_bestbets(path)
