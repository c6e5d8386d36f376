"""Session fixtures for the SolrCloud tests: a real local cluster (ZooKeeper and two Solr nodes, each a
JVM process on 127.0.0.1) and a collection of 2 shards x 2 replicas on it, started once per session."""

from __future__ import annotations

import pytest

from backends.solr.admin import setup_collection
from backends.solr.cluster import QUICK_START_JVM_OPTIONS, LocalCluster

SOLRCLOUD_COLLECTION = "sotehaku_test"


@pytest.fixture(scope="session")
def solrcloud(tmp_path_factory):
    """A running LocalCluster with two nodes; tests that stop a node start it again."""
    with LocalCluster(tmp_path_factory.mktemp("solrcloud"), nodes=2, jvm_options=QUICK_START_JVM_OPTIONS) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def solrcloud_collection(solrcloud):
    """The name of a collection of 2 shards x 2 replicas, set up from the package's configset."""
    setup_collection(solrcloud.node_urls, SOLRCLOUD_COLLECTION, shards=2, replicas=2)
    return SOLRCLOUD_COLLECTION
