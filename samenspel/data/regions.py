"""Municipalities per year: codes, names, province, inhabitants, stedelijkheid, size class,
lookup that forgives how people write a name, and municipal mergers."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import yaml

from samenspel import paths
from samenspel.data import cbs, indicators
from samenspel.errors import SamenspelError

# CBS gemeentegrootteklassen (inhabitants on 1 January).
SIZE_CLASSES = [
    (0, 5_000, "minder dan 5.000 inwoners"),
    (5_000, 10_000, "5.000 tot 10.000 inwoners"),
    (10_000, 20_000, "10.000 tot 20.000 inwoners"),
    (20_000, 50_000, "20.000 tot 50.000 inwoners"),
    (50_000, 100_000, "50.000 tot 100.000 inwoners"),
    (100_000, 150_000, "100.000 tot 150.000 inwoners"),
    (150_000, 250_000, "150.000 tot 250.000 inwoners"),
    (250_000, math.inf, "250.000 inwoners of meer"),
]
# CBS stedelijkheidsklassen from omgevingsadressendichtheid (addresses per km²).
URBANITY_BOUNDS = [(2500, 1), (1500, 2), (1000, 3), (500, 4), (0, 5)]
URBANITY_LABELS = {
    1: "zeer sterk stedelijk",
    2: "sterk stedelijk",
    3: "matig stedelijk",
    4: "weinig stedelijk",
    5: "niet stedelijk",
}
PROVINCES = {
    "Groningen",
    "Fryslân",
    "Friesland",
    "Drenthe",
    "Overijssel",
    "Flevoland",
    "Gelderland",
    "Utrecht",
    "Noord-Holland",
    "Zuid-Holland",
    "Zeeland",
    "Noord-Brabant",
    "Limburg",
}
# Names people use that are not CBS's official name.
ALIASES = {
    "denbosch": "GM0796",
    "hertogenbosch": "GM0796",
    "denhaag": "GM0518",
    "thehague": "GM0518",
    "gravenhage": "GM0518",
    "nuenen": "GM0820",
    "sudwestfryslan": "GM1900",
    "zuidwestfriesland": "GM1900",
}


def size_class(inhabitants: float | None) -> str | None:
    if inhabitants is None or pd.isna(inhabitants):
        return None
    for low, high, label in SIZE_CLASSES:
        if low <= inhabitants < high:
            return label
    return None


def urbanity_from_density(oad: float | None) -> int | None:
    """CBS stedelijkheidsklasse from omgevingsadressendichtheid, with CBS's five bounds."""
    if oad is None or pd.isna(oad):
        return None
    for bound, klass in URBANITY_BOUNDS:
        if oad >= bound:
            return klass
    return None


def normalise(text: str) -> str:
    """Lower case, no accents, no spaces or punctuation: "'s-Hertogenbosch" -> "shertogenbosch"."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"^'?s[- ]", "", text)  # 's-Gravenhage / 's-Hertogenbosch
    return re.sub(r"[^a-z0-9]", "", text)


def code_from(text: str) -> str | None:
    """'GM0034', 'gm34', '0034', '34' -> 'GM0034'; anything else -> None."""
    m = re.fullmatch(r"\s*(?:gm)?\s*0*(\d{1,4})\s*", str(text), flags=re.IGNORECASE)
    if not m:
        return None
    return f"GM{int(m.group(1)):04d}"


@dataclass(frozen=True)
class Municipality:
    code: str
    naam: str
    provincie: str | None
    jaar: int
    inwoners: float | None
    inwoners_jaar: int | None
    stedelijkheid: int | None
    stedelijkheid_bron: str | None
    grootteklasse: str | None

    @property
    def stedelijkheid_label(self) -> str:
        return URBANITY_LABELS.get(self.stedelijkheid, "onbekend")


class UnknownMunicipality(SamenspelError):
    def __init__(self, query: str, suggestions: list[str], year: int):
        self.suggestions = suggestions
        hint = f" Bedoelt u misschien: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"Gemeente '{query}' is niet bekend in {year}.{hint}")


class DissolvedMunicipality(SamenspelError):
    def __init__(self, query: str, name: str, date: str, successors: list[tuple[str, str]], note: str | None):
        self.successors = successors
        parts = [f"{n} ({c})" for c, n in successors]
        listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1]
        when = dt.date.fromisoformat(date).strftime("%d-%m-%Y")
        if len(parts) == 1:
            what = f"is op {when} opgegaan in {listed}"
        else:
            what = f"is op {when} opgeheven en verdeeld over {listed}"
        extra = f" ({note})" if note else ""
        super().__init__(f"Gemeente {name} bestaat niet meer: zij {what}{extra}. Gebruik {successors[0][1]}.")


# --------------------------------------------------------------------------- sources


@functools.lru_cache(maxsize=1)
def _indeling_cached(path: str | None) -> pd.DataFrame | None:
    if path is None:
        return None
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["jaar"] = frame["jaar"].astype(int)
    for col in frame.columns:
        if col != "jaar":
            frame[col] = frame[col].str.strip()
    return frame


def indeling() -> pd.DataFrame | None:
    """CBS's municipality list per year (with province), or None when not available."""
    path = cbs.reference_file("gemeentelijke_indeling")
    return _indeling_cached(str(path) if path else None)


