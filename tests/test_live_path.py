"""The live path end to end: no snapshot, an empty cache, cbsodata downloading from a local
OData server (recorded CBS responses), then a chapter built by papermill from that cache."""

import json
import re

import pytest

from samenspel.chapter import runner as chapters
from tests.conftest import clear_caches
from tests.odata_server import serving
from tests.rawcbs import cell, read_json


@pytest.fixture
def live(snapshot_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("SAMENSPEL_SNAPSHOT", raising=False)
    monkeypatch.setenv("SAMENSPEL_MOMENTOPNAME", "0")  # only what the server gives
    monkeypatch.setenv("SAMENSPEL_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("SAMENSPEL_CHAPTER_DIR", str(tmp_path / "gemeenten"))
    clear_caches()
    with serving(snapshot_dir, tables=["85984NED", "86165NED"], page_size=5000) as server:
        yield server, tmp_path
    clear_caches()


def test_download_then_chapter_from_the_cache(live, snapshot_dir):
    server, tmp = live
    result = chapters.run_chapters(["Almere"], jobs=1, progress=False)
    assert not result.failures, result.failures
    # the tables came through cbsodata into the cache, with paging
    assert (tmp / "cache" / "85984NED" / "TypedDataSet.json").is_file()
    rows = len(read_json(snapshot_dir / "85984NED" / "TypedDataSet.json"))  # 18,310 with buurten, 3,736 without
    assert sum("85984NED/TypedDataSet" in r for r in server.requests) == -(-rows // 5000)
    assert not any(r.startswith("/ODataFeed/odata/85984NED/UntypedDataSet") for r in server.requests)
    nb = json.loads((tmp / "gemeenten" / "GM0034.ipynb").read_text("utf-8"))
    html = "\n".join(
        "".join(o.get("data", {}).get("text/html", "")) + "".join(o.get("data", {}).get("text/markdown", ""))
        for c in nb["cells"]
        for o in c.get("outputs", [])
    )
    assert "ERROR" not in html and not any(
        o.get("output_type") == "error" for c in nb["cells"] for o in c.get("outputs", [])
    )
    jeugd = cell(snapshot_dir, "85984NED", "GM0034", "PercentageJongerenMetJeugdzorg")
    shown = f"{jeugd:.1f}%".replace(".", ",")
    assert re.search(rf"<td[^>]*>{re.escape(shown)}</td>", html), shown
    inw = f"{cell(snapshot_dir, '86165NED', 'GM0034', 'AantalInwoners'):,.0f}".replace(",", ".")
    assert f"{inw} inwoners (1 januari 2025)" in html
    # without the municipality list or a province table the province is said to be unknown
    assert "De provincie staat niet in de beschikbare CBS-tabellen." in html
    # the chapter says where its figures came from: fetched from CBS, with the date
    assert "opgehaald bij het CBS op" in html


def test_kernels_do_not_fetch(use_snapshot, monkeypatch):
    """The runner fetches once; its kernels get SAMENSPEL_FETCH=0 and only read the cache."""
    from samenspel.data import cbs, dataset

    def refuse(*args, **kwargs):
        raise AssertionError("a kernel must not download")

    monkeypatch.setattr(cbs, "ensure_available", refuse)
    monkeypatch.setenv(dataset.FETCH_ENV, "0")
    assert dataset.load()["years"] == [2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025]
    monkeypatch.delenv(dataset.FETCH_ENV)
    with pytest.raises(AssertionError, match="must not download"):
        dataset.load()
