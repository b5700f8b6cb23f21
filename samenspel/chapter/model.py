"""One municipality's chapter: the comparisons, findings and charts that the notebook shows.

The notebook `notebooks/gemeente.ipynb` only calls `Chapter.build(...)` and the `show_*`
methods; everything here is plain Python and unit-tested.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

import samenspel
from samenspel import fmt, paths
from samenspel.analysis import compare, peers
from samenspel.chapter import charts
from samenspel.data import dataset, regions
from samenspel.errors import SamenspelError

THEME_ORDER = [("jeugd", "Jeugd"), ("wmo", "Wmo"), ("participatie", "Participatie en inkomen"), ("bevolking", "Bevolking")]
THEME_MEMBERS = {"jeugd": ["jeugd"], "wmo": ["wmo"], "participatie": ["participatie", "inkomen"], "bevolking": ["bevolking"]}
CHARTS_PER_THEME = 2
MAX_WIJK_CHARTS = 5
COHERENCE_PAIRS = [("laagste_40_pct", "wmo_per_1000"), ("sociaal_minimum_pct", "wmo_per_1000"),
                   ("bijstand_per_1000", "jeugdzorg_pct")]


def _display(obj) -> None:
    from IPython.display import display

    display(obj)


def _md(text: str) -> None:
    from IPython.display import Markdown

    _display(Markdown(text))


def _html(text: str) -> None:
    from IPython.display import HTML

    _display(HTML(text))


def _casestudy_stamp() -> tuple:
    return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in paths.CASESTUDY_DIR.glob("*.md")))


@functools.lru_cache(maxsize=2)
def _case_studies(_stamp: tuple, known: tuple) -> list:
    """The case studies, parsed and validated once per process while the files are unchanged
    (municipality codes are checked against the dataset's list, not recomputed)."""
    from samenspel import casestudies

    return casestudies.load_all(paths.CASESTUDY_DIR, known_municipalities=dict(known))


def _retrieval(table: dict) -> str:
    """When and how a table was obtained, in words."""
    if table.get("origin") == "snapshot":
        when = f" van {fmt.date_nl(table['retrieved'])}" if table.get("retrieved") else ""
        return f"uit de meegeleverde momentopname{when}"
    if table.get("retrieved"):
        return f"opgehaald bij het CBS op {fmt.date_nl(table['retrieved'])}"
    return "ophaaldatum onbekend"


def _unit_note(ind) -> str:
    """The unit under a label, unless the label already says it."""
    if ind.unit.lower() in ind.label.lower():
        return ""
    return f"<br><small>{html.escape(ind.unit)}</small>"


@dataclass
class Chapter:
    municipality: regions.Municipality
    year: int
    profile_year: int
    peer_group: peers.PeerGroup
    comparisons: dict
    data: dict
    parameters: dict
    _findings: list | None = field(default=None, repr=False)

    # ------------------------------------------------------------------ building
    @classmethod
    def build(cls, gemeente: str, jaar: int | None = None, vergelijk_met=None, methode: str = "tweelingen") -> "Chapter":
        data = dataset.load()
        years = data["years"]
        year = int(jaar) if jaar else years[-1]
        if year not in data["municipalities"]:
            raise SamenspelError(
                f"Voor {year} is er geen KWB-tabel beschikbaar (beschikbaar: {', '.join(map(str, years))})."
            )
        muni = regions.lookup(gemeente, year, data["municipalities"][year])
        profile_year = cls._profile_year(data, year)
        municipalities = data["municipalities"][profile_year]
        if muni.code not in set(municipalities["code"]):
            municipalities = data["municipalities"][year]
            profile_year = year
        if vergelijk_met:
            codes = [regions.lookup(m, year, data["municipalities"][year]).code for m in vergelijk_met]
            group = peers.explicit(muni.code, codes, data["municipalities"][year])
        elif methode in ("grootteklasse", "provincie"):
            group = peers.by_attribute(muni.code, data["municipalities"][year], methode)
        elif methode == "tweelingen":
            prof = peers.profile(data["values"], municipalities, profile_year)
            group = peers.twins(muni.code, prof)
            group.explanation += f" Het profiel gebruikt de cijfers van {profile_year}."
            if group.left_out:
                group.explanation += (f" Niet meegeteld, omdat het CBS-cijfer ontbreekt: "
                                      f"{peers._join(group.left_out)}.")
        else:
            raise SamenspelError(f"Onbekende vergelijkingsmethode '{methode}' (kies uit: {', '.join(peers.METHODS)}).")
        comparisons = {}
        for ind in data["catalogue"]:
            vals = dataset.values_for(data, ind.id)
            vals = vals[vals["niveau"].isin(["gemeente", "land"])]
            comparisons[ind.id] = compare.compare(ind, muni.code, group.members, vals, year)
        params = {"gemeente": gemeente, "jaar": jaar, "vergelijk_met": vergelijk_met, "methode": methode}
        return cls(muni, year, profile_year, group, comparisons, data, params)

    @staticmethod
    def _profile_year(data: dict, year: int) -> int:
        """The latest year <= `year` in which at least 80% of municipalities have population
        figures; else the year with the best coverage."""
        v = data["values"]
        inw = v[(v["indicator"] == "inwoners") & (v["niveau"] == "gemeente") & v["waarde"].notna()]
        coverage = {y: inw[inw["jaar"] == y]["code"].nunique() / max(1, len(data["municipalities"][y]))
                    for y in data["years"]}
        good = [y for y, c in coverage.items() if c >= peers.MIN_COVERAGE and y <= year]
        if good:
            return max(good)
        return max(coverage, key=lambda y: (coverage[y], -abs(y - year)))

    # ------------------------------------------------------------------ helpers
    @property
    def name(self) -> str:
        return self.municipality.naam

    def peer_names(self) -> list[str]:
        known = self.data["known"]
        return [known.get(c, c) for c in self.peer_group.members]

    def findings(self) -> list[compare.Finding]:
        """In het kort (computed once; several sections use it)."""
        if self._findings is None:
            self._findings = compare.findings(list(self.comparisons.values()), self.name)
        return self._findings

    def themes_without_data(self) -> list[str]:
        return [label for key, label in THEME_ORDER
                if not any(c.has_data for c in self._theme_comparisons(key))]

    def _theme_comparisons(self, key: str) -> list[compare.Comparison]:
        members = THEME_MEMBERS[key]
        return [c for c in self.comparisons.values() if c.indicator.theme in members]

    def metadata(self) -> dict:
        m = self.municipality
        return {
            "code": m.code, "naam": m.naam, "provincie": m.provincie,
            "inwoners": None if m.inwoners is None else int(m.inwoners),
            "inwoners_jaar": m.inwoners_jaar, "jaar": self.year,
            "grootteklasse": m.grootteklasse,
            "vergelijkingsgroep": self.peer_group.members, "methode": self.peer_group.method,
            "versie": samenspel.__version__, "gegevens": self.data["fingerprint"],
        }

    # ------------------------------------------------------------------ sections
    def show_wie(self) -> None:
        m = self.municipality
        inw = (f"{fmt.number(m.inwoners)} inwoners (1 januari {m.inwoners_jaar})"
               if m.inwoners is not None else "aantal inwoners: geen gegevens")
        sted = (f"{m.stedelijkheid_label} (klasse {m.stedelijkheid}; {m.stedelijkheid_bron})"
                if m.stedelijkheid else "stedelijkheid: geen gegevens in de beschikbare CBS-tabellen")
        lines = [
            (f"**{m.naam}** ({m.code}) ligt in de provincie **{m.provincie}** en heeft {inw}."
             if m.provincie else
             f"**{m.naam}** ({m.code}) heeft {inw}. De provincie staat niet in de beschikbare CBS-tabellen."),
            f"CBS-grootteklasse: {m.grootteklasse or 'onbekend'}. Stedelijkheid: {sted}.",
            "",
            f"**Vergelijkbare gemeenten** ({self.peer_group.label}): {', '.join(self.peer_names())}.",
            "",
            self.peer_group.explanation,
        ]
        missing = self.themes_without_data()
        if missing:
            lines += ["", f"```{{note}}\nIn de beschikbare CBS-tabellen (tot en met {self.year}) staan voor "
                      f"{m.naam} geen cijfers over: {peers._join(missing).lower()}. Deze onderdelen melden "
                      f"daarom 'geen gegevens'. Het CBS publiceert deze cijfers per gemeente in de Kerncijfers "
                      f"wijken en buurten; zodra ze beschikbaar zijn, verschijnen ze hier.\n```"]
        _md("\n".join(lines))

    def show_kort(self) -> None:
        found = self.findings()
        if not found:
            _md(f"Er zijn te weinig cijfers om {self.name} met vergelijkbare gemeenten te vergelijken "
                f"(geen gegevens). Zie de thema's hieronder voor wat er wel is.")
            return
        text = [f"Hier wijkt {self.name} het meest af van de {len(self.peer_group.members)} vergelijkbare gemeenten. "
                f"Een verschil is geen oordeel: het is een aanleiding om door te vragen.", ""]
        text += [f"- {f.sentence}" for f in found]
        _md("\n".join(text))

    def show_theme(self, key: str) -> None:
        comps = self._theme_comparisons(key)
        with_data = [c for c in comps if c.has_data]
        if not with_data:
            _md(f"Voor {self.name} zijn er in de beschikbare CBS-tabellen tot en met {self.year} **geen gegevens** "
                f"over dit thema ({', '.join(fmt.lower_first(c.indicator.label) for c in comps)}).")
            return
        _html(self.theme_table(comps))
        for c in self._charted(comps):
            _display(charts.position_chart(c, self.name, self.municipality.code))
            if len(c.trend) > 1:
                _display(charts.trend_chart(c, self.name))

    def _charted(self, comps: list[compare.Comparison]) -> list[compare.Comparison]:
        found = {f.comparison.indicator.id for f in self.findings()}
        candidates = [c for c in comps if c.has_data and c.peer_median is not None and c.indicator.unit != "aantal"]
        candidates.sort(key=lambda c: (not c.indicator.key, c.indicator.id not in found))
        return candidates[:CHARTS_PER_THEME]

    def theme_table(self, comps: list[compare.Comparison]) -> str:
        rows = []
        for c in comps:
            unit = c.indicator.unit
            pct = unit.startswith("%")

            def t(v, c=c, pct=pct):
                return fmt.number(v, c.indicator.decimals) + ("%" if pct and not fmt.is_missing(v) else "")

            rows.append(
                "<tr>"
                f"<th scope=\"row\">{html.escape(c.indicator.label)}{_unit_note(c.indicator)}</th>"
                f"<td>{t(c.value)}</td><td>{t(c.peer_median)}</td><td>{t(c.national)}</td>"
                f"<td>{c.year or '–'}</td>"
                f"<td>{f'{c.rank} van {c.ranked_of}' if c.rank else '–'}</td>"
                "</tr>"
            )
        return (
            '<div class="samenspel-table-wrap"><table class="samenspel-table">'
            f"<caption>{html.escape(self.name)} vergeleken met de mediaan van vergelijkbare gemeenten en met "
            "Nederland, in het nieuwste jaar met cijfers voor deze gemeente. Plaats 1 = hoogste waarde.</caption>"
            f"<thead><tr><th scope=\"col\">Indicator</th><th scope=\"col\">{html.escape(self.name)}</th>"
            "<th scope=\"col\">Mediaan vergelijkbare gemeenten</th><th scope=\"col\">Nederland</th>"
            "<th scope=\"col\">Jaar</th><th scope=\"col\">Plaats</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )

    def alternative_groups(self) -> list[peers.PeerGroup]:
        """The CBS size class and the province, as other views next to the twins."""
        frame = self.data["municipalities"][self.year]
        groups = []
        for attribute in ("grootteklasse", "provincie"):
            if self.peer_group.method == attribute:
                continue
            try:
                groups.append(peers.by_attribute(self.municipality.code, frame, attribute))
            except SamenspelError:
                continue
        return groups

    def show_alternatieven(self) -> None:
        groups = self.alternative_groups()
        key = [c for c in self.comparisons.values() if c.indicator.key and c.has_data]
        if not groups or not key:
            _md("Geen andere vergelijkingsgroepen met gegevens.")
            return
        head = "".join(f'<th scope="col">Mediaan {html.escape(g.label)}</th>' for g in groups)
        rows = []
        for c in key:
            cells = [f"<td>{fmt.number(c.value, c.indicator.decimals)}</td>",
                     f"<td>{fmt.number(c.peer_median, c.indicator.decimals)}</td>"]
            for g in groups:
                vals = dataset.values_for(self.data, c.indicator.id)
                other = compare.compare(c.indicator, self.municipality.code, g.members,
                                        vals[vals["niveau"] == "gemeente"], self.year)
                n = f" <small>({other.peer_count})</small>" if other.peer_median is not None else ""
                cells.append(f"<td>{fmt.number(other.peer_median, c.indicator.decimals)}{n}</td>")
            rows.append(f'<tr><th scope="row">{html.escape(c.indicator.label)}<br><small>'
                        f'{html.escape(c.indicator.unit)}, {c.year}</small></th>{"".join(cells)}</tr>')
        what = " en ".join(g.explanation.split(". ")[0].replace("De vergelijkingsgroep bestaat uit ", "")
                           for g in groups)
        _md(f"Dezelfde kernindicatoren, vergeleken met andere groepen: {what}. Tussen haakjes: "
            f"het aantal gemeenten met een cijfer.")
        _html('<div class="samenspel-table-wrap"><table class="samenspel-table">'
              f"<caption>{html.escape(self.name)} naast de mediaan van drie vergelijkingsgroepen.</caption>"
              f'<thead><tr><th scope="col">Indicator</th><th scope="col">{html.escape(self.name)}</th>'
              f'<th scope="col">Mediaan {html.escape(self.peer_group.label)}</th>{head}</tr></thead>'
              f"<tbody>{''.join(rows)}</tbody></table></div>")

    def wijk_values(self) -> pd.DataFrame:
        """Wijk values of the key indicators, each in its latest year (<= the chapter's year)
        with wijk figures for this municipality."""
        v = self.data["values"]
        prefix = "WK" + self.municipality.code[2:]
        key_ids = [i.id for i in self.data["catalogue"] if i.key]
        wk = v[(v["niveau"] == "wijk") & v["code"].str.startswith(prefix) & (v["jaar"] <= self.year)
               & v["indicator"].isin(key_ids)]
        with_data = wk[wk["waarde"].notna()]
        if with_data.empty:
            return wk.iloc[0:0]
        latest = with_data.groupby("indicator", observed=True)["jaar"].max()
        keep = wk["jaar"] == wk["indicator"].map(latest).astype(float)
        return wk[keep]

    def show_wijken(self) -> None:
        wk = self.wijk_values()
        if wk.empty:
            _md(f"Voor de wijken van {self.name} zijn er in de beschikbare CBS-tabellen tot en met {self.year} "
                f"**geen gegevens** over de kernindicatoren. Het CBS publiceert wijkcijfers in de Kerncijfers "
                f"wijken en buurten; kleine aantallen worden daar om privacyredenen weggelaten.")
            return
        _md(f"De wijken van {self.name} naast elkaar, per indicator in het nieuwste jaar met wijkcijfers. "
            f"De stippellijn is de waarde van de hele gemeente. Wijken waar het CBS het cijfer niet publiceert "
            f"(te weinig inwoners of geheim), staan onder de figuur als 'geen gegevens'.")
        gv = self.data["values"]
        shown = 0
        for ind in self.data["catalogue"]:
            if not ind.key or shown >= MAX_WIJK_CHARTS:
                continue
            frame = wk[wk["indicator"] == ind.id][["code", "naam", "waarde", "tabel", "jaar"]]
            if frame.empty or frame["waarde"].notna().sum() == 0:
                continue
            year = int(frame["jaar"].iloc[0])
            own = gv[(gv["indicator"] == ind.id) & (gv["code"] == self.municipality.code) & (gv["jaar"] == year)]["waarde"]
            own_value = None if own.empty or pd.isna(own.iloc[0]) else float(own.iloc[0])
            _display(charts.wijk_chart(ind, frame.drop(columns="jaar"), own_value, self.name, year, frame["tabel"].iloc[0]))
            shown += 1

    def coherences(self) -> list[compare.Coherence]:
        cat = {i.id: i for i in self.data["catalogue"]}
        vals = self.data["values"]
        result, seen_y = [], set()
        for xid, yid in COHERENCE_PAIRS:
            if yid in seen_y:
                continue
            sub = vals[vals["indicator"].isin([xid, yid])]
            coh = compare.coherence(cat[xid], cat[yid], sub, self.municipality.code, self.year)
            if coh.r is not None or (xid, yid) == COHERENCE_PAIRS[-1]:
                result.append(coh)
                seen_y.add(yid)
            elif yid == "wmo_per_1000" and (xid, yid) == COHERENCE_PAIRS[1]:
                result.append(coh)  # neither income measure works: say so once
                seen_y.add(yid)
        return result

    def show_samenhang(self) -> None:
        _md("Hangen de domeinen samen? Elke stip is een gemeente; "
            f"**{self.name}** is blauw, de vergelijkbare gemeenten zijn omcirkeld.")
        for coh in self.coherences():
            if coh.r is None:
                _md(f"**{coh.y.label} tegen {fmt.lower_first(coh.x.label)}**: {coh.words(self.name)} "
                    f"Voor {self.name} of voor te weinig andere gemeenten zijn beide cijfers niet "
                    f"in hetzelfde jaar beschikbaar.")
                continue
            _display(charts.scatter_chart(coh, self.municipality.code, self.peer_group.members, self.name))
            _md(coh.words(self.name))

    def show_definities(self) -> None:
        tables = {t["table_id"]: t for t in self.data["tables"]}
        rows = []
        for c in self.comparisons.values():
            ind = c.indicator
            table = tables.get(c.table) if c.table else None
            definition = ind.definition or "Geen definitie in de CBS-tabel."
            rows.append(
                "<tr>"
                f"<th scope=\"row\">{html.escape(ind.label)}<br><small>{html.escape(ind.unit)}</small></th>"
                f"<td>{html.escape(ind.explanation)}<details><summary>Definitie van het CBS</summary>"
                f"<p>{html.escape(definition).replace(chr(10), '<br>')}</p></details>"
                f"<small>Berekening: {html.escape(ind.computation())}</small></td>"
                f"<td>{c.table or 'geen gegevens'}<br><small>{html.escape(c.columns or '')}</small></td>"
                f"<td>{c.year or '–'}</td><td>{c.status or '–'}</td>"
                f"<td>{_retrieval(table) if table else '–'}</td>"
                "</tr>"
            )
        _html(
            '<div class="samenspel-table-wrap"><table class="samenspel-table samenspel-defs">'
            "<caption>Per indicator: wat het betekent, uit welke CBS-tabel en kolom het komt, het jaar, "
            "de status en wanneer de gegevens zijn opgehaald.</caption>"
            "<thead><tr><th scope=\"col\">Indicator</th><th scope=\"col\">Betekenis</th>"
            "<th scope=\"col\">CBS-tabel</th><th scope=\"col\">Jaar</th><th scope=\"col\">Status</th>"
            "<th scope=\"col\">Opgehaald</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )

    def case_studies(self) -> list:
        from samenspel import casestudies

        studies = _case_studies(_casestudy_stamp(), tuple(sorted(self.data["known"].items())))
        frame = self.data["municipalities"][self.year]
        # the case-study schema uses the CBS size classes of samenspel.data.regions
        sizes = dict(zip(frame["code"], frame["grootteklasse"]))
        return casestudies.for_chapter(self.municipality.code, self.peer_group.members,
                                       sizes.get(self.municipality.code), studies, size_class_of=sizes.get)

    def show_leren(self) -> None:
        studies = self.case_studies()
        if not studies:
            _md("Er zijn nog geen casestudies. Onderzoekers kunnen er een toevoegen: zie *Bijdragen*.")
            return
        peers_set = set(self.peer_group.members)
        items = []
        for s in studies:
            why = ("deze gemeente" if s.code == self.municipality.code else
                   "vergelijkbare gemeente" if s.code in peers_set else None)
            label = html.escape(s.municipality_label) + (f" &middot; {why}" if why else "")
            items.append(f'<li><a href="../generated/casestudies/{html.escape(s.slug)}.html">'
                         f"{html.escape(s.titel)}</a> ({label}, {s.jaar})</li>")
        _html("<p>Hoe andere gemeenten hun monitor en de informatie aan de raad hebben ingericht. "
              "Casestudies van deze gemeente en van vergelijkbare gemeenten staan bovenaan.</p>"
              f'<ul class="samenspel-casestudies">{"".join(items)}</ul>')

    def show_vragen(self) -> None:
        found = self.findings()
        questions = [f.question for f in found[:5]]
        if len(questions) < 3:
            questions.append("Welke cijfers over het sociaal domein ontbreken nog, en hoe krijgt de raad die?")
            questions.append("Welke informatie heeft de raad nodig om te beoordelen of het beleid werkt, en hoe vaak?")
        _md("Vragen om in een raadsbijeenkomst te bespreken, afgeleid uit *In het kort*:\n\n"
            + "\n".join(f"{i}. {q}" for i, q in enumerate(questions[:5], 1)))

    def show_bronnen(self, csv_link: str | None = None) -> None:
        used = sorted({c.table for c in self.comparisons.values() if c.table})
        tables = {t["table_id"]: t for t in self.data["tables"]}
        lines = ["**Herkomst van de cijfers**", ""]
        for tid in used:
            t = tables.get(tid, {})
            lines.append(f"- CBS-tabel {tid} ({t.get('title') or t.get('statistic')}), periode {t.get('period')}, "
                         f"gewijzigd door het CBS op {fmt.date_nl(t.get('modified'))}, {_retrieval(t)}.")
        params = ", ".join(f"{k} = {v!r}" for k, v in self.parameters.items())
        lines += ["", f"Gemaakt met Samenspel {samenspel.__version__} op {dt.date.today().strftime('%d-%m-%Y')}, "
                  f"met de parameters {params}.",
                  "Bron van alle cijfers: CBS, Kerncijfers wijken en buurten (CC BY 4.0)."]
        if csv_link:
            lines += ["", f"De cijfers achter de figuren: [download als CSV]({csv_link})."]
        _md("\n".join(lines))

    # ------------------------------------------------------------------ data download
    def figure_data(self) -> pd.DataFrame:
        """The values behind the figures: this municipality, its peers, the Netherlands and
        its wijken, for every indicator and year, with their CBS table and columns."""
        v = self.data["values"]
        codes = set(self.peer_group.members) | {self.municipality.code, compare.NATIONAL}
        prefix = "WK" + self.municipality.code[2:]
        rows = v[v["code"].isin(codes) | v["code"].str.startswith(prefix)].copy()
        rows["indicator"] = rows["indicator"].astype(str)
        rows["rol"] = rows["code"].map(lambda c: "gemeente" if c == self.municipality.code else
                                       "Nederland" if c == compare.NATIONAL else
                                       "wijk" if c.startswith("WK") else "vergelijkbare gemeente")
        return rows[["indicator", "jaar", "code", "naam", "rol", "waarde", "tabel", "kolommen", "status"]]

    def write_csv(self, directory: Path | None = None) -> Path:
        """Write the figure data next to the chapter (book/gemeenten/GMxxxx.csv); the chapter
        links to it and the book build publishes it as a download."""
        directory = paths.chapter_dir() if directory is None else directory
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / f"{self.municipality.code}.csv"
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            self.figure_data().to_csv(fh, index=False, sep=";", decimal=",")
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
        return target
