"""Application layer of sotehaku: the CLI, the pipeline, staff accounts, the query log and the web app.

Only this package picks a search backend and wires the stages (corpus, indexer, search) together.
"""
