"""What a municipality's chapter says, as a plain dataclass tree: no IPython, no HTML.

`build(...)` decides everything a chapter shows (the peer group, the comparisons, the
findings, which indicators get a chart, the wijken, the samenhang views, the definitions,
the case studies and the questions); `samenspel.chapter.render` turns it into the notebook's
outputs. A test can inspect a Chapter without rendering it.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

import samenspel
from samenspel import fmt, paths
from samenspel.analysis import compare, peers
from samenspel.analysis import goals as goal_verdicts
from samenspel.data import dataset, indicators, regions
from samenspel.errors import SamenspelError

THEME_ORDER = [
    ("jeugd", "Jeugd"),
    ("wmo", "Wmo"),
    ("participatie", "Participatie en inkomen"),
    ("bevolking", "Bevolking"),
]
THEME_MEMBERS = {
    "jeugd": ["jeugd"],
    "wmo": ["wmo"],
    "participatie": ["participatie", "inkomen"],
    "bevolking": ["bevolking"],
}
CHARTS_PER_THEME = 2
MAX_WIJK_CHARTS = 5
WIJK_TREND_LINES = 8  # wijken with the largest change, in a chart of the wijken over time
MAX_QUESTIONS = 5
MAX_CASE_STUDIES = 5
COHERENCE_PAIRS = [
    ("laagste_40_pct", "wmo_per_1000"),
    ("sociaal_minimum_pct", "wmo_per_1000"),
    ("bijstand_per_1000", "jeugdzorg_pct"),
]
GENERAL_QUESTIONS = [
    "Welke cijfers over het sociaal domein ontbreken nog, en hoe krijgt de raad die?",
    "Welke informatie heeft de raad nodig om te beoordelen of het beleid werkt, en hoe vaak?",
]


@dataclass
class Theme:
    key: str
    label: str
    comparisons: list[compare.Comparison]
    charted: list[compare.Comparison]  # a position chart each, and a trend chart where there are years

    @property
    def has_data(self) -> bool:
        return any(c.has_data for c in self.comparisons)


@dataclass
class AlternativeRow:
    comparison: compare.Comparison  # against the chapter's own peer group
    others: list[compare.Comparison]  # against each alternative group, in order


@dataclass
class Alternatives:
    groups: list[peers.PeerGroup]
    rows: list[AlternativeRow]

    @property
    def description(self) -> str:
        """'alle 9 andere gemeenten in ... en alle 12 ...': what each group is."""
        return " en ".join(
            g.explanation.split(". ")[0].replace("De vergelijkingsgroep bestaat uit ", "") for g in self.groups
        )


@dataclass
class WijkIndicator:
    indicator: object
    year: int
    table: str
    frame: pd.DataFrame  # code, naam, waarde, reden, tabel
    municipal_value: float | None


@dataclass
class WijkTrend:
    """Wijken of the municipality over the years in which each is the same area (CBS's
    indelingswijziging), next to the municipality as a whole."""

    indicator: object
    series: pd.DataFrame  # code, naam, jaar, waarde: the wijken shown, comparable years only
    municipal: pd.DataFrame  # jaar, waarde
    left_out: list[str]  # wijken with a figure in the latest year but no earlier comparable one
    total: int  # wijken with a comparable series


@dataclass
class Definition:
    comparison: compare.Comparison
    retrieval: str | None  # how the table was obtained, in words; None without a table


@dataclass
class CaseStudyLink:
    study: object  # samenspel.casestudies.CaseStudy
    reasons: list[str]  # why it is listed here, in plain Dutch


@dataclass
class TableUse:
    table_id: str
    title: str | None
    period: str | None
    modified: str | None
    retrieval: str


@dataclass
class Chapter:
    municipality: regions.Municipality
    year: int
    profile_year: int
    peer_group: peers.PeerGroup
    peer_names: list[str]
    comparisons: dict[str, compare.Comparison]
    goals: list  # analysis.goals.GoalStatus: the council's own goals, judged
    goals_file: object | None  # samenspel.goals.model.GoalFile, or None without goals
    findings: list[compare.Finding]
    themes_without_data: list[str]
    themes: list[Theme]
    alternatives: Alternatives | None
    wijken: list[WijkIndicator]
    wijk_trends: list[WijkTrend]
    coherences: list[compare.Coherence]
    definitions: list[Definition]
    case_studies: list[CaseStudyLink]  # at most MAX_CASE_STUDIES, the most useful first
    case_study_count: int  # all case studies in the book
    questions: list[str]
    tables_used: list[TableUse]
    parameters: dict
    version: str
    made_on: dt.date
    data: dict = field(repr=False)

    @property
    def name(self) -> str:
        return self.municipality.naam

    @property
    def code(self) -> str:
        return self.municipality.code

    def theme(self, key: str) -> Theme:
        return next(t for t in self.themes if t.key == key)

    def goal_for(self, indicator_id: str):
        """The council's goal on a catalogue indicator, if it has one."""
        return next((g for g in self.goals if g.goal.indicator == indicator_id), None)

    def metadata(self) -> dict:
        m = self.municipality
        return {
            "code": m.code,
            "naam": m.naam,
            "provincie": m.provincie,
            "inwoners": None if m.inwoners is None else int(m.inwoners),
            "inwoners_jaar": m.inwoners_jaar,
            "jaar": self.year,
            "grootteklasse": m.grootteklasse,
            "vergelijkingsgroep": self.peer_group.members,
            "methode": self.peer_group.method,
            "versie": self.version,
            "gegevens": self.data["fingerprint"],
        }


