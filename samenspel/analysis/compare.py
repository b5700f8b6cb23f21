"""The municipality against its peers and the country: per indicator, findings in plain Dutch,
and questions for a council session."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from samenspel import fmt
from samenspel.data.indicators import SMALL_BASE, Indicator

NATIONAL = "NL00"
MIN_PEERS = 3  # fewer peers with a value: no peer median
# A jump (book/methode.md, "Sprongen in een reeks"): from one KWB year to the next, the
# municipality's value changes by a share that differs from its peers' median change by at
# least JUMP_MIN and by at least JUMP_SPREADS robust spreads (1.4826 x the median absolute
# deviation) of the peers' changes. Without MIN_PEERS peers with both years, the national
# change is the reference. Only sturing indicators are judged: their figures come from the
# municipality's own registrations (Wmo, jeugdzorg, bijstand), where a new registration or
# definition shows as a jump; a herindeling year is never judged (it is marked as a break). Across the gemeenten in the snapshot half of all yearly changes of
# Wmo clients per 1,000 are under 2.4% and 95% under 15%.
JUMP_MIN = 0.15
JUMP_SPREADS = 3.0


@dataclass
class Jump:
    """A change from one year to the next that stands out against the reference."""

    year_from: int
    year_to: int
    value_from: float
    value_to: float
    change: float  # relative, -0.24 = 24% lower
    reference: float  # the peers' median change, or the national change
    reference_kind: str  # 'vergelijkbare gemeenten' or 'Nederland'
    reference_count: int  # peers with both years (0 for the national reference)


@dataclass
class Comparison:
    indicator: Indicator
    year: int | None  # latest year with a value for the municipality (<= the chapter's year)
    value: float | None
    peer_median: float | None
    peer_count: int
    national: float | None
    rank: int | None  # 1 = highest among the municipality and its peers
    ranked_of: int
    table: str | None
    columns: str | None
    status: str | None
    peers: pd.DataFrame = field(default_factory=pd.DataFrame)  # code, naam, waarde, reden in `year`
    trend: pd.DataFrame = field(default_factory=pd.DataFrame)  # jaar, gemeente, mediaan, n_mediaan, nederland
    score: float | None = None  # standardised difference with the peers
    group_size: int = 0  # the peer group's size: the median may rest on fewer (peer_count)
    reason: str | None = None  # why there is no value: indicators.SMALL_BASE, or None
    breaks: list = field(default_factory=list)  # regions.Merger: the series changes meaning
    jumps: list = field(default_factory=list)  # Jump

    @property
    def small_base(self) -> bool:
        return self.reason == SMALL_BASE

    @property
    def partial_median(self) -> bool:
        """The peer median rests on fewer municipalities than the group has."""
        return self.peer_median is not None and self.peer_count < self.group_size

    def median_counts(self) -> tuple[int, int] | None:
        """The fewest and most peers a trend's median rests on, when that is not always the
        whole group; else None."""
        n = self.trend["n_mediaan"][self.trend["mediaan"].notna()] if len(self.trend) else []
        if len(n) and (n.min() < self.group_size or n.nunique() > 1):
            return int(n.min()), int(n.max())
        return None

    @property
    def has_data(self) -> bool:
        return self.value is not None

    def text(self, value) -> str:
        return fmt.with_unit(value, self.indicator.unit, self.indicator.decimals)


def _clean(v):
    return None if v is None or pd.isna(v) else float(v)


class IndicatorValues:
    """One indicator's rows, indexed once: by code, by year, and as a code x year table of
    values. Every chapter compares against the same rows, so a worker builds this once per
    indicator instead of filtering the long table per comparison. Assumes one row per code
    and year (true for a single indicator on one or more levels)."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.years = sorted(frame["jaar"].unique())
        self.by_code = {str(k): g for k, g in frame.groupby("code", sort=False)}
        self.by_year = {int(k): g for k, g in frame.groupby("jaar", sort=False)}
        self.wide = frame.groupby(["code", "jaar"])["waarde"].first().unstack("jaar")
        self.empty = frame.iloc[0:0]

    def __contains__(self, column: str) -> bool:
        return column in self.frame


def indexed(values) -> IndicatorValues:
    return values if isinstance(values, IndicatorValues) else IndicatorValues(values)


