"""Unit tests of formatting, peers, comparisons and charts on small real extracts."""

import math

import numpy as np
import pandas as pd
import pytest

from samenspel import fmt
from samenspel.analysis import compare, peers
from samenspel.chapter import charts
from samenspel.data.indicators import Indicator, Source


@pytest.mark.parametrize(
    "value,decimals,text",
    [
        (1234.5, 1, "1.234,5"),
        (12.345, 1, "12,3"),
        (1234567, 0, "1.234.567"),
        (0, 0, "0"),
        (None, 1, "geen gegevens"),
        (float("nan"), 1, "geen gegevens"),
        (-3.25, 2, "-3,25"),
    ],
)
def test_dutch_numbers(value, decimals, text):
    assert fmt.number(value, decimals) == text


def test_values_with_units():
    assert fmt.with_unit(12.34, "% van de huishoudens", 1) == "12,3%"
    assert fmt.with_unit(45, "per 1.000 inwoners", 0) == "45 per 1.000 inwoners"
    assert fmt.with_unit(378, "x 1.000 euro", 0) == "€ 378.000"
    assert fmt.with_unit(None, "%", 1) == "geen gegevens"
    assert fmt.date_nl("2025-03-27T02:00:00") == "27-03-2025"


def _ind(id="x", unit="%", theme="wmo", decimals=1, role=None):
    role = role or ("context" if theme == "bevolking" else "sturing")
    return Indicator(
        id=id,
        label=id.upper(),
        theme=theme,
        unit=unit,
        compute="cbs",
        decimals=decimals,
        column=Source(("X",)),
        role=role,
        question="Wat vindt de raad daarvan?" if role == "sturing" else None,
    )


def _values(ind_id, data):
    rows = []
    for year, per_code in data.items():
        for code, v in per_code.items():
            rows.append(
                {
                    "indicator": ind_id,
                    "code": code,
                    "naam": code,
                    "niveau": "land" if code == "NL00" else "gemeente",
                    "jaar": year,
                    "waarde": v,
                    "tabel": "T",
                    "kolommen": "X_1",
                    "status": "definitief",
                }
            )
    return pd.DataFrame(rows)


def test_compare_uses_latest_year_with_a_value_and_same_year_for_peers():
    ind = _ind()
    vals = _values(
        "x",
        {
            2023: {"A": 10.0, "B": 1.0, "C": 2.0, "D": 3.0, "NL00": 5.0},
            2024: {"A": np.nan, "B": 100.0, "C": 200.0, "D": 300.0, "NL00": 50.0},
        },
    )
    c = compare.compare(ind, "A", ["B", "C", "D"], vals, 2024)
    assert c.year == 2023 and c.value == 10.0
    assert c.peer_median == 2.0 and c.national == 5.0  # same year as the municipality
    assert c.rank == 1 and c.ranked_of == 4
    assert list(c.trend["jaar"]) == [2023, 2024]
    assert c.trend.loc[1, "gemeente"] is None or math.isnan(c.trend.loc[1, "gemeente"])


def test_compare_without_data_and_with_too_few_peers():
    ind = _ind()
    empty = compare.compare(ind, "A", ["B"], _values("x", {2024: {"A": np.nan, "B": 1.0}}), 2024)
    assert not empty.has_data and empty.value is None
    few = compare.compare(ind, "A", ["B", "C"], _values("x", {2024: {"A": 1.0, "B": 2.0, "C": 3.0}}), 2024)
    assert few.has_data and few.peer_median is None and few.peer_count == 2


