"""Who may see what: the one rule every path out of the index goes through, whichever backend runs.

A document carries access keys (corpus.document.access_keys): "public"; "internal" for any signed-in
staff; or "group:NAME" for each group an internal document is limited to. A viewer holds keys too, and
sees a document when they share one. Backends are handed the viewer's keys (the `visibilities` argument
of search.api.Snapshot) and apply them to hits, totals, facets, snippets, word counts and documents.
"""

from __future__ import annotations

from corpus.document import GROUP_PREFIX, VISIBILITIES, access_keys
from search.api import Viewer

PUBLIC = ("public",)
EVERYTHING = VISIBILITIES


def visibilities(viewer: Viewer) -> tuple[str, ...]:
    """The access keys of a viewer: anonymous visitors "public" alone; signed-in staff also "internal"
    and one key per group they belong to.

    >>> visibilities(Viewer()), visibilities(Viewer("maija", staff=True))
    (('public',), ('public', 'internal'))
    >>> visibilities(Viewer("maija", staff=True, groups=("talous", "hr")))
    ('public', 'internal', 'group:hr', 'group:talous')
    >>> visibilities(Viewer("x", staff=False, groups=("talous",)))  # groups without sign-in count for nothing
    ('public',)
    """
    if not viewer.staff:
        return PUBLIC
    return EVERYTHING + tuple(GROUP_PREFIX + g for g in sorted(set(viewer.groups)))


def may_see(viewer: Viewer, visibility: str, groups: tuple[str, ...] = ()) -> bool:
    """True if the viewer may see a document of this visibility limited to these groups.

    >>> may_see(Viewer("a", staff=True, groups=("hr",)), "internal", ("talous",))
    False
    >>> may_see(Viewer("a", staff=True, groups=("hr",)), "internal", ("hr", "talous"))
    True
    """
    return bool(set(visibilities(viewer)) & set(access_keys(visibility, groups)))


def document_groups(keys) -> tuple[str, ...]:
    """The groups among a document's access keys (what staff are shown on a hit).

    >>> document_groups(["group:hr", "group:talous"]), document_groups(["internal"])
    (('hr', 'talous'), ())
    """
    return tuple(k[len(GROUP_PREFIX):] for k in keys if k.startswith(GROUP_PREFIX))