def provinces_from_table(table: cbs.Table) -> dict[str, str]:
    """GMxxxx -> province name from any CBS table that has both (Gebieden in Nederland,
    Woonplaatsen in Nederland). The columns are recognised by their values, because their
    keys differ per table and year."""
    data = table.data
    text_cols = [c for c in data.columns if pd.api.types.is_string_dtype(data[c])]
    code_col = province_col = None
    for col in text_cols:
        values = data[col].dropna().astype(str).str.strip()
        if values.empty:
            continue
        if code_col is None and values.str.fullmatch(r"GM\d{4}").mean() > 0.95:
            code_col = col
        elif province_col is None and values.isin(PROVINCES).mean() > 0.95 and values.nunique() >= 10:
            province_col = col
    if code_col is None or province_col is None:
        return {}
    pairs = data[[code_col, province_col]].dropna().astype(str)
    pairs = pairs[pairs[code_col].str.strip().str.fullmatch(r"GM\d{4}")]
    return dict(zip(pairs[code_col].str.strip(), pairs[province_col].str.strip()))


def provinces_from_cbs(year: int) -> dict[str, str]:
    """Provinces from the registered CBS tables, the table nearest to `year` first."""
    result: dict[str, str] = {}
    for _y, tid in sorted(cbs.table_ids("provincies").items(), key=lambda yt: abs(yt[0] - year), reverse=True):
        if cbs.is_available(tid):
            try:
                result.update(provinces_from_table(cbs.load_table(tid, download=False)))
            except SamenspelError:
                continue
    return result


