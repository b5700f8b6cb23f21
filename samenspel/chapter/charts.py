"""Plotly figures in one house style, emitted as HTML without plotly.js.

The book serves plotly.js once from its own `_static/` (no CDN). Each chart is shown with a
title that says what it shows, a text alternative, and its source (table, period, status).
"""

from __future__ import annotations

import json

import pandas as pd
import plotly.io as pio

from samenspel import fmt, templating
from samenspel.analysis.compare import Coherence, Comparison
from samenspel.chapter.figure import TEMPLATE_NONE, Bar, Figure, Scatter
from samenspel.data.indicators import SMALL_BASE, Indicator

STRONG = "#0b4f8a"  # the municipality
PEER = "#a6a6a6"  # peers
PEER_MARK = "#5f5f5f"
NATIONAL = "#d35400"  # the national reference
MEDIAN = "#555555"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
CONFIG = {
    "responsive": True,
    "displaylogo": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"],
}


def _wrap(text: str, width: int = 32) -> str:
    """Axis titles wrap instead of being cut off on a 375 px screen."""
    import textwrap

    return "<br>".join(textwrap.wrap(text, width)) or text


def _d3(decimals: int) -> str:
    return f",.{decimals}f"


def _year_axis(fig: Figure) -> None:
    """Years on the x axis, upright: every year on a short span, else every second or fifth,
    so that the labels fit a 375 px screen instead of being turned and cut off."""
    years = [x for trace in fig.data for x in (trace["x"] if trace.get("x") is not None else ()) if x is not None]
    span = (max(years) - min(years)) if years else 0
    fig.update_xaxes(dtick=1 if span <= 5 else 2 if span <= 12 else 5, tickformat="d", tickangle=0)


def base_layout(fig: Figure, height: int) -> Figure:
    fig.update_layout(
        # An empty template plus the few settings below: plotly's ready-made templates are
        # deep-copied for every figure, which made them the slowest part of a chapter.
        template=TEMPLATE_NONE,
        plot_bgcolor="white",
        paper_bgcolor="white",
        separators=",.",  # Dutch: decimal comma, thousands point
        font=dict(family=FONT, size=13, color="#222"),
        height=height,
        margin=dict(l=8, r=16, t=12, b=40),
        showlegend=False,
        hoverlabel=dict(font=dict(family=FONT)),
        autosize=True,
    )
    axes = dict(
        automargin=True,
        showline=True,
        linecolor="#444",
        ticks="outside",
        tickcolor="#444",
        showgrid=False,
        zeroline=False,
    )
    fig.update_yaxes(**axes)
    fig.update_xaxes(**axes)
    return fig


class Chart:
    """A figure with a title, a text alternative and a source line, for notebooks and the book."""

    def __init__(
        self,
        fig: Figure,
        title: str,
        alt: str,
        source: str,
        data: pd.DataFrame | None = None,
        notes: list[str] | None = None,
    ):
        self.fig = fig
        self.title = title
        self.alt = alt
        self.source = source
        self.data = data
        self.notes = [n for n in (notes or []) if n]  # shown under the figure, in words

    def figure_json(self) -> str:
        """The figure (data, layout, config) as JSON that is safe inside a <script> element."""
        body = pio.to_json(self.fig.to_dict(), validate=False, remove_uids=True)
        body = body[:-1] + ',"config":' + json.dumps(CONFIG) + "}"
        # "</script>" or "<!--" in a label must not end or confuse the script element.
        return body.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

    @property
    def height(self) -> int:
        return int(self.fig.layout.get("height") or 300)

    def html(self) -> str:
        """The chart without any script that runs while the page is parsed: an empty graph
        div, and the figure as inert JSON next to it. _static/samenspel-charts.js draws it
        when it comes near the screen (or its fold opens); without JavaScript the title, the
        source line and the text alternative are there."""
        return templating.render("chapter/chart.html", chart=self, figure=self.figure_json()).rstrip("\n")

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.html()}


def source_line(c: Comparison) -> str:
    status = f", {c.status}" if c.status else ""
    return f"Bron: CBS, tabel {c.table} ({c.columns}), {c.year}{status}."


