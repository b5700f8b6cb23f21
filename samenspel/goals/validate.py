"""Checking goals files: YAML, the schema, the gemeente and the file name, the rules between
fields, safety; then loading them into samenspel.goals.model."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from samenspel import paths
from samenspel.casestudies.parse import Problem, display_path, field_path, line_for, yaml_lines
from samenspel.casestudies.safety import unsafe_message, walk_strings
from samenspel.data import indicators
from samenspel.errors import SamenspelError
from samenspel.goals import build, rules
from samenspel.goals.messages import translate
from samenspel.goals.model import GoalFile
from samenspel.goals.municipality import LazyMunicipalities, resolve
from samenspel.goals.read import SUFFIX, goal_files, parse, read_text
from samenspel.goals.schema import load_schema


def catalogue_units() -> dict[str, str]:
    """Every indicator id of data/indicators.yml with its unit (no CBS table is read)."""
    return {ind.id: ind.unit for ind in indicators.load_catalogue(with_definitions=False)}


@functools.cache
def _validator():
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema())


def _schema_problems(data: dict[str, Any]) -> list[tuple[str | None, str]]:
    found: list[tuple[str | None, str]] = []
    for error in sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        for item in translate(error, data):
            if item not in found:
                found.append(item)
    return found


def _municipality(data: dict[str, Any], file_path: Path, known: LazyMunicipalities, bad: set[str]):
    """(problems, code) for the field 'gemeente' and the file name."""
    gemeente = data.get("gemeente")
    if not isinstance(gemeente, str) or "gemeente" in bad:
        return [], None
    code, name, message = resolve(gemeente.strip(), known.get())
    if message:
        return [("gemeente", message)], None
    expected = f"{code}{SUFFIX}"
    if file_path.name != expected:
        return [
            (
                None,
                f"de bestandsnaam '{file_path.name}' past niet bij het veld 'gemeente' ({code}, {name}); "
                f"verwacht '{expected}': het bestand heet naar de CBS-code van de gemeente.",
            )
        ], code
    return [], code


def _field_problems(
    data: dict[str, Any], file_path: Path, known: LazyMunicipalities, units: Mapping[str, str]
) -> tuple[list[tuple[str | None, str]], str | None]:
    """Every problem in the fields (without lines yet), and the gemeente's code."""
    found = _schema_problems(data)
    bad = {fld for fld, _ in found if fld}
    municipality, code = _municipality(data, file_path, known, bad)
    found += municipality
    doc_problems, doc_year = rules.document_problems(data.get("bron"), "bron", bad)
    found += doc_problems
    goals = data.get("doelen") if isinstance(data.get("doelen"), list) else []
    for i, goal in enumerate(goals):
        found += rules.goal_problems(goal, f"doelen[{i + 1}]", units, doc_year, bad)
    found += rules.duplicate_problems(goals)
    found += [item for item in rules.number_problems(data, []) if item[0] not in bad]
    for path, value in walk_strings(data, []):
        message = unsafe_message(value)
        if message:
            found.append((field_path(path), message))
    return found, code


def _check_file(
    file_path: Path, known: LazyMunicipalities, units: Mapping[str, str], root: Path
) -> tuple[list[Problem], GoalFile | None]:
    shown = display_path(file_path, root)
    text, problems = read_text(file_path, shown)
    if text is None:
        return problems, None
    data, problems = parse(text, shown)
    if data is None:
        return problems, None
    found, code = _field_problems(data, file_path, known, units)
    lines = yaml_lines(text, 1)
    problems = [Problem(shown, fld, message, line_for(fld, lines) if fld else None) for fld, message in found]
    problems.sort(key=lambda p: p.line or 0)  # in file order; the file as a whole first
    if problems or code is None:
        return problems, None
    return [], build.goal_file(data, file_path, code)


def _collect(
    files: Iterable[Path | str], known: Mapping[str, str] | None, root: Path | str | None
) -> tuple[list[Problem], list[GoalFile]]:
    root_path = Path(root) if root is not None else paths.ROOT
    municipalities = LazyMunicipalities(known)
    units = catalogue_units()
    problems: list[Problem] = []
    loaded: list[GoalFile] = []
    for file_path in files:
        file_problems, goal_file = _check_file(Path(file_path), municipalities, units, root_path)
        problems += file_problems
        if goal_file is not None:
            loaded.append(goal_file)
    return problems, loaded


def validate_files(
    files: Iterable[Path | str], known: Mapping[str, str] | None = None, *, root: Path | str | None = None
) -> list[Problem]:
    """Check the given goals files and return the problems (empty: all valid).

    ``known`` maps every valid CBS code to its name (default:
    ``samenspel.data.regions.known_municipalities()``, asked for only when a file names a
    gemeente); ``root`` is what file names are shown relative to (default: this project).
    """
    return _collect(files, known, root)[0]


def validate_all(
    directory: Path | str | None = None, known: Mapping[str, str] | None = None, *, root: Path | str | None = None
) -> list[Problem]:
    """Check every goals file in ``directory`` (default: doelen/)."""
    return validate_files(goal_files(directory or paths.doelen_dir()), known, root=root)


def _raise(problems: list[Problem]) -> None:
    lines = "\n".join(f"- {p}" for p in problems)
    raise SamenspelError(
        f"{len(problems)} {'probleem' if len(problems) == 1 else 'problemen'} in de doelen "
        f"(controleer met 'python -m samenspel doelen --controleer'):\n{lines}"
    )


def load(path: Path | str, known: Mapping[str, str] | None = None, *, root: Path | str | None = None) -> GoalFile:
    """One goals file; raises SamenspelError naming each problem (file, field, line)."""
    problems, loaded = _collect([path], known, root)
    if problems or not loaded:
        _raise(problems)
    return loaded[0]


def load_for(code: str, directory: Path | str | None = None, known: Mapping[str, str] | None = None) -> GoalFile | None:
    """The goals of gemeente ``code`` (doelen/<code>.yml), or None when it has no goals file;
    a malformed file raises SamenspelError with the same messages as the check."""
    path = Path(directory or paths.doelen_dir()) / f"{code}{SUFFIX}"
    if not path.is_file():
        return None
    return load(path, known)
