"""The chapter's outputs in the notebook: Markdown and HTML from the templates in
samenspel/templates/chapter/, and the charts. Each `show_*` function displays one section
of a Chapter (samenspel.chapter.model); the `*_text` functions return what is displayed, for
tests and for other front ends.
"""

from __future__ import annotations

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


# --------------------------------------------------------------------------- sections

def show_wie(ch: Chapter) -> None:
    _md(text("wie.md", ch=ch, missing=ch.themes_without_data))


def show_kort(ch: Chapter) -> None:
    _md(text("kort.md", ch=ch))


def show_theme(ch: Chapter, key: str) -> None:
    theme = ch.theme(key)
    if not theme.has_data:
        labels = [templating.environment().filters["lower_first"](c.indicator.label) for c in theme.comparisons]
        _md(text("theme_empty.md", ch=ch, labels=labels))
        return
    _html(text("theme_table.html", ch=ch, theme=theme))
    for c in theme.charted:
        _display(charts.position_chart(c, ch.name, ch.code))
        if len(c.trend) > 1:
            _display(charts.trend_chart(c, ch.name))


def show_alternatieven(ch: Chapter) -> None:
    _md(text("alternatives_intro.md", alt=ch.alternatives))
    if ch.alternatives:
        _html(text("alternatives_table.html", ch=ch, alt=ch.alternatives))


def show_wijken(ch: Chapter) -> None:
    _md(text("wijken_intro.md", ch=ch))
    for w in ch.wijken:
        _display(charts.wijk_chart(w.indicator, w.frame, w.municipal_value, ch.name, w.year, w.table))
    for t in ch.wijk_trends:
        _display(charts.wijk_trend_chart(t, ch.name))


def show_samenhang(ch: Chapter) -> None:
    _md(text("samenhang_intro.md", ch=ch))
    for coh in ch.coherences:
        if coh.r is None:
            _md(text("samenhang_missing.md", ch=ch, coh=coh))
            continue
        _display(charts.scatter_chart(coh, ch.code, ch.peer_group.members, ch.name))
        _md(coh.words(ch.name))


def show_definities(ch: Chapter) -> None:
    _html(text("definitions.html", ch=ch))


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
