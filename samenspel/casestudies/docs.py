"""Documentation made from the schema: casestudies/TEMPLATE.md (a file to copy) and the
field table in casestudies/README.md (between the markers)."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from samenspel import paths, templating
from samenspel.casestudies.schema import SCHEMA_PATH, TYPE_NAMES, conditional_requirements, load_schema, resolve
from samenspel.errors import SamenspelError
from samenspel.files import write_if_changed

TEMPLATE_NAME = "TEMPLATE.md"
README_NAME = "README.md"
README_BEGIN = "<!-- velden:begin -->"
README_END = "<!-- velden:end -->"


def _comment_block(text: str, width: int = 88) -> list[str]:
    """YAML comment lines; a quoted value ('100 000 - 150 000') is never split."""
    protected = re.sub(r"'[^']*'", lambda m: m.group(0).replace(" ", "\u00a0"), text)
    lines = textwrap.wrap(protected, width=width, initial_indent="# ", subsequent_indent="# ", break_on_hyphens=False)
    return [line.replace("\u00a0", " ") for line in lines]


def _value_text(sub: Mapping[str, Any]) -> str:
    sub = resolve(sub)
    kind = sub.get("type")
    if "enum" in sub:
        return "een van: " + ", ".join(f"`{v}`" for v in sub["enum"])
    if kind == "array":
        items = resolve(sub.get("items", {}))
        size = f"minstens {sub['minItems']}" if sub.get("minItems") else "mag leeg"
        if "enum" in items:
            return f"lijst ({size}) met waarden uit: " + ", ".join(f"`{v}`" for v in items["enum"])
        if items.get("type") == "object":
            return f"lijst ({size}) van groepen met de velden hieronder"
        return f"lijst ({size}) van {TYPE_NAMES.get(items.get('type'), 'waarden')}"
    if kind == "object":
        return "groep met de velden hieronder"
    if kind == "integer":
        low = sub.get("minimum")
        return f"geheel getal, vanaf {low}" if low is not None else "geheel getal"
    if kind == "string":
        if "pattern" in sub:
            return "tekst in een vaste vorm (zie uitleg)"
        bounds = []
        if sub.get("minLength"):
            bounds.append(f"minstens {sub['minLength']}")
        if sub.get("maxLength"):
            bounds.append(f"hoogstens {sub['maxLength']}")
        return "tekst" + (f" ({' en '.join(bounds)} tekens)" if bounds else "")
    return TYPE_NAMES.get(kind, "waarde")


def _required_text(name: str, required: Sequence[str], conditional: Mapping[str, str]) -> str:
    if name in required:
        return "ja"
    if name in conditional:
        return f"als {conditional[name]}"
    return "nee"


def _schema_path() -> str:
    return SCHEMA_PATH.relative_to(paths.ROOT).as_posix()


def _template_field(name: str, sub: Mapping[str, Any], required: str) -> dict[str, str]:
    """What TEMPLATE.md says about one field, and its example value as YAML."""
    sub = resolve(sub)
    dumped = yaml.safe_dump(
        {name: sub["examples"][0]}, allow_unicode=True, sort_keys=False, default_flow_style=False, width=88
    )
    return {
        "title": sub["title"],
        "required": {"ja": "verplicht", "nee": "niet verplicht"}.get(
            required, f"verplicht {required.replace('`', '')}"
        ),
        "description": sub["description"],
        "value": _value_text(sub).replace("`", "'"),
        "example": "\n".join(dumped.rstrip("\n").splitlines()),
    }


def render_template() -> str:
    """The text of ``casestudies/TEMPLATE.md``, generated from the schema."""
    schema = load_schema()
    conditional = conditional_requirements()
    fields = [
        _template_field(name, sub, _required_text(name, schema["required"], conditional))
        for name, sub in schema["properties"].items()
    ]
    return templating.render(
        "casestudies/template.md",
        comment=lambda text: "\n".join(_comment_block(text)),
        schema_path=_schema_path(),
        fields=fields,
        sections=schema["x-secties"],
    )


def _table_cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _field_rows() -> Iterable[dict[str, str]]:
    """One row per field, and after a group (or a list of groups) one per field in it."""
    schema = load_schema()
    conditional = conditional_requirements()
    for name, sub in schema["properties"].items():
        resolved = resolve(sub)
        yield {
            "name": name,
            "title": resolved.get("title", ""),
            "required": _required_text(name, schema["required"], conditional),
            "value": _value_text(resolved),
            "description": resolved.get("description", ""),
        }
        nested = resolved
        prefix = name
        if resolved.get("type") == "array" and resolve(resolved.get("items", {})).get("type") == "object":
            nested = resolve(resolved["items"])
            prefix = f"{name}[]"
        if nested.get("type") != "object":
            continue
        for child, child_sub in nested.get("properties", {}).items():
            child_sub = resolve(child_sub)
            yield {
                "name": f"{prefix}.{child}",
                "title": child_sub.get("title", ""),
                "required": "ja" if child in nested.get("required", []) else "nee",
                "value": _value_text(child_sub),
                "description": child_sub.get("description", ""),
            }


def render_field_table() -> str:
    """The field documentation for ``casestudies/README.md`` (between the markers)."""
    return templating.render(
        "casestudies/field_table.md",
        cell=_table_cell,
        schema_path=_schema_path(),
        rows=list(_field_rows()),
        sections=load_schema()["x-secties"],
    )


def update_readme_text(text: str) -> str:
    """``text`` with the generated field table between the markers replaced."""
    begin = text.find(README_BEGIN)
    end = text.find(README_END)
    if begin < 0 or end < begin:
        raise SamenspelError(
            f"casestudies/{README_NAME} mist de markeringen {README_BEGIN} en {README_END}; "
            "zet ze om de plek van de veldentabel."
        )
    return text[: begin + len(README_BEGIN)] + "\n" + render_field_table() + text[end:]


def write_generated_docs(directory: Path | str = paths.CASESTUDY_DIR) -> list[Path]:
    """Rewrite TEMPLATE.md and the README field table from the schema; returns the
    files that changed."""
    directory = Path(directory)
    changed = []
    template = directory / TEMPLATE_NAME
    if write_if_changed(template, render_template()):
        changed.append(template)
    readme = directory / README_NAME
    if readme.is_file():
        if write_if_changed(readme, update_readme_text(readme.read_text(encoding="utf-8"))):
            changed.append(readme)
    return changed
