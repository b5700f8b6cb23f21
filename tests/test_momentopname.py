"""The embedded snapshot data/momentopname/: how it is built, that it is current, that leaving
out buurten changes no figure, and that a damaged file is named."""

import hashlib
import json
import shutil

import pytest

from samenspel.data import cbs, momentopname
from samenspel.errors import SamenspelError
from tests.conftest import EMBEDDED, clear_caches
from tests.rawcbs import read_json


def _has_buurten(snapshot) -> bool:
    rows = read_json(snapshot / "85984NED" / "TypedDataSet.json")
    return any(str(r.get("WijkenEnBuurten", "")).startswith("BU") for r in rows)


@pytest.fixture(scope="module")
def built(snapshot_dir, tmp_path_factory):
    """The snapshot built from the test snapshot into a temporary folder."""
    target = tmp_path_factory.mktemp("momentopname") / "momentopname"
    return momentopname.build(snapshot_dir, target)


def test_build_writes_compressed_tables_a_manifest_and_the_licence(built, snapshot_dir):
    manifest = json.loads((built.target / "MANIFEST.json").read_text("utf-8"))
    ids = [t["table_id"] for t in manifest["tables"]]
    assert ids == [t for t in ids if (snapshot_dir / t).is_dir()] and "85984NED" in ids and "84489NED" in ids
    t2024 = next(t for t in manifest["tables"] if t["table_id"] == "85984NED")
    assert t2024["title"] == "Kerncijfers wijken en buurten 2024" and t2024["modified"].startswith("2025-03-27")
    assert t2024["period"] == "2024"
    assert manifest["source"].endswith("(SOURCES.md)") == (snapshot_dir / "SOURCES.md").is_file()
    assert "Bron: CBS" in manifest["licence"]
    listed = {}
    for entry in manifest["tables"] + manifest["reference_files"]:
        listed.update(entry["files"])
    on_disk = {p.relative_to(built.target).as_posix() for p in built.target.rglob("*") if p.is_file()}
    assert on_disk == set(listed) | {"MANIFEST.json", "LICENTIE.md"}
    for rel, info in listed.items():
        data = (built.target / rel).read_bytes()
        assert rel.endswith(".gz") and data[:2] == b"\x1f\x8b"
        assert info == {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    assert "gebieden/gemeentelijke_indeling_1990-2025_nlextract.csv.gz" in listed
    licence = (built.target / "LICENTIE.md").read_text("utf-8")
    assert "CC BY 4.0" in licence and "Bron: CBS" in licence
    # buurten are left out and said so; nothing else
    for entry in manifest["tables"]:
        rows = read_json(built.target / entry["table_id"] / "TypedDataSet.json")
        assert entry["rows"] == len(rows)
        assert not any(str(r.get("WijkenEnBuurten", "")).startswith("BU") for r in rows)
        assert (entry["dropped"] is None) == (entry["dropped_rows"] == 0)


def test_the_same_source_gives_the_same_files(built, tmp_path, snapshot_dir):
    """gzip without a time stamp: rebuilding from unchanged data changes no file in git."""
    again = momentopname.build(snapshot_dir, tmp_path / "again")
    assert [t["files"] for t in again.tables] == [t["files"] for t in built.tables]
    assert [r["files"] for r in again.reference_files] == [r["files"] for r in built.reference_files]


def test_the_embedded_snapshot_matches_its_manifest():
    manifest = cbs.manifest(EMBEDDED)
    assert manifest is not None, "data/momentopname/MANIFEST.json is missing"
    for rel, info in manifest["_files"].items():
        data = (EMBEDDED / rel).read_bytes()
        assert hashlib.sha256(data).hexdigest() == info["sha256"] and len(data) == info["size"], rel
    assert manifest["source"] == "../shared/data/cbs (SOURCES.md)"
    size = sum(p.stat().st_size for p in EMBEDDED.rglob("*") if p.is_file())
    assert size < 3_000_000  # "a few MB" at most


def test_the_embedded_snapshot_is_built_from_the_current_source(built, snapshot_dir):
    """With SAMENSPEL_SNAPSHOT=../shared/data/cbs (CI), the committed snapshot must be what the
    command builds from it now: rebuild it when the shared data changes."""
    if snapshot_dir == EMBEDDED.resolve():
        pytest.skip("the tests read the embedded snapshot itself")
    committed = cbs.manifest(EMBEDDED)["_files"]
    fresh = {}
    for entry in built.tables + built.reference_files:
        fresh.update(entry["files"])
    assert fresh == committed, "run: python -m samenspel momentopname --van ../shared/data/cbs"


def test_without_buurten_every_figure_is_the_same(built, snapshot_dir, monkeypatch):
    """The proof that leaving out buurten is safe: every value, area change and municipality
    list read from the full source equals the one read from the built snapshot."""
    if not _has_buurten(snapshot_dir):
        pytest.skip("the test snapshot has no buurten (set SAMENSPEL_SNAPSHOT=../shared/data/cbs)")
    from samenspel.data import indicators, regions

    def everything(folder):
        monkeypatch.setenv("SAMENSPEL_SNAPSHOT", str(folder))
        clear_caches()
        values = indicators.values().sort_values(["indicator", "jaar", "code"]).reset_index(drop=True)
        changes = indicators.area_changes().sort_values(["jaar", "code"]).reset_index(drop=True)
        lists = {y: regions.municipalities(y) for y in cbs.available_years()}
        definitions = {i.id: i.definition for i in indicators.catalogue()}
        return values, changes, lists, regions.known_municipalities(), definitions

    full = everything(snapshot_dir)
    small = everything(built.target)
    clear_caches()
    assert len(full[0]) == len(small[0]) > 0
    assert full[0].equals(small[0])
    assert full[1].equals(small[1])
    assert full[2].keys() == small[2].keys() and all(full[2][y].equals(small[2][y]) for y in full[2])
    assert full[3] == small[3] and full[4] == small[4]


def test_a_folder_that_is_no_snapshot_is_refused(tmp_path, capsys):
    from samenspel import cli

    empty = tmp_path / "leeg"
    empty.mkdir()
    target = tmp_path / "doel"
    assert cli.main(["momentopname", "--van", str(empty), "--naar", str(target)]) == 2
    err = capsys.readouterr().err
    assert "is geen momentopname" in err and "Traceback" not in err
    assert not target.exists() and list(tmp_path.iterdir()) == [empty]
    assert cli.main(["momentopname", "--van", str(tmp_path / "bestaat-niet"), "--naar", str(target)]) == 2
    assert "bestaat niet" in capsys.readouterr().err


def test_the_command_builds_and_an_interrupted_build_keeps_the_old_snapshot(
    snapshot_dir, tmp_path, monkeypatch, capsys
):
    from samenspel import cli

    target = tmp_path / "momentopname"
    assert cli.main(["momentopname", "--van", str(snapshot_dir), "--naar", str(target)]) == 0
    out = capsys.readouterr().out
    assert "85984NED" in out and "MANIFEST.json" in out
    before = (target / "MANIFEST.json").read_bytes()

    def broken(*args):
        raise OSError("schijf vol")

    monkeypatch.setattr(momentopname, "_copy_references", broken)
    with pytest.raises(OSError):
        momentopname.build(snapshot_dir, target)
    assert (target / "MANIFEST.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["momentopname"]  # no temporary leftovers


@pytest.fixture
def fallback_only(built, tmp_path, monkeypatch):
    """No SAMENSPEL_SNAPSHOT, an empty cache, CBS unreachable: a copy of the built snapshot is
    the embedded one."""
    import cbsodata

    copy = tmp_path / "momentopname"
    shutil.copytree(built.target, copy)
    monkeypatch.delenv("SAMENSPEL_SNAPSHOT", raising=False)
    monkeypatch.setenv("SAMENSPEL_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("SAMENSPEL_MOMENTOPNAME", str(copy))
    old = (cbsodata.options.catalog_url, cbsodata.options.use_https)
    cbsodata.options.catalog_url, cbsodata.options.use_https = "127.0.0.1:9", False  # nothing listens
    clear_caches()
    yield copy
    cbsodata.options.catalog_url, cbsodata.options.use_https = old
    clear_caches()


def test_a_damaged_embedded_file_is_named(fallback_only):
    path = fallback_only / "86165NED" / "TypedDataSet.json.gz"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(cbs.CorruptTable) as info:
        cbs.load_table("86165NED", download=False)
    assert str(path) in info.value.message and "controlesom" in info.value.message
    assert cbs.load_table("85984NED", download=False).origin == "snapshot"  # the others still read


def test_a_damaged_embedded_municipality_list_is_named(fallback_only):
    path = fallback_only / "gebieden" / "gemeentelijke_indeling_1990-2025_nlextract.csv.gz"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(SamenspelError, match="controlesom") as info:
        cbs.reference_file("gemeentelijke_indeling")
    assert "gemeentelijke_indeling_1990-2025_nlextract.csv.gz" in info.value.message


def test_a_file_missing_from_the_manifest_is_refused(fallback_only):
    extra = fallback_only / "86165NED" / "Perioden.json"
    extra.write_text("[]", "utf-8")
    with pytest.raises(cbs.CorruptTable, match="staat niet in"):
        cbs._read_json(extra)
