"""Reading a case-study file: the front matter block, YAML that refuses duplicate keys and
knows the line of every field, and the data types (CaseStudy, Problem)."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# Files in the case-study folder that are not case studies (compared case-insensitively).
NOT_CASE_STUDIES = ("TEMPLATE.md", "README.md")
ANONYMOUS = "anoniem"
REGION = "regio"
UNKNOWN = "onbekend"
# The page name of the overview; no case study may take it.
INDEX_SLUG = "index"
GENERATED_MARKER = "% Gegenereerd door samenspel.casestudies"  # first line of every generated page


@dataclass(frozen=True)
class Problem:
    """One problem in one case-study file. ``field`` is a front-matter path like
    ``bronnen[1].url`` (1 = the first source), ``"tekst"`` for the body, or None for the
    file as a whole."""

    file: str
    field: str | None
    message: str
    line: int | None = None

    def __str__(self) -> str:
        if self.field == "tekst":
            where = f"tekst (regel {self.line})" if self.line else "tekst"
            return f"{self.file}: {where}: {self.message}"
        if self.field:
            where = f" (regel {self.line})" if self.line else ""
            return f"{self.file}: veld '{self.field}'{where}: {self.message}"
        if self.line:
            return f"{self.file}: regel {self.line}: {self.message}"
        return f"{self.file}: {self.message}"


@dataclass
class CaseStudy:
    """A parsed, valid case study."""

    path: Path
    slug: str
    meta: dict[str, Any]
    body: str
    gemeentenaam: str | None = None
    body_start_line: int = field(default=1, repr=False)
    # For `gemeente: regio`: the names of the municipalities in `regio.gemeenten`.
    region_names: tuple[str, ...] = ()

    @property
    def titel(self) -> str:
        return self.meta["titel"]

    @property
    def gemeente(self) -> str:
        return self.meta["gemeente"]

    @property
    def code(self) -> str | None:
        """The CBS municipality code, or None when anonymous or a region."""
        return None if self.gemeente in (ANONYMOUS, REGION) else self.gemeente

    @property
    def region_codes(self) -> list[str]:
        """The CBS codes of a region's municipalities (empty for one municipality)."""
        if self.gemeente != REGION:
            return []
        return list((self.meta.get("regio") or {}).get("gemeenten") or [])

    @property
    def jaar(self) -> int:
        return self.meta["jaar"]

    @property
    def themas(self) -> list[str]:
        return list(self.meta["themas"])

    @property
    def grootteklasse(self) -> str | None:
        return self.meta.get("grootteklasse")

    def size_class(self, size_class_of: Callable[[str], str | None] | None = None) -> str | None:
        """The size class: the field if given, else looked up for a named municipality."""
        if self.grootteklasse:
            return self.grootteklasse
        if self.code and size_class_of is not None:
            return size_class_of(self.code)
        return None

    @property
    def municipality_label(self) -> str:
        if self.gemeente == REGION:
            return str((self.meta.get("regio") or {}).get("naam") or REGION)
        if self.code is None:
            return "anoniem"
        return self.gemeentenaam or self.code


# ---------------------------------------------------------------------------------------
# YAML


class UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses a key that appears twice."""


class DuplicateKey(yaml.constructor.ConstructorError):
    def __init__(self, key: Any, mark: yaml.Mark):
        super().__init__(None, None, f"het veld '{key}' staat er twee keer", mark)
        self.key = key


def _construct_mapping(loader: UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise DuplicateKey(key, key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

# libyaml's parser, when PyYAML has it: ten times faster, which matters because every chapter
# process reads all case studies. A file it refuses is read again with the Python parser, so
# that a researcher gets the same message (line and reason) either way.
_FAST_SAFE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FastUniqueKeyLoader(_FAST_SAFE):
    """UniqueKeyLoader on libyaml's parser."""


_FastUniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def field_path(parts: Iterable[Any]) -> str:
    """['bronnen', 0, 'url'] -> 'bronnen[1].url' (list positions count from 1)."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def yaml_lines(yaml_text: str, first_line: int) -> dict[str, int]:
    """File line of every field path ('bronnen[1].url') in a front-matter block."""
    lines: dict[str, int] = {}

    def walk(node: yaml.Node, path: list[Any]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                sub = [*path, key_node.value]
                lines[field_path(sub)] = key_node.start_mark.line + first_line
                walk(value_node, sub)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                sub = [*path, i]
                lines[field_path(sub)] = item.start_mark.line + first_line
                walk(item, sub)

    try:
        root = yaml.compose(yaml_text, Loader=_FAST_SAFE)
    except yaml.YAMLError:
        return lines
    if root is not None:
        walk(root, [])
    return lines


def line_for(field_path: str, lines: Mapping[str, int]) -> int | None:
    """The line of a field, or of the nearest enclosing field that has one."""
    while field_path:
        if field_path in lines:
            return lines[field_path]
        field_path = (
            re.sub(r"(\[[0-9]+\]|\.[^.\[\]]+)$", "", field_path)
            if re.search(r"(\[[0-9]+\]|\.[^.\[\]]+)$", field_path)
            else ""
        )
    return None


def load_front_matter(yaml_text: str, shown: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The fields of a front-matter block, or None and the problem (in Dutch)."""
    try:
        meta = yaml.load(yaml_text, Loader=_FastUniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError:
        meta, problems = _load_for_message(yaml_text, shown)
        if problems:
            return None, problems
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        return None, [Problem(shown, None, "de kop met velden moet uit regels 'veld: waarde' bestaan.", 2)]
    return meta, []


def _load_for_message(yaml_text: str, shown: str) -> tuple[Any, list[Problem]]:
    """The Python parser on a block libyaml refused: the fields when it reads them after all,
    else the problem with its line and reason."""
    try:
        return yaml.load(yaml_text, Loader=UniqueKeyLoader), []  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        if isinstance(exc, DuplicateKey):
            return None, [
                Problem(shown, str(exc.key), "dit veld staat er twee keer; verwacht elk veld één keer.", line)
            ]
        message = (
            "de kop met velden is geen geldige YAML; verwacht regels 'veld: waarde' zoals in "
            "casestudies/TEMPLATE.md. Controleer de inspringing, haakjes en aanhalingstekens, en "
            f"zet tekst met een dubbele punt tussen aanhalingstekens (technische melding: {reason})."
        )
        return None, [Problem(shown, None, message, line)]


# ---------------------------------------------------------------------------------------
# Files


def slugify(name: str) -> str:
    """A URL-safe page name: lowercase ASCII letters, digits and dashes."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Split into (YAML text, body, line number of the body's first line), or None when
    the file does not start with a ``---`` block."""
    text = text.removeprefix("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        return None
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return "".join(lines[1:i]), "".join(lines[i + 1 :]), i + 2
    return None


def case_study_files(directory: Path | str) -> list[Path]:
    """The case-study files in a folder (not TEMPLATE.md or README.md), sorted."""
    directory = Path(directory)
    skip = {n.lower() for n in NOT_CASE_STUDIES}
    return sorted(p for p in directory.glob("*.md") if p.is_file() and p.name.lower() not in skip)


def display_path(path: Path, root: Path) -> str:
    """A path as a user sees it: relative to the repository (or the current folder)."""
    path = Path(os.path.abspath(path))
    for base in (root, Path.cwd()):
        try:
            return path.relative_to(Path(os.path.abspath(base))).as_posix()
        except ValueError:
            continue
    return path.as_posix()