def test_findings_are_neutral_and_ordered_by_difference():
    comps = []
    for i, own in enumerate([10.0, 30.0, 21.0, 19.0]):
        ind = _ind(id=f"i{i}")
        vals = _values(ind.id, {2024: {"A": own, "B": 18.0, "C": 20.0, "D": 22.0, "NL00": 20.0}})
        comps.append(compare.compare(ind, "A", ["B", "C", "D"], vals, 2024))
    found = compare.findings(comps, "Almere", minimum=2, maximum=3, threshold=1.0)
    ids = [f.comparison.indicator.id for f in found]
    assert ids == ["i0", "i1"]  # |score| 2.5 each; i2 and i3 are within the threshold
    assert "duidelijk lager" in found[0].sentence and "duidelijk hoger" in found[1].sentence
    assert "10,0%" in found[0].sentence and "mediaan van 20,0%" in found[0].sentence and "2024" in found[0].sentence
    assert "slecht" not in found[0].sentence and "goed" not in found[0].sentence
    assert found[0].question.endswith("?")


def test_coherence_states_correlation_in_words():
    x, y = _ind("x"), _ind("y")
    rng = np.random.default_rng(1)
    codes = [f"GM{i:04d}" for i in range(20)]
    xs = rng.normal(10, 2, 20)
    vals = pd.concat([_values("x", {2024: dict(zip(codes, xs))}), _values("y", {2024: dict(zip(codes, xs * 2 + 1))})])
    coh = compare.coherence(x, y, vals, "GM0003", 2024)
    assert coh.year == 2024 and coh.n == 20 and coh.r == pytest.approx(1.0)
    assert "een sterk positief verband" in coh.words("X") and "oorzaak" in coh.words("X")
    none = compare.coherence(x, y, vals, "GM9999", 2024)
    assert none.r is None and "geen gegevens" in none.words("X")


def test_twins_pick_nearest_and_explain_features():
    prof = pd.DataFrame(
        {
            "log_inwoners": [5.0, 5.1, 4.0, 5.05, 3.0],
            "stedelijkheid": [np.nan] * 5,  # unknown everywhere: left out
            "aandeel_65_plus": [20, 21, 30, 19, 25],
        },
        index=pd.Index(["A", "B", "C", "D", "E"], name="code"),
    )
    group = peers.twins("A", prof, size=2)
    assert set(group.members) == {"B", "D"}
    assert "stedelijkheid" in group.left_out
    assert "lijken in aantal inwoners en aandeel 65-plussers" in group.explanation
    assert group.explanation.count(".") >= 2


def test_peer_views_by_attribute_and_explicit():
    munis = pd.DataFrame({"code": ["A", "B", "C"], "grootteklasse": ["k", "k", "g"], "provincie": ["P", "Q", "P"]})
    assert peers.by_attribute("A", munis, "grootteklasse").members == ["B"]
    assert peers.by_attribute("A", munis, "provincie").members == ["C"]
    assert peers.explicit("A", ["C", "A", "C"], munis).members == ["C"]
    with pytest.raises(Exception, match="Onbekende gemeenten"):
        peers.explicit("A", ["Z"], munis)


def test_position_chart_house_style_and_text_alternative():
    ind = _ind(decimals=1)
    vals = _values("x", {2024: {"A": 12.0, "B": 10.0, "C": np.nan, "D": 14.0, "E": 11.0, "NL00": 11.5}})
    c = compare.compare(ind, "A", ["B", "C", "D", "E"], vals, 2024)
    chart = charts.position_chart(c, "Almere", "A")
    html = chart.html()
    assert "cdn.plot.ly" not in html and "<script src" not in html  # plotly.js comes from the book
    fig = chart.fig.to_graph_objects()
    assert fig.layout.separators == ",."
    bar = fig.data[0]
    colors = dict(zip(bar.y, bar.marker.color))
    assert colors["Almere"] == charts.STRONG and colors["B"] == charts.PEER
    assert "C" not in list(bar.y)  # a missing value is not drawn as a zero bar ...
    assert "Geen gegevens voor: C" in chart.alt  # ... but named
    assert "12,0%" in chart.alt and "Nederland: 11,5%" in chart.alt
    assert fig.layout.shapes[0].x0 == 11.5  # the national reference line
    assert "Bron: CBS, tabel T" in html