def compare(
    ind: Indicator, code: str, peer_codes: list[str], values: pd.DataFrame, year: int, breaks: list | None = None
) -> Comparison:
    """Compare one indicator. `values` holds this indicator's rows (all years, gemeente + land);
    `breaks` are the municipality's herindelingen (regions.Merger). `values` may be an
    IndicatorValues (indexed once, reused across municipalities) or a plain frame."""
    breaks = list(breaks or [])
    values = indexed(values)
    mine = values.by_code.get(code, values.empty)
    mine = mine[mine["jaar"] <= year]
    own = mine[mine["waarde"].notna()]
    if own.empty:
        small = "reden" in mine and (mine["reden"] == SMALL_BASE).any()
        return Comparison(
            ind,
            None,
            None,
            None,
            0,
            None,
            None,
            0,
            None,
            None,
            None,
            group_size=len(peer_codes),
            reason=SMALL_BASE if small else None,
            breaks=breaks,
        )
    latest = own.loc[own["jaar"].idxmax()]
    y = int(latest["jaar"])
    in_year = values.by_year[y]
    columns = ["code", "naam", "waarde"] + (["reden"] if "reden" in values else [])
    peers = in_year[in_year["code"].isin(peer_codes)][columns]
    with_value = peers.dropna(subset=["waarde"])
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
        national=_clean(nat.iloc[0]) if len(nat) else None,
        rank=rank,
        ranked_of=len(group),
        table=latest["tabel"],
        columns=latest["kolommen"],
        status=latest["status"],
        peers=peers.reset_index(drop=True),
        trend=_trend(values, code, peer_codes),
        score=score,
        group_size=len(peer_codes),
        breaks=breaks,
        jumps=jumps(values, code, peer_codes, {b.year for b in breaks}) if ind.role == "sturing" else [],
    )


def _row(wide: pd.DataFrame, code: str) -> pd.Series:
    return wide.loc[code] if code in wide.index else pd.Series(dtype=float)


def _trend(values, code: str, peer_codes: list[str]) -> pd.DataFrame:
    """Per year: the municipality, the peer median (with at least MIN_PEERS values) and on how
    many peers it rests, and NL."""
    values = indexed(values)
    years = values.years
    wide = values.wide
    own, nat = _row(wide, code), _row(wide, NATIONAL)
    peer = wide[wide.index.isin(peer_codes)]
    count = peer.count()
    median = peer.median().where(count >= MIN_PEERS)
    trend = pd.DataFrame({"jaar": [int(y) for y in years]})
    for col, series in (("gemeente", own), ("mediaan", median), ("nederland", nat)):
        trend[col] = [_clean(series.get(y)) for y in years]
    trend["n_mediaan"] = [int(count.get(y, 0)) for y in years]
    trend = trend[["jaar", "gemeente", "mediaan", "n_mediaan", "nederland"]]
    has_any = trend[["gemeente", "mediaan", "nederland"]].notna().any(axis=1)
    return trend[has_any].reset_index(drop=True)


def jumps(values: pd.DataFrame, code: str, peer_codes: list[str], skip_years=()) -> list[Jump]:
    """Changes from one KWB year to the next that stand out against the peers (see JUMP_MIN).
    A year in `skip_years` (a herindeling) is not judged: the series changes meaning there."""
    wide = indexed(values).wide
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
        if abs(change - ref) >= max(JUMP_MIN, JUMP_SPREADS * spread):
            found.append(Jump(y0, y1, float(v0), float(v1), float(change), ref, kind, n))
    return found


# --------------------------------------------------------------------------- findings


@dataclass
class Finding:
    comparison: Comparison
    text: str  # plain words after the label: "in Almere hoger dan bij vergelijkbare gemeenten: ..."
    question: str | None  # only for sturing indicators

    @property
    def is_context(self) -> bool:
        return self.comparison.indicator.role != "sturing"

    @property
    def label(self) -> str:
        return self.comparison.indicator.label

    @property
    def sentence(self) -> str:
        return f"{self.label}: {self.text}"


def _difference_word(c: Comparison) -> str:
    ratio = c.value / c.peer_median if c.peer_median else None
    if ratio is not None and (ratio >= 1.25 or ratio <= 0.8):
        return "duidelijk hoger" if c.value > c.peer_median else "duidelijk lager"
    return "hoger" if c.value > c.peer_median else "lager"


def findings(
    comparisons: list[Comparison],
    name: str,
    minimum: int = 3,
    maximum: int = 6,
    threshold: float = 0.5,
    max_context: int = 2,
) -> list[Finding]:
    """The indicators where the municipality differs most from its peers, in plain Dutch.

    Only rates and shares are considered (counts mostly measure size). Sturing indicators
    (the council can steer on them) come first; context indicators (who lives there) take
    at most `max_context` places and get no question of their own. The wording is neutral
    ('hoger dan', 'lager dan'): a difference is a reason to ask, not a verdict.
    """
    candidates = [
        c
        for c in comparisons
        if c.has_data
        and c.score is not None
        and c.indicator.unit != "aantal"
        and c.indicator.id not in ("stedelijkheid", "omgevingsadressendichtheid")
        and c.value != c.peer_median
    ]
    candidates.sort(key=lambda c: abs(c.score), reverse=True)
    steer = [c for c in candidates if c.indicator.role == "sturing"]
    context = [c for c in candidates if c.indicator.role != "sturing"]
    chosen = [c for c in steer if abs(c.score) >= threshold][:maximum]
    room = min(max_context, maximum - len(chosen))
    chosen += [c for c in context if abs(c.score) >= threshold][:room]
    for c in steer + context:  # too few clear differences: the largest ones still
        if len(chosen) >= minimum:
            break
        if c not in chosen:
            chosen.append(c)
    chosen.sort(key=lambda c: (c.indicator.role != "sturing", -abs(c.score)))
    result = []
    for c in chosen:
        word = _difference_word(c)
        text = (
            f"in {name} {word} dan bij vergelijkbare gemeenten: "
            f"{c.text(c.value)} tegen een mediaan van {c.text(c.peer_median)} "
            f"({_count_words(c)}, {c.year})."
        )
        if c.national is not None:
            text += f" Nederland: {c.text(c.national)}."
        result.append(Finding(c, text, _question(c, name, word)))
    return result


