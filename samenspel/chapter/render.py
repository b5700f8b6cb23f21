"""The chapter's outputs in the notebook: Markdown and HTML from the templates in
samenspel/templates/chapter/, and the charts. Each `show_*` function displays one section
of a Chapter (samenspel.chapter.model). The first screens (who, the council's goals, in het
kort) are shown open; the detail sections are folded into one <details> each, which opens
with a keyboard and without JavaScript.
"""

from __future__ import annotations

import functools

import markupsafe

from samenspel import templating
from samenspel.chapter import charts
from samenspel.chapter.model import Chapter


def _display(obj) -> None:
    from IPython.display import display

    display(obj)


def _md(text: str) -> None:
    from IPython.display import Markdown

    _display(Markdown(text))


def _html(text: str) -> None:
    from IPython.display import HTML

    _display(HTML(text))


def text(name: str, **context) -> str:
    """A chapter template rendered, without its final line break."""
    return templating.render(f"chapter/{name}", **context).rstrip("\n")


# --------------------------------------------------------------------------- parts and folds


class Md(str):
    """A part written in Markdown."""


class Html(str):
    """A part written in HTML."""


@functools.lru_cache(maxsize=1)
def _markdown():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def part_html(part) -> str:
    if isinstance(part, charts.Chart):
        return part.html()
    if isinstance(part, Md):
        return _markdown().render(part)
    return str(part)


def fold(summary: str, parts: list) -> str:
    """Parts folded into one <details> element."""
    return text("fold.html", summary=summary, body=markupsafe.Markup("".join(part_html(p) for p in parts)))


def _show(parts: list) -> None:
    for part in parts:
        if isinstance(part, charts.Chart):
            _display(part)
        elif isinstance(part, Md):
            _md(part)
        else:
            _html(part)


def _show_folded(summary: str, parts: list) -> None:
    _html(fold(summary, parts))


def _count(parts: list) -> int:
    return sum(isinstance(p, charts.Chart) for p in parts)


def _figures(n: int) -> str:
    return "1 figuur" if n == 1 else f"{n} figuren"


# --------------------------------------------------------------------------- sections


def show_wie(ch: Chapter) -> None:
    _md(text("wie.md", ch=ch, missing=ch.themes_without_data))


def doelen_parts(ch: Chapter) -> list:
    from samenspel.analysis.goals import METHOD_SHORT

    if not ch.goals:
        return [Md(text("doelen_none.md", ch=ch))]
    parts: list = [Html(text("doelen_intro.html", ch=ch, method=METHOD_SHORT))]
    for g in ch.goals:
        chart = charts.goal_chart(g, ch.name) if len(g.all_series.dropna()) else None
        parts.append(Html(text("doel.html", g=g, chart=markupsafe.Markup(chart.html()) if chart else "")))
    return parts


def show_doelen(ch: Chapter) -> None:
    _show(doelen_parts(ch))


def show_kort(ch: Chapter) -> None:
    _md(text("kort.md", ch=ch))


def theme_parts(ch: Chapter, key: str) -> list:
    theme = ch.theme(key)
    if not theme.has_data:
        labels = [templating.environment().filters["lower_first"](c.indicator.label) for c in theme.comparisons]
        return [Md(text("theme_empty.md", ch=ch, labels=labels))]
    parts: list = [Html(text("theme_table.html", ch=ch, theme=theme))]
    for c in theme.charted:
        parts.append(charts.position_chart(c, ch.name, ch.code))
        if len(c.trend) > 1:
            parts.append(charts.trend_chart(c, ch.name))
    return parts


def show_theme(ch: Chapter, key: str) -> None:
    theme = ch.theme(key)
    parts = theme_parts(ch, key)
    if not theme.has_data:
        _show(parts)
        return
    n = len(theme.comparisons)
    _show_folded(f"{theme.label}: tabel met {n} indicatoren en {_figures(_count(parts))}", parts)


def alternative_parts(ch: Chapter) -> list:
    parts: list = [Md(text("alternatives_intro.md", alt=ch.alternatives))]
    if ch.alternatives:
        parts.append(Html(text("alternatives_table.html", ch=ch, alt=ch.alternatives)))
    return parts


