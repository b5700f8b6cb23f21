"""Indicator values per region and period, computed from cached CBS tables.

Every indicator is declared once in `data/indicators.yml`. Columns are found by their key stem
(the key without its numeric suffix), never by position, because CBS renumbers keys every year
and even between revisions of one table.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import yaml

from samenspel import paths
from samenspel.data import cbs
from samenspel.errors import SamenspelError

log = logging.getLogger(__name__)

THEMES = {
    "jeugd": "Jeugd",
    "wmo": "Wmo",
    "participatie": "Participatie",
    "inkomen": "Inkomen",
    "bevolking": "Bevolking",
}
COMPUTES = {"cbs", "share", "per_1000"}
LEVELS = {"Land": "land", "Gemeente": "gemeente", "Wijk": "wijk", "Buurt": "buurt"}
ROLES = {"sturing", "context"}
VALUE_COLUMNS = [
    "indicator",
    "code",
    "naam",
    "gemeente",
    "niveau",
    "jaar",
    "waarde",
    "tabel",
    "kolommen",
    "status",
    "reden",
]
SMALL_BASE = "kleine basis"  # `reden` of a figure left out by the small-base rule


@dataclass(frozen=True)
class SmallBase:
    """The small-base rule of the catalogue: a relative figure rests on at least `min_base`
    inhabitants or households, and a computed one on a numerator of at least `min_count`."""

    min_base: int = 100
    min_count: int = 10

    def describe(self) -> str:
        return (
            f"minstens {self.min_base} inwoners of huishoudens in de basis, en bij een cijfer dat "
            f"Samenspel zelf berekent een teller van minstens {self.min_count}"
        )


@dataclass(frozen=True)
class Source:
    stems: tuple[str, ...]
    group: str | None = None

    def describe(self) -> str:
        text = " / ".join(self.stems)
        return f"{text} (groep {self.group})" if self.group else text


@dataclass
class Indicator:
    id: str
    label: str
    theme: str
    unit: str
    compute: str
    decimals: int = 1
    column: Source | None = None
    numerator: Source | None = None
    denominator: Source | None = None
    direction: str | None = None
    key: bool = False
    levels: tuple[str, ...] = ("gemeente", "wijk")
    explanation: str = ""
    role: str = "context"
    question: str | None = None
    base: Source | None = None
    definition: str | None = field(default=None, compare=False)

    @property
    def is_relative(self) -> bool:
        """A share or a rate: the small-base rule applies."""
        return self.compute != "cbs" or self.base is not None

    @property
    def base_label(self) -> str:
        """What the figure's base counts, for 'te weinig inwoners'."""
        source = self.denominator if self.compute != "cbs" else self.base
        return "huishoudens" if source is not None and "Huishoudens" in source.stems[0] else "inwoners"

    @property
    def theme_label(self) -> str:
        return THEMES[self.theme]

    @property
    def sources(self) -> list[Source]:
        return [s for s in (self.column, self.numerator, self.denominator, self.base) if s is not None]

    def computation(self) -> str:
        """In Dutch: how the value is computed from CBS columns."""
        if self.compute == "cbs":
            return f"CBS-cijfer {self.column.describe()}"
        factor = "100" if self.compute == "share" else "1.000"
        return f"{self.numerator.describe()} / {self.denominator.describe()} × {factor}"

    def columns_in(self, table: cbs.Table) -> dict[str, str] | None:
        """The concrete columns of this indicator in one table, or None when one is missing."""
        found = {}
        for role in ("column", "numerator", "denominator", "base"):
            source = getattr(self, role)
            if source is None:
                continue
            key = table.find_column(list(source.stems), source.group)
            if key is None:
                if role == "base":
                    continue  # the figure itself is there; only the rule cannot be checked
                return None
            found[role] = key
        return found


def _source(raw) -> Source | None:
    if raw is None:
        return None
    return Source(stems=tuple(raw["stems"]), group=raw.get("group"))


@functools.lru_cache(maxsize=1)
def _catalogue_raw() -> dict:
    path = paths.DATA_DIR / "indicators.yml"
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_catalogue(with_definitions: bool = True) -> list[Indicator]:
    """All indicators, in catalogue order, with CBS's definition of the newest available year."""
    raw = _catalogue_raw()
    indicators = []
    seen = set()
    for entry in raw["indicators"]:
        ind = Indicator(
            id=entry["id"],
            label=entry["label"],
            theme=entry["theme"],
            unit=entry["unit"],
            compute=entry["compute"],
            decimals=int(entry.get("decimals", 1)),
            column=_source(entry.get("column")),
            numerator=_source(entry.get("numerator")),
            denominator=_source(entry.get("denominator")),
            direction=entry.get("direction"),
            key=bool(entry.get("key", False)),
            levels=tuple(entry.get("levels", ("gemeente", "wijk"))),
            explanation=entry.get("explanation", ""),
            role=entry.get("role", "context"),
            question=entry.get("question"),
            base=_source(entry.get("base")),
        )
        _validate(ind, seen)
        seen.add(ind.id)
        indicators.append(ind)
    if with_definitions:
        _attach_definitions(indicators)
    return indicators


