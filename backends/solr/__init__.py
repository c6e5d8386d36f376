"""The SolrCloud backend's foundation: a local test cluster, the configset and collection set-up.

Nothing here imports the rest of sotehaku: only the standard library and httpx.
"""
