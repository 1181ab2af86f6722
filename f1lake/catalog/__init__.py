"""The Glue catalog of the processed bucket: crawler definition and the local crawler."""

from __future__ import annotations

from f1lake.catalog.crawler import CrawlReport, crawl
from f1lake.catalog.definition import (
    CrawlerDefinition,
    DefinitionError,
    create_crawler_kwargs,
    load_definition,
)

__all__ = [
    "CrawlReport",
    "CrawlerDefinition",
    "DefinitionError",
    "crawl",
    "create_crawler_kwargs",
    "load_definition",
]
