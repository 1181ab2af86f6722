"""Offline Ergast API: serve an Ergast CSV dump as the Ergast JSON API, as of a chosen day."""

from __future__ import annotations

from f1lake.replay.dump import Dump, DumpError, default_today, load_dump
from f1lake.replay.server import Faults, create_app, replay_api, resolve_today, serve

__all__ = [
    "Dump",
    "DumpError",
    "Faults",
    "create_app",
    "default_today",
    "load_dump",
    "replay_api",
    "resolve_today",
    "serve",
]
