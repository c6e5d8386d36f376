"""The SolrCloud backend: sotehaku's analysed documents in SolrCloud collections (backend.py, indexing.py,
translate.py, client.py), and its foundation: a local test cluster (cluster.py), the configset and
collection set-up (configset.py, admin.py). The foundation imports only the standard library and httpx.
"""