def test_findings_put_sturing_before_context():
    comps = []
    for i, (theme, own) in enumerate(
        [("bevolking", 40.0), ("bevolking", 38.0), ("bevolking", 36.0), ("wmo", 26.0), ("jeugd", 15.0)]
    ):
        ind = _ind(id=f"i{i}", theme=theme)
        vals = _values(ind.id, {2024: {"A": own, "B": 18.0, "C": 20.0, "D": 22.0, "NL00": 20.0}})
        comps.append(compare.compare(ind, "A", ["B", "C", "D"], vals, 2024))
    found = [f.comparison.indicator.id for f in compare.findings(comps, "X", minimum=3, maximum=6)]
    # the sturing differences lead although the context ones are larger; at most two
    # context indicators are shown
    assert found == ["i3", "i4", "i0", "i1"]


def test_lower_first_keeps_acronyms():
    assert fmt.lower_first("Jongeren met jeugdzorg") == "jongeren met jeugdzorg"
    assert fmt.lower_first("Wmo-cliënten per 1.000 inwoners") == "Wmo-cliënten per 1.000 inwoners"
    assert fmt.lower_first("AOW-uitkeringen") == "AOW-uitkeringen"


def test_chapter_figures_need_only_the_basic_plotly_bundle(use_snapshot):
    from samenspel import book
    from samenspel.chapter import model, render

    ch = model.build("Amsterdam", 2019)
    parts = [p for theme in ("jeugd", "wmo", "participatie", "bevolking") for p in render.theme_parts(ch, theme)]
    parts += render.wijk_parts(ch) + render.samenhang_parts(ch)
    shown = [p for p in parts if isinstance(p, charts.Chart)]
    types = {trace["type"] for c in shown for trace in c.fig.data}
    assert types and types <= book.BASIC_TRACES
    assert book.plotly_js_source() == book.BASIC_BUNDLE  # the vendored bundle, vendor/plotly/


def test_context_findings_ask_no_question():
    comps = []
    for i, role in enumerate(["context", "sturing"]):
        ind = _ind(id=f"i{i}", role=role)
        vals = _values(ind.id, {2024: {"A": 40.0, "B": 18.0, "C": 20.0, "D": 22.0, "NL00": 20.0}})
        comps.append(compare.compare(ind, "A", ["B", "C", "D"], vals, 2024))
    found = {f.comparison.indicator.id: f for f in compare.findings(comps, "X", minimum=2)}
    assert found["i0"].is_context and found["i0"].question is None
    assert not found["i1"].is_context and found["i1"].question.endswith("Wat vindt de raad daarvan?")


def test_median_says_on_how_many_peers_it_rests():
    ind = _ind()
    vals = _values("x", {2024: {"A": 10.0, "B": 1.0, "C": 2.0, "D": 3.0, "E": np.nan, "NL00": 5.0}})
    c = compare.compare(ind, "A", ["B", "C", "D", "E"], vals, 2024)
    assert c.peer_count == 3 and c.group_size == 4 and c.partial_median
    text = compare.findings([c], "X", minimum=1)[0].text
    assert "3 van de 4 gemeenten met een cijfer" in text


def _series(own, peers, nl=None):
    """Values per year for A (own), peers B.. and NL00."""
    data = {}
    for i, year in enumerate(range(2020, 2020 + len(own))):
        row = {"A": own[i]}
        row.update({chr(66 + k): p[i] for k, p in enumerate(peers)})
        if nl is not None:
            row["NL00"] = nl[i]
        data[year] = row
    return _values("x", data)


def test_a_jump_against_the_peers_is_found():
    # Almere's Wmo 2022 -> 2023: 55 -> 42 while its peers barely move
    peers_ = [[60, 61, 60, 61], [70, 70, 69, 70], [50, 51, 51, 50], [65, 64, 65, 66]]
    vals = _series([56, 55, 42, 42], peers_)
    c = compare.compare(_ind(), "A", ["B", "C", "D", "E"], vals, 2023)
    assert [(j.year_from, j.year_to) for j in c.jumps] == [(2021, 2022)]
    j = c.jumps[0]
    assert j.change == pytest.approx(42 / 55 - 1) and j.reference_kind == "vergelijkbare gemeenten"
    # a change the peers share is no jump
    same = _series([56, 55, 42, 42], [[60, 59, 45, 45], [70, 69, 53, 53], [50, 49, 38, 38]])
    assert compare.compare(_ind(), "A", ["B", "C", "D"], same, 2023).jumps == []


