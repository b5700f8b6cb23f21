"""Which gemeente a goals file is about: a CBS code or a name, normalised to the code; an
unknown one with suggestions, a dissolved one with its successor (samenspel.data.regions)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from samenspel.casestudies.validate import LazyMunicipalities as _CaseStudyMunicipalities
from samenspel.data import regions


class LazyMunicipalities(_CaseStudyMunicipalities):
    """The known municipalities (code -> name), asked for only when a file needs them.

    Default: every code valid in some year 2014-2025 (samenspel.data.regions, as the case
    studies get them)."""

    def __init__(self, given: Mapping[str, str] | None):
        super().__init__(given, checked="de gemeenten in de doelenbestanden")


def _current(known: Mapping[str, str]) -> dict[str, str]:
    """The known municipalities that were not dissolved."""
    dissolved = regions.mergers()
    return {code: name for code, name in known.items() if code not in dissolved}


def _code_for_name(text: str, known: Mapping[str, str]) -> str | None:
    key = regions.normalise(text)
    for code, name in _current(known).items():
        if regions.normalise(name) == key:
            return code
    if key in regions.ALIASES:
        return regions.ALIASES[key]
    for code, merger in regions.mergers().items():
        if regions.normalise(merger["naam"]) == key:
            return code
    return None


def _dissolved_message(code: str, known: Mapping[str, str]) -> str:
    merger = regions.mergers()[code]
    successors = [(c, known.get(c, c)) for c in merger["opvolgers"]]
    error = regions.DissolvedMunicipality(code, merger["naam"], merger["datum"], successors, merger.get("toelichting"))
    first_code, first_name = successors[0]
    return (
        f"{error.message} Verwacht een doelenbestand voor een gemeente die nu bestaat: zet de doelen "
        f"van {first_name} in doelen/{first_code}.yml met 'gemeente: {first_code}'."
    )


def resolve(text: str, known: Mapping[str, str]) -> tuple[str | None, str | None, str | None]:
    """(code, name, None) for a gemeente that exists, else (None, None, Dutch message)."""
    code = regions.code_from(text)
    if code is None:
        code = _code_for_name(text, known)
        if code is None:
            names = sorted(_current(known).values())
            close = regions.suggestions(text, pd.DataFrame({"naam": names}))
            hint = f" Bedoelt u misschien: {', '.join(close)}?" if close else ""
            return (
                None,
                None,
                (
                    f"onbekende gemeente '{text}'; verwacht de naam of de CBS-code (zoals GM0034 voor Almere) "
                    f"van een gemeente die tussen 2014 en 2025 bestond.{hint}"
                ),
            )
    if code in regions.mergers():
        return None, None, _dissolved_message(code, known)
    if code not in known:
        return (
            None,
            None,
            (
                f"onbekende CBS-gemeentecode '{text}'; verwacht de code (GM en vier cijfers, zoals GM0034 voor "
                "Almere) of de naam van een gemeente die tussen 2014 en 2025 bestond."
            ),
        )
    return code, known[code], None
