"""The comparison page: every case study side by side on the structured fields, filterable,
and a short synthesis of what recurs. Each synthesis point is computed from the fields the
researchers filled in and links to the case studies it rests on; a point that rests on fewer
than MIN_LINKS case studies is not made."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from samenspel import templating
from samenspel.casestudies.parse import GENERATED_MARKER, UNKNOWN, CaseStudy
from samenspel.casestudies.schema import load_schema, size_classes, themes

COMPARE_SLUG = "vergelijking"
MIN_LINKS = 2
INVOLVED = ("geraadpleegd", "medeontwikkelaar", "bepalend")
SOURCE_KINDS = {
    "gemeente": "de gemeente zelf",
    "rekenkamer": "een rekenkamer",
    "onderzoek": "onderzoekers",
    "pers": "de pers",
    "raadsfractie": "een raadsfractie",
}


def source_kinds(cs: CaseStudy) -> list[str]:
    return list(dict.fromkeys(b.get("soort", UNKNOWN) for b in cs.meta.get("bronnen", [])))


def _level(cs: CaseStudy, key: str) -> str:
    return (cs.meta.get(key) or {}).get("niveau", UNKNOWN)


def _sessions(cs: CaseStudy) -> str:
    return (cs.meta.get("interactieve_sessies") or {}).get("gehouden", UNKNOWN)


def _follow_up(studies: Sequence[CaseStudy]) -> str:
    """'van de 19 aanbevelingen is bij 4 bekend wat ermee gebeurde: 2 uitgevoerd, ...'"""
    recs = [r for cs in studies for r in cs.meta.get("aanbevelingen", [])]
    known = [r["opvolging"] for r in recs if r.get("opvolging") not in (None, UNKNOWN)]
    if not known:
        return f"van geen van de {len(recs)} aanbevelingen is bekend wat ermee gebeurde"
    counts = ", ".join(f"{known.count(v)} {v}" for v in dict.fromkeys(known))
    return f"van {len(known)} van de {len(recs)} aanbevelingen is dat bekend: {counts}"


def link_label(cs: CaseStudy) -> str:
    """A case study in a list of links: its municipality, or its title when anonymous."""
    return cs.titel if cs.code is None and not cs.region_codes else cs.municipality_label


@dataclass
class Point:
    """One thing that recurs, and the case studies it rests on."""

    text: str
    studies: list[CaseStudy]


def synthesis(studies: Sequence[CaseStudy]) -> list[Point]:
    """What recurs across the case studies, from their structured fields."""
    n = len(studies)
    rules: list[tuple[Callable[[CaseStudy], bool], Callable[[int], str]]] = [
        (
            lambda cs: "rekenkamer" in source_kinds(cs),
            lambda k: f"In {k} van de {n} casestudies is een onderzoek of brief van een rekenkamer een van de bronnen.",
        ),
        (
            lambda cs: bool(cs.meta.get("aanbevelingen")),
            lambda k: (
                f"{k} casestudies geven de aanbevelingen van zo'n onderzoek, met wat ermee gebeurde voor zover "
                f"een bron dat zegt ({_follow_up(studies)})."
            ),
        ),
        (
            lambda cs: "kwalitatief" in cs.meta.get("soort_informatie", []),
            lambda k: (
                f"In {k} casestudies krijgt de raad naast cijfers ook verhalen, ervaringen of andere "
                "kwalitatieve informatie."
            ),
        ),
        (
            lambda cs: _sessions(cs) == "ja",
            lambda k: (
                f"In {k} casestudies bespreken raadsleden de cijfers in een bijeenkomst met ambtenaren, "
                "in plaats van ze alleen te lezen."
            ),
        ),
        (
            lambda cs: _level(cs, "betrokkenheid_raad") in INVOLVED,
            lambda k: (
                f"In {k} casestudies dacht de raad mee over wat hij krijgt, ontwikkelde hij het mee of besliste "
                "hij het zelf."
            ),
        ),
        (
            lambda cs: cs.meta.get("streefwaarden") in ("ja", "deels"),
            lambda k: (
                f"In {k} casestudies horen bij (een deel van) de indicatoren streefwaarden, zodat de raad kan "
                "zien of een doel gehaald wordt."
            ),
        ),
        (
            lambda cs: cs.meta.get("streefwaarden") == "nee",
            lambda k: f"In {k} casestudies zegt een bron juist dat streefwaarden ontbreken.",
        ),
        (
            lambda cs: _level(cs, "betrokkenheid_clienten") not in (UNKNOWN, "niet betrokken"),
            lambda k: f"In {k} casestudies zijn cliënten of hun vertegenwoordigers betrokken bij de informatie.",
        ),
        (
            lambda cs: _level(cs, "betrokkenheid_aanbieders") not in (UNKNOWN, "niet betrokken"),
            lambda k: f"In {k} casestudies leveren of bepalen zorgaanbieders mee wat de raad te zien krijgt.",
        ),
        (
            lambda cs: any(b.get("gelezen") not in (None, "geheel") for b in cs.meta.get("bronnen", [])),
            lambda k: (
                f"{k} casestudies rusten voor een deel op bronnen die maar gedeeltelijk konden worden gelezen "
                "(een samenvatting of inhoudsopgave); dat staat bij elke bron."
            ),
        ),
    ]
    points = []
    for test, words in rules:
        matching = sorted((cs for cs in studies if test(cs)), key=lambda cs: (cs.titel.casefold(), cs.slug))
        if len(matching) >= MIN_LINKS:
            points.append(Point(words(len(matching)), matching))
    return points


@dataclass
class _Row:
    cs: CaseStudy
    size: str
    chapter: bool

    @property
    def values(self) -> dict[str, list[str]]:
        """Per filter: the row's values (a case study can have several themes or source kinds)."""
        m = self.cs.meta
        return {
            "themas": list(self.cs.themas),
            "grootteklasse": [self.size],
            "monitorvorm": [m["monitorvorm"]],
            "rapportagefrequentie": [m["rapportagefrequentie"]],
            "soort_informatie": list(m.get("soort_informatie") or [UNKNOWN]),
            "streefwaarden": [m.get("streefwaarden", UNKNOWN)],
            "betrokkenheid_raad": [_level(self.cs, "betrokkenheid_raad")],
            "interactieve_sessies": [_sessions(self.cs)],
            "betrokkenheid_clienten": [_level(self.cs, "betrokkenheid_clienten")],
            "betrokkenheid_aanbieders": [_level(self.cs, "betrokkenheid_aanbieders")],
            "soort_bron": source_kinds(self.cs),
        }