@pytest.mark.parametrize("change,jump", [(0.14, False), (0.16, True)])
def test_jump_boundary(change, jump):
    # peers all change by 0%: only the JUMP_MIN bound applies
    own = [100, 100 * (1 + change)]
    vals = _series(own, [[50, 50], [60, 60], [70, 70]])
    assert bool(compare.compare(_ind(), "A", ["B", "C", "D"], vals, 2021).jumps) is jump


def test_jumps_are_not_judged_for_context_or_across_a_herindeling():
    vals = _series([56, 55, 42], [[60, 61, 60], [70, 70, 69], [50, 51, 51]])
    assert compare.compare(_ind(role="context", theme="bevolking"), "A", ["B", "C", "D"], vals, 2022).jumps == []
    from samenspel.data.regions import Merger

    merged = compare.compare(_ind(), "A", ["B", "C", "D"], vals, 2022, breaks=[Merger(2022, "2022-01-01", ("Z",))])
    assert merged.jumps == [] and merged.breaks[0].year == 2022


def test_trend_chart_splits_the_line_at_a_herindeling_and_marks_a_jump():
    from samenspel.data.regions import Merger

    vals = _series([30, 31, 50, 51, 40], [[30, 31, 31, 32, 32], [33, 33, 34, 34, 35], [29, 29, 30, 30, 30]])
    c = compare.compare(_ind(), "A", ["B", "C", "D"], vals, 2024, breaks=[Merger(2022, "2022-01-01", ("Z",))])
    chart = charts.trend_chart(c, "Aa")
    own = [t for t in chart.fig.to_graph_objects().data if t.name.startswith("Aa")]
    assert [t.name for t in own] == ["Aa vóór de herindeling van 2022", "Aa"]
    assert list(own[0].x) == [2020, 2021] and list(own[1].x) == [2022, 2023, 2024]
    assert any("herindeling" in n and "Z" in n for n in chart.notes)
    assert [(j.year_from, j.year_to) for j in c.jumps] == [(2023, 2024)]
    assert any("registratie of definitie" in n for n in chart.notes)
    assert "registratie of definitie" in chart.html()


def test_twins_explanation_gives_the_true_reason():
    prof = pd.DataFrame(
        {
            "log_inwoners": np.linspace(3, 5, 12),
            "stedelijkheid": [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2],
            "log_dichtheid": np.linspace(2, 4, 12),
            "aandeel_0_15": [np.nan] * 12,
        },
        index=[f"GM{i:04d}" for i in range(12)],
    )
    group = peers.twins("GM0000", prof, size=3, year=2024)
    assert "bevolkingsdichtheid telt niet mee, omdat de stedelijkheid al meet" in group.explanation
    assert "voor deze gemeente ontbreekt: aandeel kinderen tot 15 jaar" in group.explanation
    assert group.features == ["aantal inwoners", "stedelijkheid"]
    assert "omdat het CBS-cijfer voor deze gemeente ontbreekt: bevolkingsdichtheid" not in group.explanation


@pytest.mark.parametrize("years, dtick", [([2021, 2024], 1), ([2018, 2024], 2), ([2015, 2030], 5)])
def test_year_axes_label_upright_years_that_fit_a_phone(years, dtick):
    from samenspel.chapter.figure import Figure, Scatter

    fig = Figure(Scatter(x=years, y=[1.0] * len(years)))
    charts._year_axis(fig)
    axis = fig.to_graph_objects().layout.xaxis
    assert axis.dtick == dtick and axis.tickangle == 0 and axis.tickformat == "d"
