"""The per-process indexes of the chapter model (wijk rows by municipality prefix, the
coherence pivots, the figure-data rows) select exactly what the plain filters over the whole
long value table selected, kept here as the reference: the same rows in the same order with
the same index, for many municipalities of the real snapshot."""

import math

import numpy as np
import pandas as pd
import pytest

from samenspel.analysis import compare
from samenspel.chapter import model
from samenspel.data import dataset, indicators


@pytest.fixture(scope="module")
def data(snapshot_data):
    return snapshot_data


@pytest.fixture(scope="module")
def munis(data):
    year, frame = dataset.municipalities(data)
    codes = list(frame["code"])[::9] + [
        dataset.lookup(data, n, year).code for n in ("Amsterdam", "Vlieland", "Almere", "Leiden")
    ]
    return year, [dataset.lookup(data, c, year) for c in dict.fromkeys(codes)]


def _same_frame(a: pd.DataFrame, b: pd.DataFrame, where):
    pd.testing.assert_frame_equal(a, b, check_exact=True, obj=str(where))
    assert list(a.index) == list(b.index), where
    for col in a.columns:  # None stays None, NaN stays NaN
        assert [type(v) for v in a[col]] == [type(v) for v in b[col]], (where, col)


# --------------------------------------------------------------------------- wijken


def _ref_wijken(data, muni, year):
    v = data["values"]
    prefix = "WK" + muni.code[2:]
    key_ids = [i.id for i in data["catalogue"] if i.key]
    wk = v[
        (v["niveau"] == "wijk") & v["code"].str.startswith(prefix) & (v["jaar"] <= year) & v["indicator"].isin(key_ids)
    ]
    with_data = wk[wk["waarde"].notna()]
    if not with_data.empty:
        latest = with_data.groupby("indicator", observed=True)["jaar"].max()
        wk = wk[wk["jaar"] == wk["indicator"].map(latest).astype(float)]
    else:
        wk = wk.iloc[0:0]
    result = []
    for ind in data["catalogue"]:
        if not ind.key or len(result) >= model.MAX_WIJK_CHARTS or wk.empty:
            continue
        frame = wk[wk["indicator"] == ind.id][["code", "naam", "waarde", "reden", "tabel", "jaar"]]
        if frame.empty or frame["waarde"].notna().sum() == 0:
            continue
        wyear = int(frame["jaar"].iloc[0])
        own = v[(v["indicator"] == ind.id) & (v["code"] == muni.code) & (v["jaar"] == wyear)]["waarde"]
        own_value = None if own.empty or pd.isna(own.iloc[0]) else float(own.iloc[0])
        result.append((ind.id, wyear, frame["tabel"].iloc[0], frame.drop(columns="jaar"), own_value))
    return result


def test_wijken_from_the_prefix_index_equal_the_filtered_table(data, munis):
    year, municipalities = munis
    charts = 0
    for muni in municipalities:
        for y in (year, year - 3):
            fast = model._wijken(data, muni, y)
            ref = _ref_wijken(data, muni, y)
            assert [(w.indicator.id, w.year, w.table) for w in fast] == [r[:3] for r in ref], muni.code
            for w, r in zip(fast, ref):
                _same_frame(w.frame, r[3], (muni.code, w.indicator.id))
                assert (w.municipal_value is None and r[4] is None) or w.municipal_value == r[4]
                charts += 1
    assert charts > 50


def _ref_wijk_series(data, muni, year, ind):
    """The wijk trend's input: the wijk rows with a value up to `year`, and the municipality's rows."""
    v = data["values"]
    prefix = "WK" + muni.code[2:]
    wk = v[(v["indicator"] == ind.id) & (v["niveau"] == "wijk") & v["code"].str.startswith(prefix)]
    wk = wk[(wk["jaar"] <= year) & wk["waarde"].notna()]
    return wk, v[(v["indicator"] == ind.id) & (v["code"] == muni.code)]