def missing_notes(frame: pd.DataFrame, ind: Indicator) -> list[str]:
    """Who has no bar, and why: CBS publishes no figure, or the base is under the rule."""
    missing = frame[frame["waarde"].isna()]
    small = missing["reden"] == SMALL_BASE if "reden" in missing else pd.Series(False, index=missing.index)
    notes = []
    if small.any():
        notes.append(
            f"Te weinig {ind.base_label} om een betrouwbaar cijfer te tonen: {', '.join(missing[small]['naam'])}."
        )
    if (~small).any():
        notes.append(f"Geen gegevens voor: {', '.join(missing[~small]['naam'])}.")
    return notes


def _missing_note(frame: pd.DataFrame, ind: Indicator) -> str:
    notes = missing_notes(frame, ind)
    return (" " + " ".join(notes)) if notes else ""


def _bar_range(values: pd.Series, reference: float | None) -> list[float]:
    """From zero (or the lowest negative value) to a little past the longest bar, so that the
    value labels outside the bars stay readable on a narrow screen."""
    top = max([v for v in list(values) + [reference] if v is not None and not pd.isna(v)] or [1.0])
    low = min([0.0] + [v for v in values if not pd.isna(v)])
    return [round(low, 2), round(top * 1.22, 2) if top > 0 else 1.0]


def position_chart(c: Comparison, name: str, code: str) -> Chart:
    """All peers and the municipality side by side, sorted; the national value as a line."""
    ind = c.indicator
    frame = pd.concat(
        [
            c.peers.assign(eigen=False),
            pd.DataFrame([{"code": code, "naam": name, "waarde": c.value, "eigen": True}]),
        ],
        ignore_index=True,
    )
    shown = frame.dropna(subset=["waarde"]).sort_values("waarde")
    fig = Figure(
        Bar(
            x=shown["waarde"],
            y=shown["naam"],
            orientation="h",
            marker_color=[STRONG if e else PEER for e in shown["eigen"]],
            text=[fmt.number(v, ind.decimals) for v in shown["waarde"]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:" + _d3(ind.decimals) + "}<extra></extra>",
        )
    )
    if c.national is not None:
        fig.add_vline(
            x=c.national,
            line_dash="dot",
            line_color=NATIONAL,
            line_width=2,
            annotation_text="Nederland",
            annotation_position="top",
            annotation_font_color=NATIONAL,
        )
    base_layout(fig, height=max(220, 26 * len(shown) + 80))
    fig.update_layout(margin=dict(t=30))
    fig.update_xaxes(title_text=_wrap(ind.unit, 18), range=_bar_range(shown["waarde"], c.national))
    title = f"{ind.label}: {name} en vergelijkbare gemeenten, {c.year}"
    order = shown.sort_values("waarde", ascending=False)
    alt = (
        f"Staafdiagram. {name}: {c.text(c.value)}, plaats {c.rank} van {c.ranked_of}. "
        f"Mediaan vergelijkbare gemeenten: {c.text(c.peer_median)}. Nederland: {c.text(c.national)}. "
        f"Hoogste: {order.iloc[0]['naam']} ({c.text(order.iloc[0]['waarde'])}); "
        f"laagste: {order.iloc[-1]['naam']} ({c.text(order.iloc[-1]['waarde'])})." + _missing_note(frame, ind)
    )
    data = frame.assign(indicator=ind.id, jaar=c.year, tabel=c.table)[
        ["indicator", "jaar", "code", "naam", "waarde", "tabel"]
    ]
    notes = missing_notes(frame, ind)
    if c.partial_median:
        notes.append(
            f"De mediaan rust op {c.peer_count} van de {c.group_size} vergelijkbare gemeenten: "
            f"de andere hebben geen cijfer voor {c.year}."
        )
    return Chart(fig, title, alt, source_line(c), data, notes)