@functools.lru_cache(maxsize=1)
def mergers() -> dict[str, dict]:
    with open(paths.DATA_DIR / "herindelingen.yml", encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    return {m["opgeheven"]: {**m, "datum": str(m["datum"])} for m in raw["herindelingen"]}


@dataclass(frozen=True)
class Merger:
    """A municipality took over others: from KWB year `year` on, its figures are those of
    the larger municipality."""

    year: int
    date: str
    absorbed: tuple[str, ...]  # names of the dissolved municipalities


def merger_breaks(code: str) -> list[Merger]:
    """The herindelingen in which `code` took over other municipalities (from
    data/herindelingen.yml), by the first KWB year that shows the merged municipality. KWB
    figures describe 1 January: a merger on 1 January 2019 first shows in KWB 2019, one on
    24 March 2022 in KWB 2023. A renaming (one municipality, new code) is no break here."""
    by_year: dict[int, list] = {}
    for m in mergers().values():
        if code not in m["opvolgers"] or "naamswijziging" in (m.get("toelichting") or ""):
            continue
        date = dt.date.fromisoformat(m["datum"])
        first = date.year if (date.month, date.day) == (1, 1) else date.year + 1
        by_year.setdefault(first, []).append(m)
    return [
        Merger(year, min(m["datum"] for m in ms), tuple(m["naam"] for m in ms)) for year, ms in sorted(by_year.items())
    ]


def latest_year() -> int:
    years = cbs.available_years()
    if not years:
        raise SamenspelError(
            "Er zijn geen CBS-tabellen beschikbaar: niet in de lokale cache en geen momentopname. "
            "Haal ze op met `python -m samenspel download` (internet nodig), of werk offline "
            f"met een momentopname: SAMENSPEL_SNAPSHOT=MAP (Samenspel heeft er zelf een in "
            f"{paths.MOMENTOPNAME_DIR}; maak die zo nodig opnieuw met "
            f"`python -m samenspel momentopname --van MAP`)."
        )
    return years[-1]


def _valid_on(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    """Municipalities valid on 1 January of `year` (the list for year X also holds those
    dissolved on 1 January X; they are filtered out here)."""
    day = f"{year}-01-01"
    rows = frame[frame["jaar"] == year]
    rows = rows[(rows["begindatum"] <= day) & ((rows["einddatum"] == "") | (rows["einddatum"] > day))]
    return rows


@functools.lru_cache(maxsize=4)
def _profile_values(_stamp: tuple) -> pd.DataFrame:
    return indicators.values(["inwoners", "stedelijkheid", "omgevingsadressendichtheid"], levels=("gemeente",))


def _base_values() -> pd.DataFrame:
    return _profile_values(tuple(cbs.available_years()))


def _pick_nearest(frame: pd.DataFrame, year: int, rank: pd.Series | None = None) -> pd.DataFrame:
    """Per code, the row for `year`, else the most recent earlier year, else the nearest later."""
    frame = frame.dropna(subset=["waarde"]).assign(
        _later=lambda f: f["jaar"] > year,
        _distance=lambda f: (f["jaar"] - year).abs(),
        _rank=0 if rank is None else rank,
    )
    frame = frame.sort_values(["code", "_later", "_distance", "_rank"])
    return frame.groupby("code", sort=False).head(1).set_index("code")


@functools.lru_cache(maxsize=16)
def _municipalities_cached(year: int, _stamp: tuple) -> pd.DataFrame:
    base = _base_values()
    kwb_year = base[(base["jaar"] == year) & (base["indicator"] == "inwoners")]
    kwb_names = dict(zip(kwb_year["code"], kwb_year["naam"]))
    listing = indeling()
    if listing is not None and year in set(listing["jaar"]):
        valid = _valid_on(listing, year)
        codes = dict(zip(valid["gm_code"], valid["gemeente_naam"]))
        provinces = dict(zip(valid["gm_code"], valid["provincie_naam"]))
    else:
        codes, provinces = {}, provinces_from_cbs(year)
    for code, name in kwb_names.items():
        codes.setdefault(code, name)
    inhabitants = _pick_nearest(base[base["indicator"] == "inwoners"], year)
    # Stedelijkheid: CBS's class where it has a value, else derived from the
    # omgevingsadressendichtheid with CBS's five bounds (CBS's class first within a year).
    urb = base[base["indicator"].isin(["stedelijkheid", "omgevingsadressendichtheid"])].copy()
    derived = urb["indicator"] == "omgevingsadressendichtheid"
    urb.loc[derived, "waarde"] = urb.loc[derived, "waarde"].map(urbanity_from_density)
    urb["waarde"] = pd.to_numeric(urb["waarde"])
    urb["bron"] = [
        f"afgeleid uit de omgevingsadressendichtheid ({j})" if d else f"CBS-klasse ({j})"
        for d, j in zip(derived, urb["jaar"])
    ]
    urbanity = _pick_nearest(urb, year, rank=derived.astype(int))
    frame = pd.DataFrame({"code": list(codes)})
    frame["naam"] = [kwb_names.get(c) or codes[c] for c in frame["code"]]
    frame["provincie"] = frame["code"].map(provinces)
    frame["jaar"] = year
    frame["inwoners"] = frame["code"].map(inhabitants["waarde"])
    frame["inwoners_jaar"] = frame["code"].map(inhabitants["jaar"]).astype("Int64")
    frame["stedelijkheid"] = frame["code"].map(urbanity["waarde"]).astype("Int64")
    frame["stedelijkheid_bron"] = frame["code"].map(urbanity["bron"])
    frame["grootteklasse"] = frame["inwoners"].map(size_class)
    key = frame["naam"].map(normalise)
    return frame.assign(_key=key).sort_values("_key").drop(columns="_key").reset_index(drop=True)


def municipalities(year: int | None = None) -> pd.DataFrame:
    """Every municipality of `year` (default: the latest available KWB year)."""
    year = latest_year() if year is None else int(year)
    return _municipalities_cached(year, tuple(cbs.available_years()))


def known_municipalities() -> dict[str, str]:
    """Every municipality code valid in any year 2014-2025, with its (latest) name."""
    # municipalities dissolved since 2015 are known from data/herindelingen.yml, also when
    # CBS's municipality list is not at hand (live API)
    names: dict[str, str] = {code: m["naam"] for code, m in mergers().items()}
    listing = indeling()
    if listing is not None:
        recent = listing[listing["jaar"] >= 2014].sort_values("jaar")
        names.update(dict(zip(recent["gm_code"], recent["gemeente_naam"])))
    base = _base_values().sort_values("jaar")
    gm = base[base["code"].str.startswith("GM")]
    names.update(dict(zip(gm["code"], gm["naam"])))
    return names


def _record(frame: pd.DataFrame, code: str) -> Municipality:
    row = frame[frame["code"] == code].iloc[0]

    def clean(v):
        return None if v is None or pd.isna(v) else v

    return Municipality(
        code=row["code"],
        naam=row["naam"],
        provincie=clean(row["provincie"]),
        jaar=int(row["jaar"]),
        inwoners=None if clean(row["inwoners"]) is None else float(row["inwoners"]),
        inwoners_jaar=None if clean(row["inwoners_jaar"]) is None else int(row["inwoners_jaar"]),
        stedelijkheid=None if clean(row["stedelijkheid"]) is None else int(row["stedelijkheid"]),
        stedelijkheid_bron=clean(row["stedelijkheid_bron"]),
        grootteklasse=clean(row["grootteklasse"]),
    )


def lookup(query: str, frame: pd.DataFrame, known: Mapping[str, str] | None = None) -> Municipality:
    """Find a municipality by name or code in `frame` (the municipalities of one year, as
    `municipalities(year)` gives them), forgiving case, accents, spaces and code forms.

    Works on what it is given and reads no CBS table: `known` names the successors of a
    dissolved municipality (code -> name, as `known_municipalities()` gives them). A dissolved
    municipality raises DissolvedMunicipality naming its successor; an unknown one raises
    UnknownMunicipality with up to three suggestions.
    """
    year = int(frame["jaar"].iloc[0]) if len(frame) else 0
    code = code_from(query)
    if code is None:
        key = normalise(query)
        by_name = {}
        for c, n in zip(frame["code"], frame["naam"]):
            by_name.setdefault(normalise(n), c)
            # 'Bergen (L.)' can be asked for as 'Bergen L' or 'BergenL'
            by_name.setdefault(normalise(re.sub(r"\s*\(.*\)", "", n)), c)
        code = by_name.get(key) or ALIASES.get(key)
        if code is None:
            code = _dissolved_code_by_name(key)
    if code is not None and code in set(frame["code"]):
        return _record(frame, code)
    if code is not None and code in mergers():
        m = mergers()[code]
        names = known or {}
        raise DissolvedMunicipality(
            query, m["naam"], m["datum"], [(c, names.get(c, c)) for c in m["opvolgers"]], m.get("toelichting")
        )
    raise UnknownMunicipality(query, suggestions(query, frame), year)


def _dissolved_code_by_name(key: str) -> str | None:
    for code, m in mergers().items():
        if normalise(m["naam"]) == key:
            return code
    return None


def suggestions(query: str, frame: pd.DataFrame, n: int = 3) -> list[str]:
    names = list(frame["naam"])
    keyed = {normalise(name): name for name in names}
    close = difflib.get_close_matches(normalise(query), list(keyed), n=n, cutoff=0.6)
    result = [keyed[k] for k in close]
    if len(result) < n:  # also names that start with what was typed
        starts = [name for k, name in keyed.items() if k.startswith(normalise(query)) and name not in result]
        result += starts[: n - len(result)]
    return result
