"""The indexed comparison (IndicatorValues, built once per indicator and reused for every
municipality) gives the same trend, jumps and comparison as the per-municipality boolean
filtering of the long value table that it replaced (kept here as the reference)."""

import pandas as pd
import pytest

from samenspel.analysis import compare, peers
from samenspel.data import dataset
from tests.compare_reference import trend_table

NAMES = ["Almere", "Vlieland", "Groningen", "'s-Gravenhage", "Beverwijk", "Amsterdam"]


def _old_trend(values, code, peer_codes):
    years = sorted(values["jaar"].unique())
    own = values[values["code"] == code].groupby("jaar")["waarde"].first()
    nat = values[values["code"] == compare.NATIONAL].groupby("jaar")["waarde"].first()
    peer = values[values["code"].isin(peer_codes)].dropna(subset=["waarde"]).groupby("jaar")["waarde"]
    count = peer.count()
    median = peer.median().where(count >= compare.MIN_PEERS)
    return trend_table(years, own, median, nat, count)


def _old_wide(values, code, peer_codes):
    rows = values[values["code"].isin([code, compare.NATIONAL, *peer_codes]) & values["waarde"].notna()]
    return rows.pivot_table(index="code", columns="jaar", values="waarde", aggfunc="first")


@pytest.fixture(scope="module")
def data(snapshot_data):
    return snapshot_data


def _groups(data):
    year, frame = dataset.municipalities(data)
    for name in NAMES:
        code = dataset.lookup(data, name, year).code
        yield code, peers.by_attribute(code, frame, "provincie").members, year


def test_indexed_trend_and_jumps_equal_the_filtered_computation(data):
    checked = 0
    for code, members, _year in _groups(data):
        for ind in data["catalogue"]:
            vals = dataset.values_for(data, ind.id)
            vals = vals[vals["niveau"].isin(["gemeente", "land"])]
            idx = compare.IndicatorValues(vals)
            pd.testing.assert_frame_equal(compare._trend(idx, code, members), _old_trend(vals, code, members))
            old = _old_wide(vals, code, members)
            new = idx.wide[idx.wide.index.isin([code, compare.NATIONAL, *members])]
            new = new.dropna(how="all").dropna(axis=1, how="all")
            pd.testing.assert_frame_equal(new, old, check_names=False, check_index_type=False, check_column_type=False)
            assert compare.jumps(idx, code, members) == compare.jumps(vals, code, members)
            checked += 1
    assert checked > 100


def test_indexed_comparison_equals_the_plain_frame_one(data):
    for code, members, year in _groups(data):
        for ind in data["catalogue"]:
            vals = dataset.values_for(data, ind.id)
            vals = vals[vals["niveau"] == "gemeente"]
            a = compare.compare(ind, code, members, compare.IndicatorValues(vals), year)
            b = compare.compare(ind, code, members, vals, year)
            for f in (
                "year",
                "value",
                "peer_median",
                "peer_count",
                "national",
                "rank",
                "ranked_of",
                "score",
                "reason",
                "table",
                "status",
            ):
                assert getattr(a, f) == getattr(b, f), (code, ind.id, f)
            pd.testing.assert_frame_equal(a.peers, b.peers)
            # the value in the trend is the municipality's own source row
            if a.year is not None and len(a.trend):
                row = a.trend[a.trend["jaar"] == a.year]
                assert row["gemeente"].iloc[0] == a.value
