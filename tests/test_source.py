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


def settings(tmp_path: Path, **values: object) -> Settings:
    """Settings as the user gave them (an API URL given counts as named)."""
    return Settings(state_dir=tmp_path / "state", http_backoff_seconds=0.05, **values)


def unnamed(tmp_path: Path, url: str) -> Settings:
    """Settings whose API URL the user did not give (the default, here pointed at ``url``)."""
    given = settings(tmp_path, api_base_url=url)
    return Settings.model_construct(_fields_set={"state_dir"}, **dict(given))


def test_an_explicit_dump_wins(tmp_path):
    dump = write_minidump(tmp_path / "dump")
    chosen = source.resolve_source(settings(tmp_path, api_base_url=closed_port_url()), dump)
    assert chosen.kind == "replay" and chosen.csv_dir == dump.resolve()
    assert chosen.seasons == (2022, 2023)


def test_a_folder_without_a_dump_is_named(tmp_path):
    with pytest.raises(source.NoSourceError, match=r"not an Ergast CSV dump.*races\.csv"):
        source.resolve_source(settings(tmp_path), csv_dir=tmp_path)


def test_no_source_at_all_stops_with_the_options(monkeypatch, tmp_path):
    monkeypatch.setattr(source, "SHARED_CSV", tmp_path / "absent")
    url = closed_port_url()
    with pytest.raises(source.NoSourceError) as err:
        source.resolve_source(unnamed(tmp_path, url))
    message = str(err.value)
    assert url in message
    for option in ("--csv-dir", "F1LAKE_ERGAST_CSV", "--api-url"):
        assert option in message


def test_an_unreachable_default_api_falls_back_to_the_shared_dump_saying_so_briefly(
    monkeypatch, tmp_path, caplog
):
    dump = write_minidump(tmp_path / "shared-dump")
    monkeypatch.setattr(source, "SHARED_CSV", dump)
    url = closed_port_url()
    port = url.split(":")[2].split("/")[0]
    with caplog.at_level("WARNING"):
        chosen = source.resolve_source(unnamed(tmp_path, url))
    assert chosen.kind == "replay"
    # which source first, then why, in a few words: no request URL, no urllib3 pool text
    assert chosen.note == (
        f"replaying the CSV dump at {dump}: {url} is not reachable "
        f"(connection refused by 127.0.0.1:{port} (nothing listening?); 3 attempt(s))"
    )
    assert caplog.records == []  # the retries are the note's business, not warnings


@pytest.mark.parametrize("how", ["F1LAKE_API_BASE_URL", "--api-url"])
def test_a_named_api_that_does_not_answer_is_never_swapped_for_the_dump(monkeypatch, tmp_path, how):
    monkeypatch.setattr(source, "SHARED_CSV", write_minidump(tmp_path / "shared-dump"))
    url = closed_port_url()
    with pytest.raises(source.NoSourceError, match="named, so no dump stands in"):
        if how == "--api-url":
            source.resolve_source(unnamed(tmp_path, "http://127.0.0.1:9/x"), api_url=url)
        else:
            monkeypatch.setenv(how, url)
            source.resolve_source(Settings(state_dir=tmp_path / "state"))


def test_a_429_on_the_probe_is_waited_out_through_the_shared_limiter(tmp_path):
    from f1lake.ergast.ratelimit import rate_limiter_from_settings
    from f1lake.replay import replay_api
    from f1lake.replay.server import Faults

    faults = Faults()
    faults.fail_next(2, status=429)  # Jolpica's: no Retry-After
    dump = write_minidump(tmp_path / "dump")
    given = settings(tmp_path)
    with replay_api(Path(dump), faults=faults) as url:
        chosen = source.resolve_source(given, api_url=url)
    assert chosen.kind == "api" and chosen.api_base_url == url
    assert chosen.note == f"using the Ergast API at {url}"
    assert chosen.seasons == (2022, 2023)
    assert faults.requests == 3
    with rate_limiter_from_settings(given) as limiter:  # every attempt went through it
        assert len(limiter.admissions()) == 3
