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
    values, with the same as plain numpy arrays. Every chapter compares against the same
    rows (about 40 indicators, up to three peer groups), so a worker builds this once per
    indicator and a comparison is a handful of array look-ups instead of pandas filtering per
    call. Assumes one row per code and year (true for a single indicator on one or more
    levels)."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.years = sorted(frame["jaar"].unique())
        self.wide = frame.groupby(["code", "jaar"])["waarde"].first().unstack("jaar")
        self.empty = frame.iloc[0:0]
        self.columns = ["code", "naam", "waarde"] + (["reden"] if "reden" in frame else [])
        codes = frame["code"].to_numpy(dtype=object)
        self._jaar = frame["jaar"].to_numpy()
        self._waarde = frame["waarde"].to_numpy(dtype=float)
        self._reden = frame["reden"].to_numpy(dtype=object) if "reden" in frame else None
        # (a frame for trends and jumps only may come without the source columns)
        self._text = {c: frame[c].to_numpy(dtype=object) for c in ("tabel", "kolommen", "status") if c in frame}
        # each code's rows, in frame order (what a boolean filter on the frame keeps)
        self._code_rows = {str(k): np.asarray(v) for k, v in frame.groupby("code", sort=False).indices.items()}
        # per year: its rows (the peers table is cut from them), each code's place among
        # them, their values, and NL's value
        self._year_frame, self._year_place, self._year_waarde, self._year_national = {}, {}, {}, {}
        for y, rows in frame.groupby("jaar", sort=False).indices.items():
            y = int(y)
            self._year_frame[y] = frame.iloc[rows][self.columns]
            place = {}
            for i, c in enumerate(codes[rows]):
                place.setdefault(str(c), []).append(i)
            self._year_place[y] = place
            self._year_waarde[y] = self._waarde[rows]
            nat = place.get(NATIONAL)
            self._year_national[y] = [self._year_waarde[y][nat[0]]] if nat else []
        # the code x year table as a matrix, rows in `wide` order (sorted codes)
        self._matrix = self.wide.to_numpy(dtype=float)
        self._matrix_row = {str(c): i for i, c in enumerate(self.wide.index)}
        self._matrix_years = [int(y) for y in self.wide.columns]

    def __contains__(self, column: str) -> bool:
        return column in self.frame

    def matrix_rows(self, codes) -> list[int]:
        """The rows of `codes` in the code x year matrix, in the table's order: the rows a
        boolean `isin` filter on `wide` keeps."""
        return sorted({self._matrix_row[c] for c in codes if c in self._matrix_row})

    def rows_of(self, code: str) -> pd.DataFrame:
        """The code's rows (all years), in frame order, with the frame's index."""
        return self.frame.iloc[self._code_rows.get(code, [])]

    def matrix_row(self, code: str) -> np.ndarray | None:
        i = self._matrix_row.get(code)
        return None if i is None else self._matrix[i]


def indexed(values) -> IndicatorValues:
    return values if isinstance(values, IndicatorValues) else IndicatorValues(values)


def _median(x: np.ndarray) -> float:
    """pandas' Series.median of values without NaN, computed as pandas does it (np.median on
    the non-missing values), without building a Series."""
    return np.median(x)


