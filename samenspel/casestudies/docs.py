"""Documentation made from the schema: casestudies/TEMPLATE.md (a file to copy) and the
field table in casestudies/README.md (between the markers)."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from samenspel import paths
from samenspel.casestudies.schema import TYPE_NAMES, conditional_requirements, load_schema, resolve, section_titles
from samenspel.errors import SamenspelError
from samenspel.files import write_if_changed

TEMPLATE_NAME = "TEMPLATE.md"
README_NAME = "README.md"
README_BEGIN = "<!-- velden:begin -->"
README_END = "<!-- velden:end -->"


def _comment_block(text: str, width: int = 88) -> list[str]:
    """YAML comment lines; a quoted value ('100 000 - 150 000') is never split."""
    protected = re.sub(r"'[^']*'", lambda m: m.group(0).replace(" ", "\u00a0"), text)
    lines = textwrap.wrap(
        protected, width=width, initial_indent="# ", subsequent_indent="# ", break_on_hyphens=False
    )
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


def render_template() -> str:
    """The text of ``casestudies/TEMPLATE.md``, generated from the schema."""
    schema = load_schema()
    required = schema["required"]
    conditional = conditional_requirements()
    lines = ["---"]
    lines += _comment_block(
        "Sjabloon voor een casestudie. Kopieer dit bestand naar een nieuwe naam (bijvoorbeeld "
        "'gemeente-onderwerp.md'), vervang de voorbeeldwaarden en schrijf de vier secties. "
        "Controleer daarna met: python -m samenspel casestudies. Uitleg: casestudies/README.md. "
        "(Dit bestand wordt gemaakt uit samenspel/casestudy.schema.json; pas het daar aan.)"
    )
    for name, sub in schema["properties"].items():
        sub = resolve(sub)
        req = _required_text(name, required, conditional)
        req_text = {"ja": "verplicht", "nee": "niet verplicht"}.get(req, f"verplicht {req.replace('`', '')}")
        lines.append("")
        lines += _comment_block(f"{sub['title']} ({req_text}): {sub['description']}")
        lines += _comment_block("Waarde: " + _value_text(sub).replace("`", "'"))
        example = sub["examples"][0]
        dumped = yaml.safe_dump({name: example}, allow_unicode=True, sort_keys=False, default_flow_style=False, width=88)
        lines += dumped.rstrip("\n").splitlines()
    lines += ["---", ""]
    lines.append(
        "% Regels die met % beginnen zijn aantekeningen: ze verschijnen niet in het boek. "
        "Schrijf onder elke kop een paar alinea's of opsommingstekens."
    )
    for section in schema["x-secties"]:
        lines += ["", f"## {section['titel']}", "", f"% {section['uitleg']}"]
    return "\n".join(lines) + "\n"


def _table_cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render_field_table() -> str:
    """The field documentation for ``casestudies/README.md`` (between the markers)."""
    schema = load_schema()
    conditional = conditional_requirements()
    rows = [
        "| Veld | Naam | Verplicht | Waarde | Uitleg |",
        "| --- | --- | --- | --- | --- |",
    ]

    def add(name: str, sub: Mapping[str, Any], required: Sequence[str], cond: Mapping[str, str]) -> None:
        sub = resolve(sub)
        rows.append(
            "| "
            + " | ".join(
                _table_cell(c)
                for c in (
                    f"`{name}`",
                    sub.get("title", ""),
                    _required_text(name.split(".")[-1].removesuffix("[]"), required, cond),
                    _value_text(sub),
                    sub.get("description", ""),
                )
            )
            + " |"
        )

    for name, sub in schema["properties"].items():
        add(name, sub, schema["required"], conditional)
        resolved = resolve(sub)
        nested = resolved
        prefix = name
        if resolved.get("type") == "array" and resolve(resolved.get("items", {})).get("type") == "object":
            nested = resolve(resolved["items"])
            prefix = f"{name}[]"
        if nested.get("type") == "object":
            for child, child_sub in nested.get("properties", {}).items():
                rows.append(
                    "| "
                    + " | ".join(
                        _table_cell(c)
                        for c in (
                            f"`{prefix}.{child}`",
                            resolve(child_sub).get("title", ""),
                            "ja" if child in nested.get("required", []) else "nee",
                            _value_text(child_sub),
                            resolve(child_sub).get("description", ""),
                        )
                    )
                    + " |"
                )
    sections = ", ".join(f"`## {t}`" for t in section_titles())
    lines = [
        "",
        "<!-- Dit deel wordt gemaakt uit samenspel/casestudy.schema.json: "
        "python -m samenspel casestudies --bijwerken -->",
        "",
        *rows,
        "",
        f"Verplichte secties in de tekst, in deze volgorde: {sections}.",
        "",
    ]
    for section in schema["x-secties"]:
        lines.append(f"- **{section['titel']}**: {section['uitleg']}")
    lines.append("")
    return "\n".join(lines)


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

