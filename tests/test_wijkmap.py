"""The wijk maps (samenspel.chapter.wijkmap): geometry, classes, and Almere's maps checked
against the raw CBS cells and against the missing values."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from samenspel.chapter import wijkmap
from samenspel.data.indicators import SMALL_BASE
from tests.rawcbs import cell

SHARED_GEO = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "cbs" / "geo" / "wijk_2024_gegeneraliseerd.geojson"
)
SVG = "{http://www.w3.org/2000/svg}"


def test_simplified_ring_keeps_its_shape_and_drops_collinear_points():
    square = [[0, 0], [0.0005, 0], [0.001, 0], [0.002, 0], [0.002, 0.002], [0, 0.002], [0, 0]]
    ring = wijkmap.simplify_ring(square)
    assert sorted(ring) == [(0, 0), (0, 2), (2, 0), (2, 2)]


def test_classes_hold_about_as_many_wijken_and_every_value_has_one():
    values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]
    breaks = wijkmap.class_breaks(values, 0)
    assert breaks == [2.0, 4.0, 6.0, 8.0, 10.0]
    assert [wijkmap.class_of(v, breaks) for v in values] == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert wijkmap.class_breaks([], 1) == []
    assert wijkmap.class_breaks([3.0, 3.0], 1) == [3.0]  # one value: one class


def test_embedded_geometry_has_almeres_71_wijken():
    wijken = wijkmap.municipality_wijken("GM0034")
    assert len(wijken) == 71
    assert wijken["WK003401"]["naam"] == "Centrum Almere Haven"
    assert wijkmap.municipality_wijken("GM9999") == {}


@pytest.mark.skipif(not SHARED_GEO.is_file(), reason="../shared/data/cbs/geo is not here")
def test_embedded_geometry_is_built_from_the_cbs_boundaries(tmp_path):
    """The committed file is exactly what the command makes from the shared GeoJSON."""
    out = tmp_path / "w.json.gz"
    data = wijkmap.build_geometry(SHARED_GEO, out)
    assert wijkmap.geometry_sha256(out) == wijkmap.geometry_sha256(wijkmap.GEOMETRY_FILE)
    assert len(data["wijken"]) == 3393


@pytest.fixture(scope="module")
def almere(snapshot_dir):
    mp = pytest.MonkeyPatch()
    mp.setenv("SAMENSPEL_SNAPSHOT", str(snapshot_dir))
    import conftest

    conftest.clear_caches()
    from samenspel.chapter import model

    ch = model.build("Almere", None, None, "tweelingen")
    yield ch
    conftest.clear_caches()
    mp.undo()


def _areas(html: str) -> list[ET.Element]:
    svg = re.search(r"<svg class=\"samenspel-map-svg\".*?</svg>", html, re.S).group(0)
    root = ET.fromstring(svg.replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1))
    return root.findall(f"{SVG}g")


def test_almere_has_a_map_of_its_71_wijken_for_each_key_indicator(almere):
    maps = [(w, wijkmap.wijk_map(w, almere.name, almere.code)) for w in almere.wijken]
    assert maps and all(m is not None for _, m in maps)
    for _, m in maps:
        areas = _areas(m.html())
        assert len(areas) == 71
        assert all(a.get("tabindex") == "0" and a.get("aria-label") for a in areas)


def test_map_fill_classes_and_hatching_match_the_cbs_figures(almere, snapshot_dir):
    w = next(w for w in almere.wijken if w.indicator.id == "jeugdzorg_pct")
    m = wijkmap.wijk_map(w, almere.name, almere.code)
    html = m.html()
    by_code = {a.get("data-code"): a for a in _areas(html)}
    values = {}
    for code in by_code:
        raw = cell(snapshot_dir, w.table, code, "PercentageJongerenMetJeugdzorg")
        values[code] = None if raw is None or (isinstance(raw, str) and raw.strip() in (".", "")) else float(raw)
    present = [v for v in values.values() if v is not None]
    breaks = wijkmap.class_breaks(present, w.indicator.decimals)
    assert len(breaks) == 5
    colours = {}
    for code, g in by_code.items():
        v = values[code]
        if v is None:
            # hatched, named as without figure, exactly where the CBS cell is empty
            assert g.get("data-klasse") is None and g.get("data-geen-cijfer")
            assert "url(#arcering-" in g.find(f"{SVG}path").get("fill")
            assert "geen cijfer" in g.get("aria-label")
        else:
            k = int(g.get("data-klasse"))
            assert k == wijkmap.class_of(v, breaks)
            assert (k == 0 or v > breaks[k - 1]) and v <= breaks[k]
            colours.setdefault(k, set()).add(g.find(f"{SVG}path").get("fill"))
            assert g.get("aria-label").endswith(f"{v:.1f}".replace(".", ",") + "%")
    assert all(len(c) == 1 for c in colours.values())  # one colour per class
    assert len(set().union(*colours.values())) == len(colours)  # and a different one each
    hatched = {c for c, g in by_code.items() if g.get("data-geen-cijfer")}
    assert hatched == {c for c, v in values.items() if v is None}
    assert hatched and len(hatched) < 71
    # the legend names the unit and each class, and the hatched entry with its count
    assert w.indicator.unit in html
    assert f"geen cijfer <small>({len(hatched)} wijken)</small>" in html


def test_small_base_wijken_are_hatched_and_say_why(almere):
    w = next(w for w in almere.wijken if w.indicator.id == "bijstand_per_1000")
    m = wijkmap.wijk_map(w, almere.name, almere.code)
    small = set(w.frame[w.frame["reden"] == SMALL_BASE]["code"])
    assert small
    areas = {a.get("data-code"): a for a in _areas(m.html())}
    for code in small:
        assert areas[code].get("data-geen-cijfer") == "kleine basis"
        assert "te weinig" in areas[code].get("aria-label")
    missing = set(w.frame[w.frame["waarde"].isna()]["code"])
    assert {c for c, a in areas.items() if a.get("data-geen-cijfer")} == missing


def test_a_year_with_other_wijk_codes_is_not_mapped(almere):
    w = almere.wijken[0]
    older = type(w)(w.indicator, 2021, w.table, w.frame.iloc[:6].copy(), w.municipal_value)
    assert wijkmap.wijk_map(w, almere.name, almere.code) is not None
    assert wijkmap.wijk_map(older, almere.name, almere.code) is None


def test_a_municipality_without_boundaries_has_no_map_and_says_so(almere):
    from samenspel.chapter import render

    w = almere.wijken[0]
    frame = w.frame.assign(code=w.frame["code"].str.replace("WK0034", "WK9999"))
    other = type(w)(w.indicator, w.year, w.table, frame, w.municipal_value)
    assert wijkmap.wijk_map(other, almere.name, "GM9999") is None
    text = render.text(
        "wijken_intro.md", ch=almere, maps=[(other, None)], has_geometry=False, without=[], geometry_year=2024
    )
    assert "geen kaart" in text
    assert pd.notna(w.frame["waarde"]).any()
