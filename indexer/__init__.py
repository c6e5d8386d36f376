"""Indexer stage of sotehaku: Finnish analysis and the Whoosh index (reads corpus records, never search)."""


class IndexingError(Exception):
    """Base class of every error the indexer raises on purpose."""