def compare(
    ind: Indicator, code: str, peer_codes: list[str], values: pd.DataFrame, year: int, breaks: list | None = None
) -> Comparison:
    """Compare one indicator. `values` holds this indicator's rows (all years, gemeente + land);
    `breaks` are the municipality's herindelingen (regions.Merger). `values` may be an
    IndicatorValues (indexed once, reused across municipalities) or a plain frame.

    The arithmetic is numpy's on the IndicatorValues arrays, done the way pandas does it
    (np.median for a median, np.quantile for a quantile), so a chapter's figures do not change
    in the last bit; tests/test_compare_fast.py checks it against the plain pandas version."""
    breaks = list(breaks or [])
    values = indexed(values)
    rows = values._code_rows.get(code)
    if rows is None:
        rows = np.zeros(0, dtype=int)
    rows = rows[values._jaar[rows] <= year]
    own = rows[~np.isnan(values._waarde[rows])]
    if not len(own):
        small = values._reden is not None and bool((values._reden[rows] == SMALL_BASE).any())
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
    latest = own[np.argmax(values._jaar[own])]  # the first row of the latest year, as idxmax
    value = float(values._waarde[latest])
    y = int(values._jaar[latest])
    place = values._year_place[y]
    peer_rows = sorted(i for c in set(peer_codes) for i in place.get(c, ()))
    peers = values._year_frame[y].iloc[peer_rows]
    with_value = values._year_waarde[y][peer_rows]
    with_value = with_value[~np.isnan(with_value)]
    median = float(_median(with_value)) if len(with_value) >= MIN_PEERS else None
    nat = values._year_national[y]
    rank = int((with_value > value).sum() + 1)
    score = None
    if median is not None:
        q25, q75 = (
            np.quantile(with_value[None, :], np.array([q]), axis=1, method="linear")[0, 0] for q in (0.25, 0.75)
        )
        spread = q75 - q25
        spread = spread if spread > 0 else pd.Series(with_value).std()
        if spread and spread > 0:
            score = float((value - median) / spread)
    return Comparison(
        indicator=ind,
        year=y,
        value=value,
        peer_median=median,
        peer_count=len(with_value),
        national=_clean(nat[0]) if len(nat) else None,
        rank=rank,
        ranked_of=len(with_value) + 1,
        table=values._text["tabel"][latest],
        columns=values._text["kolommen"][latest],
        status=values._text["status"][latest],
        peers=peers.reset_index(drop=True),
        trend=_trend(values, code, peer_codes),
        score=score,
        group_size=len(peer_codes),
        breaks=breaks,
        jumps=jumps(values, code, peer_codes, {b.year for b in breaks}) if ind.role == "sturing" else [],
    )