def _validate(ind: Indicator, seen: set) -> None:
    where = f"data/indicators.yml, indicator '{ind.id}'"
    if ind.id in seen:
        raise SamenspelError(f"{where}: het id komt twee keer voor.")
    if ind.theme not in THEMES:
        raise SamenspelError(f"{where}: onbekend thema '{ind.theme}' (verwacht: {', '.join(THEMES)}).")
    if ind.compute not in COMPUTES:
        raise SamenspelError(f"{where}: onbekende berekening '{ind.compute}'.")
    if ind.compute == "cbs" and ind.column is None:
        raise SamenspelError(f"{where}: 'column' ontbreekt.")
    if ind.compute != "cbs" and (ind.numerator is None or ind.denominator is None):
        raise SamenspelError(f"{where}: 'numerator' en 'denominator' zijn nodig.")
    if ind.role not in ROLES:
        raise SamenspelError(f"{where}: onbekende rol '{ind.role}' (verwacht: sturing of context).")
    if ind.question and ind.role != "sturing":
        raise SamenspelError(f"{where}: alleen een sturingsindicator krijgt een vraag voor de raad.")


def _attach_definitions(indicators: list[Indicator]) -> None:
    years = cbs.available_years(_catalogue_raw().get("statistic", "kwb"))
    tables = []
    for year in reversed(years):
        try:
            tables.append(cbs.load_table(cbs.table_ids()[year], download=False))
        except SamenspelError:
            continue
    for ind in indicators:
        for table in tables:
            cols = ind.columns_in(table)
            if not cols:
                continue
            key = cols.get("column") or cols.get("numerator")
            prop = table.property(key) or {}
            text = (prop.get("Description") or "").strip()
            if text:
                ind.definition = text
                break


def small_base() -> SmallBase:
    """The small-base rule, stated once in data/indicators.yml."""
    raw = _catalogue_raw().get("small_base") or {}
    return SmallBase(**{k: int(v) for k, v in raw.items()})


def get(indicator_id: str) -> Indicator:
    for ind in catalogue():
        if ind.id == indicator_id:
            return ind
    raise SamenspelError(f"Onbekende indicator '{indicator_id}'.")


@functools.lru_cache(maxsize=1)
def _catalogue_cached(_stamp: tuple) -> tuple[Indicator, ...]:
    return tuple(load_catalogue())


def catalogue() -> tuple[Indicator, ...]:
    stamp = tuple(cbs.available_years())
    return _catalogue_cached(stamp)


# --------------------------------------------------------------------------- values


