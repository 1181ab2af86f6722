"""The endpoint registry, the table registry and the transform registry agree.

They are three declarations per endpoint in three layers (see ``f1lake/endpoints.py``); this
test is what keeps them one contract: adding an endpoint to one and not the others fails here.
"""

from __future__ import annotations

from f1lake.endpoints import ENDPOINTS
from f1lake.schema import TABLES
from f1lake.transform import TRANSFORMS


def test_every_endpoint_has_a_transform_and_every_transform_an_endpoint():
    assert list(TRANSFORMS) == list(ENDPOINTS)


def test_every_endpoint_feeds_exactly_one_table_and_every_table_has_an_endpoint():
    sources = [t.source for t in TABLES.values()]
    assert sorted(sources) == sorted(ENDPOINTS), "each endpoint feeds exactly one table"
    assert sources == list(ENDPOINTS), "TABLES follows the order of ENDPOINTS"


def test_a_table_is_scoped_as_its_endpoint():
    for table in TABLES.values():
        assert table.scope == ENDPOINTS[table.source].scope, table.name
