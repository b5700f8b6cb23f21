"""The numpy comparison (compare.compare, _trend and jumps on IndicatorValues' arrays) gives
bit for bit the same comparison as the plain pandas computation it replaced, kept here as
the reference: for many municipalities, every indicator, and the peer groups a chapter uses
(twins, size class, province). Floats are compared exactly, None stays None (never 0 or NaN),
DataFrames must have the same rows, order, index and dtypes."""

import math

import pandas as pd
import pytest

from samenspel.analysis import compare, peers
from samenspel.analysis.compare import MIN_PEERS, NATIONAL, SMALL_BASE, Comparison, Jump
from samenspel.data import dataset
from tests.compare_reference import trend_table

# every 20th municipality of the latest year, and some with special cases (the smallest,
# the largest, herindelingen)
EXTRA = [
    "Almere",
    "Vlieland",
    "Groningen",
    "'s-Gravenhage",
    "Amsterdam",
    "Schiermonnikoog",
    "Land van Cuijk",
    "Ameland",
]


# --------------------------------------------------------------------------- the reference


def _ref_trend(values: pd.DataFrame, code, peer_codes):
    wide = values.groupby(["code", "jaar"])["waarde"].first().unstack("jaar")
    years = sorted(values["jaar"].unique())

    def row(c):
        return wide.loc[c] if c in wide.index else pd.Series(dtype=float)

    own, nat = row(code), row(NATIONAL)
    peer = wide[wide.index.isin(peer_codes)]
    count = peer.count()
    median = peer.median().where(count >= MIN_PEERS)
    return trend_table(years, own, median, nat, count)


def _ref_jumps(values: pd.DataFrame, code, peer_codes, skip_years=()):
    wide = values.groupby(["code", "jaar"])["waarde"].first().unstack("jaar")
    wide = wide[wide.index.isin([code, NATIONAL, *peer_codes])].dropna(how="all").dropna(axis=1, how="all")
    if code not in wide.index:
        return []
    found = []
    years = sorted(int(y) for y in wide.columns)
    for y0, y1 in zip(years, years[1:]):
        v0, v1 = wide.loc[code].get(y0), wide.loc[code].get(y1)
        if y1 != y0 + 1 or y1 in skip_years or pd.isna(v0) or pd.isna(v1) or v0 <= 0:
            continue
        change = v1 / v0 - 1
        pair = wide.loc[wide.index.isin(peer_codes), [y0, y1]].dropna()
        pair = pair[pair[y0] > 0]
        if len(pair) >= MIN_PEERS:
            rel = pair[y1] / pair[y0] - 1
            ref, kind, n = float(rel.median()), "vergelijkbare gemeenten", len(rel)
            spread = 1.4826 * float((rel - ref).abs().median())
        elif NATIONAL in wide.index and pd.notna(wide.loc[NATIONAL].get(y0)) and pd.notna(wide.loc[NATIONAL].get(y1)):
            ref, kind, n, spread = float(wide.loc[NATIONAL, y1] / wide.loc[NATIONAL, y0] - 1), "Nederland", 0, 0.0
        else:
            continue
        if abs(change - ref) >= max(compare.JUMP_MIN, compare.JUMP_SPREADS * spread):
            found.append(Jump(y0, y1, float(v0), float(v1), float(change), ref, kind, n))
    return found


def _ref_compare(ind, code, peer_codes, values: pd.DataFrame, year, breaks=None):
    """compare.compare as plain pandas filtering of the indicator's rows per call."""
    breaks = list(breaks or [])
    mine = values[values["code"] == code]
    mine = mine[mine["jaar"] <= year]
    own = mine[mine["waarde"].notna()]
    if own.empty:
        small = "reden" in mine and (mine["reden"] == SMALL_BASE).any()
        return Comparison(
            ind, None, None, None, 0, None, None, 0, None, None, None,
            group_size=len(peer_codes), reason=SMALL_BASE if small else None, breaks=breaks,
        )  # fmt: skip
    latest = own.loc[own["jaar"].idxmax()]
    y = int(latest["jaar"])
    in_year = values[values["jaar"] == y]
    columns = ["code", "naam", "waarde"] + (["reden"] if "reden" in values else [])
    peer_rows = in_year[in_year["code"].isin(peer_codes)][columns]
    with_value = peer_rows.dropna(subset=["waarde"])
    median = float(with_value["waarde"].median()) if len(with_value) >= MIN_PEERS else None
    nat = in_year.loc[in_year["code"] == NATIONAL, "waarde"]
    group = pd.concat([with_value["waarde"], pd.Series([latest["waarde"]])])
    rank = int((group > latest["waarde"]).sum() + 1)
    score = None
    if median is not None:
        spread = with_value["waarde"].quantile(0.75) - with_value["waarde"].quantile(0.25)
        spread = spread if spread > 0 else with_value["waarde"].std()
        if spread and spread > 0:
            score = float((latest["waarde"] - median) / spread)
    return Comparison(
        indicator=ind,
        year=y,
        value=float(latest["waarde"]),
        peer_median=median,
        peer_count=len(with_value),
        national=compare._clean(nat.iloc[0]) if len(nat) else None,
        rank=rank,
        ranked_of=len(group),
        table=latest["tabel"],
        columns=latest["kolommen"],
        status=latest["status"],
        peers=peer_rows.reset_index(drop=True),
        trend=_ref_trend(values, code, peer_codes),
        score=score,
        group_size=len(peer_codes),
        breaks=breaks,
        jumps=_ref_jumps(values, code, peer_codes, {b.year for b in breaks}) if ind.role == "sturing" else [],
    )


