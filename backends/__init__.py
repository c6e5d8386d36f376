"""Search backends: each package implements the search API over one engine."""