# --------------------------------------------------------------------------- building


def build(gemeente: str, jaar: int | None = None, vergelijk_met=None, methode: str = "tweelingen") -> Chapter:
    """Everything one municipality's chapter says, from the dataset (loaded once)."""
    data = dataset.load()
    year, frame = dataset.municipalities(data, jaar)
    muni = dataset.lookup(data, gemeente, year)
    profile_year = _profile_year(data, year)
    if muni.code not in set(data["municipalities"][profile_year]["code"]):
        profile_year = year
    group = _peer_group(data, muni, year, profile_year, vergelijk_met, methode)
    breaks = regions.merger_breaks(muni.code)
    comparisons = {}
    for ind in data["catalogue"]:
        vals = _indexed(data, ind.id, ("gemeente", "land"))
        comparisons[ind.id] = compare.compare(ind, muni.code, group.members, vals, year, breaks)
    found = compare.findings(list(comparisons.values()), muni.naam)
    themes = _themes(comparisons, found)
    goal_file = _goal_file(data, muni)
    statuses = _judge_goals(goal_file, data, comparisons, year)
    return Chapter(
        municipality=muni,
        year=year,
        profile_year=profile_year,
        peer_group=group,
        peer_names=[data["known"].get(c, c) for c in group.members],
        comparisons=comparisons,
        goals=statuses,
        goals_file=goal_file,
        findings=found,
        themes_without_data=[t.label for t in themes if not t.has_data],
        themes=themes,
        alternatives=_alternatives(data, muni, group, comparisons, year),
        wijken=_wijken(data, muni, year),
        wijk_trends=_wijk_trends(data, muni, year),
        coherences=_coherences(data, muni.code, year),
        definitions=_definitions(data, comparisons),
        case_studies=_case_study_links(data, muni, group, year, found),
        case_study_count=len(_all_case_studies(data)),
        questions=_questions(found, comparisons, muni.naam, statuses),
        tables_used=_tables_used(data, comparisons),
        parameters={"gemeente": gemeente, "jaar": jaar, "vergelijk_met": vergelijk_met, "methode": methode},
        version=samenspel.__version__,
        made_on=dt.date.today(),
        data=data,
    )