# --------------------------------------------------------------------------- the check


def _same(a, b) -> bool:
    """Equal, and of the same kind: exact floats, None is None, NaN is NaN."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return type(a) is type(b) and a == b


def assert_same_comparison(a: Comparison, b: Comparison, where):
    for f in ("year", "value", "peer_median", "peer_count", "national", "rank", "ranked_of", "score"):
        x, y = getattr(a, f), getattr(b, f)
        assert _same(float(x) if isinstance(x, float) else x, float(y) if isinstance(y, float) else y), (where, f, x, y)
    for f in ("table", "columns", "status", "reason", "group_size", "breaks"):
        assert getattr(a, f) == getattr(b, f), (where, f)
    assert a.jumps == b.jumps, where
    pd.testing.assert_frame_equal(a.peers, b.peers, check_exact=True, obj=f"peers {where}")
    pd.testing.assert_frame_equal(a.trend, b.trend, check_exact=True, obj=f"trend {where}")
    for col in a.peers.columns:  # None and NaN are not the same to the renderer
        assert [type(v) for v in a.peers[col]] == [type(v) for v in b.peers[col]], (where, col)
    for col in a.trend.columns:
        assert [type(v) for v in a.trend[col]] == [type(v) for v in b.trend[col]], (where, col)


@pytest.fixture(scope="module")
def data(snapshot_data):
    return snapshot_data


def _cases(data):
    from samenspel.chapter import model
    from samenspel.data import regions

    year, frame = dataset.municipalities(data)
    codes = list(frame["code"])[::20]
    for name in EXTRA:
        try:
            codes.append(dataset.lookup(data, name, year).code)
        except Exception:
            continue
    profile_year = model._profile_year(data, year)
    prof = peers.profile(data["values"], data["municipalities"][profile_year], profile_year)
    for code in dict.fromkeys(codes):
        groups = [peers.by_attribute(code, frame, "provincie").members]
        if code in prof.index:
            groups.append(peers.twins(code, prof, year=profile_year).members)
        yield code, groups, year, regions.merger_breaks(code)


def test_numpy_comparison_equals_the_plain_pandas_one(data):
    frames = {}
    for ind in data["catalogue"]:
        vals = dataset.values_for(data, ind.id)
        vals = vals[vals["niveau"].isin(["gemeente", "land"])]
        frames[ind.id] = (vals, compare.IndicatorValues(vals))
    checked = jumps = 0
    for code, groups, year, breaks in _cases(data):
        for members in groups:
            for ind in data["catalogue"]:
                vals, idx = frames[ind.id]
                for y in (year, year - 2):  # also an earlier chapter year
                    fast = compare.compare(ind, code, members, idx, y, breaks)
                    ref = _ref_compare(ind, code, members, vals, y, breaks)
                    assert_same_comparison(fast, ref, (code, ind.id, y))
                    checked += 1
                    jumps += len(fast.jumps)
    assert checked > 1000 and jumps >= 5, (checked, jumps)


def test_numpy_jumps_and_trend_on_their_own(data):
    """Straight calls (not through compare), also for a code without rows and an empty group."""
    ind = next(i for i in data["catalogue"] if i.role == "sturing")
    vals = dataset.values_for(data, ind.id)
    vals = vals[vals["niveau"].isin(["gemeente", "land"])]
    idx = compare.IndicatorValues(vals)
    codes = sorted(set(vals["code"]))[:40] + ["GM9999"]
    for code in codes:
        for members in ([], codes[:2], codes[:25]):
            pd.testing.assert_frame_equal(compare._trend(idx, code, members), _ref_trend(vals, code, members))
            assert compare.jumps(idx, code, members) == _ref_jumps(vals, code, members)