def _count_words(c: Comparison) -> str:
    if c.partial_median:
        return f"{c.peer_count} van de {c.group_size} gemeenten met een cijfer"
    return f"{c.peer_count} gemeenten"


def _question(c: Comparison, name: str, word: str) -> str | None:
    """A question for the council about a sturing indicator; None for context."""
    if c.indicator.role != "sturing" or not c.indicator.question:
        return None
    return (
        f"{c.indicator.label} is in {name} {word} dan in vergelijkbare gemeenten "
        f"({c.text(c.value)} tegen {c.text(c.peer_median)}). {c.indicator.question}"
    )


def jump_question(c: Comparison, name: str) -> str | None:
    """A question about the latest jump in a sturing indicator's series."""
    if not c.jumps:
        return None
    j = c.jumps[-1]
    return (
        f"{c.indicator.label} veranderde in {name} tussen {j.year_from} en {j.year_to} veel sterker "
        f"dan bij {j.reference_kind} ({c.text(j.value_from)} naar {c.text(j.value_to)}). "
        f"Is de registratie of de definitie veranderd, en hoe vergelijkt de raad de jaren dan?"
    )


# --------------------------------------------------------------------------- coherence


@dataclass
class Coherence:
    x: Indicator
    y: Indicator
    year: int | None
    points: pd.DataFrame  # code, naam, x, y
    r: float | None

    @property
    def n(self) -> int:
        return len(self.points)

    def words(self, name: str) -> str:
        if self.r is None:
            return "Voor dit verband zijn te weinig gemeenten met beide cijfers in hetzelfde jaar (geen gegevens)."
        strength = abs(self.r)
        if strength >= 0.7:
            what = "een sterk"
        elif strength >= 0.4:
            what = "een matig"
        elif strength >= 0.2:
            what = "een zwak"
        else:
            what = "nauwelijks een"
        direction = "positief" if self.r > 0 else "negatief"
        tail = (
            f": gemeenten met een hoger cijfer voor {fmt.lower_first(self.x.label)} hebben doorgaans "
            f"{'ook een hoger' if self.r > 0 else 'een lager'} cijfer voor {fmt.lower_first(self.y.label)}"
            if strength >= 0.2
            else ""
        )
        return (
            f"Over {self.n} gemeenten ({self.year}) is er {what} {direction} verband "
            f"(correlatie {fmt.number(self.r, 2)}){tail}. Een verband zegt niets over oorzaak en gevolg."
        )


def coherence(
    x: Indicator, y: Indicator, values: pd.DataFrame, code: str, max_year: int, min_points: int = 10
) -> Coherence:
    """Both indicators over all municipalities in the latest year (<= max_year) where the
    municipality has both and at least `min_points` municipalities have both."""
    gm = values[(values["niveau"] == "gemeente") & values["indicator"].isin([x.id, y.id])]
    wide = gm.pivot_table(index=["jaar", "code"], columns="indicator", values="waarde", aggfunc="first")
    names = gm.drop_duplicates(["jaar", "code"]).set_index(["jaar", "code"])["naam"]
    if x.id not in wide or y.id not in wide:
        return Coherence(x, y, None, pd.DataFrame(columns=["code", "naam", "x", "y"]), None)
    wide = wide.dropna(subset=[x.id, y.id])
    for year in sorted(set(wide.index.get_level_values(0)), reverse=True):
        if year > max_year:
            continue
        frame = wide.loc[year]
        if code in frame.index and len(frame) >= min_points:
            points = pd.DataFrame(
                {
                    "code": frame.index,
                    "naam": names.loc[year].reindex(frame.index).values,
                    "x": frame[x.id].values,
                    "y": frame[y.id].values,
                }
            )
            r = float(np.corrcoef(points["x"], points["y"])[0, 1])
            return Coherence(x, y, int(year), points, r)
    return Coherence(x, y, None, pd.DataFrame(columns=["code", "naam", "x", "y"]), None)