def trend_chart(c: Comparison, name: str) -> Chart:
    """The municipality over the years, with the peer median and the national value. A
    herindeling splits the municipality's line (the years before are another municipality);
    a jump is marked on the line and explained under the figure."""
    ind = c.indicator
    t = c.trend
    fig = Figure()
    d3 = _d3(ind.decimals)
    for label, part, dash in _own_segments(t, c.breaks, name):
        fig.add_trace(
            Scatter(
                x=part["jaar"],
                y=part["gemeente"],
                name=label,
                mode="lines+markers",
                connectgaps=False,
                line=dict(color=STRONG, dash=dash, width=3),
                hovertemplate=f"{label} %{{x}}: %{{y:{d3}}}<extra></extra>",
            )
        )
    if t["mediaan"].notna().any():
        fig.add_trace(
            Scatter(
                x=t["jaar"],
                y=t["mediaan"],
                name="mediaan vergelijkbare gemeenten",
                mode="lines+markers",
                connectgaps=False,
                line=dict(color=MEDIAN, dash="dash", width=2),
                customdata=t["n_mediaan"],
                hovertemplate=f"mediaan vergelijkbare gemeenten %{{x}}: %{{y:{d3}}} (%{{customdata}} gemeenten)<extra></extra>",
            )
        )
    if t["nederland"].notna().any():
        fig.add_trace(
            Scatter(
                x=t["jaar"],
                y=t["nederland"],
                name="Nederland",
                mode="lines+markers",
                connectgaps=False,
                line=dict(color=NATIONAL, dash="dot", width=2),
                hovertemplate=f"Nederland %{{x}}: %{{y:{d3}}}<extra></extra>",
            )
        )
    for b in c.breaks:
        if t["jaar"].min() < b.year <= t["jaar"].max():
            fig.add_vline(
                x=b.year - 0.5,
                line_dash="dot",
                line_color="#444",
                line_width=1,
                annotation_text="herindeling",
                annotation_position="top left",
                annotation_font_size=11,
            )
    for j in c.jumps:
        fig.add_trace(
            Scatter(
                x=[j.year_to],
                y=[j.value_to],
                mode="markers",
                name="sprong in de reeks",
                showlegend=True,
                marker=dict(symbol="diamond-open", size=16, color=NATIONAL, line=dict(width=2)),
                hovertemplate=f"sprong tussen {j.year_from} en {j.year_to}<extra></extra>",
            )
        )
    base_layout(fig, height=300)
    fig.update_layout(showlegend=True, legend=dict(orientation="h", yanchor="top", y=-0.18, x=0))
    _year_axis(fig)
    fig.update_yaxes(title_text=_wrap(ind.unit, 24))
    own = t.dropna(subset=["gemeente"])
    years = f"{int(own['jaar'].min())}–{int(own['jaar'].max())}" if len(own) else "geen jaren"
    title = f"{ind.label} in {name} door de jaren heen ({years})"
    parts = [f"{int(r.jaar)}: {c.text(r.gemeente)}" for r in own.itertuples()]
    absent = [str(int(r.jaar)) for r in t.itertuples() if fmt.is_missing(r.gemeente)]
    alt = f"Lijndiagram. {name}: " + "; ".join(parts) + "."
    if absent:
        alt += f" Geen gegevens voor {name} in: {', '.join(absent)}."
    notes = [break_note(b, name) for b in c.breaks if t["jaar"].min() < b.year <= t["jaar"].max()]
    notes += [jump_note(c, j, name) for j in c.jumps]
    counts = c.median_counts()
    if counts:
        low, high = counts
        rest = f"{low}" if low == high else f"{low} tot {high}"
        notes.append(
            f"De mediaan rust per jaar op {rest} van de {c.group_size} vergelijkbare gemeenten: "
            f"niet elk jaar heeft elke gemeente een cijfer, dus de groep achter de lijn wisselt."
        )
    alt += "".join(f" {n}" for n in notes)
    data = t.assign(indicator=ind.id)
    return Chart(fig, title, alt, f"Bron: CBS, Kerncijfers wijken en buurten, {years}.", data, notes)


def _own_segments(t: pd.DataFrame, breaks: list, name: str):
    """(label, rows, dash) per stretch of the municipality's series between herindelingen:
    a line never joins the figures of the municipality before and after a merger."""
    edges = [b.year for b in breaks if t["jaar"].min() < b.year <= t["jaar"].max()]
    bounds = [None, *edges, None]
    for start, edge in zip(bounds, bounds[1:]):
        keep = pd.Series(True, index=t.index)
        if start is not None:
            keep &= t["jaar"] >= start
        if edge is not None:
            keep &= t["jaar"] < edge
        part = t.loc[keep, ["jaar", "gemeente"]]
        if part["gemeente"].notna().any():
            if edge is None:
                yield name, part, "solid"
            else:
                yield f"{name} vóór de herindeling van {edge}", part, "dot"


