"""The application's own errors, and the one place where every stage's errors become CLI messages.

HTTP statuses are decided in app.web.errors; both read the same classes from here.
"""

from __future__ import annotations

from corpus import CorpusError
from indexer import IndexingError
from search import SearchError


class AppError(Exception):
    """Base class of every error the application layer (accounts, query log, pipeline) raises on purpose."""


class EmptyCorpusError(AppError):
    """An index was asked for, but the corpus store holds no document."""


# Errors a user can fix (bad input, a missing index, an unreadable store): a one-line message, no traceback.
USER_ERRORS = (CorpusError, IndexingError, SearchError, AppError)


def cli_message(exc: BaseException) -> str:
    """The one-line message the CLI prints for a user error (the libraries' messages already name the fix)."""
    return str(exc)
