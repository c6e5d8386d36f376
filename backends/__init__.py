"""Search backends: each implements search.api.Backend with one engine (the embedded Whoosh index, SolrCloud)."""
