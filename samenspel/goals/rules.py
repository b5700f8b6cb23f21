"""The rules between fields of a goals file (the schema's ``x-regels``): the indicator and its
unit, what kind of target, the years, the fields of an own figure, duplicates. Each check
gives (field path, Dutch message) and skips a field the schema already refused."""

from __future__ import annotations

import datetime as _dt
import difflib
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from samenspel import fmt
from samenspel.casestudies.parse import field_path
from samenspel.casestudies.safety import is_wellformed_url
from samenspel.goals.model import OWN, Goal
from samenspel.goals.schema import document_schema, own_fields

TARGETS = ("streefwaarde", "grens", "verandering")
Found = list[tuple[str | None, str]]


def is_year(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def refused(name: str, bad: set[str]) -> bool:
    """Whether the schema refused this field or a field inside it."""
    return any(b == name or b.startswith(name + ".") or b.startswith(name + "[") for b in bad)


def or_list(items: list[str]) -> str:
    """['a', 'b', 'c'] -> "'a', 'b' of 'c'"."""
    quoted = [f"'{item}'" for item in items]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " of " + quoted[-1]


def unit_key(text: str) -> str:
    """A unit as compared: case, spaces and thousands points do not count."""
    text = re.sub(r"(?<=\d)\.(?=\d{3}\b)", "", text.casefold())
    return " ".join(text.split())


# --------------------------------------------------------------------------- documents


def document_problems(doc: Any, prefix: str, bad: set[str]) -> tuple[Found, int | None]:
    """Problems in a document (the file's or an own figure's source), and its year."""
    if not isinstance(doc, Mapping):
        return [], None
    out: Found = []
    datum, jaar = doc.get("datum"), doc.get("jaar")
    date_year = None
    if isinstance(datum, str) and not refused(f"{prefix}.datum", bad):
        try:
            date_year = _dt.date.fromisoformat(datum).year
        except ValueError:
            out.append(
                (f"{prefix}.datum", f"'{datum}' is geen bestaande datum; verwacht jaar-maand-dag, zoals 2025-11-06.")
            )
    one_of = document_schema().get("x-een-van", [])
    if one_of and not any(name in doc for name in one_of):
        out.append(
            (
                prefix,
                f"verwacht het veld {or_list(one_of)}: de datum van het document "
                "(zoals 2025-11-06) of, als die niet bekend is, het jaar (zoals 2025).",
            )
        )
    if date_year and is_year(jaar) and jaar != date_year:
        out.append(
            (
                f"{prefix}.jaar",
                f"het jaar {jaar} past niet bij de datum {datum}; verwacht {date_year}, of laat het jaar weg.",
            )
        )
    url = doc.get("url")
    if isinstance(url, str) and not refused(f"{prefix}.url", bad) and not is_wellformed_url(url):
        out.append(
            (
                f"{prefix}.url",
                f"ongeldig webadres '{url}'; verwacht een volledig adres als https://www.voorbeeld.nl/begroting-2026.",
            )
        )
    year = date_year or (jaar if is_year(jaar) and not refused(f"{prefix}.jaar", bad) else None)
    return out, year


# --------------------------------------------------------------------------- one goal


def _indicator_problems(goal: Mapping[str, Any], prefix: str, units: Mapping[str, str]) -> Found:
    indicator = goal["indicator"]
    if indicator not in units:
        close = difflib.get_close_matches(indicator, list(units), n=3, cutoff=0.6)
        hint = f" Bedoelde u {or_list(close)}?" if close else ""
        return [
            (
                f"{prefix}.indicator",
                f"onbekende indicator '{indicator}'; verwacht een id uit data/indicators.yml "
                f"(de lijst staat in doelen/README.md) of 'eigen'.{hint}",
            )
        ]
    out: Found = []
    for name in own_fields() + ["waarden_toelichting"]:
        if name in goal and name != "eenheid":
            out.append(
                (
                    f"{prefix}.{name}",
                    f"hoort alleen bij een eigen cijfer (indicator: eigen): de waarden van de "
                    f"CBS-indicator '{indicator}' komen van het CBS. Verwacht: haal '{name}' weg, of "
                    "maak er een eigen cijfer van als het document een andere definitie gebruikt.",
                )
            )
    given, unit = goal.get("eenheid"), units[indicator]
    if isinstance(given, str) and unit_key(given) != unit_key(unit):
        out.append(
            (
                f"{prefix}.eenheid",
                f"de eenheid '{given}' is niet die van de CBS-indicator '{indicator}' ({unit}). "
                "Een doel hoort alleen bij een CBS-indicator als de definitie dezelfde is: een "
                "begroting telt bijvoorbeeld bijstand per 10.000 inwoners van 18 jaar en ouder, het "
                "CBS per 1.000 van alle inwoners. Verwacht de eenheid "
                f"'{unit}' (of laat 'eenheid' weg), of maak er een eigen cijfer van: 'indicator: "
                "eigen' met de naam, de eenheid, de waarden en de bron uit het document.",
            )
        )
    return out


def _target_problems(goal: Mapping[str, Any], prefix: str, bad: set[str]) -> Found:
    out: Found = []
    given = [t for t in TARGETS if t in goal]
    if len(given) > 1:
        out.append(
            (
                f"{prefix}.{given[1]}",
                f"een doel heeft hoogstens één van streefwaarde, grens en verandering; dit doel "
                f"heeft er {len(given)} ({fmt.join_nl(given)}). Verwacht er één, of maak er "
                "twee doelen van met elk een eigen doeljaar.",
            )
        )
    if not given and "richting" not in goal:
        out.append(
            (
                prefix,
                "dit doel zegt niet wat de gemeente wil bereiken; verwacht een streefwaarde, een grens "
                "({onder: 10} of {boven: 70}), een verandering ({vanaf: 2018, met: -200}) of alleen een "
                "richting (lager, hoger of gelijk). Noemt het document geen doel, haal het doel dan weg.",
            )
        )
    grens = goal.get("grens")
    if isinstance(grens, Mapping) and not refused(f"{prefix}.grens", bad):
        sides = [s for s in ("onder", "boven") if s in grens]
        if len(sides) != 1:
            found = "geen van beide" if not sides else "allebei"
            out.append(
                (
                    f"{prefix}.grens",
                    f"verwacht precies één van 'onder' en 'boven', zoals {{onder: 10}}; gevonden: {found}.",
                )
            )
    richting = goal.get("richting")
    if "marge" in goal and richting != "gelijk":
        out.append(
            (
                f"{prefix}.marge",
                "een marge hoort alleen bij 'richting: gelijk'; verwacht 'richting: gelijk' erbij, "
                "of haal de marge weg.",
            )
        )
    out += _direction_problems(goal, prefix, bad)
    return out


def _direction_problems(goal: Mapping[str, Any], prefix: str, bad: set[str]) -> Found:
    """A direction that contradicts the bound or the change."""
    richting = goal.get("richting")
    if richting not in ("lager", "hoger", "gelijk") or refused(f"{prefix}.richting", bad):
        return []
    expected, what = None, None
    grens = goal.get("grens")
    if isinstance(grens, Mapping) and len(grens) == 1 and not refused(f"{prefix}.grens", bad):
        side = next(iter(grens))
        expected = {"onder": "lager", "boven": "hoger"}.get(side)
        what = f"een grens '{side}'"
    verandering = goal.get("verandering")
    if isinstance(verandering, Mapping) and is_number(verandering.get("met")):
        met = verandering["met"]
        expected = "lager" if met < 0 else "hoger" if met > 0 else "gelijk"
        what = f"een verandering met {fmt.number(met, 0 if float(met).is_integer() else 1)}"
    if expected is None or richting == expected:
        return []
    return [
        (
            f"{prefix}.richting",
            f"de richting '{richting}' past niet bij {what}; verwacht '{expected}', of laat de richting weg.",
        )
    ]


def _year_problems(goal: Mapping[str, Any], prefix: str, doc_year: int | None, bad: set[str]) -> Found:
    out: Found = []
    jaar = goal.get("jaar")
    if not is_year(jaar) or refused(f"{prefix}.jaar", bad):
        return out
    if doc_year is not None and jaar < doc_year:
        out.append(
            (
                f"{prefix}.jaar",
                f"het doeljaar {jaar} ligt vóór het jaar van het document ({doc_year}, veld 'bron'); "
                f"verwacht {doc_year} of later. Noemt het document geen doeljaar, laat 'jaar' dan weg.",
            )
        )
    verandering = goal.get("verandering")
    if isinstance(verandering, Mapping) and is_year(verandering.get("vanaf")) and verandering["vanaf"] >= jaar:
        out.append(
            (
                f"{prefix}.verandering.vanaf",
                f"het basisjaar {verandering['vanaf']} ligt niet vóór het doeljaar "
                f"{jaar}; verwacht een basisjaar vóór {jaar}.",
            )
        )
    return out


def goal_problems(goal: Any, prefix: str, units: Mapping[str, str], doc_year: int | None, bad: set[str]) -> Found:
    """Every rule about one goal (``prefix`` is its field path, like 'doelen[2]')."""
    if (
        not isinstance(goal, Mapping)
        or not isinstance(goal.get("indicator"), str)
        or refused(f"{prefix}.indicator", bad)
    ):
        return []
    out: Found = []
    if goal["indicator"] == OWN:
        out += document_problems(goal.get("bron"), f"{prefix}.bron", bad)[0]
    else:
        out += _indicator_problems(goal, prefix, units)
    out += _target_problems(goal, prefix, bad)
    out += _year_problems(goal, prefix, doc_year, bad)
    return out


# --------------------------------------------------------------------------- the whole file


def _key(goal: Mapping[str, Any]) -> tuple:
    """The model's key of a goal (samenspel.goals.model.Goal.key)."""
    naam = goal.get("naam") if isinstance(goal.get("naam"), str) else None
    jaar = goal.get("jaar") if is_year(goal.get("jaar")) else None
    return Goal(indicator=goal["indicator"], naam=naam, jaar=jaar).key


def duplicate_problems(goals: list[Any]) -> Found:
    """Two goals with the same key; one own figure with two units."""
    out: Found = []
    seen: dict[tuple, int] = {}
    units: dict[str, tuple[str, int]] = {}
    for i, goal in enumerate(goals):
        if not isinstance(goal, Mapping) or not isinstance(goal.get("indicator"), str):
            continue
        key = _key(goal)
        if key in seen:
            what = f"dezelfde indicator ('{key[0]}')" + (f" en dezelfde naam ('{key[1]}')" if key[1] else "")
            year = f"hetzelfde doeljaar ({key[2]})" if key[2] else "ook geen doeljaar"
            out.append(
                (
                    f"doelen[{i + 1}]",
                    f"dit doel staat er twee keer: doelen[{seen[key] + 1}] heeft {what} en {year}; "
                    "verwacht één doel per indicator en doeljaar. Voeg ze samen, of geef elk "
                    "doel het doeljaar uit het document.",
                )
            )
            continue
        seen[key] = i
        naam, eenheid = goal.get("naam"), goal.get("eenheid")
        if goal["indicator"] == OWN and isinstance(naam, str) and isinstance(eenheid, str):
            first = units.setdefault(naam, (eenheid, i))
            if unit_key(first[0]) != unit_key(eenheid):
                out.append(
                    (
                        f"doelen[{i + 1}].eenheid",
                        f"het eigen cijfer '{naam}' heeft in doelen[{first[1] + 1}] de eenheid "
                        f"'{first[0]}'; verwacht overal dezelfde eenheid (een andere "
                        "eenheid is een ander cijfer: geef het een andere naam).",
                    )
                )
    return out


def number_problems(value: Any, path: list[Any]) -> Iterable[tuple[str, str]]:
    """Numbers that are no ordinary number ('.nan', '.inf')."""
    if isinstance(value, float) and not math.isfinite(value):
        yield field_path(path), f"verwacht een gewoon getal, gevonden: {value}."
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from number_problems(v, [*path, k])
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from number_problems(v, [*path, i])
