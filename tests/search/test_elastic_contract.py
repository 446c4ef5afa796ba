"""The backend contract suite (tests/search/test_store_contract.py) against a real Elasticsearch 9 cluster.

Runs only when ``VIGIL_ES_URL`` is set (plus ``VIGIL_ES_API_KEY`` / ``VIGIL_ES_CA_CERT`` if the cluster
needs them): every contract test is imported here with a ``store`` fixture that opens an
:class:`~vigil.search.elastic.ElasticStore` under a fresh index prefix and deletes its indices afterwards.
Without the variable nothing from the suite is collected here (no Elasticsearch can run on the CI
machines); the request shapes are covered by tests/search/test_elastic_*.py instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from vigil.search.elastic import ElasticStore
from vigil.search.store import Store
from vigil.settings import load_settings

from . import test_store_contract as contract

ES_URL = os.environ.get("VIGIL_ES_URL")

if ES_URL:
    globals().update({name: value for name, value in vars(contract).items() if name.startswith("test_")})
    corpus = contract.corpus


@pytest.fixture
def store() -> Iterator[Store]:
    """A fresh deployment (``vigil-test-<random>-*`` indices) on the cluster at ``VIGIL_ES_URL``."""
    settings = load_settings(store="elasticsearch", es_index_prefix=f"vigil-test-{uuid.uuid4().hex[:12]}")
    opened = ElasticStore.from_settings(settings)
    try:
        yield opened
    finally:
        opened.destroy()
        opened.close()


def test_contract_tests_are_collected_exactly_when_a_cluster_is_configured() -> None:
    names = sorted(n for n in vars(contract) if n.startswith("test_"))
    assert names, "the contract suite has tests"
    here = globals()
    assert all((n in here) == bool(ES_URL) for n in names)
