"""The charts' plain-dict figures (samenspel.chapter.figure) are exactly what plotly's
graph_objects make of the same properties: plotly, validating our dict, must give it back
unchanged, for every chart of real chapters."""

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from samenspel.chapter import charts, figure, model, render


def _charts(ch) -> list:
    parts = [p for theme in ("jeugd", "wmo", "participatie", "bevolking") for p in render.theme_parts(ch, theme)]
    parts += render.wijk_parts(ch) + render.samenhang_parts(ch) + render.doelen_parts(ch)
    return [p for p in parts if isinstance(p, charts.Chart)]


def _as_plotly_writes_it(fig: figure.Figure) -> dict:
    """Our figure validated and serialised by plotly itself."""
    return json.loads(pio.to_json(fig.to_graph_objects(), validate=True, remove_uids=True))


@pytest.mark.parametrize("gemeente,jaar", [("Almere", None), ("Amsterdam", 2019), ("Vlieland", None)])
def test_every_chart_is_what_plotly_makes_of_it(use_snapshot, gemeente, jaar):
    shown = _charts(model.build(gemeente, jaar))
    assert len(shown) >= 3
    kinds = set()
    for chart in shown:
        ours = json.loads(pio.to_json(chart.fig.to_dict(), validate=False, remove_uids=True))
        assert ours == _as_plotly_writes_it(chart.fig), chart.title
        kinds |= {t["type"] for t in ours["data"]}
    assert "scatter" in kinds


def test_a_council_goal_chart_is_what_plotly_makes_of_it(use_snapshot):
    ch = model.build("GM0375")
    goals = [charts.goal_chart(g, ch.name) for g in ch.goals if len(g.all_series.dropna())]
    assert len(goals) >= 2
    for chart in goals:
        assert json.loads(pio.to_json(chart.fig.to_dict(), validate=False)) == _as_plotly_writes_it(chart.fig)


@pytest.mark.parametrize("kind,position", [("v", "top"), ("v", "top left"), ("h", "top left")])
def test_reference_lines_match_plotlys_add_vline_and_add_hline(kind, position):
    style = dict(line_dash="dot", line_color="#444", line_width=1, annotation_text="doel")
    style |= dict(annotation_position=position, annotation_font_size=11, annotation_font_color="#d35400")
    ours = figure.Figure(figure.Scatter(x=[2020, 2021], y=[1.0, 2.0])).update_layout(template=figure.TEMPLATE_NONE)
    theirs = go.Figure(go.Scatter(x=[2020, 2021], y=[1.0, 2.0])).update_layout(template="none")
    if kind == "v":
        ours.add_vline(x=2020.5, **style)
        theirs.add_vline(x=2020.5, **style)
    else:
        ours.add_hline(y=1.5, **style)
        theirs.add_hline(y=1.5, **style)
    assert ours.to_dict()["layout"] == theirs.to_dict()["layout"]


def test_arrays_are_coerced_and_encoded_like_plotly_and_the_figure_is_not_changed():
    years = pd.Series([2019, 2020, 2021])
    values = pd.Series([1.5, np.nan, 2.25])
    fig = figure.Figure(figure.Scatter(x=years, y=values, text=["a", "b", "c"], marker_color="#000"))
    fig.update_layout(margin=dict(l=8, t=12), plot_bgcolor="white")
    fig.update_layout(margin=dict(t=30))  # merges, as plotly's update does
    fig.update_xaxes(title_text="jaar", title_font_size=12)
    theirs = go.Figure(go.Scatter(x=years, y=values, text=["a", "b", "c"], marker_color="#000"))
    theirs.update_layout(margin=dict(l=8, t=12), plot_bgcolor="white")
    theirs.update_layout(margin=dict(t=30))
    theirs.update_xaxes(title_text="jaar", title_font_size=12)
    assert fig.to_dict()["data"] == theirs.to_dict()["data"]
    layout = theirs.to_dict()["layout"]
    layout.pop("template")  # graph_objects adds its default template; charts set "none" in base_layout
    assert fig.to_dict()["layout"] == layout
    encoded = fig.to_dict()["data"][0]
    assert encoded["x"]["dtype"] == "i2" and encoded["y"]["dtype"] == "f8"  # typed arrays
    assert np.isnan(np.frombuffer(__import__("base64").b64decode(encoded["y"]["bdata"]))[1])  # missing stays missing
    assert isinstance(fig.data[0]["y"], np.ndarray)  # serialising did not replace the arrays
