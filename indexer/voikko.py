"""One lazily opened Voikko handle per process, shared by every analyzer, with a cache of analyses."""

from __future__ import annotations

import functools
import os
import threading

from indexer import IndexingError

# Words are Zipf-distributed: a few hundred thousand entries cover nearly every token of a large corpus.
ANALYSIS_CACHE_SIZE = 300_000
# The attributes of a Voikko reading that sotehaku reads (indexer.morphology). Voikko gives a dozen more per
# reading (FSTOUTPUT, SIJAMUOTO, ...); converting only these is about a fifth of an analysis's cost saved,
# and analysis of words not seen before is a large part of an index build (benchmarks/import_index.py).
READING_KEYS = ("BASEFORM", "CLASS", "MOOD", "NUMBER", "STRUCTURE", "WORDBASES")
_C_KEYS = tuple((key, key.encode("ascii")) for key in READING_KEYS)

_lock = threading.Lock()
_handle = None
_handle_pid = None


class VoikkoUnavailableError(IndexingError):
    """libvoikko or its Finnish dictionary is missing."""


def voikko_handle():
    """The process's Voikko handle, opened on first use (and again after a fork)."""
    global _handle, _handle_pid
    if _handle is None or _handle_pid != os.getpid():
        try:
            from libvoikko import Voikko

            _handle = Voikko("fi")
        except (ImportError, OSError) as exc:
            raise VoikkoUnavailableError(
                f"Voikko could not be loaded ({exc}). Install the system packages libvoikko1 and voikko-fi "
                "(apt-get install -y libvoikko1 voikko-fi) and the Python binding libvoikko, or run 'make install'."
            ) from None
        _handle_pid = os.getpid()
    return _handle


@functools.lru_cache(maxsize=ANALYSIS_CACHE_SIZE)
def analyze_word(word: str) -> tuple[dict, ...]:
    """Every Voikko reading of one word (cached; the native handle is not thread-safe, hence the lock).

    >>> sorted({a["BASEFORM"] for a in analyze_word("kuusi")})
    ['kuu', 'kuusi']
    """
    with _lock:
        return _readings(voikko_handle(), word)


def _readings(handle, word: str) -> tuple[dict, ...]:
    """Voikko's readings of a word, each with the READING_KEYS it has, read through the C functions that the
    binding's own `analyze` calls (asking for these keys only); the binding's `analyze` where those are not
    reachable (another binding version), filtered to the same keys.

    >>> [r["BASEFORM"] for r in _readings(voikko_handle(), "kuusi")] == [r["BASEFORM"] for r in voikko_handle().analyze("kuusi")]
    True
    """
    lib, native = getattr(handle, "_Voikko__lib", None), getattr(handle, "_Voikko__handle", None)
    if lib is None or native is None or "\0" in word:
        return tuple({k: v for k, v in reading.items() if k in READING_KEYS} for reading in handle.analyze(word))
    found = lib.voikkoAnalyzeWordUcs4(native, word)
    if not found:
        return ()
    value = lib.voikko_mor_analysis_value_ucs4
    readings = []
    try:
        i = 0
        while found[i]:
            analysis = found[i]
            reading = {}
            for key, c_key in _C_KEYS:
                text = value(analysis, c_key)
                if text is not None:
                    reading[key] = text
            readings.append(reading)
            i += 1
    finally:
        lib.voikko_free_mor_analysis(found)
    return tuple(readings)


@functools.lru_cache(maxsize=4096)
def spell_suggestions(word: str) -> tuple[str, ...]:
    """Voikko's corrections of a misspelt word, best first; () for a word Voikko accepts as spelt.

    >>> spell_suggestions("hyvinvontialue")
    ('hyvinvointialue',)
    """
    with _lock:
        handle = voikko_handle()
        if handle.spell(word):
            return ()
        return tuple(handle.suggest(word))
