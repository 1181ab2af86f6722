from __future__ import annotations

from pathlib import Path

import pytest

from f1lake.replay.dump import Dump, load_dump
from tests.support.minidump import write_minidump


@pytest.fixture(scope="session")
def minidump_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_minidump(tmp_path_factory.mktemp("minidump"))


@pytest.fixture(scope="session")
def minidump(minidump_dir: Path) -> Dump:
    return load_dump(minidump_dir)