def _indexed(data: dict, indicator_id: str, levels: tuple) -> compare.IndicatorValues:
    """One indicator's rows on `levels`, indexed once per process (the same for every chapter
    a worker makes) instead of filtered per chapter."""
    memo = data.setdefault("_indexed", {})
    key = (indicator_id, levels)
    if key not in memo:
        vals = dataset.values_for(data, indicator_id)
        memo[key] = compare.IndicatorValues(vals[vals["niveau"].isin(list(levels))])
    return memo[key]


def _profile_year(data: dict, year: int) -> int:
    """The latest year <= `year` in which at least 80% of municipalities have population
    figures; else the year with the best coverage. The same for every municipality: worked
    out once per process and year."""
    memo = data.setdefault("_profile_year", {})
    if year not in memo:
        memo[year] = _best_profile_year(data, year)
    return memo[year]


def _best_profile_year(data: dict, year: int) -> int:
    v = data["values"]
    inw = v[(v["indicator"] == "inwoners") & (v["niveau"] == "gemeente") & v["waarde"].notna()]
    coverage = {
        y: inw[inw["jaar"] == y]["code"].nunique() / max(1, len(data["municipalities"][y])) for y in data["years"]
    }
    good = [y for y, c in coverage.items() if c >= peers.MIN_COVERAGE and y <= year]
    if good:
        return max(good)
    return max(coverage, key=lambda y: (coverage[y], -abs(y - year)))


def _peer_group(data, muni, year, profile_year, vergelijk_met, methode) -> peers.PeerGroup:
    frame = data["municipalities"][year]
    if vergelijk_met:
        codes = [dataset.lookup(data, m, year).code for m in vergelijk_met]
        return peers.explicit(muni.code, codes, frame)
    if methode in ("grootteklasse", "provincie"):
        return peers.by_attribute(muni.code, frame, methode)
    if methode != "tweelingen":
        raise SamenspelError(f"Onbekende vergelijkingsmethode '{methode}' (kies uit: {', '.join(peers.METHODS)}).")
    profiles = data.setdefault("_profile", {})  # every municipality's profile: once per process
    if profile_year not in profiles:
        profiles[profile_year] = peers.profile(data["values"], data["municipalities"][profile_year], profile_year)
    return peers.twins(muni.code, profiles[profile_year], year=profile_year)


def _themes(comparisons: dict, found: list[compare.Finding]) -> list[Theme]:
    in_findings = {f.comparison.indicator.id for f in found}
    themes = []
    for key, label in THEME_ORDER:
        comps = [c for c in comparisons.values() if c.indicator.theme in THEME_MEMBERS[key]]
        candidates = [c for c in comps if c.has_data and c.peer_median is not None and c.indicator.unit != "aantal"]
        candidates.sort(key=lambda c: (not c.indicator.key, c.indicator.id not in in_findings))
        themes.append(Theme(key, label, comps, candidates[:CHARTS_PER_THEME]))
    return themes


def _alternatives(data, muni, group, comparisons, year) -> Alternatives | None:
    """The same key indicators against the CBS size class and the province."""
    frame = data["municipalities"][year]
    groups = []
    for attribute in ("grootteklasse", "provincie"):
        if group.method == attribute:
            continue
        try:
            groups.append(peers.by_attribute(muni.code, frame, attribute))
        except SamenspelError:
            continue
    key = [c for c in comparisons.values() if c.indicator.key and c.has_data]
    if not groups or not key:
        return None
    rows = []
    for c in key:
        vals = _indexed(data, c.indicator.id, ("gemeente",))
        rows.append(AlternativeRow(c, [compare.compare(c.indicator, muni.code, g.members, vals, year) for g in groups]))
    return Alternatives(groups, rows)


def _by_prefix(data: dict, memo_key: str, frame_of, prefix: str) -> pd.DataFrame:
    """The rows of a long table (made by `frame_of()`) whose code starts with `prefix`, in
    the table's order and with its index: grouped once per process by the code's first
    characters instead of filtered with str.startswith per chapter (the wijk rows are most of
    the dataset)."""
    memo = data.setdefault("_by_prefix", {})
    key = (memo_key, len(prefix))
    if key not in memo:
        frame = frame_of()
        heads = frame["code"].astype(object).str[: len(prefix)]
        memo[key] = ({str(k): g for k, g in frame.groupby(heads, sort=False)}, frame.iloc[0:0])
    groups, empty = memo[key]
    return groups.get(prefix, empty)


