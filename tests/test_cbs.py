import json
import shutil

import cbsodata
import pandas as pd
import pytest

from samenspel.data import cbs, indicators
from samenspel.errors import SamenspelError
from tests.odata_server import serving
from tests.rawcbs import cell, read_json, write_plain


@pytest.fixture
def cbs_server(snapshot_dir, empty_cache):
    """cbsodata pointed at a local OData server that serves the shared snapshot."""
    with serving(snapshot_dir, tables=["84583NED", "86165NED"], page_size=100) as server:
        yield server


def test_download_cache_read_and_indicator_values(cbs_server, empty_cache, snapshot_dir):
    raw = read_json(snapshot_dir / "84583NED" / "TypedDataSet.json")  # 610 rows, 131 without buurten
    folder = cbs.download_table("84583NED", retries=1)
    assert folder == empty_cache / "84583NED"
    # paging: pages of 100 rows -> one request per page for the data set
    assert sum("TypedDataSet" in r for r in cbs_server.requests) == -(-len(raw) // 100) > 1
    table = cbs.load_table("84583NED", download=False)
    assert table.origin == "cache" and table.retrieved is not None
    assert len(table.data) == len(raw)
    # codes are kept and stripped
    assert "GM0363" in set(table.data["WijkenEnBuurten"])
    assert set(table.data["WijkenEnBuurten"]) == {r["WijkenEnBuurten"].strip() for r in raw}
    assert any(r["WijkenEnBuurten"] != r["WijkenEnBuurten"].strip() for r in raw)  # the source is padded
    values = indicators.values(["bijstand_per_1000", "wmo_per_1000"], years=[2019])
    ams = values[(values.code == "GM0363")].set_index("indicator")["waarde"]
    bijstand = cell(snapshot_dir, "84583NED", "GM0363", "PersonenPerSoortUitkeringBijstand")
    inw = cell(snapshot_dir, "84583NED", "GM0363", "AantalInwoners")
    assert ams["bijstand_per_1000"] == pytest.approx(bijstand / inw * 1000)
    assert ams["wmo_per_1000"] == cell(snapshot_dir, "84583NED", "GM0363", "WmoClientenRelatief")


def test_interrupted_download_keeps_previous_cache(cbs_server, empty_cache):
    cbs.download_table("86165NED", retries=1)
    before = (empty_cache / "86165NED" / "TypedDataSet.json").read_bytes()
    cbs_server.fail_entity = "TypedDataSet"
    with pytest.raises(cbs.CbsUnreachable):
        cbs.download_table("86165NED", retries=2, backoff=0)
    assert (empty_cache / "86165NED" / "TypedDataSet.json").read_bytes() == before
    assert [p.name for p in empty_cache.iterdir()] == ["86165NED"]  # no temporary leftovers


def test_unreachable_with_cache_uses_cache_and_says_its_date(cbs_server, empty_cache):
    cbs.download_table("86165NED", retries=1)
    cbsodata.options.catalog_url = "127.0.0.1:9"  # nothing listens there
    folder, warning = cbs.refresh("86165NED", retries=1, timeout=2)
    assert folder == empty_cache / "86165NED"
    assert "niet bereikbaar" in warning and "opgehaald op" in warning


def test_unreachable_without_cache_says_what_to_do(cbs_server, empty_cache):
    cbsodata.options.catalog_url = "127.0.0.1:9"
    with pytest.raises(SamenspelError, match="SAMENSPEL_SNAPSHOT") as info:
        cbs.refresh("86165NED", retries=1, timeout=2)
    assert "geen lokale kopie" in info.value.message
    assert not (empty_cache / "86165NED").exists()


def test_unknown_table_id(cbs_server, empty_cache):
    with pytest.raises(SamenspelError, match="bestaat niet bij het CBS"):
        cbs.download_table("99999NED", retries=1)
    with pytest.raises(SamenspelError, match="geen geldige CBS-tabelcode"):
        cbs.download_table("abc")
    assert not any(empty_cache.iterdir())


def test_corrupt_cache_file_is_detected_and_refetched(cbs_server, empty_cache):
    cbs.download_table("86165NED", retries=1)
    data_file = empty_cache / "86165NED" / "TypedDataSet.json"
    good = data_file.read_bytes()
    data_file.write_bytes(good[: len(good) // 2])  # half-written
    table = cbs.load_table("86165NED")
    assert len(table.data) == len(json.loads(good))
    assert data_file.read_bytes() == good


def test_corrupt_snapshot_file_is_named(tmp_path, monkeypatch, snapshot_dir):
    from tests.conftest import clear_caches

    copy = tmp_path / "snap"
    shutil.copytree(snapshot_dir / "86165NED", copy / "86165NED")
    (copy / "86165NED" / "DataProperties.json.gz").unlink(missing_ok=True)
    (copy / "86165NED" / "DataProperties.json").write_text('[{"Key": ', "utf-8")
    monkeypatch.setenv("SAMENSPEL_SNAPSHOT", str(copy))
    clear_caches()
    with pytest.raises(cbs.CorruptTable) as info:
        cbs.load_table("86165NED")
    assert "DataProperties.json" in info.value.message
    clear_caches()


def test_snapshot_never_contacts_cbs(use_snapshot):
    with pytest.raises(cbs.TableNotAvailable, match="momentopname"):
        cbs.load_table("82931NED")  # KWB 2014 is not in the snapshot
    assert cbs.available_years() == [2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025]


def test_missing_markers_and_types(use_snapshot, snapshot_dir):
    table = cbs.load_table("84583NED")
    col = table.find_column(["WmoClientenRelatief"])
    raw = read_json(snapshot_dir / "84583NED" / "TypedDataSet.json")
    nulls = [r["WijkenEnBuurten"].strip() for r in raw if r.get(col) is None]
    assert nulls, "the snapshot has suppressed cells here"
    frame = table.data.set_index("WijkenEnBuurten")
    assert frame.loc[nulls, col].isna().all()
    assert not (frame.loc[nulls, col] == 0).any()
    assert pd.api.types.is_float_dtype(table.data[col])


def test_dot_marker_is_missing(tmp_path, monkeypatch, snapshot_dir):
    from tests.conftest import clear_caches

    copy = tmp_path / "snap" / "86165NED"
    shutil.copytree(snapshot_dir / "86165NED", copy)
    rows = read_json(copy / "TypedDataSet.json")
    rows[1]["AantalInwoners_5"] = "       ."
    rows[2]["AantalInwoners_5"] = "  12345"
    write_plain(copy, "TypedDataSet", rows)
    monkeypatch.setenv("SAMENSPEL_SNAPSHOT", str(copy.parent))
    clear_caches()
    data = cbs.load_table("86165NED").data
    assert pd.isna(data.loc[1, "AantalInwoners_5"])
    assert data.loc[2, "AantalInwoners_5"] == 12345
    clear_caches()


def test_key_stems_and_aliases(use_snapshot):
    assert cbs.key_stem("AantalInwoners_5") == "AantalInwoners"
    assert cbs.key_stem("k_0Tot15Jaar_8") == "k_0Tot15Jaar"
    t2019 = cbs.load_table("84583NED")
    t2024 = cbs.load_table("85984NED")
    assert t2019.find_column(["PersonenPerSoortUitkeringBijstand"]) == "PersonenPerSoortUitkeringBijstand_83"
    assert t2024.find_column(["PersonenPerSoortUitkeringBijstand"]) == "PersonenPerSoortUitkeringBijstand_94"
    # renamed stem: the alias finds the 2019 name
    assert (
        t2019.find_column(["GemiddeldeWOZWaardeVanWoningen", "GemiddeldeWoningwaarde"]) == "GemiddeldeWoningwaarde_35"
    )
    # a stem that occurs twice: the topic group decides
    assert t2024.find_column(["Nederland"], group="Herkomstland") == "Nederland_17"
    assert t2024.find_column(["Nederland"], group="Geboren in Nederland") == "Nederland_20"


def test_table_overview(use_snapshot):
    rows = {r["table_id"]: r for r in cbs.table_overview()}
    assert rows["85984NED"]["origin"] == "snapshot"
    assert rows["85984NED"]["modified"] == "2025-03-27"
    assert rows["82931NED"]["origin"] is None  # 2014: not available here


def test_ensure_available_downloads_missing_years_and_skips_unpublished(cbs_server, empty_cache):
    warnings = []
    years = cbs.ensure_available(warn=warnings.append)
    # the local server serves only the 2019 and 2025 tables; the other years are skipped
    assert years == [2019, 2025]
    assert (empty_cache / "84583NED" / "TypedDataSet.json").is_file()
    assert len(warnings) == 10 and all("wordt overgeslagen" in w for w in warnings)


def test_snapshot_tables_have_no_invented_retrieval_date(use_snapshot):
    # the snapshot's file dates say when the copy was made, not when CBS served the table
    assert cbs.load_table("85984NED").retrieved is None
    assert {r["retrieved"] for r in cbs.table_overview() if r["origin"] == "snapshot"} == {None}


def test_download_command(cbs_server, empty_cache, capsys):
    from samenspel import cli

    assert cli.main(["download", "86165NED"]) == 0
    assert "86165NED opgehaald" in capsys.readouterr().out
    assert cli.main(["download", "99999NED"]) == 1
    assert "bestaat niet bij het CBS" in capsys.readouterr().err


def test_download_command_in_snapshot_mode_says_what_the_snapshot_holds(use_snapshot, capsys):
    from samenspel import cli

    assert cli.main(["download", "85984NED"]) == 0
    out = capsys.readouterr().out
    assert "haalt Samenspel niets op bij het CBS" in out and "85984NED: staat in de momentopname" in out
    assert cli.main(["download", "82931NED"]) == 1
    assert "82931NED: ontbreekt in de momentopname" in capsys.readouterr().out


def test_unreachable_cbs_is_asked_once_per_run(cbs_server, empty_cache, monkeypatch):
    cbsodata.options.catalog_url = "127.0.0.1:9"  # nothing listens there
    attempts = []
    real_download, real_modified = cbs.download_table, cbs.cbs_modified

    def counted_download(table_id, **kwargs):
        attempts.append(table_id)
        return real_download(table_id, retries=1, timeout=2)

    def counted_modified(table_id, **kwargs):
        attempts.append(table_id)
        return real_modified(table_id, timeout=2)

    monkeypatch.setattr(cbs, "download_table", counted_download)
    monkeypatch.setattr(cbs, "cbs_modified", counted_modified)
    said = []
    assert cbs.ensure_available(warn=said.append) == []
    assert cbs.ensure_available("provincies", warn=said.append) == []
    assert len(attempts) == 1  # one small question; no other table is asked in this run
    assert len(said) == 1 and "niet bereikbaar" in said[0] and "niet meer op" in said[0]


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["hoofdstuk", "Almere", "--jaar", "1999"], "Voor 1999 is er geen KWB-tabel beschikbaar"),
        (["gemeenten", "--jaar", "2030"], "Voor 2030 is er geen KWB-tabel beschikbaar"),
        (["hoofdstuk", "Almere", "-j", "0"], "moet 1 of meer zijn, niet 0"),
        (["hoofdstuk", "Almere", "-j", "-3"], "moet 1 of meer zijn, niet -3"),
        (["boek", "-j", "0"], "moet 1 of meer zijn, niet 0"),
    ],
)
def test_bad_input_gets_a_dutch_message_and_exit_2(use_snapshot, tmp_path, monkeypatch, capsys, argv, needle):
    from samenspel import cli

    monkeypatch.setenv("SAMENSPEL_CHAPTER_DIR", str(tmp_path / "gemeenten"))
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
    assert not (tmp_path / "gemeenten").exists() or not any((tmp_path / "gemeenten").iterdir())


def test_a_snapshot_folder_that_does_not_exist_is_named(tmp_path, monkeypatch, capsys):
    from samenspel import cli

    missing = tmp_path / "bestaat-niet"
    monkeypatch.setenv("SAMENSPEL_SNAPSHOT", str(missing))
    assert cli.main(["gemeenten"]) == 2
    err = capsys.readouterr().err
    assert str(missing) in err and "bestaat niet" in err
