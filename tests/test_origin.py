"""Which source the figures come from, and the one Dutch line that says so: the live API when it
answers, the local cache when it does not, the embedded snapshot when there is neither;
SAMENSPEL_SNAPSHOT wins."""

import cbsodata
import pytest

from samenspel.data import cbs
from tests.conftest import EMBEDDED, clear_caches
from tests.odata_server import serving


@pytest.fixture
def no_snapshot(snapshot_dir, tmp_path, monkeypatch):
    """No SAMENSPEL_SNAPSHOT, an empty cache, the embedded snapshot as the last resort, and a
    local CBS server that serves only the 2024 and 2025 tables."""
    monkeypatch.delenv("SAMENSPEL_SNAPSHOT", raising=False)
    monkeypatch.delenv("SAMENSPEL_MOMENTOPNAME", raising=False)
    monkeypatch.setenv("SAMENSPEL_CACHE", str(tmp_path / "cache"))
    clear_caches()
    with serving(snapshot_dir, tables=["85984NED", "86165NED"], page_size=5000) as server:
        yield server, tmp_path / "cache"
    clear_caches()


def _unreachable():
    cbsodata.options.catalog_url = "127.0.0.1:9"  # nothing listens there


def new_run():
    clear_caches()  # a new process: CBS is asked again


def test_neither_cbs_nor_cache_uses_the_embedded_snapshot(no_snapshot):
    _unreachable()
    said = []
    origin = cbs.prepare(warn=said.append)
    assert origin.kind == "momentopname" and said == []  # the one line says it all
    assert origin.sentence.startswith("Gegevens: de meegeleverde CBS-momentopname (data/momentopname")
    assert "niet bereikbaar" in origin.sentence and "27-03-2025" in origin.sentence
    assert "\n" not in origin.sentence
    assert cbs.available_years() == [2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025]
    assert cbs.load_table("85984NED").path.parent == EMBEDDED
    assert cbs.reference_file("gemeentelijke_indeling").parent.parent == EMBEDDED


def test_the_live_api_first_then_the_cache_then_the_embedded_snapshot(no_snapshot):
    server, cache = no_snapshot
    # CBS answers: what it has is fetched into the cache; the rest comes from the embedded snapshot
    origin = cbs.prepare(warn=lambda m: None)
    assert (cache / "85984NED" / "TypedDataSet.json").is_file() and (cache / "86165NED").is_dir()
    assert origin.kind == "cbs" and origin.retrieved is not None
    assert origin.sentence.startswith("Gegevens: van het CBS (open-data-API), opgehaald op")
    assert "2018–2023 uit de meegeleverde momentopname" in origin.sentence
    assert dict((tid, kind) for _, tid, kind in origin.tables)["84583NED"] == "momentopname"
    assert cbs.table_overview()[10]["source"] == "cache"  # 2024, as the book's sources page says
    # a new run, CBS unreachable: the cache as it is, and said so
    new_run()
    _unreachable()
    origin = cbs.prepare(warn=lambda m: None)
    assert origin.kind == "cache"
    assert "uit de lokale cache" in origin.sentence and "niet bereikbaar" in origin.sentence
    assert cbs.load_table("85984NED").path == cache / "85984NED"


def test_a_table_that_cbs_published_anew_is_fetched_again(no_snapshot):
    server, cache = no_snapshot
    cbs.prepare(warn=lambda m: None)
    fetched = sum("86165NED/TypedDataSet" in r for r in server.requests)
    fetched_2024 = sum("85984NED/TypedDataSet" in r for r in server.requests)
    # the next run finds everything current: only TableInfos is asked
    infos = sum("TableInfos" in r for r in server.requests)
    new_run()
    origin = cbs.prepare(warn=lambda m: None)
    assert sum("TableInfos" in r for r in server.requests) > infos  # CBS was asked again
    # fetched and asked on the same day: the sentence says it once
    assert origin.kind == "cbs" and "opgehaald op" in origin.sentence and "nagevraagd" not in origin.sentence
    assert sum("86165NED/TypedDataSet" in r for r in server.requests) == fetched
    # CBS publishes 2025 anew: the next run downloads it again
    server.modified["86165NED"] = "2030-01-06T02:00:00"
    new_run()
    cbs.prepare(warn=lambda m: None)
    assert sum("86165NED/TypedDataSet" in r for r in server.requests) == 2 * fetched
    assert cbs.load_table("86165NED").info["Modified"] == "2030-01-06T02:00:00"
    assert sum("85984NED/TypedDataSet" in r for r in server.requests) == fetched_2024  # unchanged: not again


def test_the_snapshot_variable_wins(use_snapshot, monkeypatch):
    monkeypatch.setattr(cbs, "download_table", lambda *a, **k: pytest.fail("CBS must not be contacted"))
    monkeypatch.setattr(cbs, "cbs_modified", lambda *a, **k: pytest.fail("CBS must not be contacted"))
    origin = cbs.prepare(warn=lambda m: None)
    assert origin.kind in ("snapshot", "momentopname")
    assert "SAMENSPEL_SNAPSHOT" in origin.sentence and "geen verbinding met het CBS" in origin.sentence
    assert origin.kind == ("momentopname" if use_snapshot == EMBEDDED.resolve() else "snapshot")


def test_the_dataset_carries_the_origin_for_every_chapter(use_snapshot):
    from samenspel.data import dataset

    data = dataset.load(fetch=False)
    assert data["origin"].kind in cbs.ORIGIN_KINDS
    assert data["origin"] == cbs.data_origin()
    assert data["origin"].sentence.startswith("Gegevens: ")


def test_the_main_jobs_say_where_the_data_comes_from(use_snapshot, capsys):
    from samenspel import cli

    assert cli.main(["gemeenten"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == cbs.data_origin().sentence


def test_the_case_study_validator_works_offline_without_any_variable(tmp_path, monkeypatch, capsys):
    """A fresh clone: no SAMENSPEL_SNAPSHOT, no cache, no CBS; the municipality codes come from
    the embedded snapshot's municipality list."""
    from samenspel import cli

    for name in ("SAMENSPEL_SNAPSHOT", "SAMENSPEL_MOMENTOPNAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SAMENSPEL_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(cbs, "cbs_modified", lambda *a, **k: pytest.fail("the validator must not ask CBS"))
    clear_caches()
    try:
        assert cli.main(["casestudies"]) == 0
    finally:
        clear_caches()
    assert "geen problemen" in capsys.readouterr().out
