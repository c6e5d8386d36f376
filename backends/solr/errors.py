"""The errors of the SolrCloud backend: one base class, messages that name the input and the fix."""

from __future__ import annotations


class SolrError(Exception):
    """Something about SolrCloud failed; the message says what and what to do."""


class SolrUnreachableError(SolrError):
    """No node of the cluster answered."""


class ConfigsetError(SolrError):
    """The cluster refused the configset, or the configset in the package is unusable."""


class CollectionError(SolrError):
    """A collection could not be created, or did not become active in time."""


class ClusterError(SolrError):
    """The local test cluster (ZooKeeper and Solr node processes) could not be built or started."""
