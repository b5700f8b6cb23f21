"""JSON Schema errors in Dutch: what was expected, what was found, and a hint ("Bedoelde u
...?") for a near miss."""

from __future__ import annotations

import datetime as _dt
import difflib
from collections.abc import Mapping, Sequence
from typing import Any

from samenspel.casestudies.parse import field_path
from samenspel.casestudies.schema import TYPE_NAMES, conditional_requirements, load_schema, resolve


def describe(value: Any) -> str:
    """What a value is, in Dutch: 'een getal (12)', "tekst ('...')"."""
    if value is None:
        return "niets (het veld is leeg)"
    if isinstance(value, bool):
        return f"ja/nee-waarde ({'true' if value else 'false'}); zet tekst tussen aanhalingstekens"
    if isinstance(value, int):
        return f"een getal ({value})"
    if isinstance(value, float):
        return f"een kommagetal ({value})"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"tekst ('{shown}')"
    if isinstance(value, list):
        return "een lijst"
    if isinstance(value, dict):
        return "een groep velden"
    if isinstance(value, (_dt.date, _dt.datetime)):
        return f"een datum ({value.isoformat()})"
    return type(value).__name__


def hint(value: Any, options: Sequence[Any]) -> str:
    """The nearest option as ' Bedoelde u ...?', or nothing."""
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, [str(o) for o in options], n=1, cutoff=0.6)
    return f" Bedoelde u '{close[0]}'?" if close else ""


def _expected(subschema: Mapping[str, Any]) -> str:
    """A short Dutch description of what a schema expects."""
    sub = resolve(subschema)
    if "enum" in sub:
        return "een van: " + ", ".join(f"'{v}'" for v in sub["enum"])
    kind = sub.get("type")
    if kind == "array":
        items = resolve(sub.get("items", {}))
        if "enum" in items:
            return "een lijst met waarden uit: " + ", ".join(f"'{v}'" for v in items["enum"])
        return TYPE_NAMES["array"]
    return TYPE_NAMES.get(kind, "een geldige waarde")


def _missing(error, path: list[Any], schema: Mapping[str, Any], value: Any) -> list[tuple[str | None, str]]:
    """Messages for required fields that are missing."""
    missing = [k for k in error.validator_value if isinstance(value, Mapping) and k not in value]
    conditional = "then" in list(error.relative_schema_path)
    out = []
    # A `then` branch has no properties of its own: describe the field from the root.
    props = schema.get("properties") or load_schema()["properties"]
    for name in missing:
        sub = props.get(name, {})
        sub = resolve(sub) if sub else {}
        reason = ""
        if conditional:
            cond = conditional_requirements().get(name)
            reason = f" (verplicht omdat {cond.replace('`', '')})" if cond else ""
        desc = sub.get("description", "")
        out.append(
            (
                field_path([*path, name]),
                f"verplicht veld ontbreekt{reason}; verwacht {_expected(sub)}. {desc}".strip(),
            )
        )
    return out


def _unknown(path: list[Any], schema: Mapping[str, Any], value: Any) -> list[tuple[str | None, str]]:
    """Messages for fields the schema does not know."""
    allowed = list(schema.get("properties", {}))
    extra = [k for k in value if k not in allowed] if isinstance(value, Mapping) else []
    return [
        (
            field_path([*path, name]),
            "onbekend veld; verwacht alleen deze velden: " + ", ".join(allowed) + "." + hint(name, allowed),
        )
        for name in extra
    ]


def translate(error, instance_root: Mapping[str, Any]) -> list[tuple[str | None, str]]:
    """Translate one jsonschema error into (field, Dutch message) pairs."""
    path = list(error.absolute_path)
    here = field_path(path) or None
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    kind = error.validator
    value = error.instance

    if kind == "required":
        return _missing(error, path, schema, value)
    if kind == "additionalProperties":
        return _unknown(path, schema, value)
    if kind == "type":
        return [(here, f"verwacht {_expected(schema)}, gevonden: {describe(value)}.")]
    if kind == "enum":
        return [(here, f"verwacht {_expected(schema)}; gevonden: {describe(value)}.{hint(value, schema['enum'])}")]
    if kind == "const":
        return [(here, f"verwacht '{error.validator_value}', gevonden: {describe(value)}.")]
    if kind == "minItems":
        n = error.validator_value
        return [
            (here, f"verwacht minstens {n} {'waarde' if n == 1 else 'waarden'} in de lijst; gevonden: {len(value)}.")
        ]
    if kind == "maxItems":
        return [(here, f"verwacht hoogstens {error.validator_value} waarden in de lijst; gevonden: {len(value)}.")]
    if kind == "uniqueItems":
        return [(here, "een waarde staat dubbel in de lijst; verwacht elke waarde één keer.")]
    if kind == "minLength":
        if not value.strip():
            return [(here, f"het veld is leeg; verwacht tekst van minstens {error.validator_value} tekens.")]
        return [(here, f"te kort; verwacht minstens {error.validator_value} tekens, gevonden: {len(value)}.")]
    if kind == "maxLength":
        return [(here, f"te lang; verwacht hoogstens {error.validator_value} tekens, gevonden: {len(value)}.")]
    if kind == "pattern":
        desc = schema.get("description", "")
        return [(here, f"heeft niet de goede vorm ({describe(value)}); verwacht: {desc}")]
    if kind == "minimum":
        desc = schema.get("description", "")
        return [(here, f"verwacht minstens {error.validator_value}, gevonden: {value}. {desc}".strip())]
    if kind == "maximum":
        return [(here, f"verwacht hoogstens {error.validator_value}, gevonden: {value}.")]
    return [(here, f"ongeldige waarde ({describe(value)}).")]