def break_note(b, name: str) -> str:
    absorbed = fmt.join_nl(b.absorbed)
    return (
        f"In {b.year} telt {name} voor het eerst met {absorbed} (herindeling op {fmt.date_nl(b.date)}): "
        f"de cijfers van eerdere jaren gaan over de gemeente zonder {absorbed}. De lijn loopt daarom "
        f"niet door."
    )


def jump_note(c: Comparison, j, name: str) -> str:
    way = "steeg" if j.change > 0 else "daalde"
    ref = (
        f"bij de vergelijkbare gemeenten {fmt.number(j.reference * 100, 0)}% (mediaan van "
        f"{j.reference_count} gemeenten)"
        if j.reference_count
        else f"in Nederland {fmt.number(j.reference * 100, 0)}%"
    )
    return (
        f"Tussen {j.year_from} en {j.year_to} {way} het cijfer van {name} van {c.text(j.value_from)} naar "
        f"{c.text(j.value_to)} ({fmt.number(j.change * 100, 0)}%); {ref}. Zo'n sprong komt vaak door een "
        f"andere registratie of definitie, niet door een echte verandering: vraag het college ernaar "
        f"voordat u de jaren vergelijkt."
    )


def wijk_chart(
    ind: Indicator, frame: pd.DataFrame, municipal_value: float | None, name: str, year: int, table: str
) -> Chart:
    """The municipality's wijken side by side, with the municipal value as reference."""
    shown = frame.dropna(subset=["waarde"]).sort_values("waarde")
    fig = Figure(
        Bar(
            x=shown["waarde"],
            y=shown["naam"],
            orientation="h",
            marker_color=STRONG,
            text=[fmt.number(v, ind.decimals) for v in shown["waarde"]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:" + _d3(ind.decimals) + "}<extra></extra>",
        )
    )
    if municipal_value is not None:
        fig.add_vline(
            x=municipal_value,
            line_dash="dash",
            line_color=NATIONAL,
            line_width=2,
            annotation_text=f"{name} totaal",
            annotation_position="top",
            annotation_font_color=NATIONAL,
        )
    base_layout(fig, height=max(220, 22 * len(shown) + 80))
    fig.update_layout(margin=dict(t=30))
    fig.update_xaxes(title_text=_wrap(ind.unit, 18), range=_bar_range(shown["waarde"], municipal_value))
    fig.update_yaxes(tickfont=dict(size=11))
    title = f"{ind.label} per wijk in {name}, {year}"
    text = lambda v: fmt.with_unit(v, ind.unit, ind.decimals)  # noqa: E731
    alt = (
        f"Staafdiagram van {len(shown)} wijken. {name} als geheel: {text(municipal_value)}."
        + (
            f" Hoogste: {shown.iloc[-1]['naam']} ({text(shown.iloc[-1]['waarde'])}); "
            f"laagste: {shown.iloc[0]['naam']} ({text(shown.iloc[0]['waarde'])})."
            if len(shown)
            else ""
        )
        + _missing_note(frame, ind)
    )
    data = frame.assign(indicator=ind.id, jaar=year, tabel=table)
    return Chart(fig, title, alt, f"Bron: CBS, tabel {table}, {year}.", data, missing_notes(frame, ind))


