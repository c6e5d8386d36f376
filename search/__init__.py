"""Search stage of sotehaku: queries, ranking and snippets over the index, with CLI and web front ends."""


class SearchError(Exception):
    """Base class of every error the search stage raises on purpose."""
