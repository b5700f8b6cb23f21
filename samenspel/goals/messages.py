"""JSON Schema errors of a goals file in Dutch. The case studies' translation does most of it
(samenspel.casestudies.messages); this adds what only goals files have: the fields an own
figure needs, the form of a pattern field (``x-vorm``), the years of ``waarden`` and a hint
for a number written as text ('9,5', '10%')."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from samenspel.casestudies import messages as cs_messages
from samenspel.casestudies.parse import field_path
from samenspel.goals.schema import OWN_CONDITION, goal_schema

_PLACEHOLDERS = {"n.n.b.", "nnb", "nb", "n.b.", "n.v.t.", "nvt", "ntb", "n.a.", "-", "."}


def number_hint(value: Any) -> str:
    """A hint for a number written as text: a decimal comma, a % sign, a placeholder."""
    if not isinstance(value, str):
        return ""
    text = value.strip()
    if text.lower() in _PLACEHOLDERS:
        return " Laat een waarde die het document niet geeft weg, in plaats van een teken als 'n.n.b.' te schrijven."
    bare = re.sub(r"\s*(%|procent)$", "", text)
    if re.fullmatch(r"-?[0-9]+,[0-9]+", bare):
        return f" Schrijf een getal met een punt als decimaalteken: {bare.replace(',', '.')}."
    if bare != text and re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", bare):
        return f" Schrijf alleen het getal, zonder procentteken: {bare}."
    return ""


def _own_missing(error, path: list[Any]) -> list[tuple[str | None, str]]:
    value = error.instance
    props = goal_schema()["properties"]
    out = []
    for name in error.validator_value:
        if isinstance(value, Mapping) and name in value:
            continue
        sub = props.get(name, {})
        expected = sub.get("x-waarde") or cs_messages._expected(sub)
        out.append(
            (
                field_path([*path, name]),
                f"verplicht veld ontbreekt (verplicht omdat {OWN_CONDITION.replace('`', '')}: een eigen cijfer "
                f"heeft een naam, een eenheid, waarden en een bron); verwacht {expected}. "
                f"{sub.get('description', '')}".strip(),
            )
        )
    return out


def translate(error, instance_root: Mapping[str, Any]) -> list[tuple[str | None, str]]:
    """Translate one jsonschema error into (field, Dutch message) pairs."""
    path = list(error.absolute_path)
    here = field_path(path) or None
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    kind = error.validator
    value = error.instance
    where = list(error.relative_schema_path)

    if kind == "required" and "then" in where:
        return _own_missing(error, path)
    if kind == "pattern" and "propertyNames" in where:
        return [(here, f"'{value}' is geen jaartal; verwacht {schema.get('x-vorm', 'een jaartal')}.")]
    if kind == "pattern" and "x-vorm" in schema:
        return [(here, f"heeft niet de goede vorm ({cs_messages.describe(value)}); verwacht {schema['x-vorm']}.")]
    if kind == "minLength" and error.validator_value == 1:
        return [(here, "het veld is leeg; verwacht tekst.")]
    if kind == "minProperties":
        return [(here, "de groep is leeg; verwacht minstens één waarde, zoals '2024: 8.5'.")]
    messages = cs_messages.translate(error, instance_root)
    if kind == "type" and schema.get("type") in ("number", "integer"):
        hint = number_hint(value)
        messages = [(fld, message + hint) for fld, message in messages]
    return messages