def wijk_trend_chart(trend, name: str) -> Chart:
    """The wijken with the largest change, each over the years in which it is the same area,
    and the municipality as a whole (thick line)."""
    ind = trend.indicator
    d3 = _d3(ind.decimals)
    fig = Figure()
    text = lambda v: fmt.with_unit(v, ind.unit, ind.decimals)  # noqa: E731
    lines = []
    for _code, part in trend.series.groupby("code", sort=False):
        label = part["naam"].iloc[0]
        fig.add_trace(
            Scatter(
                x=part["jaar"],
                y=part["waarde"],
                name=label,
                mode="lines+markers",
                line=dict(color=PEER_MARK, width=1.5),
                marker=dict(size=5),
                hovertemplate=f"{label} %{{x}}: %{{y:{d3}}}<extra></extra>",
            )
        )
        lines.append(
            f"{label}: {int(part['jaar'].iloc[0])} {text(part['waarde'].iloc[0])}, "
            f"{int(part['jaar'].iloc[-1])} {text(part['waarde'].iloc[-1])}"
        )
    if len(trend.municipal):
        fig.add_trace(
            Scatter(
                x=trend.municipal["jaar"],
                y=trend.municipal["waarde"],
                name=f"{name} totaal",
                mode="lines+markers",
                line=dict(color=STRONG, width=4),
                hovertemplate=f"{name} %{{x}}: %{{y:{d3}}}<extra></extra>",
            )
        )
    base_layout(fig, height=360)
    fig.update_layout(showlegend=True, legend=dict(orientation="h", yanchor="top", y=-0.15, x=0, font=dict(size=11)))
    _year_axis(fig)
    fig.update_yaxes(title_text=_wrap(ind.unit, 24))
    years = f"{int(trend.series['jaar'].min())}–{int(trend.series['jaar'].max())}"
    shown = trend.series["code"].nunique()
    title = f"{ind.label}: de {shown} wijken van {name} die het meest veranderden, {years}"
    alt = f"Lijndiagram van {shown} van de {trend.total} wijken met een vergelijkbare reeks. " + "; ".join(lines) + "."
    notes = [
        "Elke wijk staat er alleen in over de jaren waarin het CBS zegt dat het hetzelfde gebied is "
        "(dezelfde wijkcode en grenzen als een jaar eerder)."
    ]
    if trend.left_out:
        notes.append(
            f"Zonder eerder vergelijkbaar jaar (nieuwe of anders begrensde wijk): {', '.join(trend.left_out)}."
        )
    data = trend.series.assign(indicator=ind.id)
    return Chart(fig, title, alt, f"Bron: CBS, Kerncijfers wijken en buurten, {years}.", data, notes)


def goal_chart(g, name: str) -> Chart:
    """A goal: the figures over the years, the target in its year (or as a line when the
    document gives no year), where the line of the last years leads, and the peer median."""
    d3 = _d3(g.decimals)
    s = g.all_series.dropna()
    fig = Figure()
    earlier = s[~s["jaar"].isin(g.series["jaar"])]
    if len(earlier):
        fig.add_trace(
            Scatter(
                x=earlier["jaar"],
                y=earlier["waarde"],
                name=f"{name}, niet vergelijkbaar",
                mode="lines+markers",
                line=dict(color=STRONG, dash="dot", width=2),
                hovertemplate=f"{name} %{{x}}: %{{y:{d3}}}<extra></extra>",
            )
        )
    if len(g.series):
        fig.add_trace(
            Scatter(
                x=g.series["jaar"],
                y=g.series["waarde"],
                name=name,
                mode="lines+markers",
                line=dict(color=STRONG, width=3),
                hovertemplate=f"{name} %{{x}}: %{{y:{d3}}}<extra></extra>",
            )
        )
    if len(g.peer_median):
        fig.add_trace(
            Scatter(
                x=g.peer_median["jaar"],
                y=g.peer_median["mediaan"],
                name="mediaan vergelijkbare gemeenten",
                mode="lines",
                line=dict(color=MEDIAN, dash="dash", width=1.5),
                hovertemplate=f"mediaan %{{x}}: %{{y:{d3}}}<extra></extra>",
            )
        )
    if g.projection and len(s):
        last = s.iloc[-1]
        fig.add_trace(
            Scatter(
                x=[last["jaar"], g.projection[0]],
                y=[last["waarde"], g.projection[1]],
                name="als de lijn doorgaat",
                mode="lines",
                line=dict(color=STRONG, dash="dot", width=1.5),
                hovertemplate=f"%{{x}}: %{{y:{d3}}}<extra></extra>",
            )
        )
    if g.target is not None and g.goal.jaar:
        fig.add_trace(
            Scatter(
                x=[g.goal.jaar],
                y=[g.target],
                name="doel",
                mode="markers+text",
                text=["doel"],
                textposition="top center",
                marker=dict(symbol="diamond", size=14, color=NATIONAL),
                hovertemplate=f"doel %{{x}}: %{{y:{d3}}}<extra></extra>",
            )
        )
    elif g.target is not None:
        fig.add_hline(
            y=g.target,
            line_dash="dash",
            line_color=NATIONAL,
            line_width=2,
            annotation_text="doel (geen doeljaar)",
            annotation_position="top left",
            annotation_font_color=NATIONAL,
        )
    base_layout(fig, height=260)
    fig.update_layout(showlegend=True, legend=dict(orientation="h", yanchor="top", y=-0.22, x=0, font=dict(size=11)))
    _year_axis(fig)
    fig.update_yaxes(title_text=_wrap(g.unit, 24))
    title = f"{g.label} in {name}: cijfers en doel"
    parts = [f"{int(r.jaar)}: {g.text(r.waarde)}" for r in s.itertuples()]
    alt = (
        f"Lijndiagram. {name}: {'; '.join(parts) or 'geen cijfers'}. Doel: {g.target_text}. "
        f"Oordeel: {g.verdict}. {g.reason}"
    )
    source = (
        f"Bron: {g.goal.bron.titel} (eigen cijfer van de gemeente)."
        if g.goal.is_own and g.goal.bron
        else "Bron: CBS, Kerncijfers wijken en buurten; doel: " + g.document + "."
    )
    return Chart(fig, title, alt, source, s.assign(indicator=g.goal.indicator))


