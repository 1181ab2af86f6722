"""AWS Lambda entry point: ``lambda_processor.handler.handler``.

Thin over :mod:`f1lake.processing`; settings come from ``F1LAKE_*`` environment variables
(read per invocation), or from the local Lambda runner that invokes it.
"""

from __future__ import annotations

from typing import Any

from f1lake.processing.handler import current_settings, handle_event


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    return handle_event(event, current_settings())
