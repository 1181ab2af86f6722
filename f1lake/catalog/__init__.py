"""The Glue catalog of the processed bucket: crawler definition and the local crawler.

The names below load on first use (PEP 562): the local query engine reads the catalog through
``glue_tables`` and must not pay for the crawler's imports (awswrangler) on every start.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from f1lake.catalog.crawler import CrawlReport, crawl
    from f1lake.catalog.definition import (
        CrawlerDefinition,
        DefinitionError,
        create_crawler_kwargs,
        load_definition,
    )

_HOMES = {
    "CrawlReport": "crawler",
    "crawl": "crawler",
    "CrawlerDefinition": "definition",
    "DefinitionError": "definition",
    "create_crawler_kwargs": "definition",
    "load_definition": "definition",
}

__all__ = [
    "CrawlReport",
    "CrawlerDefinition",
    "DefinitionError",
    "crawl",
    "create_crawler_kwargs",
    "load_definition",
]


def __getattr__(name: str) -> object:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