def _wijk_rows(data: dict, indicator_id: str, prefix: str) -> pd.DataFrame:
    """One indicator's wijk rows of one municipality (prefix 'WK' + its number)."""

    def frame_of():
        vals = dataset.values_for(data, indicator_id)
        return vals[vals["niveau"] == "wijk"]

    return _by_prefix(data, ("wijk", indicator_id), frame_of, prefix)


def _own_rows(data: dict, indicator_id: str, code: str) -> pd.DataFrame:
    """One indicator's rows of one municipality (all years), in the long table's order."""
    return _indexed(data, indicator_id, ("gemeente", "land")).rows_of(code)


def _wijken(data: dict, muni, year: int) -> list[WijkIndicator]:
    """Wijk values of the key indicators, each in its latest year (<= the chapter's year)
    with wijk figures for this municipality."""
    prefix = "WK" + muni.code[2:]
    result = []
    for ind in data["catalogue"]:
        if not ind.key or len(result) >= MAX_WIJK_CHARTS:
            continue
        wk = _wijk_rows(data, ind.id, prefix)
        wk = wk[wk["jaar"] <= year]
        with_data = wk[wk["waarde"].notna()]
        if with_data.empty:
            continue
        frame = wk[wk["jaar"] == with_data["jaar"].max()][["code", "naam", "waarde", "reden", "tabel", "jaar"]]
        wyear = int(frame["jaar"].iloc[0])
        own = _own_rows(data, ind.id, muni.code)
        own = own[own["jaar"] == wyear]["waarde"]
        own_value = None if own.empty or pd.isna(own.iloc[0]) else float(own.iloc[0])
        result.append(WijkIndicator(ind, wyear, frame["tabel"].iloc[0], frame.drop(columns="jaar"), own_value))
    return result


def _wijk_trends(data: dict, muni, year: int) -> list[WijkTrend]:
    """For the key sturing indicators: the wijken with the largest change over the years in
    which each wijk is the same area as in the latest year, and the municipality beside them."""
    prefix = "WK" + muni.code[2:]
    all_changes = data.get("area_changes")
    if all_changes is None:
        return []
    # the municipality's own rows of the table of area changes: same_area_years filters it
    # per wijk
    changes = _by_prefix(data, "area_changes", lambda: all_changes, prefix)
    result = []
    for ind in data["catalogue"]:
        if not ind.key or ind.role != "sturing":
            continue
        wk = _wijk_rows(data, ind.id, prefix)
        wk = wk[wk["jaar"] <= year]
        wk = wk[wk["waarde"].notna()]
        if wk.empty or wk["jaar"].nunique() < 2:
            continue
        latest = int(wk["jaar"].max())
        # one pass over plain arrays per wijk instead of a groupby with pandas filters: each
        # wijk's rows in its comparable years, sorted by year as sort_values sorts them
        codes = wk["code"].to_numpy(dtype=object)
        years = wk["jaar"].to_numpy()
        figures = wk["waarde"].to_numpy(dtype=float)
        at_latest = years == latest
        names = dict(zip(codes[at_latest], wk["naam"].to_numpy(dtype=object)[at_latest]))
        rows_of = {}
        for i, code in enumerate(codes):
            rows_of.setdefault(code, []).append(i)
        parts, left_out = [], []  # (code, its rows, the change between its first and last year)
        for code in sorted(rows_of):  # the order of groupby("code")
            if code not in names:
                continue
            own = np.array(rows_of[code])
            comparable = indicators.same_area_years(changes, code, latest, years[own])
            own = own[np.isin(years[own], comparable)]
            own = own[years[own].argsort(kind="quicksort")]
            if len(own) < 2:
                left_out.append(names[code])
                continue
            parts.append((code, own, abs(figures[own[-1]] - figures[own[0]])))
        if not parts:
            continue
        # the wijken with the largest change, ranked as DataFrame.sort_values ranks them
        ranked = pd.Series([change for _, _, change in parts]).sort_values(ascending=False)
        top = {parts[i][0] for i in ranked.index[:WIJK_TREND_LINES]}
        chosen = [(code, own) for code, own, _ in parts if code in top]
        shown = wk.iloc[np.concatenate([own for _, own in chosen])][["code", "naam", "jaar", "waarde"]]
        shown = shown.assign(naam=[names[code] for code, own in chosen for _ in own])
        gm = _own_rows(data, ind.id, muni.code)
        gm = gm[gm["jaar"].isin(set(shown["jaar"]))][["jaar", "waarde"]]
        result.append(
            WijkTrend(
                ind,
                shown.reset_index(drop=True),
                gm.sort_values("jaar").reset_index(drop=True),
                sorted(left_out),
                len(parts),
            )
        )
    return result


