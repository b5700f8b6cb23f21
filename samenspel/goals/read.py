"""Reading a goals file: YAML that refuses a key given twice and knows the line of every
field (the case studies' loader), made into plain JSON-like data for the schema."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

import yaml

from samenspel.casestudies.parse import DuplicateKey, Problem, UniqueKeyLoader

SUFFIX = ".yml"
# Files in the goals folder that are not goals files (compared case-insensitively).
NOT_GOAL_FILES = ("TEMPLATE.yml",)
README_HINT = "doelen/README.md"


class GoalLoader(UniqueKeyLoader):
    """The case studies' loader (a key given twice is refused), with dates kept as the text
    they are written as: the check says itself that 2025-02-30 is no date."""


GoalLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def goal_files(directory: Path | str) -> list[Path]:
    """The goals files in a folder (*.yml and *.yaml, not TEMPLATE.yml), sorted."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    skip = {n.lower() for n in NOT_GOAL_FILES}
    return sorted(
        p
        for p in directory.iterdir()
        if p.is_file() and p.suffix.lower() in (".yml", ".yaml") and p.name.lower() not in skip
    )


def _yaml_problem(exc: yaml.YAMLError, shown: str) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    if isinstance(exc, DuplicateKey):
        return Problem(shown, str(exc.key), "dit veld staat er twee keer; verwacht elk veld één keer.", line)
    reason = getattr(exc, "problem", None) or str(exc)
    return Problem(
        shown,
        None,
        "het bestand is geen geldige YAML; verwacht regels 'veld: waarde' zoals in het sjabloon "
        f"(zie {README_HINT}). Controleer de inspringing (spaties, geen tabs), de haakjes en de "
        "aanhalingstekens, en zet tekst met een dubbele punt tussen aanhalingstekens "
        f"(technische melding: {reason}).",
        line,
    )


def read_text(file_path: Path, shown: str) -> tuple[str | None, list[Problem]]:
    """The file's text, or None and the problem."""
    if not file_path.is_file():
        return None, [
            Problem(shown, None, "bestand niet gevonden; verwacht een bestaand doelenbestand (doelen/GMxxxx.yml).")
        ]
    try:
        return file_path.read_text(encoding="utf-8").removeprefix("\ufeff"), []
    except UnicodeDecodeError:
        return None, [Problem(shown, None, "het bestand is geen UTF-8-tekst; sla het op als UTF-8.")]


def parse(text: str, shown: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The fields of a goals file as JSON-like data, or None and the problem (in Dutch)."""
    try:
        data = yaml.load(text, Loader=GoalLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        return None, [_yaml_problem(exc, shown)]
    if data is None:
        return None, [
            Problem(
                shown,
                None,
                "het bestand is leeg; verwacht de velden gemeente, vastgesteld_door, bron en doelen "
                "(maak een sjabloon met: python -m samenspel doelen GEMEENTE).",
            )
        ]
    if not isinstance(data, dict):
        return None, [
            Problem(shown, None, "verwacht regels 'veld: waarde' (gemeente, vastgesteld_door, bron, doelen).", 1)
        ]
    return plain(data), []


def plain(value: Any) -> Any:
    """YAML data as JSON would have it: every key as text (so that ``waarden: {2023: 9.5}``
    has the key '2023'), and any date as ISO text."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return value