def table_values(table: cbs.Table, year: int, indicators=None, levels=("land", "gemeente", "wijk")) -> pd.DataFrame:
    """Values of the indicators for every region in one KWB table (long format)."""
    indicators = list(indicators or catalogue())
    data = table.data
    soort = data["SoortRegio_2"].map(LEVELS) if "SoortRegio_2" in data else pd.Series("gemeente", index=data.index)
    keep = soort.isin(levels)
    data = data[keep]
    soort = soort[keep]
    region_col = table.region_dimension or "WijkenEnBuurten"
    codes = data[region_col].astype("string").str.strip()
    names = _region_names(table, codes, data)
    municipality = data.get("Gemeentenaam_1", pd.Series(pd.NA, index=data.index))
    frames = []
    rule = small_base()
    for ind in indicators:
        cols = ind.columns_in(table)
        if cols is None:
            log.info("Indicator %s: geen kolom in %s (%s)", ind.id, table.table_id, year)
            continue
        value, reason = _value(ind, cols, data, rule)
        shown = {role: key for role, key in cols.items() if role != "base"}
        status = "voorlopig" if any(table.status(c) == "voorlopig" for c in shown.values()) else "definitief"
        frames.append(
            pd.DataFrame(
                {
                    "indicator": ind.id,
                    "code": codes.values,
                    "naam": names.values,
                    "gemeente": municipality.values,
                    "niveau": soort.values,
                    "jaar": int(year),
                    "waarde": value.values,
                    "tabel": table.table_id,
                    "kolommen": "+".join(shown.values()),
                    "status": status,
                    "reden": reason.values,
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def _value(ind: Indicator, cols: dict, data: pd.DataFrame, rule: SmallBase) -> tuple[pd.Series, pd.Series]:
    """The indicator's values in one table, and per row the reason a figure is left out
    (SMALL_BASE) or None. A figure under the small-base rule is missing (NaN), never 0."""
    if ind.compute == "cbs":
        value = data[cols["column"]].astype("float64")
        base = data[cols["base"]].astype("float64") if "base" in cols else None
        small = (base < rule.min_base) if base is not None else pd.Series(False, index=data.index)
    else:
        num = data[cols["numerator"]].astype("float64")
        den = data[cols["denominator"]].astype("float64")
        factor = 100.0 if ind.compute == "share" else 1000.0
        with np.errstate(divide="ignore", invalid="ignore"):
            value = (num / den.where(den > 0)) * factor
        small = (den < rule.min_base) | (num < rule.min_count)
    small = small.fillna(False) & value.notna()
    reason = pd.Series(np.where(small, SMALL_BASE, None), index=data.index, dtype=object)
    return value.where(~small), reason


def _region_names(table: cbs.Table, codes: pd.Series, data: pd.DataFrame) -> pd.Series:
    titles = {}
    dim_file = cbs.data_file(table.path, table.region_dimension or "WijkenEnBuurten")
    if dim_file is not None:
        for entry in cbs._read_json(dim_file):
            title = (entry.get("Title") or "").strip()
            if title:
                titles[str(entry.get("Key", "")).strip()] = title
    names = codes.map(titles)
    if "Gemeentenaam_1" in data:
        is_gm = codes.str.startswith("GM")
        names = names.where(names.notna() | ~is_gm, data["Gemeentenaam_1"])
    return names.fillna(codes)


def values(indicator_ids=None, years=None, levels=("land", "gemeente", "wijk")) -> pd.DataFrame:
    """Long table of indicator values for every available KWB year.

    A year whose table is not available is absent (logged once); an indicator whose column is
    missing in a year has no rows for that year; suppressed cells are NaN (never 0).
    """
    inds = catalogue() if indicator_ids is None else [get(i) for i in indicator_ids]
    all_years = cbs.table_ids()
    wanted = sorted(all_years) if years is None else sorted(years)
    frames = []
    missing = []
    for year in wanted:
        tid = all_years.get(year)
        if tid is None or not cbs.is_available(tid):
            missing.append(year)
            continue
        table = cbs.load_table(tid, download=False)
        frames.append(table_values(table, year, inds, levels))
    if missing:
        log.info("KWB-jaren zonder tabel in cache of momentopname: %s", ", ".join(map(str, missing)))
    if not frames:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- area changes

AREA_CHANGE_STEMS = ["IndelingswijzigingGemeenteWijkBuurt", "IndelingswijzigingWijkenEnBuurten"]
UNCHANGED = 1  # CBS: "codering en afbakening ongewijzigd ten opzichte van het voorgaande jaar"


def area_changes(years=None, levels=("gemeente", "wijk")) -> pd.DataFrame:
    """Per region and KWB year, CBS's indelingswijziging code: 1 = the same area (and code)
    as the year before, 2 = same area under a new code, 3 = another area. Years whose table has
    no such column are absent: a wijk is then not known to be the same area."""
    frames = []
    all_years = cbs.table_ids()
    for year in sorted(all_years) if years is None else sorted(years):
        tid = all_years.get(year)
        if tid is None or not cbs.is_available(tid):
            continue
        table = cbs.load_table(tid, download=False)
        col = table.find_column(AREA_CHANGE_STEMS)
        if col is None or "SoortRegio_2" not in table.data:
            continue
        data = table.data
        keep = data["SoortRegio_2"].map(LEVELS).isin(levels)
        codes = data.loc[keep, table.region_dimension or "WijkenEnBuurten"].astype("string").str.strip()
        change = pd.to_numeric(data.loc[keep, col].astype("string").str.strip(), errors="coerce").astype("float64")
        frames.append(pd.DataFrame({"code": codes.values, "jaar": int(year), "indeling": change.values}))
    if not frames:
        return pd.DataFrame(columns=["code", "jaar", "indeling"])
    return pd.concat(frames, ignore_index=True)


def same_area_years(changes: pd.DataFrame, code: str, latest: int, present) -> list[int]:
    """The years, back from `latest`, in which region `code` is the same area under the same
    code: each later year's CBS code says 'unchanged since the year before', and the region
    has a row in that earlier year (`present`: the years with a row for it)."""
    mine = changes[changes["code"] == code]
    by_year = dict(zip(mine["jaar"], mine["indeling"]))
    present = set(present)
    years = [latest]
    while by_year.get(years[-1]) == UNCHANGED and (years[-1] - 1) in present:
        years.append(years[-1] - 1)
    return sorted(years)
