"""The goals JSON Schema (samenspel/goals/schema.json): the one description of every field of
a doelen/<GMxxxx>.yml file, with its Dutch title and explanation.

The file keeps shared parts once under ``$defs`` (a document is used for the file's source
and for an own figure's source); :func:`load_schema` gives it with every ``$ref`` replaced
by what it points to, so that the validator's errors, the Dutch messages of
samenspel.casestudies.messages and the generated documentation all see plain subschemas.
Custom keywords: ``x-vorm`` (the expected form of a field with a pattern, in Dutch),
``x-waarde`` (how the documentation describes a value), ``x-een-van`` (an object needs one
of these fields) and ``x-regels`` (the rules between fields, checked in samenspel.goals.rules).
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).resolve().with_name("schema.json")
OWN_CONDITION = "`indicator` is 'eigen'"


def _dereference(node: Any, defs: Mapping[str, Any]) -> Any:
    """``node`` with each local ``$ref`` merged with its target (own keywords win)."""
    if isinstance(node, list):
        return [_dereference(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if ref:
        target = _dereference(copy.deepcopy(defs[ref.removeprefix("#/$defs/")]), defs)
        target.update({k: _dereference(v, defs) for k, v in node.items() if k != "$ref"})
        return target
    return {k: _dereference(v, defs) for k, v in node.items()}


@functools.cache
def raw_schema() -> dict[str, Any]:
    """The schema as written, with its ``$defs``."""
    with open(SCHEMA_PATH, encoding="utf-8") as fh:
        return json.load(fh)


@functools.cache
def load_schema() -> dict[str, Any]:
    """The schema with every ``$ref`` resolved and no ``$defs`` (read once; do not change it)."""
    raw = raw_schema()
    resolved = _dereference({k: v for k, v in raw.items() if k != "$defs"}, raw.get("$defs", {}))
    return resolved


def goal_schema() -> dict[str, Any]:
    """The schema of one goal (an item of ``doelen``)."""
    return load_schema()["properties"]["doelen"]["items"]


def document_schema() -> dict[str, Any]:
    return load_schema()["properties"]["bron"]


def own_fields() -> list[str]:
    """The fields an own figure needs (the goal's allOf/if/then), in schema order."""
    required: list[str] = []
    for rule in goal_schema().get("allOf", []):
        required += rule.get("then", {}).get("required", [])
    return [name for name in goal_schema()["properties"] if name in required]


def rules() -> list[str]:
    """The rules between fields, in Dutch (``x-regels``)."""
    return list(load_schema().get("x-regels", []))


def prop(path: list[str]) -> dict[str, Any]:
    """The subschema of a field path such as ['doelen', 'grens', 'onder'] (list items are
    stepped into)."""
    node: Mapping[str, Any] = load_schema()
    for name in path:
        if node.get("type") == "array":
            node = node["items"]
        node = node["properties"][name]
    return dict(node)