def _column_medians(block: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Per column of `block` (rows: municipalities, NaN where unknown): the median of the
    values, as DataFrame.median computes it (the middle value, or the two middle ones added
    and halved); NaN where fewer than MIN_PEERS values."""
    result = np.full(block.shape[1], np.nan)
    ok = count >= MIN_PEERS
    if ok.any():
        ordered = np.sort(block[:, ok], axis=0)  # NaN last
        n = count[ok]
        high = ordered[n // 2, np.arange(len(n))]
        low = ordered[np.maximum(n // 2 - 1, 0), np.arange(len(n))]
        result[ok] = np.where(n % 2 == 1, high, (low + high) / 2.0)
    return result


def _float_column(items: list):
    """A trend column as pandas infers it from a list of floats and Nones: float64 with NaN,
    or object when there are only Nones."""
    if all(x is None for x in items):
        return np.array(items, dtype=object)
    return np.array([np.nan if x is None else x for x in items], dtype=float)


def _trend(values, code: str, peer_codes: list[str]) -> pd.DataFrame:
    """Per year: the municipality, the peer median (with at least MIN_PEERS values) and on how
    many peers it rests, and NL."""
    values = indexed(values)
    years = values._matrix_years
    missing = np.full(len(years), np.nan)
    own = values.matrix_row(code)
    nat = values.matrix_row(NATIONAL)
    own = missing if own is None else own
    nat = missing if nat is None else nat
    block = values._matrix[values.matrix_rows(peer_codes)]
    count = (~np.isnan(block)).sum(axis=0)
    median = _column_medians(block, count)
    columns = {"jaar": [], "gemeente": [], "mediaan": [], "n_mediaan": [], "nederland": []}
    for i, y in enumerate(years):
        g, m, n = _clean(own[i]), _clean(median[i]), _clean(nat[i])
        if g is None and m is None and n is None:
            continue
        columns["jaar"].append(int(y))
        columns["gemeente"].append(g)
        columns["mediaan"].append(m)
        columns["n_mediaan"].append(int(count[i]))
        columns["nederland"].append(n)
    if not columns["jaar"]:
        return _empty_trend(values)
    return pd.DataFrame(
        {
            "jaar": np.array(columns["jaar"], dtype=np.int64),
            "gemeente": _float_column(columns["gemeente"]),
            "mediaan": _float_column(columns["mediaan"]),
            "n_mediaan": np.array(columns["n_mediaan"], dtype=np.int64),
            "nederland": _float_column(columns["nederland"]),
        }
    )


def _empty_trend(values: IndicatorValues) -> pd.DataFrame:
    """The trend without a year with a figure: no rows, with the dtypes the table built from
    lists of all years had (a column of only Nones is object)."""
    years = values._matrix_years
    trend = pd.DataFrame({"jaar": [int(y) for y in years]})
    for col in ("gemeente", "mediaan", "nederland"):
        trend[col] = [None for _ in years]
    trend["n_mediaan"] = [0 for _ in years]
    trend = trend[["jaar", "gemeente", "mediaan", "n_mediaan", "nederland"]]
    return trend.iloc[0:0].reset_index(drop=True)


def jumps(values: pd.DataFrame, code: str, peer_codes: list[str], skip_years=()) -> list[Jump]:
    """Changes from one KWB year to the next that stand out against the peers (see JUMP_MIN).
    A year in `skip_years` (a herindeling) is not judged: the series changes meaning there."""
    values = indexed(values)
    own = values.matrix_row(code)
    if own is None:
        return []
    nat = values.matrix_row(NATIONAL)
    block = values._matrix[values.matrix_rows(peer_codes)]
    years = values._matrix_years
    found = []
    for i in range(len(years) - 1):
        y0, y1 = years[i], years[i + 1]
        v0, v1 = own[i], own[i + 1]
        if y1 != y0 + 1 or y1 in skip_years or np.isnan(v0) or np.isnan(v1) or v0 <= 0:
            continue
        change = v1 / v0 - 1
        p0, p1 = block[:, i], block[:, i + 1]
        both = ~np.isnan(p0) & ~np.isnan(p1)
        both[both] = p0[both] > 0
        if both.sum() >= MIN_PEERS:
            rel = p1[both] / p0[both] - 1
            rel = rel[~np.isnan(rel)]
            ref, kind, n = float(_median(rel)), "vergelijkbare gemeenten", int(both.sum())
            spread = 1.4826 * float(_median(np.abs(rel - ref)))
        elif nat is not None and not np.isnan(nat[i]) and not np.isnan(nat[i + 1]):
            ref, kind, n, spread = float(nat[i + 1] / nat[i] - 1), "Nederland", 0, 0.0
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


class CoherenceTable:
    """Two indicators over all municipalities, pivoted to one row per year and municipality
    with both figures, once per process: the table does not depend on the municipality a
    chapter is about, so every chapter of a worker reuses it (and each year's points and
    correlation, computed the first time a chapter needs them)."""

    def __init__(self, x: Indicator, y: Indicator, values: pd.DataFrame):
        self.x, self.y = x, y
        gm = values[(values["niveau"] == "gemeente") & values["indicator"].isin([x.id, y.id])]
        wide = gm.pivot_table(index=["jaar", "code"], columns="indicator", values="waarde", aggfunc="first")
        self.names = gm.drop_duplicates(["jaar", "code"]).set_index(["jaar", "code"])["naam"]
        if x.id not in wide or y.id not in wide:
            self.wide, self.years = None, []
        else:
            self.wide = wide.dropna(subset=[x.id, y.id])
            self.years = sorted(set(self.wide.index.get_level_values(0)), reverse=True)
        self._frames, self._points = {}, {}

    def frame(self, year) -> pd.DataFrame:
        if year not in self._frames:
            self._frames[year] = self.wide.loc[year]
        return self._frames[year]

    def points(self, year) -> tuple[pd.DataFrame, float]:
        """The municipalities with both figures in `year`, and the correlation over them."""
        if year not in self._points:
            frame = self.frame(year)
            points = pd.DataFrame(
                {
                    "code": frame.index,
                    "naam": self.names.loc[year].reindex(frame.index).values,
                    "x": frame[self.x.id].values,
                    "y": frame[self.y.id].values,
                }
            )
            self._points[year] = (points, float(np.corrcoef(points["x"], points["y"])[0, 1]))
        return self._points[year]


def coherence(
    x: Indicator, y: Indicator, values: pd.DataFrame, code: str, max_year: int, min_points: int = 10
) -> Coherence:
    """Both indicators over all municipalities in the latest year (<= max_year) where the
    municipality has both and at least `min_points` municipalities have both. `values` may be
    a CoherenceTable of x and y (made once, reused across municipalities) or a plain frame."""
    table = values if isinstance(values, CoherenceTable) else CoherenceTable(x, y, values)
    for year in table.years:
        if year > max_year:
            continue
        frame = table.frame(year)
        if code in frame.index and len(frame) >= min_points:
            points, r = table.points(year)
            return Coherence(x, y, int(year), points.copy(), r)
    return Coherence(x, y, None, pd.DataFrame(columns=["code", "naam", "x", "y"]), None)
