"""A checked goals file made into the plain data of samenspel.goals.model."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from samenspel.goals.model import Document, Goal, GoalFile


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def document(raw: Mapping[str, Any]) -> Document:
    datum = raw.get("datum")
    jaar = raw.get("jaar")
    return Document(
        titel=raw["titel"].strip(),
        jaar=int(jaar) if jaar is not None else int(datum[:4]),
        datum=datum,
        url=raw.get("url"),
    )


def goal(raw: Mapping[str, Any]) -> Goal:
    grens = raw.get("grens")
    verandering = raw.get("verandering")
    side = next(iter(grens)) if grens else None
    return Goal(
        indicator=raw["indicator"],
        naam=raw.get("naam"),
        eenheid=raw.get("eenheid"),
        waarden={int(year): float(value) for year, value in sorted((raw.get("waarden") or {}).items())},
        waarden_toelichting=raw.get("waarden_toelichting"),
        bron=document(raw["bron"]) if raw.get("bron") else None,
        streefwaarde=_number(raw.get("streefwaarde")),
        grens=(side, float(grens[side])) if side else None,
        verandering=(int(verandering["vanaf"]), float(verandering["met"])) if verandering else None,
        jaar=raw.get("jaar"),
        richting=raw.get("richting"),
        marge=_number(raw.get("marge")),
        toelichting=raw.get("toelichting"),
    )


def goal_file(raw: Mapping[str, Any], path: Path, code: str) -> GoalFile:
    """``raw`` must have passed every check (samenspel.goals.validate)."""
    return GoalFile(
        path=Path(path),
        gemeente=code,
        vastgesteld_door=raw["vastgesteld_door"],
        bron=document(raw["bron"]),
        doelen=tuple(goal(g) for g in raw["doelen"]),
    )