def test_wijk_trends_rest_on_the_same_rows_as_the_filtered_table(data, munis):
    year, municipalities = munis
    changes = data["area_changes"]
    trends = 0
    for muni in municipalities:  # (in the snapshot only Almere and Leiden have wijk series)
        fast = {t.indicator.id: t for t in model._wijk_trends(data, muni, year)}
        for ind in data["catalogue"]:
            if not ind.key or ind.role != "sturing":
                continue
            wk, own = _ref_wijk_series(data, muni, year, ind)
            if wk.empty or wk["jaar"].nunique() < 2:
                assert ind.id not in fast
                continue
            latest = int(wk["jaar"].max())
            codes = set(wk.loc[wk["jaar"] == latest, "code"])
            comparable = {
                c: indicators.same_area_years(changes, c, latest, g["jaar"])
                for c, g in wk.groupby("code")
                if c in codes
            }
            long_enough = {c for c, g in wk.groupby("code") if c in codes and g["jaar"].isin(comparable[c]).sum() >= 2}
            if not long_enough:
                assert ind.id not in fast
                continue
            t = fast[ind.id]
            trends += 1
            assert t.total == len(long_enough)
            shown = t.series
            assert set(shown["code"]) <= long_enough
            for code, g in shown.groupby("code"):
                ref = wk[(wk["code"] == code) & wk["jaar"].isin(comparable[code])].sort_values("jaar")
                assert list(g["jaar"]) == list(ref["jaar"]) and list(g["waarde"]) == list(ref["waarde"])
            gm = own[own["jaar"].isin(set(shown["jaar"]))][["jaar", "waarde"]]
            _same_frame(t.municipal, gm.sort_values("jaar").reset_index(drop=True), (muni.code, ind.id))
    assert trends > 5


# --------------------------------------------------------------------------- coherence


def _ref_coherence(x, y, values, code, max_year, min_points=10):
    gm = values[(values["niveau"] == "gemeente") & values["indicator"].isin([x.id, y.id])]
    wide = gm.pivot_table(index=["jaar", "code"], columns="indicator", values="waarde", aggfunc="first")
    names = gm.drop_duplicates(["jaar", "code"]).set_index(["jaar", "code"])["naam"]
    wide = wide.dropna(subset=[x.id, y.id])
    for year in sorted(set(wide.index.get_level_values(0)), reverse=True):
        frame = wide.loc[year]
        if year <= max_year and code in frame.index and len(frame) >= min_points:
            points = pd.DataFrame(
                {
                    "code": frame.index,
                    "naam": names.loc[year].reindex(frame.index).values,
                    "x": frame[x.id].values,
                    "y": frame[y.id].values,
                }
            )
            return int(year), points, float(np.corrcoef(points["x"], points["y"])[0, 1])
    return None, None, None


def test_coherence_from_the_shared_pivot_equals_the_plain_one(data, munis):
    year, municipalities = munis
    cat = {i.id: i for i in data["catalogue"]}
    v = data["values"]
    found = 0
    for xid, yid in model.COHERENCE_PAIRS:
        vals = v[v["indicator"].isin([xid, yid])]
        table = compare.CoherenceTable(cat[xid], cat[yid], vals)
        for muni in municipalities:
            for max_year in (year, year - 2):
                coh = compare.coherence(cat[xid], cat[yid], table, muni.code, max_year)
                ref_year, ref_points, ref_r = _ref_coherence(cat[xid], cat[yid], vals, muni.code, max_year)
                assert coh.year == ref_year
                if ref_year is None:
                    assert coh.r is None and coh.points.empty
                    continue
                found += 1
                assert coh.r == ref_r or (math.isnan(coh.r) and math.isnan(ref_r))
                _same_frame(coh.points, ref_points, (muni.code, xid, yid))
                coh.points.loc[0, "x"] = -1.0  # a chapter's copy: changing it leaves the shared table alone
                assert compare.coherence(cat[xid], cat[yid], table, muni.code, max_year).points.loc[0, "x"] != -1.0
    assert found > 50


# --------------------------------------------------------------------------- figure data


def test_value_rows_select_what_isin_or_startswith_selects(data, munis):
    year, municipalities = munis
    v = data["values"]
    frame = dataset.municipalities(data, year)[1]
    for i, muni in enumerate(municipalities):
        codes = set(frame["code"].iloc[i : i + 10]) | {muni.code, compare.NATIONAL}
        prefix = "WK" + muni.code[2:]
        mask = v["code"].isin(codes) | v["code"].str.startswith(prefix)
        assert list(dataset.value_rows(data, codes, prefix)) == list(np.flatnonzero(mask.to_numpy()))
    assert len(dataset.value_rows(data, ["GM9999"], "WK9999")) == 0
