import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _snapshot() -> Path:
    value = os.environ.get("SAMENSPEL_SNAPSHOT")
    path = Path(value) if value else ROOT.parent / "shared" / "data" / "cbs"
    return path.resolve()


SNAPSHOT = _snapshot()


def clear_caches():
    from samenspel import cbs, indicators, regions

    for fn in (cbs.registry, cbs._load_table_cached, indicators._catalogue_raw,
               indicators._catalogue_cached, regions._indeling_cached, regions.mergers,
               regions._profile_values, regions._municipalities_cached):
        fn.cache_clear()


@pytest.fixture(scope="session")
def snapshot_dir() -> Path:
    if not (SNAPSHOT / "85984NED" / "TypedDataSet.json").is_file():
        pytest.fail(f"The shared CBS snapshot is missing at {SNAPSHOT} (set SAMENSPEL_SNAPSHOT).")
    return SNAPSHOT


@pytest.fixture
def use_snapshot(snapshot_dir, monkeypatch):
    """Read CBS tables from the shared snapshot only."""
    monkeypatch.setenv("SAMENSPEL_SNAPSHOT", str(snapshot_dir))
    clear_caches()
    yield snapshot_dir
    clear_caches()


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    """No snapshot; an empty local cache in a temporary folder."""
    monkeypatch.delenv("SAMENSPEL_SNAPSHOT", raising=False)
    cache = tmp_path / "cache"
    monkeypatch.setenv("SAMENSPEL_CACHE", str(cache))
    clear_caches()
    yield cache
    clear_caches()