def show_alternatieven(ch: Chapter) -> None:
    if not ch.alternatives:
        _show(alternative_parts(ch))
        return
    _show_folded("De kernindicatoren naast de grootteklasse en de provincie", alternative_parts(ch))


def wijk_maps(ch: Chapter) -> list:
    """(WijkIndicator, WijkMap or None) per key indicator with wijk figures."""
    from samenspel.chapter import wijkmap

    return [(w, wijkmap.wijk_map(w, ch.name, ch.code)) for w in ch.wijken]


def _wijk_indicators_without_data(ch: Chapter) -> list[str]:
    """Key indicators without any wijk figure: those the chapter skipped before its last wijk
    indicator (or all it skipped, when it shows fewer than the maximum)."""
    from samenspel.chapter.model import MAX_WIJK_CHARTS

    keys = [i for i in ch.data["catalogue"] if i.key]  # the dataset's catalogue: no table read again
    shown = [w.indicator.id for w in ch.wijken]
    last = max((n for n, i in enumerate(keys) if i.id in shown), default=len(keys))
    limit = len(keys) if len(shown) < MAX_WIJK_CHARTS else last
    return [fmt_lower(i.label) for n, i in enumerate(keys) if i.id not in shown and n < limit]


def fmt_lower(label: str) -> str:
    return templating.environment().filters["lower_first"](label)


def wijk_parts(ch: Chapter) -> list:
    from samenspel.chapter import wijkmap

    maps = wijk_maps(ch)
    has_geometry = bool(wijkmap.municipality_wijken(ch.code))
    parts: list = [
        Md(
            text(
                "wijken_intro.md",
                ch=ch,
                maps=maps,
                has_geometry=has_geometry,
                geometry_year=wijkmap.GEOMETRY_YEAR,
                without=_wijk_indicators_without_data(ch),
            )
        )
    ]
    for w, m in maps:
        # A map when the year's wijken are those of the boundaries; otherwise the bars.
        if m is not None:
            parts.append(Html(m.html()))
        else:
            parts.append(charts.wijk_chart(w.indicator, w.frame, w.municipal_value, ch.name, w.year, w.table))
    for t in ch.wijk_trends:
        parts.append(charts.wijk_trend_chart(t, ch.name))
    return parts


def show_wijken(ch: Chapter) -> None:
    parts = wijk_parts(ch)
    if not ch.wijken:
        _show(parts)
        return
    n_maps = sum(1 for p in parts if isinstance(p, Html) and "samenspel-map" in p)
    what = [_figures(_count(parts))] if _count(parts) else []
    if n_maps:
        what.insert(0, "1 kaart" if n_maps == 1 else f"{n_maps} kaarten")
    _show_folded(f"De wijken van {ch.name}: {' en '.join(what)}", parts)


def samenhang_parts(ch: Chapter) -> list:
    parts: list = [Md(text("samenhang_intro.md", ch=ch))]
    for coh in ch.coherences:
        if coh.r is None:
            parts.append(Md(text("samenhang_missing.md", ch=ch, coh=coh)))
            continue
        parts.append(charts.scatter_chart(coh, ch.code, ch.peer_group.members, ch.name))
        parts.append(Md(coh.words(ch.name)))
    return parts


def show_samenhang(ch: Chapter) -> None:
    parts = samenhang_parts(ch)
    _show_folded(f"Verbanden tussen de domeinen, over alle gemeenten: {_figures(_count(parts))}", parts)


def show_definities(ch: Chapter) -> None:
    _show_folded(
        f"Definities, CBS-tabellen en peildata van de {len(ch.definitions)} indicatoren",
        [Html(text("definitions.html", ch=ch))],
    )


def show_leren(ch: Chapter) -> None:
    if not ch.case_studies:
        _md(text("casestudies_empty.md"))
        return
    _html(text("casestudies.html", ch=ch))


def show_vragen(ch: Chapter) -> None:
    _md(text("vragen.md", ch=ch))


def show_bronnen(ch: Chapter, csv_link: str | None = None) -> None:
    parameters = ", ".join(f"{k} = {v!r}" for k, v in ch.parameters.items())
    _md(text("bronnen.md", ch=ch, parameters=parameters, csv_link=csv_link))