def _coherences(data: dict, code: str, year: int) -> list[compare.Coherence]:
    cat = {i.id: i for i in data["catalogue"]}
    tables = data.setdefault("_coherence", {})  # the pivots do not depend on the municipality
    result, seen_y = [], set()
    for xid, yid in COHERENCE_PAIRS:
        if yid in seen_y:
            continue
        if (xid, yid) not in tables:
            vals = data["values"]
            tables[xid, yid] = compare.CoherenceTable(cat[xid], cat[yid], vals[vals["indicator"].isin([xid, yid])])
        coh = compare.coherence(cat[xid], cat[yid], tables[xid, yid], code, year)
        if coh.r is not None or (xid, yid) == COHERENCE_PAIRS[-1]:
            result.append(coh)
            seen_y.add(yid)
        elif yid == "wmo_per_1000" and (xid, yid) == COHERENCE_PAIRS[1]:
            result.append(coh)  # neither income measure works: say so once
            seen_y.add(yid)
    return result


def retrieval(table: dict) -> str:
    """When and how a table was obtained, in words."""
    if table.get("origin") == "snapshot":
        when = f" van {fmt.date_nl(table['retrieved'])}" if table.get("retrieved") else ""
        return f"uit de meegeleverde momentopname{when}"
    if table.get("retrieved"):
        return f"opgehaald bij het CBS op {fmt.date_nl(table['retrieved'])}"
    return "ophaaldatum onbekend"


def _definitions(data: dict, comparisons: dict) -> list[Definition]:
    tables = {t["table_id"]: t for t in data["tables"]}
    result = []
    for c in comparisons.values():
        table = tables.get(c.table) if c.table else None
        result.append(Definition(c, retrieval(table) if table else None))
    return result


def _tables_used(data: dict, comparisons: dict) -> list[TableUse]:
    tables = {t["table_id"]: t for t in data["tables"]}
    result = []
    for tid in sorted({c.table for c in comparisons.values() if c.table}):
        t = tables.get(tid, {})
        result.append(
            TableUse(tid, t.get("title") or t.get("statistic"), t.get("period"), t.get("modified"), retrieval(t))
        )
    return result


def _casestudy_stamp() -> tuple:
    return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in paths.CASESTUDY_DIR.glob("*.md")))


@functools.lru_cache(maxsize=2)
def _load_case_studies(_stamp: tuple, known: tuple) -> list:
    """The case studies, parsed and validated once per process while the files are unchanged
    (municipality codes are checked against the dataset's list, not recomputed)."""
    from samenspel import casestudies

    return casestudies.load_all(paths.CASESTUDY_DIR, known_municipalities=dict(known))


def _all_case_studies(data: dict) -> list:
    return _load_case_studies(_casestudy_stamp(), tuple(sorted(data["known"].items())))


