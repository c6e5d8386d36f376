"""Swedish word analysis on a Hunspell dictionary: base forms and compound parts, cached.

Swedish writes compounds closed, and a word's tail is often what a reader types: *vårdreformen* is the
tail of *hälsovårdsreformen*, *området* of *välfärdsområdet*. Hunspell's Swedish dictionary (the
PyPI package hunspell-sv, read through the chunspell binding; Debian's hunspell-sv where that package
is missing) accepts compounds by its compounding rules, and gives base forms (*områdena*: område). The
split itself is ours: Hunspell's own analysis of a compound names only some of its parts
(benchmarks/swedish_compounds.py compares the two dictionaries on tests/test_swedish.py's table).
"""

from __future__ import annotations

import functools
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from indexer import IndexingError

DICTIONARY = "sv_SE"
# Where the dictionary is looked for: the hunspell-sv package's files in this Python environment, then
# Debian's hunspell-sv.
DICTIONARY_DIRS = (Path(sys.prefix) / "share" / "hunspell", Path("/usr/share/hunspell"))
MIN_PART = 3  # shorter pieces (om, en, ur) are mostly accidental matches
MAX_PARTS = 4
# A head Hunspell accepts after any first part of a compound: "hälso" is a first part because the
# dictionary accepts "hälsovård" (hälso is not a word alone).
PROBE_HEAD = "vård"
CACHE_SIZE = 200_000
_handle = None
_lock = threading.Lock()  # one handle per process (opening one takes seconds), one call at a time


@dataclass(frozen=True)
class SwedishWord:
    """What one Swedish word contributes: its base forms and, for a compound, its parts and tails
    (kommunalskatten: kommunalskatt; kommunal, skatt)."""

    lemmas: tuple[str, ...]
    parts: tuple[str, ...] = ()


def dictionary_dir() -> Path:
    """The first folder of DICTIONARY_DIRS that holds the Swedish dictionary; an IndexingError naming
    the fix when none does."""
    for folder in DICTIONARY_DIRS:
        if (folder / f"{DICTIONARY}.dic").is_file() and (folder / f"{DICTIONARY}.aff").is_file():
            return folder
    places = ", ".join(str(d) for d in DICTIONARY_DIRS)
    raise IndexingError(
        f"The Swedish dictionary {DICTIONARY} is in none of {places}. Install it: `pip install hunspell-sv` "
        "(or `apt-get install hunspell-sv`), or run `make install`."
    )


def _call(method: str, word: str):
    """A call of the process's Hunspell, opened on first use: processes (and queries of indexes)
    without Swedish text never pay for it."""
    global _handle
    with _lock:
        if _handle is None:
            import hunspell  # chunspell

            _handle = hunspell.Hunspell(DICTIONARY, hunspell_data_dir=str(dictionary_dir()))
        return getattr(_handle, method)(word)


@functools.lru_cache(maxsize=CACHE_SIZE)
def accepted(word: str) -> bool:
    """True if the dictionary accepts the word form (compounds by its compounding rules)."""
    return bool(word) and _call("spell", word)


@functools.lru_cache(maxsize=CACHE_SIZE)
def _stems(word: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s.lower() for s in _call("stem", word) if s))


@functools.lru_cache(maxsize=CACHE_SIZE)
def _is_compound(word: str) -> bool:
    """True if Hunspell reads the word as a compound of dictionary entries (its analysis names parts)."""
    return any("pa:" in a for a in _call("analyze", word))


def _first_part(piece: str) -> bool:
    """A piece that may start a compound: a word form, or a compound-only form (hälso, skol)."""
    return accepted(piece) or accepted(piece + PROBE_HEAD)


@functools.lru_cache(maxsize=CACHE_SIZE)
def split(word: str) -> tuple[str, ...]:
    """The pieces of a compound as written, linking -s- kept (hälso, vårds, reformen); (word,) when the
    word is not a compound.

    >>> split("hälsovårdsreformen"), split("reformen")
    (('hälso', 'vårds', 'reformen'), ('reformen',))
    """
    return _split(word, MAX_PARTS)


def _split(word: str, budget: int) -> tuple[str, ...]:
    """Only what Hunspell reads as a compound is split: a word the dictionary lists whole (reformen,
    hemvården) would split into accidental words (ref, ormen)."""
    if budget < 2 or len(word) < 2 * MIN_PART or not _is_compound(word):
        return (word,)
    for i in range(MIN_PART, len(word) - MIN_PART + 1):  # the longest head first
        left, right = word[:i], word[i:]
        if _first_part(left) and accepted(right):
            if right.startswith("s") and len(right) > MIN_PART and _first_part(left + "s") and accepted(right[1:]):
                left, right = left + "s", right[1:]  # the linking s: vårds|lagen, not vård|slagen
            return (left, *_split(right, budget - 1))
    return (word,)


def _piece_lemma(piece: str) -> str:
    """A first part without its linking s (vårds: vård), when the dictionary has that word."""
    return piece[:-1] if piece.endswith("s") and len(piece) > MIN_PART and accepted(piece[:-1]) else piece


@functools.lru_cache(maxsize=CACHE_SIZE)
def analyze(word: str) -> SwedishWord:
    """Base forms, compound parts and tails of one lower-cased Swedish word; nothing for a word the
    dictionary does not accept (its Snowball stem still stands for it).

    >>> "välfärdsområde" in analyze("välfärdsområdena").lemmas, analyze("vårdreformen").lemmas
    (True, ('vårdreform',))
    >>> "vårdreform" in analyze("hälsovårdsreformen").parts
    True
    """
    if not accepted(word):
        return SwedishWord(())
    pieces = split(word)
    if len(pieces) == 1:
        return SwedishWord(_stems(word))
    *firsts, last = pieces
    heads = _stems(last) or (last,)
    prefix = "".join(firsts)
    lemmas = tuple(dict.fromkeys(prefix + head for head in heads))
    parts: list[str] = [_piece_lemma(p) for p in firsts]
    parts += heads
    for k in range(1, len(firsts)):  # tails of three or more pieces: vårds|reformen, and without the s
        written = "".join(firsts[k:])
        plain = "".join(_piece_lemma(p) for p in firsts[k:])
        parts += [start + head for head in heads for start in (written, plain)]
    for k in range(2, len(firsts) + 1):  # leading compounds: hemvård in hemvårds|tjänster
        parts.append("".join(firsts[: k - 1]) + _piece_lemma(firsts[k - 1]))
    return SwedishWord(lemmas, tuple(p for p in dict.fromkeys(parts) if p not in lemmas and len(p) >= MIN_PART))
