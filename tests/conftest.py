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
    from samenspel.data import cbs, indicators, regions

    for fn in (cbs.registry, cbs._load_table_cached, indicators._catalogue_raw,
               indicators._catalogue_cached, regions._indeling_cached, regions.mergers,
               regions._profile_values, regions._municipalities_cached):
        fn.cache_clear()
    cbs.forget_unreachable()


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


def social_domain_stems() -> set[str]:
    """The CBS key stems of every social-domain indicator (themes other than bevolking), read
    from the catalogue, so that a derived snapshot can leave them out for one gemeente."""
    import yaml

    raw = yaml.safe_load((ROOT / "data" / "indicators.yml").read_text("utf-8"))
    stems = set()
    for entry in raw["indicators"]:
        if entry["theme"] == "bevolking":
            continue
        for role in ("column", "numerator"):
            if entry.get(role):
                stems.update(entry[role]["stems"])
    return stems


def write_population_only_snapshot(source: Path, target: Path, code: str) -> Path:
    """A copy of the snapshot in which gemeente `code` (and its wijken) has population figures
    only, as CBS publishes for some gemeenten: every social-domain cell of its rows is null.
    The other files are linked, not copied."""
    import json
    import re

    stems = social_domain_stems()
    wijk_prefix = "WK" + code[2:]
    target.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        if not (entry / "TypedDataSet.json").is_file() or not (entry / "DataProperties.json").is_file():
            (target / entry.name).symlink_to(entry)
            continue
        folder = target / entry.name
        folder.mkdir()
        for f in entry.iterdir():
            if f.name != "TypedDataSet.json":
                (folder / f.name).symlink_to(f)
        rows = json.loads((entry / "TypedDataSet.json").read_text("utf-8"))
        for row in rows:
            region = str(row.get("WijkenEnBuurten", "")).strip()
            if region == code or region.startswith(wijk_prefix):
                for key in row:
                    if re.sub(r"_\d+$", "", key) in stems:
                        row[key] = None
        (folder / "TypedDataSet.json").write_text(json.dumps(rows), "utf-8")
    return target


@pytest.fixture(scope="session")
def population_only_snapshot(snapshot_dir, tmp_path_factory):
    """(snapshot folder, code): Vlieland with population figures only."""
    code = "GM0096"
    folder = write_population_only_snapshot(snapshot_dir, tmp_path_factory.mktemp("snapshot") / "cbs", code)
    return folder, code
