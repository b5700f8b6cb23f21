"""Documentation made from the goals schema and the indicator catalogue: doelen/TEMPLATE.yml
(a file to copy) and, in doelen/README.md, the field table and the list of indicator ids
(each between its markers). The wording of values and of 'verplicht' is the case studies'
(samenspel.casestudies.docs)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from samenspel import paths, templating
from samenspel.casestudies import docs as cs_docs
from samenspel.data import indicators
from samenspel.errors import SamenspelError
from samenspel.files import write_if_changed
from samenspel.goals.schema import OWN_CONDITION, SCHEMA_PATH, load_schema, own_fields, rules

TEMPLATE_NAME = "TEMPLATE.yml"
README_NAME = "README.md"
FIELDS_BEGIN, FIELDS_END = "<!-- velden:begin -->", "<!-- velden:end -->"
INDICATORS_BEGIN, INDICATORS_END = "<!-- indicatoren:begin -->", "<!-- indicatoren:end -->"
UPDATE_COMMAND = "python -m samenspel doelen --bijwerken"


def schema_path() -> str:
    return SCHEMA_PATH.relative_to(paths.ROOT).as_posix()


def comment(text: str, indent: int = 0) -> str:
    """Text as YAML comment lines ('# ...'), indented."""
    pad = " " * indent
    return "\n".join(pad + line for line in cs_docs._comment_block(text, width=92 - indent))


def value_text(sub: Mapping[str, Any]) -> str:
    """What a field holds, in Dutch ('een van: `raad`, `college`')."""
    if "x-waarde" in sub:
        return sub["x-waarde"]
    if "x-vorm" in sub:
        return sub["x-vorm"]
    return cs_docs._value_text(sub)


def _children(sub: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The object whose fields follow a field: its own, or those of its list's items."""
    if sub.get("type") == "array" and sub.get("items", {}).get("type") == "object":
        return sub["items"]
    if sub.get("type") == "object" and sub.get("properties"):
        return sub
    return None


def _required(name: str, parent: Mapping[str, Any]) -> str:
    """'ja', 'nee', 'als `indicator` is 'eigen'' or 'een van `datum` en `jaar`'."""
    one_of = parent.get("x-een-van", [])
    if name in one_of:
        return "een van " + " en ".join(f"`{n}`" for n in one_of)
    conditional = {n: OWN_CONDITION for n in own_fields()} if parent.get("allOf") else {}
    return cs_docs._required_text(name, parent.get("required", []), conditional)


def field_rows(parent: Mapping[str, Any] | None = None, prefix: str = "") -> Iterable[dict[str, str]]:
    """One row per field, each group followed by the fields in it ('doelen[].grens.onder')."""
    parent = parent or load_schema()
    for name, sub in parent["properties"].items():
        full = f"{prefix}{name}"
        yield {
            "name": full,
            "title": sub.get("title", ""),
            "required": _required(name, parent),
            "value": value_text(sub),
            "description": sub.get("description", ""),
        }
        children = _children(sub)
        if children is not None:
            yield from field_rows(children, f"{full}[]." if sub.get("type") == "array" else f"{full}.")


def render_field_table() -> str:
    """The field documentation for doelen/README.md (between the field markers)."""
    return templating.render(
        "goals/field_table.md",
        cell=cs_docs._table_cell,
        schema_path=schema_path(),
        command=UPDATE_COMMAND,
        rows=list(field_rows()),
        rules=rules(),
    )


def render_indicator_table() -> str:
    """The indicator ids a goal can name, with their unit (between the indicator markers)."""
    catalogue = indicators.load_catalogue(with_definitions=False)
    return templating.render(
        "goals/indicator_table.md",
        cell=cs_docs._table_cell,
        command=UPDATE_COMMAND,
        indicators=[
            {"id": i.id, "label": i.label, "unit": i.unit, "theme": i.theme_label, "role": i.role} for i in catalogue
        ],
    )


def _example(sub: Mapping[str, Any]) -> str | None:
    """The schema's first example as YAML on one line ('{onder: 10}', '2025-11-06')."""
    if not sub.get("examples"):
        return None
    value = sub["examples"][0]
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return value  # YAML reads it as a date, which the check takes as this text
    if isinstance(value, dict):
        value = {int(k) if str(k).isdigit() else k: v for k, v in value.items()}
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000, allow_unicode=True, sort_keys=False)
    return text.strip().removesuffix("...").strip()


def _required_words(required: str) -> str:
    """'ja' -> 'verplicht'; 'een van `datum` en `jaar`' -> 'een van `datum` en `jaar` is verplicht'."""
    if required.startswith("een van"):
        return f"{required} is verplicht"
    return {"ja": "verplicht", "nee": "niet verplicht"}.get(required, f"verplicht {required}")


def _template_blocks(parent: Mapping[str, Any], indent: int, item: bool = False) -> Iterable[dict[str, str]]:
    """Per field: its comment and its line. A required field is a line to fill in; an
    optional one, or one needed only for an own figure, its example commented out. The
    fields of a list item are indented under its '- '."""
    inner = indent + 2 if item else indent
    for i, (name, sub) in enumerate(parent["properties"].items()):
        required = _required(name, parent)
        words = _required_words(required)
        text = f"{sub.get('title', name)} ({words.replace('`', '')}): {sub.get('description', '')}"
        start = " " * indent + "- " if item and i == 0 else " " * inner
        children = _children(sub)
        value = value_text(sub)
        if required == "ja":
            line = f"{start}{name}:"
        else:
            example = _example(sub)
            line = " " * inner + f"# {name}:" + (f" {example}" if example is not None else "")
            if children is not None:  # a group in one line: name its fields
                value = "groep met de velden " + ", ".join(f"'{n}'" for n in children["properties"])
        value = "Waarde: " + value.replace("`", "'")
        yield {"comment": comment(text, inner), "value": comment(value, inner), "line": line}
        if children is not None and required == "ja":
            yield from _template_blocks(children, inner + 2, item=sub.get("type") == "array")


def render_template() -> str:
    """The text of doelen/TEMPLATE.yml, generated from the schema."""
    return templating.render(
        "goals/template.yml",
        comment=comment,
        schema_path=schema_path(),
        blocks=list(_template_blocks(load_schema(), 0)),
    )


def replace_between(text: str, begin: str, end: str, block: str, where: str) -> str:
    start, stop = text.find(begin), text.find(end)
    if start < 0 or stop < start:
        raise SamenspelError(f"{where} mist de markeringen {begin} en {end}; zet ze om de plek van de tabel.")
    return text[: start + len(begin)] + "\n" + block + text[stop:]


def update_readme_text(text: str) -> str:
    """``text`` with both generated blocks replaced."""
    where = f"doelen/{README_NAME}"
    text = replace_between(text, FIELDS_BEGIN, FIELDS_END, render_field_table(), where)
    return replace_between(text, INDICATORS_BEGIN, INDICATORS_END, render_indicator_table(), where)


def write_generated_docs(directory: Path | str | None = None) -> list[Path]:
    """Rewrite TEMPLATE.yml and the README's generated blocks; returns the files that changed."""
    directory = Path(directory or paths.DOELEN_DIR)
    changed = []
    template = directory / TEMPLATE_NAME
    if write_if_changed(template, render_template()):
        changed.append(template)
    readme = directory / README_NAME
    if readme.is_file() and write_if_changed(readme, update_readme_text(readme.read_text(encoding="utf-8"))):
        changed.append(readme)
    return changed
