import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


EMBEDDED = ROOT / "data" / "momentopname"


def _snapshot() -> Path:
    """The CBS tables the tests read: SAMENSPEL_SNAPSHOT when set (CI sets ../shared/data/cbs),
    else the embedded snapshot data/momentopname."""
    value = os.environ.get("SAMENSPEL_SNAPSHOT")
    path = Path(value) if value else EMBEDDED
    return path.resolve()


SNAPSHOT = _snapshot()


def clear_caches():
    from samenspel.data import cbs, indicators, regions

    for fn in (
        cbs.registry,
        cbs._load_table_cached,
        indicators._catalogue_raw,
        indicators._catalogue_cached,
        regions._indeling_cached,
        regions.mergers,
        regions._profile_values,
        regions._municipalities_cached,
    ):
        fn.cache_clear()
    cbs.forget_unreachable()


@pytest.fixture(scope="session")
def snapshot_dir() -> Path:
    from tests.rawcbs import existing

    if not existing(SNAPSHOT / "85984NED" / "TypedDataSet.json").is_file():
        pytest.fail(
            f"The CBS snapshot is missing at {SNAPSHOT} (set SAMENSPEL_SNAPSHOT, or build the embedded "
            f"one with `python -m samenspel momentopname --van DIR`)."
        )
    return SNAPSHOT


@pytest.fixture(scope="module")
def snapshot_data(snapshot_dir):
    """The dataset read from the test snapshot, once per test module (for tests that check
    many municipalities against it)."""
    from samenspel.data import dataset

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAMENSPEL_SNAPSHOT", str(snapshot_dir))
        yield dataset.load(fetch=False)


@pytest.fixture
def use_snapshot(snapshot_dir, monkeypatch):
    """Read CBS tables from the test snapshot only (SAMENSPEL_SNAPSHOT or the embedded one)."""
    monkeypatch.setenv("SAMENSPEL_SNAPSHOT", str(snapshot_dir))
    clear_caches()
    yield snapshot_dir
    clear_caches()


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    """No snapshot, not even the embedded one; an empty local cache in a temporary folder."""
    monkeypatch.delenv("SAMENSPEL_SNAPSHOT", raising=False)
    monkeypatch.setenv("SAMENSPEL_MOMENTOPNAME", "0")
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
    The other files are linked, not copied (a manifest is not: this is another snapshot)."""
    import json
    import re

    from tests.rawcbs import existing, read_json

    stems = social_domain_stems()
    wijk_prefix = "WK" + code[2:]
    target.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        if entry.name == "MANIFEST.json":
            continue
        if not existing(entry / "TypedDataSet.json").is_file() or not existing(entry / "DataProperties.json").is_file():
            (target / entry.name).symlink_to(entry)
            continue
        folder = target / entry.name
        folder.mkdir()
        for f in entry.iterdir():
            if not f.name.startswith("TypedDataSet.json"):
                (folder / f.name).symlink_to(f)
        rows = read_json(entry / "TypedDataSet.json")
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
