"""The council's goals against the figures: per goal the latest value, the target, the
distance, the trend and a plain verdict (op koers, niet op koers, niet te beoordelen).

Method (stated once, in METHOD, and in book/methode.md): a straight line (least squares)
through the figures of the last MAX_FIT_YEARS years of a comparable series, extended to the
target year. When the target year has passed, the figure of that year counts. A series is
comparable from its latest break on (a herindeling, or a jump that suggests a new
registration or definition); with fewer than MIN_YEARS figures in it there is no verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from samenspel import fmt
from samenspel.goals.model import Goal, GoalFile

ON_TRACK = "op koers"
OFF_TRACK = "niet op koers"
UNKNOWN = "niet te beoordelen"
MIN_YEARS = 3  # figures needed for a trend line
MAX_FIT_YEARS = 4  # the line goes through at most the last four years
METHOD_SHORT = (
    "Het oordeel volgt een rechte lijn door de cijfers van de laatste vergelijkbare jaren tot het "
    "doeljaar; zie Methode voor elke soort doel."
)
METHOD = (
    "Samenspel trekt een rechte lijn door de cijfers van de laatste jaren (ten hoogste vier, "
    "en alleen jaren die met elkaar te vergelijken zijn) en kijkt waar die lijn in het doeljaar "
    "uitkomt; is het doeljaar voorbij, dan telt het cijfer van dat jaar. Bij een doel zonder "
    "doeljaar telt of het doel nu gehaald is, of anders of de lijn de goede kant op gaat. Met "
    f"minder dan {MIN_YEARS} vergelijkbare jaren is het doel niet te beoordelen."
)


@dataclass
class GoalStatus:
    goal: Goal
    label: str
    unit: str
    decimals: int
    series: pd.DataFrame  # jaar, waarde: the comparable figures used
    all_series: pd.DataFrame  # jaar, waarde: every figure there is (for the chart)
    target: float | None  # the target value, where the goal has one
    target_text: str  # 'lager dan 20 per 1.000 inwoners in 2027'
    verdict: str
    reason: str  # one plain sentence: why this verdict
    projection: tuple[int, float] | None = None  # (target year, value of the line there)
    peer_median: pd.DataFrame = field(default_factory=pd.DataFrame)  # jaar, mediaan (context)
    document: str = ""  # 'de Begroting 2020 (vastgesteld door de raad)'
    own_source: str | None = None  # for an own figure: its document

    @property
    def latest(self) -> tuple[int, float] | None:
        s = self.all_series.dropna()
        if s.empty:
            return None
        row = s.iloc[-1]
        return int(row["jaar"]), float(row["waarde"])

    @property
    def first(self) -> tuple[int, float] | None:
        s = self.all_series.dropna()
        return (int(s.iloc[0]["jaar"]), float(s.iloc[0]["waarde"])) if len(s) else None

    @property
    def distance(self) -> float | None:
        if self.target is None or self.latest is None:
            return None
        return self.latest[1] - self.target

    def text(self, value) -> str:
        return fmt.with_unit(value, self.unit, self.decimals)

    @property
    def trend_text(self) -> str:
        first, latest = self.first, self.latest
        if first is None or latest is None or first[0] == latest[0]:
            return "geen reeks"
        way = "gestegen" if latest[1] > first[1] else "gedaald" if latest[1] < first[1] else "gelijk gebleven"
        return f"sinds {first[0]} {way} van {self.text(first[1])} naar {self.text(latest[1])}"


# --------------------------------------------------------------------------- targets


def _wanted_direction(goal: Goal, target: float | None, latest: float | None) -> str | None:
    if goal.grens:
        return "lager" if goal.grens[0] == "onder" else "hoger"
    if goal.richting in ("lager", "hoger"):
        return goal.richting
    if goal.verandering:
        return "lager" if goal.verandering[1] < 0 else "hoger"
    if target is not None and latest is not None and goal.richting != "gelijk":
        return "lager" if target < latest else "hoger" if target > latest else None
    return goal.richting


def _target(goal: Goal, series: pd.DataFrame) -> tuple[float | None, str | None]:
    """The target value, or None with the reason it cannot be known."""
    if goal.streefwaarde is not None:
        return float(goal.streefwaarde), None
    if goal.grens:
        return float(goal.grens[1]), None
    if goal.verandering:
        start, change = goal.verandering
        base = series.loc[series["jaar"] == start, "waarde"].dropna()
        if base.empty:
            return None, f"Er is geen cijfer voor het beginjaar {start} van het doel."
        return float(base.iloc[0]) + change, None
    return None, None


def target_text(goal: Goal, unit: str, decimals: int, target: float | None) -> str:
    text = lambda v: fmt.with_unit(v, unit, decimals)  # noqa: E731
    year = f" in {goal.jaar}" if goal.jaar else ""
    if goal.grens:
        word = "minder dan" if goal.grens[0] == "onder" else "meer dan"
        return f"{word} {text(goal.grens[1])}{year}"
    if goal.verandering:
        start, change = goal.verandering
        way = "afname" if change < 0 else "toename"
        what = fmt.number(abs(change), decimals)
        reached = f" (tot {text(target)})" if target is not None else ""
        what += "%" if unit.startswith("%") else "" if unit == "aantal" else f" {unit}"
        return f"een {way} met {what} sinds {start}{reached}{year}"
    if goal.streefwaarde is not None:
        if goal.richting == "gelijk" and goal.marge:
            return f"{text(goal.streefwaarde)}, met een marge van {fmt.number(goal.marge, decimals)}{year}"
        return f"{text(goal.streefwaarde)}{year}"
    if goal.richting == "gelijk":
        margin = f" (marge {fmt.number(goal.marge, decimals)})" if goal.marge else ""
        return f"gelijk blijven{margin}{year}"
    return {"lager": "een daling", "hoger": "een stijging"}.get(goal.richting or "", "onbekend") + year


def _meets(value: float, target: float, direction: str | None, goal: Goal) -> bool:
    if goal.grens:
        return value < target if goal.grens[0] == "onder" else value > target
    if direction == "lager":
        return value <= target
    if direction == "hoger":
        return value >= target
    return abs(value - target) <= (goal.marge or 0)


def _line(series: pd.DataFrame) -> tuple[float, float] | None:
    """(slope per year, intercept) through the last MAX_FIT_YEARS figures."""
    s = series.dropna().tail(MAX_FIT_YEARS)
    if len(s) < MIN_YEARS:
        return None
    slope, intercept = np.polyfit(s["jaar"].astype(float), s["waarde"].astype(float), 1)
    return float(slope), float(intercept)


# --------------------------------------------------------------------------- verdicts


def judge(
    goal: Goal,
    series: pd.DataFrame,
    comparable_from: int | None,
    *,
    label: str,
    unit: str,
    decimals: int,
    break_reason: str | None = None,
) -> tuple[str, str, float | None, tuple | None]:
    """(verdict, reason, target, projection) for one goal on its series (jaar, waarde).
    `comparable_from`: the first year that can be compared with the latest one."""
    series = series.dropna().sort_values("jaar")
    usable = series if comparable_from is None else series[series["jaar"] >= comparable_from]
    target, missing = _target(goal, series)
    if series.empty:
        return UNKNOWN, "Er zijn nog geen cijfers voor dit doel.", target, None
    if missing:
        return UNKNOWN, missing, target, None
    latest_year, latest = int(series.iloc[-1]["jaar"]), float(series.iloc[-1]["waarde"])
    direction = _wanted_direction(goal, target, latest)
    text = lambda v: fmt.with_unit(v, unit, decimals)  # noqa: E731
    if goal.jaar and latest_year >= goal.jaar and target is not None:
        at = series[series["jaar"] <= goal.jaar].iloc[-1]
        ok = _meets(float(at["waarde"]), target, direction, goal)
        return (
            ON_TRACK if ok else OFF_TRACK,
            f"In {int(at['jaar'])} was het {text(at['waarde'])}: het doel is {'gehaald' if ok else 'niet gehaald'}.",
            target,
            None,
        )
    line = _line(usable)
    if target is not None and not goal.jaar and _meets(latest, target, direction, goal):
        return ON_TRACK, f"Het cijfer van {latest_year} haalt het doel al (het doel heeft geen doeljaar).", target, None
    if line is None:
        why = break_reason or f"er zijn minder dan {MIN_YEARS} vergelijkbare jaren met een cijfer"
        return UNKNOWN, f"Niet te beoordelen: {why}.", target, None
    slope, intercept = line
    if target is not None and goal.jaar:
        projected = slope * goal.jaar + intercept
        ok = _meets(projected, target, direction, goal)
        return (
            ON_TRACK if ok else OFF_TRACK,
            f"Als de lijn van de laatste jaren doorgaat, is het in {goal.jaar} ongeveer {text(projected)}.",
            target,
            (goal.jaar, projected),
        )
    moving = "lager" if slope < 0 else "hoger" if slope > 0 else "gelijk"
    if target is not None:  # no target year, not met yet: the way the line goes
        ok = moving == direction
        return (
            ON_TRACK if ok else OFF_TRACK,
            f"Het doel is nog niet gehaald; de lijn van de laatste jaren gaat de "
            f"{'goede' if ok else 'verkeerde'} kant op. Het doel heeft geen doeljaar.",
            target,
            None,
        )
    if direction == "gelijk":
        first = float(usable.tail(MAX_FIT_YEARS).iloc[0]["waarde"])
        ok = abs(latest - first) <= (goal.marge or 0)
        return (
            ON_TRACK if ok else OFF_TRACK,
            f"Van {text(first)} naar {text(latest)} in de laatste jaren.",
            None,
            None,
        )
    ok = moving == direction
    return (
        ON_TRACK if ok else OFF_TRACK,
        f"De lijn van de laatste jaren gaat {'de goede kant op' if ok else 'de verkeerde kant op'} "
        f"({'dalend' if slope < 0 else 'stijgend' if slope > 0 else 'vlak'}).",
        None,
        None,
    )


def evaluate(goals: GoalFile | None, catalogue: dict, own_series, peer_median, breaks) -> list[GoalStatus]:
    """Every goal of a goals file, judged.

    `own_series(indicator_id)` -> DataFrame jaar, waarde of the municipality (CBS);
    `peer_median(indicator_id)` -> DataFrame jaar, mediaan of its peers;
    `breaks(indicator_id)` -> (first comparable year or None, reason or None).
    """
    if goals is None:
        return []
    result = []
    vastgesteld = "de raad" if goals.vastgesteld_door == "raad" else "het college"
    document = f"de {goals.bron.titel} (vastgesteld door {vastgesteld})"
    for goal in goals.doelen:
        if goal.is_own:
            series = pd.DataFrame({"jaar": list(goal.waarden), "waarde": list(goal.waarden.values())})
            label, unit, decimals = goal.naam, goal.eenheid, _decimals(goal.waarden.values())
            start, why, peers = None, None, pd.DataFrame(columns=["jaar", "mediaan"])
            own_source = goal.bron.titel if goal.bron else None
        else:
            ind = catalogue[goal.indicator]
            series = own_series(goal.indicator)
            label, unit, decimals = ind.label, ind.unit, ind.decimals
            start, why = breaks(goal.indicator)
            peers, own_source = peer_median(goal.indicator), None
        series = series.sort_values("jaar").reset_index(drop=True)
        verdict, reason, target, projection = judge(
            goal, series, start, label=label, unit=unit, decimals=decimals, break_reason=why
        )
        used = series if start is None else series[series["jaar"] >= start]
        result.append(
            GoalStatus(
                goal=goal,
                label=label,
                unit=unit,
                decimals=decimals,
                series=used.reset_index(drop=True),
                all_series=series,
                target=target,
                target_text=target_text(goal, unit, decimals, target),
                verdict=verdict,
                reason=reason,
                projection=projection,
                peer_median=peers,
                document=document,
                own_source=own_source,
            )
        )
    return result


def _decimals(values) -> int:
    """As many decimals as the document's own figures have (at most two)."""
    most = 0
    for v in values:
        text = f"{float(v):.2f}".rstrip("0").rstrip(".")
        most = max(most, len(text.split(".")[1]) if "." in text else 0)
    return most
