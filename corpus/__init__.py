"""Corpus stage of sotehaku: fetch, parse and store documents (imports neither indexer nor search)."""


class CorpusError(Exception):
    """Base class of every error the corpus stage raises on purpose."""
