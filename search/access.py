"""Who may see what: the one rule every path out of the index goes through, whichever backend runs."""

from __future__ import annotations

from corpus.document import VISIBILITIES
from search.api import Viewer

PUBLIC = ("public",)
EVERYTHING = VISIBILITIES


def visibilities(viewer: Viewer) -> tuple[str, ...]:
    """The document visibilities a viewer may see: anonymous visitors public ones, signed-in staff all.

    >>> visibilities(Viewer()), visibilities(Viewer("maija", staff=True))
    (('public',), ('public', 'internal'))
    """
    return EVERYTHING if viewer.staff else PUBLIC