FILTERS = [
    "themas",
    "grootteklasse",
    "monitorvorm",
    "rapportagefrequentie",
    "soort_informatie",
    "streefwaarden",
    "betrokkenheid_raad",
    "interactieve_sessies",
    "betrokkenheid_clienten",
    "betrokkenheid_aanbieders",
    "soort_bron",
]


def _titles(props: dict) -> dict[str, str]:
    titles = {key: props[key]["title"] for key in FILTERS if key in props}
    titles["soort_bron"] = "Soort bron"
    return titles


def _order(key: str, props: dict) -> list[str]:
    if key == "themas":
        return themes()
    if key == "grootteklasse":
        return size_classes()
    if key == "soort_bron":
        return list(SOURCE_KINDS)
    prop = props.get(key, {})
    if "enum" in prop:
        return list(prop["enum"])
    if "items" in prop and "enum" in prop["items"]:
        return list(prop["items"]["enum"]) + [UNKNOWN]
    nested = prop.get("properties", {}).get("gehouden", {})
    if "enum" in nested:
        return list(nested["enum"])
    ref = prop.get("$ref", "")
    if ref:
        return list(load_schema()["$defs"][ref.rsplit("/", 1)[1]]["properties"]["niveau"]["enum"])
    return []


def render_compare(
    case_studies: Sequence[CaseStudy],
    chapter_exists: Callable[[str], bool],
    *,
    size_class_of: Callable[[str], str | None] | None = None,
    chapters_docpath: str = "../gemeenten",
) -> str:
    props = load_schema()["properties"]
    rows = [
        _Row(cs, cs.size_class(size_class_of) or UNKNOWN, bool(cs.code and chapter_exists(cs.code)))
        for cs in sorted(case_studies, key=lambda cs: (cs.titel.casefold(), cs.slug))
    ]
    options = {}
    for key in FILTERS:
        present = {v for row in rows for v in row.values[key]}
        order = _order(key, props)
        options[key] = [v for v in order if v in present] + sorted(present - set(order))
    table = templating.render(
        "casestudies/compare_table.html",
        rows=rows,
        options=options,
        titles=_titles(props),
        filters=FILTERS,
        chapters_docpath=chapters_docpath,
    )
    return templating.render(
        "casestudies/compare.md",
        marker=GENERATED_MARKER,
        table=table,
        points=synthesis(case_studies),
        total=len(case_studies),
        label=link_label,
    )