def _case_study_links(
    data: dict, muni, group: peers.PeerGroup, year: int, found: list[compare.Finding]
) -> list[CaseStudyLink]:
    """The case studies most useful to this municipality, each with its reasons: its own,
    its twins', those on the themes where its findings lie, those of similar municipalities."""
    from samenspel import casestudies

    frame = data["municipalities"][year]
    # the case-study schema uses the CBS size classes of samenspel.data.regions
    sizes = dict(zip(frame["code"], frame["grootteklasse"]))
    provinces = dict(zip(frame["code"], frame["provincie"]))
    themes = list(dict.fromkeys(f.comparison.indicator.theme for f in found if not f.is_context))
    ranked = casestudies.rank(
        muni.code,
        _all_case_studies(data),
        twins=group.members if group.method == "tweelingen" else (),
        distance=group.all_distances,
        size_class_of=sizes.get,
        province_of=provinces.get,
        themes=themes,
        names=data["known"],
    )
    return [CaseStudyLink(m.study, m.reasons) for m in ranked[:MAX_CASE_STUDIES]]


def _goal_questions(statuses: list) -> list[str]:
    questions = []
    for g in statuses:
        if g.verdict == goal_verdicts.OFF_TRACK:
            now = f"; nu {g.text(g.latest[1])} ({g.latest[0]})" if g.latest else ""
            questions.append(
                f"De raad wil voor {fmt.lower_first(g.label)} {g.target_text}{now}: niet op koers. "
                f"Wat doet het college om het doel te halen, en wanneer hoort de raad of dat lukt?"
            )
        elif g.verdict == goal_verdicts.UNKNOWN:
            questions.append(
                f"Het doel voor {fmt.lower_first(g.label)} ({g.target_text}) is nu niet te beoordelen. "
                f"Welke cijfers heeft de raad nodig om te volgen of het gehaald wordt, en wanneer?"
            )
    return questions


def _questions(found: list[compare.Finding], comparisons: dict, name: str, statuses: list) -> list[str]:
    """Questions for the council: about its own goals that are off track or cannot be judged,
    about the sturing indicators in *In het kort* (context gets none), then about jumps in a
    charted sturing series, then general ones."""
    questions = _goal_questions(statuses) + [f.question for f in found if f.question]
    for c in comparisons.values():
        q = compare.jump_question(c, name) if c.indicator.key else None
        if q:
            questions.append(q)
    questions = list(dict.fromkeys(questions))[:MAX_QUESTIONS]
    if len(questions) < 3:
        questions += GENERAL_QUESTIONS
    return questions[:MAX_QUESTIONS]


# --------------------------------------------------------------------------- goals


def _goal_file(data: dict, muni):
    """The council's goals file for this municipality (doelen/<code>.yml), or None. A
    malformed file stops the chapter with the validator's Dutch message."""
    from samenspel import goals as goal_files

    return goal_files.load_for(muni.code, known=data["known"])


def _judge_goals(goal_file, data: dict, comparisons: dict, year: int) -> list:
    catalogue = {i.id: i for i in data["catalogue"]}

    def own_series(ind_id):
        t = comparisons[ind_id].trend
        t = t[t["jaar"] <= year]
        return t[["jaar", "gemeente"]].rename(columns={"gemeente": "waarde"}).dropna()

    def peer_median(ind_id):
        t = comparisons[ind_id].trend
        return t.loc[t["jaar"] <= year, ["jaar", "mediaan"]].dropna()

    def breaks(ind_id):
        c = comparisons[ind_id]
        found = [
            (b.year, f"de reeks breekt in {b.year} door de herindeling met {fmt.join_nl(b.absorbed)}") for b in c.breaks
        ]
        found += [
            (
                j.year_to,
                f"het cijfer maakte tussen {j.year_from} en {j.year_to} een sprong die op een "
                f"andere registratie of definitie kan wijzen",
            )
            for j in c.jumps
        ]
        return max(found) if found else (None, None)

    return goal_verdicts.evaluate(goal_file, catalogue, own_series, peer_median, breaks)