def scatter_chart(coh: Coherence, code: str, peer_codes: list[str], name: str, table: str | None = None) -> Chart:
    """Two indicators over all municipalities; this one highlighted, its peers marked."""
    p = coh.points
    x, y = coh.x, coh.y
    rest = p[(p["code"] != code) & ~p["code"].isin(peer_codes)]
    peers = p[p["code"].isin(peer_codes)]
    own = p[p["code"] == code]
    hover = f"%{{text}}<br>{x.label}: %{{x:{_d3(x.decimals)}}}<br>{y.label}: %{{y:{_d3(y.decimals)}}}<extra></extra>"
    fig = Figure()
    fig.add_trace(
        Scatter(
            x=rest["x"],
            y=rest["y"],
            text=rest["naam"],
            mode="markers",
            name="andere gemeenten",
            marker=dict(color=PEER, size=7, opacity=0.7),
            hovertemplate=hover,
        )
    )
    fig.add_trace(
        Scatter(
            x=peers["x"],
            y=peers["y"],
            text=peers["naam"],
            mode="markers",
            name="vergelijkbare gemeenten",
            marker=dict(color="white", size=9, line=dict(color=PEER_MARK, width=2)),
            hovertemplate=hover,
        )
    )
    fig.add_trace(
        Scatter(
            x=own["x"],
            y=own["y"],
            text=own["naam"],
            mode="markers+text",
            name=name,
            textposition="top center",
            marker=dict(color=STRONG, size=13),
            hovertemplate=hover,
        )
    )
    base_layout(fig, height=420)
    fig.update_layout(showlegend=True, legend=dict(orientation="h", yanchor="top", y=-0.32, x=0), margin=dict(b=60))
    fig.update_xaxes(title_text=_wrap(f"{x.label} ({x.unit})", 36), title_font_size=12)
    fig.update_yaxes(title_text=_wrap(f"{y.label} ({y.unit})", 26), title_font_size=12)
    title = f"{y.label} tegen {fmt.lower_first(x.label)}, alle gemeenten met beide cijfers, {coh.year}"
    alt = "Spreidingsdiagram. " + coh.words(name)
    if len(own):
        alt += (
            f" {name}: {fmt.with_unit(own['x'].iloc[0], x.unit, x.decimals)} en "
            f"{fmt.with_unit(own['y'].iloc[0], y.unit, y.decimals)}."
        )
    data = p.rename(columns={"x": x.id, "y": y.id}).assign(jaar=coh.year)
    src = f"Bron: CBS, Kerncijfers wijken en buurten {coh.year}" + (f" (tabel {table})" if table else "") + "."
    return Chart(fig, title, alt, src, data)
