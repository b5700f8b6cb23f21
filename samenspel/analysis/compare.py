"""The municipality against its peers and the country: per indicator, findings in plain Dutch,
and questions for a council session."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from samenspel import fmt
from samenspel.data.indicators import Indicator

NATIONAL = "NL00"
MIN_PEERS = 3  # fewer peers with a value: no peer median


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
    peers: pd.DataFrame = field(default_factory=pd.DataFrame)  # code, naam, waarde in `year`
    trend: pd.DataFrame = field(default_factory=pd.DataFrame)  # jaar, gemeente, mediaan, nederland
    score: float | None = None  # standardised difference with the peers

    @property
    def has_data(self) -> bool:
        return self.value is not None

    def text(self, value) -> str:
        return fmt.with_unit(value, self.indicator.unit, self.indicator.decimals)


def _clean(v):
    return None if v is None or pd.isna(v) else float(v)


def compare(ind: Indicator, code: str, peer_codes: list[str], values: pd.DataFrame, year: int) -> Comparison:
    """Compare one indicator. `values` holds this indicator's rows (all years, gemeente + land)."""
    own = values[(values["code"] == code) & values["waarde"].notna() & (values["jaar"] <= year)]
    if own.empty:
        return Comparison(ind, None, None, None, 0, None, None, 0, None, None, None)
    latest = own.loc[own["jaar"].idxmax()]
    y = int(latest["jaar"])
    in_year = values[values["jaar"] == y]
    peers = in_year[in_year["code"].isin(peer_codes)][["code", "naam", "waarde"]]
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
    trend = _trend(values, code, peer_codes)
    return Comparison(
        indicator=ind, year=y, value=float(latest["waarde"]), peer_median=median,
        peer_count=len(with_value), national=_clean(nat.iloc[0]) if len(nat) else None,
        rank=rank, ranked_of=len(group), table=latest["tabel"], columns=latest["kolommen"],
        status=latest["status"], peers=peers.reset_index(drop=True), trend=trend, score=score,
    )


def _trend(values: pd.DataFrame, code: str, peer_codes: list[str]) -> pd.DataFrame:
    """Per year: the municipality, the peer median (with at least MIN_PEERS values) and NL."""
    years = sorted(values["jaar"].unique())
    own = values[values["code"] == code].groupby("jaar")["waarde"].first()
    nat = values[values["code"] == NATIONAL].groupby("jaar")["waarde"].first()
    peer = values[values["code"].isin(peer_codes)].dropna(subset=["waarde"]).groupby("jaar")["waarde"]
    median = peer.median().where(peer.count() >= MIN_PEERS)
    trend = pd.DataFrame({"jaar": [int(y) for y in years]})
    for col, series in (("gemeente", own), ("mediaan", median), ("nederland", nat)):
        trend[col] = [_clean(series.get(y)) for y in years]
    has_any = trend[["gemeente", "mediaan", "nederland"]].notna().any(axis=1)
    return trend[has_any].reset_index(drop=True)


# --------------------------------------------------------------------------- findings

@dataclass
class Finding:
    comparison: Comparison
    text: str  # plain words after the label: "in Almere hoger dan bij vergelijkbare gemeenten: ..."
    question: str

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


def findings(comparisons: list[Comparison], name: str, minimum: int = 3, maximum: int = 6,
             threshold: float = 0.5, max_context: int = 2) -> list[Finding]:
    """The indicators where the municipality differs most from its peers, in plain Dutch.

    Only rates and shares are considered (counts mostly measure size). The social-domain
    themes come first; population indicators are context and take at most `max_context`
    places. The wording is neutral ('hoger dan', 'lager dan'): a difference is a reason to
    ask, not a verdict.
    """
    candidates = [c for c in comparisons
                  if c.has_data and c.score is not None and c.indicator.unit != "aantal"
                  and c.indicator.id not in ("stedelijkheid", "omgevingsadressendichtheid")
                  and c.value != c.peer_median]
    candidates.sort(key=lambda c: abs(c.score), reverse=True)
    social = [c for c in candidates if c.indicator.theme != "bevolking"]
    context = [c for c in candidates if c.indicator.theme == "bevolking"]
    chosen = [c for c in social if abs(c.score) >= threshold][:maximum]
    room = min(max_context, maximum - len(chosen))
    chosen += [c for c in context if abs(c.score) >= threshold][:room]
    for c in social + context:  # too few clear differences: the largest ones still
        if len(chosen) >= minimum:
            break
        if c not in chosen:
            chosen.append(c)
    chosen.sort(key=lambda c: (c.indicator.theme == "bevolking", -abs(c.score)))
    result = []
    for c in chosen:
        word = _difference_word(c)
        text = (
            f"in {name} {word} dan bij vergelijkbare gemeenten: "
            f"{c.text(c.value)} tegen een mediaan van {c.text(c.peer_median)} "
            f"({c.peer_count} gemeenten, {c.year})."
        )
        if c.national is not None:
            text += f" Nederland: {c.text(c.national)}."
        result.append(Finding(c, text, _question(c, name, word)))
    return result


QUESTION_BY_THEME = {
    "jeugd": "Welke verklaring ziet het college voor dit verschil in jeugdhulpgebruik, en past het bij wat de raad met de jeugdzorg wil bereiken?",
    "wmo": "Wat zegt dit verschil over de toegang tot de Wmo en over de ondersteuning die inwoners nodig hebben? Welke informatie heeft de raad nodig om dat te beoordelen?",
    "participatie": "Wat betekent dit verschil voor het beleid op werk en participatie, en welke doelen heeft de raad daarvoor gesteld?",
    "inkomen": "Welke gevolgen heeft dit verschil voor armoedebeleid en minimaregelingen, en bereiken die de huishoudens die het aangaat?",
    "bevolking": "Hoe houdt het beleid in het sociaal domein rekening met deze samenstelling van de bevolking?",
}


def _question(c: Comparison, name: str, word: str) -> str:
    return (f"{c.indicator.label} is in {name} {word} dan in vergelijkbare gemeenten "
            f"({c.text(c.value)} tegen {c.text(c.peer_median)}). {QUESTION_BY_THEME[c.indicator.theme]}")


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
            return ("Voor dit verband zijn te weinig gemeenten met beide cijfers in hetzelfde jaar "
                    "(geen gegevens).")
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
        tail = (f": gemeenten met een hoger cijfer voor {fmt.lower_first(self.x.label)} hebben doorgaans "
                f"{'ook een hoger' if self.r > 0 else 'een lager'} cijfer voor {fmt.lower_first(self.y.label)}"
                if strength >= 0.2 else "")
        return (f"Over {self.n} gemeenten ({self.year}) is er {what} {direction} verband "
                f"(correlatie {fmt.number(self.r, 2)}){tail}. Een verband zegt niets over oorzaak en gevolg.")


def coherence(x: Indicator, y: Indicator, values: pd.DataFrame, code: str, max_year: int,
              min_points: int = 10) -> Coherence:
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
            points = pd.DataFrame({
                "code": frame.index, "naam": names.loc[year].reindex(frame.index).values,
                "x": frame[x.id].values, "y": frame[y.id].values,
            })
            r = float(np.corrcoef(points["x"], points["y"])[0, 1])
            return Coherence(x, y, int(year), points, r)
    return Coherence(x, y, None, pd.DataFrame(columns=["code", "naam", "x", "y"]), None)
