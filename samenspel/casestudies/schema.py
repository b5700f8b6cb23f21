"""The case-study JSON Schema: the one description of every field, its Dutch title and
explanation, and (custom keyword ``x-secties``) the required body sections."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).resolve().with_name("schema.json")

# What a JSON type is called in messages and documentation.
TYPE_NAMES = {
    "string": "tekst",
    "integer": "een geheel getal (zoals 2019)",
    "number": "een getal",
    "boolean": "ja/nee (true of false)",
    "array": "een lijst (regels die beginnen met '- ')",
    "object": "een groep velden (ingesprongen regels 'naam: waarde')",
    "null": "niets",
}


@functools.cache
def load_schema() -> dict[str, Any]:
    """The case-study JSON Schema (read once)."""
    with open(SCHEMA_PATH, encoding="utf-8") as fh:
        return json.load(fh)


def resolve(subschema: Mapping[str, Any]) -> dict[str, Any]:
    """A property schema with a local ``$ref`` merged in (own keywords win)."""
    ref = subschema.get("$ref")
    if not ref:
        return dict(subschema)
    target: Any = load_schema()
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    merged = dict(target)
    merged.update({k: v for k, v in subschema.items() if k != "$ref"})
    return merged


def section_titles() -> list[str]:
    """The required body sections (## headings), in order."""
    return [s["titel"] for s in load_schema()["x-secties"]]


def size_classes() -> list[str]:
    """All allowed values of ``grootteklasse``, in schema order."""
    return list(load_schema()["properties"]["grootteklasse"]["enum"])


def themes() -> list[str]:
    return list(load_schema()["properties"]["themas"]["items"]["enum"])


def prop_title(name: str) -> str:
    """The Dutch title of a top-level field."""
    return load_schema()["properties"][name]["title"]


def conditional_requirements() -> dict[str, str]:
    """Fields required only under a condition (allOf/if/then), with the condition in Dutch."""
    result: dict[str, str] = {}
    for rule in load_schema().get("allOf", []):
        cond = rule.get("if", {}).get("properties", {})
        parts = [f"`{name}` is '{sub['const']}'" for name, sub in cond.items() if "const" in sub]
        for name in rule.get("then", {}).get("required", []):
            result[name] = " en ".join(parts)
    return result
