"""The goals file a griffie fills in (``python -m samenspel doelen GEMEENTE``): the gemeente's
key indicators for sturing, each with its latest CBS value as a comment, every target
field commented out. Until a source and a target are filled in, the check refuses it."""

from __future__ import annotations

from pathlib import Path

from samenspel import fmt, paths, templating
from samenspel.data import dataset, indicators
from samenspel.errors import SamenspelError
from samenspel.files import atomic_write
from samenspel.goals.docs import comment
from samenspel.goals.read import SUFFIX


def key_indicators() -> list[indicators.Indicator]:
    """The catalogue's key indicators that the council can steer on (key: true, role: sturing)."""
    return [i for i in indicators.load_catalogue(with_definitions=False) if i.key and i.role == "sturing"]


def latest_text(data: dict, ind: indicators.Indicator, code: str, name: str) -> str:
    """'Laatste CBS-cijfer voor Almere: 24,1 per 1.000 inwoners (2024, voorlopig).'"""
    rows = dataset.values_for(data, ind.id)
    rows = rows[(rows["code"] == code) & rows["waarde"].notna()]
    if rows.empty:
        return f"Het CBS heeft voor {name} (nog) geen cijfer voor deze indicator."
    row = rows.sort_values("jaar").iloc[-1]
    status = ", voorlopig" if row["status"] == "voorlopig" else ""
    value = fmt.with_unit(row["waarde"], ind.unit, ind.decimals)
    return f"Laatste CBS-cijfer voor {name}: {value} ({int(row['jaar'])}{status})."


def render(data: dict, code: str, name: str) -> str:
    """The text of doelen/<code>.yml for gemeente ``code``."""
    return templating.render(
        "goals/gemeente.yml",
        comment=comment,
        code=code,
        gemeente=name,
        indicators=[
            {
                "id": ind.id,
                "label": ind.label,
                "unit": ind.unit,
                "explanation": ind.explanation,
                "latest": latest_text(data, ind, code, name),
            }
            for ind in key_indicators()
        ],
    )


def write(query: str, directory: Path | str | None = None, data: dict | None = None) -> Path:
    """Write the template for the gemeente ``query`` (a name or a code) and return its path;
    an existing file is never overwritten (SamenspelError, nothing written)."""
    data = data if data is not None else dataset.load()
    municipality = dataset.lookup(data, query)
    path = Path(directory or paths.doelen_dir()) / f"{municipality.code}{SUFFIX}"
    if path.exists():
        raise SamenspelError(
            f"{path} bestaat al: de doelen van {municipality.naam} staan er al. Pas dat bestand aan, of "
            "verwijder het eerst als u opnieuw wilt beginnen; het wordt nooit overschreven."
        )
    text = render(data, municipality.code, municipality.naam)
    with atomic_write(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path
