"""Where the main job gets its data, and the message when there is nowhere."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from f1lake import source
from f1lake.settings import Settings
from tests.support.minidump import write_minidump


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/ergast/f1"


def test_an_explicit_dump_wins(tmp_path):
    dump = write_minidump(tmp_path / "dump")
    chosen = source.resolve_source(Settings(api_base_url=closed_port_url()), csv_dir=dump)
    assert chosen.kind == "replay" and chosen.csv_dir == dump.resolve()


def test_a_folder_without_a_dump_is_named(tmp_path):
    with pytest.raises(source.NoSourceError, match=r"not an Ergast CSV dump.*races\.csv"):
        source.resolve_source(Settings(), csv_dir=tmp_path)


def test_no_source_at_all_stops_with_the_options(monkeypatch, tmp_path):
    monkeypatch.setattr(source, "SHARED_CSV", tmp_path / "absent")
    url = closed_port_url()
    with pytest.raises(source.NoSourceError) as err:
        source.resolve_source(Settings(api_base_url=url))
    message = str(err.value)
    assert url in message
    for option in ("--csv-dir", "F1LAKE_ERGAST_CSV", "--api-url"):
        assert option in message


def test_unreachable_api_falls_back_to_the_shared_dump(monkeypatch, tmp_path):
    dump = write_minidump(tmp_path / "shared-dump")
    monkeypatch.setattr(source, "SHARED_CSV", dump)
    chosen = source.resolve_source(Settings(api_base_url=closed_port_url()))
    assert chosen.kind == "replay"
    assert "not reachable" in chosen.note and str(dump) in chosen.note


def test_a_reachable_api_is_used(tmp_path):
    from f1lake.replay import replay_api

    dump = write_minidump(tmp_path / "dump")
    with replay_api(Path(dump)) as url:
        chosen = source.resolve_source(Settings(api_base_url=url))
    assert chosen.kind == "api" and chosen.api_base_url == url
