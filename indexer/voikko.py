"""One lazily opened Voikko handle per process, shared by every analyzer, with a cache of analyses."""

from __future__ import annotations

import functools
import os
import threading

from indexer import IndexingError

# Words are Zipf-distributed: a few hundred thousand entries cover nearly every token of a large corpus.
ANALYSIS_CACHE_SIZE = 300_000

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
        return tuple(dict(a) for a in voikko_handle().analyze(word))


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
