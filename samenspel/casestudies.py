"""Case studies: parse, validate, match to chapters and write book pages.

A case study is a Markdown file in ``casestudies/`` with a YAML front matter block.
The fields are described once, in ``casestudy.schema.json``; that schema drives the
validator, the template (``casestudies/TEMPLATE.md``) and the field table in
``casestudies/README.md``. The required body sections are listed in the same schema
(the custom keyword ``x-secties``). All messages for users are in Dutch.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import functools
import html
import json
import os
import re
import textwrap
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from samenspel import paths
from samenspel.errors import SamenspelError

SCHEMA_PATH = Path(__file__).with_name("casestudy.schema.json")

# Files in the case-study folder that are not case studies (compared case-insensitively).
NOT_CASE_STUDIES = ("TEMPLATE.md", "README.md")
TEMPLATE_NAME = "TEMPLATE.md"
README_NAME = "README.md"
README_BEGIN = "<!-- velden:begin -->"
README_END = "<!-- velden:end -->"

# Earliest year a case study may describe is the schema's `minimum` for `jaar`; the
# latest is the current year (a practice cannot be described in the future).
ANONYMOUS = "anoniem"
REGION = "regio"
UNKNOWN = "onbekend"
INDEX_SLUG = "index"
GENERATED_MARKER = "% Gegenereerd door samenspel.casestudies"
FILTER_SCRIPT = "samenspel-filter.js"

# HTML event-handler attributes ("onclick=", "onerror = '...'"). Only real event names,
# or any on...= followed by a quote, so that Dutch words such as "onbekend = ..." pass.
_EVENT_HANDLER = re.compile(
    r"\bon(?:(?:click|dblclick|auxclick|load|loadstart|loadend|error|abort|mouse[a-z]*|key[a-z]*"
    r"|focus[a-z]*|blur|change|submit|input|beforeinput|invalid|reset|search|select[a-z]*"
    r"|pointer[a-z]*|touch[a-z]*|drag[a-z]*|drop|wheel|scroll[a-z]*|copy|cut|paste"
    r"|animation[a-z]*|transition[a-z]*|toggle|begin|end|play[a-z]*|pause|ended|message"
    r"|resize|unload|beforeunload|pageshow|pagehide|hashchange|popstate|storage|show"
    r"|contextmenu|cancel|close|formdata|securitypolicyviolation|[a-z]*change)\s*="
    r"|[a-z]+\s*=\s*[\"'`])",
    re.I,
)

# Body content that would put raw HTML or script on the public site.
_UNSAFE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"<!--"), "HTML-commentaar ('<!--')"),
    (re.compile(r"<[!?]"), "HTML-code ('<!' of '<?')"),
    (re.compile(r"</?[A-Za-z][\w:-]*"), "HTML-code"),
    (re.compile(r"j\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t\s*:", re.I), "een 'javascript:'-adres"),
    (re.compile(r"v\s*b\s*s\s*c\s*r\s*i\s*p\s*t\s*:", re.I), "een 'vbscript:'-adres"),
    (_EVENT_HANDLER, "een HTML-gebeurtenis (zoals 'onclick=')"),
    (
        re.compile(r"\{\s*(raw|raw-[\w-]+|eval-rst|eval_rst|include|literalinclude|code-cell)\s*\}", re.I),
        "een MyST-opdracht die ruwe code of andere bestanden invoegt",
    ),
)
# Markdown autolinks (<https://...>) are ordinary links, not HTML.
_AUTOLINK = re.compile(r"<(https?://[^\s<>]+|mailto:[^\s<>]+)>", re.I)
_DOC_ROLE = re.compile(r"\{doc\}`([^`]*)`")
_FENCE = re.compile(r"^(\s{0,3})(`{3,}|~{3,})")
_HOST_LABEL = re.compile(r"^(?!-)[^\W_](?:[^\W_]|-){0,62}(?<!-)$", re.UNICODE)

_TYPE_NAMES = {
    "string": "tekst",
    "integer": "een geheel getal (zoals 2019)",
    "number": "een getal",
    "boolean": "ja/nee (true of false)",
    "array": "een lijst (regels die beginnen met '- ')",
    "object": "een groep velden (ingesprongen regels 'naam: waarde')",
    "null": "niets",
}


# ---------------------------------------------------------------------------------------
# Schema


@functools.cache
def load_schema() -> dict[str, Any]:
    """The case-study JSON Schema (read once)."""
    with open(SCHEMA_PATH, encoding="utf-8") as fh:
        return json.load(fh)


def _resolve(subschema: Mapping[str, Any]) -> dict[str, Any]:
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


def _conditional_requirements() -> dict[str, str]:
    """Fields required only under a condition (allOf/if/then), with the condition in Dutch."""
    result: dict[str, str] = {}
    for rule in load_schema().get("allOf", []):
        cond = rule.get("if", {}).get("properties", {})
        parts = [f"`{name}` is '{sub['const']}'" for name, sub in cond.items() if "const" in sub]
        for name in rule.get("then", {}).get("required", []):
            result[name] = " en ".join(parts)
    return result


# ---------------------------------------------------------------------------------------
# Data types


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
# Parsing


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses a key that appears twice."""


class _DuplicateKey(yaml.constructor.ConstructorError):
    def __init__(self, key: Any, mark: yaml.Mark):
        super().__init__(None, None, f"het veld '{key}' staat er twee keer", mark)
        self.key = key


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise _DuplicateKey(key, key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


def _yaml_lines(yaml_text: str, first_line: int) -> dict[str, int]:
    """File line of every field path ('bronnen[1].url') in a front-matter block."""
    lines: dict[str, int] = {}

    def walk(node: yaml.Node, path: list[Any]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                sub = [*path, key_node.value]
                lines[_field_path(sub)] = key_node.start_mark.line + first_line
                walk(value_node, sub)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                sub = [*path, i]
                lines[_field_path(sub)] = item.start_mark.line + first_line
                walk(item, sub)

    try:
        root = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return lines
    if root is not None:
        walk(root, [])
    return lines


def _line_for(field_path: str, lines: Mapping[str, int]) -> int | None:
    """The line of a field, or of the nearest enclosing field that has one."""
    while field_path:
        if field_path in lines:
            return lines[field_path]
        field_path = re.sub(r"(\[[0-9]+\]|\.[^.\[\]]+)$", "", field_path) if re.search(
            r"(\[[0-9]+\]|\.[^.\[\]]+)$", field_path
        ) else ""
    return None


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


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
    return sorted(
        p for p in directory.glob("*.md") if p.is_file() and p.name.lower() not in skip
    )


def _display(path: Path, root: Path) -> str:
    path = Path(os.path.abspath(path))
    for base in (root, Path.cwd()):
        try:
            return path.relative_to(Path(os.path.abspath(base))).as_posix()
        except ValueError:
            continue
    return path.as_posix()


# ---------------------------------------------------------------------------------------
# Validation


def _field_path(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _describe(value: Any) -> str:
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


def _hint(value: Any, options: Sequence[Any]) -> str:
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, [str(o) for o in options], n=1, cutoff=0.6)
    return f" Bedoelde u '{close[0]}'?" if close else ""


def _expected(subschema: Mapping[str, Any]) -> str:
    """A short Dutch description of what a schema expects."""
    sub = _resolve(subschema)
    if "enum" in sub:
        return "een van: " + ", ".join(f"'{v}'" for v in sub["enum"])
    kind = sub.get("type")
    if kind == "array":
        items = _resolve(sub.get("items", {}))
        if "enum" in items:
            return "een lijst met waarden uit: " + ", ".join(f"'{v}'" for v in items["enum"])
        return _TYPE_NAMES["array"]
    return _TYPE_NAMES.get(kind, "een geldige waarde")


def _translate(error, instance_root: Mapping[str, Any]) -> list[tuple[str | None, str]]:
    """Translate one jsonschema error into (field, Dutch message) pairs."""
    path = list(error.absolute_path)
    here = _field_path(path) or None
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    kind = error.validator
    value = error.instance

    if kind == "required":
        missing = [k for k in error.validator_value if isinstance(value, Mapping) and k not in value]
        conditional = "then" in list(error.relative_schema_path)
        out = []
        # A `then` branch has no properties of its own: describe the field from the root.
        props = schema.get("properties") or load_schema()["properties"]
        for name in missing:
            sub = props.get(name, {})
            sub = _resolve(sub) if sub else {}
            reason = ""
            if conditional:
                cond = _conditional_requirements().get(name)
                reason = f" (verplicht omdat {cond.replace('`', '')})" if cond else ""
            desc = sub.get("description", "")
            out.append(
                (
                    _field_path([*path, name]),
                    f"verplicht veld ontbreekt{reason}; verwacht {_expected(sub)}. {desc}".strip(),
                )
            )
        return out
    if kind == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        extra = [k for k in value if k not in allowed] if isinstance(value, Mapping) else []
        return [
            (
                _field_path([*path, name]),
                "onbekend veld; verwacht alleen deze velden: " + ", ".join(allowed) + "." + _hint(name, allowed),
            )
            for name in extra
        ]
    if kind == "type":
        return [(here, f"verwacht {_expected(schema)}, gevonden: {_describe(value)}.")]
    if kind == "enum":
        return [(here, f"verwacht {_expected(schema)}; gevonden: {_describe(value)}.{_hint(value, schema['enum'])}")]
    if kind == "const":
        return [(here, f"verwacht '{error.validator_value}', gevonden: {_describe(value)}.")]
    if kind == "minItems":
        n = error.validator_value
        return [(here, f"verwacht minstens {n} {'waarde' if n == 1 else 'waarden'} in de lijst; gevonden: {len(value)}.")]
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
        return [(here, f"heeft niet de goede vorm ({_describe(value)}); verwacht: {desc}")]
    if kind == "minimum":
        desc = schema.get("description", "")
        return [(here, f"verwacht minstens {error.validator_value}, gevonden: {value}. {desc}".strip())]
    if kind == "maximum":
        return [(here, f"verwacht hoogstens {error.validator_value}, gevonden: {value}.")]
    return [(here, f"ongeldige waarde ({_describe(value)}).")]


def _unsafe_matches(text: str) -> list[tuple[int, str]]:
    """Offsets and descriptions of raw HTML or script in a text."""
    # Blank out Markdown autolinks so that '<https://...>' is not taken for a tag.
    masked = _AUTOLINK.sub(lambda m: " " * len(m.group(0)), text)
    found: list[tuple[int, str]] = []
    for pattern, what in _UNSAFE_PATTERNS:
        for m in pattern.finditer(masked):
            found.append((m.start(), f"{what}: '{m.group(0).strip()}'"))
    found.sort()
    # Report each offset once (e.g. '<!--' also matches '<!').
    seen: set[int] = set()
    unique = []
    for offset, what in found:
        if offset not in seen:
            unique.append((offset, what))
            seen.add(offset)
    return unique


def _join_unsafe(found: list[tuple[int, str]]) -> str:
    """'HTML-code: '<b', '</b'' from several matches, grouped by kind."""
    kinds: dict[str, list[str]] = {}
    for _, what in found:
        kind, _, sample = what.partition(": ")
        kinds.setdefault(kind, []).append(sample)
    return "; ".join(f"{kind}: {', '.join(samples)}" for kind, samples in kinds.items())


_UNSAFE_ADVICE = (
    "zulke code is niet toegestaan, want het boek staat op een openbare website; "
    "gebruik gewone tekst en Markdown-opmaak."
)


def is_wellformed_url(url: str) -> bool:
    """Whether ``url`` is a complete http(s) address with a plausible host (not fetched)."""
    if not isinstance(url, str) or not url or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return False
    if "@" in parts.netloc or not parts.hostname:
        return False
    labels = parts.hostname.rstrip(".").split(".")
    if len(labels) < 2 or not all(_HOST_LABEL.match(label) for label in labels):
        return False
    tld = labels[-1]
    return tld.isalpha() and len(tld) >= 2 or tld.startswith("xn--")


def _walk_strings(value: Any, path: list[Any]) -> Iterable[tuple[list[Any], str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from _walk_strings(v, [*path, k])
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk_strings(v, [*path, i])


def _markdown():
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    # Keep every link as written: we check the schemes ourselves.
    md.validateLink = lambda url: True
    md.normalizeLink = lambda url: url
    md.normalizeLinkText = lambda url: url
    return md


def _line_of(body_lines: list[str], start: int, end: int, needle: str) -> int:
    """0-based line in [start, end) that contains needle (or start)."""
    for i in range(start, min(end, len(body_lines))):
        if needle in body_lines[i]:
            return i
    return start


def _resolve_local(target: str, base_dir: Path, root: Path) -> Path:
    path_part = unquote(target.split("#", 1)[0].split("?", 1)[0])
    if path_part.startswith("/"):
        return Path(os.path.normpath(root / path_part.lstrip("/")))
    return Path(os.path.normpath(base_dir / path_part))


def _inside(path: Path, root: Path) -> bool:
    try:
        Path(os.path.abspath(path)).relative_to(Path(os.path.abspath(root)))
        return True
    except ValueError:
        return False


def _check_link(
    target: str, base_dir: Path, root: Path, *, doc_role: bool = False
) -> str | None:
    """A Dutch message when a link target is unsafe, malformed or points nowhere."""
    target = target.strip()
    if not target:
        return "lege link; verwacht een webadres of een bestand in de repository."
    if target.startswith("#"):
        return None
    scheme = urlsplit(target).scheme.lower() if ":" in target.split("/", 1)[0] else ""
    if scheme in ("http", "https"):
        if doc_role or not is_wellformed_url(target):
            return f"ongeldig webadres '{target}'; verwacht een volledig adres als https://www.voorbeeld.nl/pagina."
        return None
    if scheme == "mailto":
        return None if re.fullmatch(r"mailto:[^@\s]+@[^@\s]+\.[^@\s]+", target, re.I) else (
            f"ongeldig e-mailadres '{target}'."
        )
    if scheme:
        return f"link van de soort '{scheme}:' is niet toegestaan; verwacht http(s), mailto of een bestand in de repository."
    resolved = _resolve_local(target, base_dir, root)
    if not _inside(resolved, root):
        return f"de link '{target}' wijst buiten de repository; verwacht een bestand in de repository."
    if doc_role:
        candidates = [resolved, *(resolved.with_name(resolved.name + ext) for ext in (".md", ".ipynb", ".rst"))]
        if any(c.is_file() for c in candidates):
            return None
    elif resolved.is_file():
        return None
    hint = ""
    if "gemeenten/" in target:
        hint = " Verwijs niet zelf naar hoofdstukken van gemeenten: de gemeente in de kop krijgt vanzelf een link."
    return f"de link '{target}' wijst naar een pagina die niet bestaat; verwacht een bestaand bestand (gezocht: {_display(resolved, root)}).{hint}"


def _check_body(
    body: str, body_start: int, file_path: Path, root: Path, problems: list[Problem], shown: str
) -> None:
    def add(message: str, line0: int | None) -> None:
        problems.append(Problem(shown, "tekst", message, None if line0 is None else body_start + line0))

    body_lines = body.splitlines()
    # Raw HTML and script, one message per line.
    for i, text in enumerate(body_lines):
        found = _unsafe_matches(text)
        if found:
            add(f"bevat {_join_unsafe(found)}; {_UNSAFE_ADVICE}", i)

    tokens = _markdown().parse(body)

    # Headings.
    headings: list[tuple[int, str, str]] = []  # (0-based line, tag, text)
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.map:
            headings.append((tok.map[0], tok.tag, tokens[i + 1].content.strip()))
    for line0, tag, text in headings:
        if tag == "h1":
            add(
                f"kop met één '#' ('# {text}') is niet toegestaan; de titel komt uit het veld 'titel'. "
                "Verwacht koppen met '##'.",
                line0,
            )
    required = section_titles()
    h2 = [(line0, text) for line0, tag, text in headings if tag == "h2"]
    positions: list[int] = []
    for title in required:
        found = [idx for idx, (_, text) in enumerate(h2) if text.casefold() == title.casefold()]
        if not found:
            add(
                f"de verplichte sectie '## {title}' ontbreekt; verwacht deze secties in deze volgorde: "
                + ", ".join(f"'## {t}'" for t in required)
                + ".",
                None,
            )
            continue
        if len(found) > 1:
            add(f"de sectie '## {title}' staat er {len(found)} keer; verwacht één keer.", h2[found[1]][0])
        positions.append(found[0])
        # The section must have content (MyST comments, lines starting with '%', do not count).
        start = h2[found[0]][0] + 1
        following = [ln for ln, tag, _ in headings if ln >= start and tag in ("h1", "h2")]
        end = following[0] if following else len(body_lines)
        content = [ln for ln in body_lines[start:end] if ln.strip() and not ln.lstrip().startswith("%")]
        if not content:
            add(f"de sectie '## {title}' is leeg; verwacht een paar alinea's of opsommingstekens.", h2[found[0]][0])
    if positions != sorted(positions):
        add(
            "de secties staan niet in de goede volgorde; verwacht: "
            + ", ".join(f"'## {t}'" for t in required)
            + ".",
            None,
        )

    # Links (Markdown links, images, reference links and autolinks) ...
    base_dir = file_path.parent
    for line0, target in _iter_links(tokens, body_lines, 0):
        message = _check_link(target, base_dir, root)
        if message:
            add(message, line0)
    # ... and MyST {doc} roles.
    for i, text in enumerate(body_lines):
        for m in _DOC_ROLE.finditer(text):
            target = _doc_role_target(m.group(1))
            message = _check_link(target, base_dir, root, doc_role=True)
            if message:
                add(message, i)


def _iter_links(tokens, lines: list[str], offset: int) -> Iterable[tuple[int, str]]:
    """(0-based body line, target) of every link and image, also inside MyST directives
    (which CommonMark sees as code fences)."""
    for tok in tokens:
        if tok.type == "fence" and tok.info.strip().startswith("{") and tok.map:
            inner_start = tok.map[0] + 1
            inner_lines = lines[offset + inner_start : offset + tok.map[1]]
            # Blank out directive options (":class: tip") so line numbers stay right.
            content = "\n".join("" if ln.lstrip().startswith(":") else ln for ln in inner_lines)
            yield from _iter_links(_markdown().parse(content), lines, offset + inner_start)
            continue
        if tok.type != "inline" or not tok.children:
            continue
        start, end = tok.map or [0, 1]
        for child in tok.children:
            if child.type == "link_open":
                target = str(child.attrGet("href") or "")
            elif child.type == "image":
                target = str(child.attrGet("src") or "")
            else:
                continue
            needle = target.split("#", 1)[0] or target
            yield _line_of(lines, offset + start, offset + end, needle), target


def _doc_role_target(content: str) -> str:
    m = re.fullmatch(r"\s*(.*?)\s*<([^<>]*)>\s*", content, re.S)
    return (m.group(2) if m else content).strip()


class _LazyMunicipalities:
    def __init__(self, given: Mapping[str, str] | None):
        self._given = given

    def get(self) -> Mapping[str, str]:
        if self._given is None:
            self._given = _default_known_municipalities()
        if not self._given:
            # Without data every code would look unknown; say what is really wrong.
            raise SamenspelError(
                "Er is geen lijst met CBS-gemeentecodes beschikbaar, dus de gemeentecodes in de "
                "casestudies kunnen niet worden gecontroleerd. Gebruik de CBS-gegevens uit een "
                "momentopname (--snapshot MAP of SAMENSPEL_SNAPSHOT=MAP) of haal ze op met "
                "'python -m samenspel download'."
            )
        return self._given


def _default_known_municipalities() -> Mapping[str, str]:
    """All GMxxxx codes valid in any year 2014-2025, with names (from samenspel.regions)."""
    try:
        from samenspel.regions import known_municipalities
    except ImportError as exc:  # pragma: no cover - depends on the lead's module
        raise SamenspelError(
            "De lijst met CBS-gemeentecodes is niet beschikbaar (samenspel.regions ontbreekt); "
            f"de gemeentecodes in de casestudies kunnen niet worden gecontroleerd ({exc})."
        ) from exc
    return known_municipalities()


def _check_cross_references(
    meta: Mapping[str, Any], municipalities: _LazyMunicipalities, shown: str
) -> tuple[list[Problem], tuple[str, ...]]:
    """The rules the JSON Schema cannot express: every code in ``regio.gemeenten`` is a
    known CBS municipality, and every ``aanbevelingen[].opvolging_bron`` is the title of a
    source in ``bronnen``. Returns the problems and the names of the region's municipalities.
    (Wrong shapes are left to the schema; this only looks at values of the right type.)"""
    problems: list[Problem] = []
    names: list[str] = []
    regio = meta.get("regio")
    codes = regio.get("gemeenten") if isinstance(regio, Mapping) else None
    for i, code in enumerate(codes if isinstance(codes, list) else []):
        if not (isinstance(code, str) and re.fullmatch(r"GM[0-9]{4}", code)):
            continue
        known = municipalities.get()
        if code in known:
            names.append(known[code])
        else:
            problems.append(
                Problem(
                    shown,
                    f"regio.gemeenten[{i + 1}]",
                    f"onbekende CBS-gemeentecode '{code}'; verwacht de code van een gemeente die tussen "
                    "2014 en 2025 bestond (zoals GM0629 voor Wassenaar).",
                )
            )
    bronnen = meta.get("bronnen")
    titles = [
        b["titel"] for b in (bronnen if isinstance(bronnen, list) else [])
        if isinstance(b, Mapping) and isinstance(b.get("titel"), str)
    ]
    aanbevelingen = meta.get("aanbevelingen")
    for i, rec in enumerate(aanbevelingen if isinstance(aanbevelingen, list) else []):
        ref = rec.get("opvolging_bron") if isinstance(rec, Mapping) else None
        if isinstance(ref, str) and ref not in titles:
            listed = ", ".join(f"'{t}'" for t in titles) or "(geen)"
            problems.append(
                Problem(
                    shown,
                    f"aanbevelingen[{i + 1}].opvolging_bron",
                    f"'{ref}' is niet de titel van een bron in 'bronnen'; verwacht precies een van deze "
                    f"titels: {listed}.{_hint(ref, titles)}",
                )
            )
    return problems, tuple(names)


def _check_file(
    file_path: Path,
    municipalities: _LazyMunicipalities,
    today: _dt.date,
    root: Path,
) -> tuple[list[Problem], CaseStudy | None]:
    shown = _display(file_path, root)
    problems: list[Problem] = []
    if not file_path.is_file():
        return [Problem(shown, None, "bestand niet gevonden; verwacht een bestaand .md-bestand.")], None
    if file_path.suffix.lower() != ".md":
        problems.append(Problem(shown, None, "verwacht een Markdown-bestand met de extensie .md."))
    try:
        text = file_path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return [Problem(shown, None, "het bestand is geen UTF-8-tekst; sla het op als UTF-8.")], None
    split = split_front_matter(text)
    if split is None:
        return [
            Problem(
                shown,
                None,
                "de kop met velden ontbreekt; verwacht op de eerste regel '---', dan de velden, "
                "dan weer een regel '---' (zie casestudies/TEMPLATE.md).",
                1,
            )
        ], None
    yaml_text, body, body_start = split
    try:
        meta = yaml.load(yaml_text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        if isinstance(exc, _DuplicateKey):
            return [Problem(shown, str(exc.key), "dit veld staat er twee keer; verwacht elk veld één keer.", line)], None
        else:
            message = (
                "de kop met velden is geen geldige YAML; verwacht regels 'veld: waarde' zoals in "
                "casestudies/TEMPLATE.md. Controleer de inspringing, haakjes en aanhalingstekens, en "
                f"zet tekst met een dubbele punt tussen aanhalingstekens (technische melding: {reason})."
            )
        return [Problem(shown, None, message, line)], None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        return [Problem(shown, None, "de kop met velden moet uit regels 'veld: waarde' bestaan.", 2)], None

    # Schema: unknown/missing fields and wrong types.
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(load_schema())
    seen: set[tuple[str | None, str]] = set()
    bad_fields: set[str] = set()
    for error in sorted(validator.iter_errors(meta), key=lambda e: list(map(str, e.absolute_path))):
        for fld, message in _translate(error, meta):
            if (fld, message) not in seen:
                seen.add((fld, message))
                problems.append(Problem(shown, fld, message))
                if fld:
                    bad_fields.add(fld)

    # Year not in the future (the lower bound is in the schema).
    jaar = meta.get("jaar")
    if isinstance(jaar, int) and not isinstance(jaar, bool) and jaar > today.year:
        problems.append(Problem(shown, "jaar", f"{jaar} ligt in de toekomst; verwacht uiterlijk {today.year}."))
    bronnen = meta.get("bronnen")
    if isinstance(bronnen, list):
        for i, bron in enumerate(bronnen):
            if not isinstance(bron, dict):
                continue
            bron_jaar = bron.get("jaar")
            if isinstance(bron_jaar, int) and not isinstance(bron_jaar, bool) and bron_jaar > today.year:
                problems.append(
                    Problem(shown, f"bronnen[{i + 1}].jaar", f"{bron_jaar} ligt in de toekomst; verwacht uiterlijk {today.year}.")
                )
            url = bron.get("url")
            fld = f"bronnen[{i + 1}].url"
            if isinstance(url, str) and fld not in bad_fields and not is_wellformed_url(url):
                problems.append(
                    Problem(shown, fld, f"ongeldig webadres '{url}'; verwacht een volledig adres als https://www.voorbeeld.nl/pagina.")
                )

    # Municipality code must exist.
    gemeente = meta.get("gemeente")
    name: str | None = None
    if isinstance(gemeente, str) and re.fullmatch(r"GM[0-9]{4}", gemeente):
        known = municipalities.get()
        if gemeente not in known:
            problems.append(
                Problem(
                    shown,
                    "gemeente",
                    f"onbekende CBS-gemeentecode '{gemeente}'; verwacht de code van een gemeente die tussen "
                    "2014 en 2025 bestond (zoals GM0034 voor Almere), 'regio' of 'anoniem'.",
                )
            )
        else:
            name = known[gemeente]

    # Region codes and references between fields.
    cross_problems, region_names = _check_cross_references(meta, municipalities, shown)
    problems.extend(cross_problems)

    # Raw HTML or script in any text field.
    for path, value in _walk_strings(meta, []):
        found = _unsafe_matches(value)
        if found:
            problems.append(Problem(shown, _field_path(path), f"bevat {_join_unsafe(found)}; {_UNSAFE_ADVICE}"))

    # Point each field problem at its line in the file, where there is one.
    lines = _yaml_lines(yaml_text, 2)
    problems = [
        Problem(p.file, p.field, p.message, _line_for(p.field, lines))
        if p.field and p.field != "tekst" and p.line is None
        else p
        for p in problems
    ]

    _check_body(body, body_start, file_path, root, problems, shown)

    slug = slugify(file_path.stem)
    if not slug:
        problems.append(Problem(shown, None, "de bestandsnaam bevat geen letters of cijfers; verwacht bijvoorbeeld 'almere-monitor.md'."))
    elif slug == INDEX_SLUG:
        problems.append(Problem(shown, None, "de bestandsnaam 'index' is gereserveerd voor het overzicht; verwacht een andere naam, bijvoorbeeld 'gemeente-onderwerp.md'."))

    if problems:
        return problems, None
    return [], CaseStudy(
        path=file_path, slug=slug, meta=meta, body=body, gemeentenaam=name, body_start_line=body_start,
        region_names=region_names,
    )


def _collect(
    files: Iterable[Path | str],
    known_municipalities: Mapping[str, str] | None,
    today: _dt.date | None,
    root: Path | str | None,
) -> tuple[list[Problem], list[CaseStudy]]:
    root_path = Path(root) if root is not None else paths.ROOT
    today = today or _dt.date.today()
    municipalities = _LazyMunicipalities(known_municipalities)
    problems: list[Problem] = []
    studies: list[CaseStudy] = []
    by_slug: dict[str, Path] = {}
    for file_path in files:
        file_path = Path(file_path)
        file_problems, study = _check_file(file_path, municipalities, today, root_path)
        problems.extend(file_problems)
        slug = slugify(file_path.stem)
        if slug and slug in by_slug:
            problems.append(
                Problem(
                    _display(file_path, root_path),
                    None,
                    f"de paginanaam '{slug}' is al in gebruik door {_display(by_slug[slug], root_path)}; "
                    "verwacht een unieke bestandsnaam.",
                )
            )
            study = None
        elif slug:
            by_slug[slug] = file_path
        if study is not None:
            studies.append(study)
    return problems, studies


def validate_files(
    files: Iterable[Path | str],
    known_municipalities: Mapping[str, str] | None = None,
    *,
    today: _dt.date | None = None,
    root: Path | str | None = None,
) -> list[Problem]:
    """Check the given case-study files; see :func:`validate_all`."""
    return _collect(files, known_municipalities, today, root)[0]


def validate_all(
    directory: Path | str = paths.CASESTUDY_DIR,
    known_municipalities: Mapping[str, str] | None = None,
    *,
    today: _dt.date | None = None,
    root: Path | str | None = None,
) -> list[Problem]:
    """Check every case study in ``directory`` and return the problems (empty: all valid).

    ``known_municipalities`` maps every valid CBS code to its name (default:
    ``samenspel.regions.known_municipalities()``, only called when a file names a code).
    ``today`` decides which years lie in the future; ``root`` is the repository root that
    relative links must stay inside (default: this project).
    """
    return validate_files(case_study_files(directory), known_municipalities, today=today, root=root)


def load_all(
    directory: Path | str = paths.CASESTUDY_DIR,
    known_municipalities: Mapping[str, str] | None = None,
    *,
    today: _dt.date | None = None,
    root: Path | str | None = None,
) -> list[CaseStudy]:
    """All case studies in ``directory``, sorted by slug; raises SamenspelError when any
    is invalid (the message names each file and field)."""
    problems, studies = _collect(case_study_files(directory), known_municipalities, today, root)
    if problems:
        lines = "\n".join(f"- {p}" for p in problems)
        raise SamenspelError(
            f"{len(problems)} {'probleem' if len(problems) == 1 else 'problemen'} in de casestudies "
            f"(controleer met 'python -m samenspel casestudies'):\n{lines}"
        )
    return sorted(studies, key=lambda s: s.slug)


# ---------------------------------------------------------------------------------------
# Matching to a municipality chapter


def for_chapter(
    code: str,
    peer_codes: Sequence[str],
    size_class: str | None,
    case_studies: Iterable[CaseStudy],
    size_class_of: Callable[[str], str | None] | None = None,
) -> list[CaseStudy]:
    """All case studies, the most relevant for municipality ``code`` first.

    Order: the municipality's own case studies; then those of its peers (in the order of
    ``peer_codes``); then those of the same size class (``size_class`` is the chapter
    municipality's class; a case study's class is its ``grootteklasse`` field, or for a
    named municipality ``size_class_of(code)``); then the rest. Within a group: newest
    first, then by title.
    """
    if size_class is None and size_class_of is not None:
        size_class = size_class_of(code)
    peer_rank = {c: i for i, c in enumerate(peer_codes)}

    def key(cs: CaseStudy) -> tuple:
        if cs.code == code:
            group, sub = 0, 0
        elif cs.code in peer_rank:
            group, sub = 1, peer_rank[cs.code]
        elif size_class and size_class != UNKNOWN and cs.size_class(size_class_of) == size_class:
            group, sub = 2, 0
        else:
            group, sub = 3, 0
        return (group, sub, -cs.jaar, cs.titel.casefold(), cs.slug)

    return sorted(case_studies, key=key)


# ---------------------------------------------------------------------------------------
# Book pages

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>{}|$#])")


def _md(text: Any) -> str:
    """Escape text for inline Markdown/MyST."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _write_if_changed(path: Path, content: str) -> bool:
    if path.is_file() and path.read_text(encoding="utf-8") == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(content, encoding="utf-8")
    os.replace(tmp, path)
    return True


def _outside_fences(body: str, transform: Callable[[str], str]) -> str:
    """Apply ``transform`` to each line that is not inside a code block. MyST directive
    fences (```{note}) contain Markdown, so their lines are transformed too."""
    out = []
    stack: list[tuple[str, int, bool]] = []  # (fence character, length, is code)
    for line in body.splitlines(keepends=True):
        m = _FENCE.match(line)
        if m:
            fence = m.group(2)
            rest = line.strip()[len(fence):].strip()
            top = stack[-1] if stack else None
            if top and fence[0] == top[0] and len(fence) >= top[1] and not rest:
                stack.pop()
                out.append(line)
                continue
            if not (top and top[2]):
                stack.append((fence[0], len(fence), not rest.startswith("{")))
                out.append(line)
                continue
        in_code = any(code for _, _, code in stack)
        out.append(line if in_code else transform(line))
    return "".join(out)


def _rewrite_links(cs: CaseStudy, out_dir: Path, slug_by_path: Mapping[Path, str], root: Path) -> str:
    """The body with relative links rewritten from the source folder to ``out_dir``."""
    base = cs.path.parent

    def new_target(target: str, doc_role: bool) -> str:
        if not target or target.startswith("#") or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):
            return target
        path_part, sep, anchor = target.partition("#")
        resolved = _resolve_local(path_part, base, root) if path_part else None
        if resolved is None:
            return target
        candidates = [resolved]
        if doc_role:
            candidates += [resolved.with_name(resolved.name + ext) for ext in (".md", ".ipynb")]
        for cand in candidates:
            slug = slug_by_path.get(Path(os.path.abspath(cand)))
            if slug:
                new = slug if doc_role else f"{slug}.md"
                break
        else:
            new = os.path.relpath(resolved, out_dir).replace(os.sep, "/")
        return new + (sep + anchor if sep else "")

    def inline_link(m: re.Match[str]) -> str:
        target = m.group("angle") if m.group("angle") is not None else m.group("plain")
        rewritten = new_target(target, False)
        inner = f"<{rewritten}>" if m.group("angle") is not None else rewritten
        return f"]({inner}{m.group('rest')}"

    def ref_def(m: re.Match[str]) -> str:
        return m.group(1) + new_target(m.group(2), False) + m.group(3)

    def doc_role(m: re.Match[str]) -> str:
        content = m.group(1)
        inner = re.fullmatch(r"(\s*.*?\s*<)([^<>]*)(>\s*)", content, re.S)
        if inner:
            return "{doc}`" + inner.group(1) + new_target(inner.group(2), True) + inner.group(3) + "`"
        return "{doc}`" + new_target(content.strip(), True) + "`"

    inline = re.compile(r"\]\(\s*(?:<(?P<angle>[^<>\n]*)>|(?P<plain>[^()\s]+))(?P<rest>(?:\s+\"[^\"]*\")?\s*\))")
    refdef = re.compile(r"^(\s{0,3}\[[^\]]+\]:\s*)(\S+)(.*)$", re.S)

    def transform(line: str) -> str:
        line = inline.sub(inline_link, line)
        line = refdef.sub(ref_def, line)
        return _DOC_ROLE.sub(doc_role, line)

    return _outside_fences(cs.body, transform)


def _prop_title(name: str) -> str:
    return load_schema()["properties"][name]["title"]


def _summary_lines(
    cs: CaseStudy,
    chapter_exists: Callable[[str], bool],
    size_class_of: Callable[[str], str | None] | None,
    chapters_docpath: str,
) -> list[str]:
    m = cs.meta
    if cs.code:
        name = cs.gemeentenaam or cs.code
        role_name = re.sub(r"[`<>]", "", name)
        gemeente = (
            f"{{doc}}`{role_name} <{chapters_docpath}/{cs.code}>` ({cs.code})"
            if chapter_exists(cs.code)
            else f"{_md(name)} ({cs.code})"
        )
    elif cs.gemeente == REGION:
        gemeente = f"regio {_md(cs.municipality_label)}"
        if cs.region_names:
            gemeente += f" ({_md(', '.join(cs.region_names))})"
    else:
        gemeente = "anoniem (de bron noemt de gemeente niet)"
    size_text = cs.size_class(size_class_of) or UNKNOWN

    def involvement(key: str) -> str:
        value = m[key]
        text = _md(value["niveau"])
        if value.get("toelichting"):
            text += f": {_md(value['toelichting'])}"
        return text

    sessions = _md(m["interactieve_sessies"]["gehouden"])
    if m["interactieve_sessies"].get("toelichting"):
        sessions += f": {_md(m['interactieve_sessies']['toelichting'])}"
    soort = ", ".join(m["soort_informatie"]) or "niet beschreven in de bron"
    lines = [
        _md(m["samenvatting"]),
        "",
        f"- **{_prop_title('gemeente')}:** {gemeente}",
        f"- **{_prop_title('grootteklasse')}:** {_md(size_text)}",
        f"- **{_prop_title('jaar')}:** {cs.jaar}",
        f"- **{_prop_title('monitorvorm')}:** {_md(m['monitorvorm'])}",
        f"- **{_prop_title('rapportagefrequentie')}:** {_md(m['rapportagefrequentie'])}",
        f"- **{_prop_title('soort_informatie')}:** {_md(soort)}",
        f"- **{_prop_title('streefwaarden')}:** {_md(m.get('streefwaarden', UNKNOWN))}",
        f"- **{_prop_title('sturingsfilosofie')}:** {_md(m['sturingsfilosofie'])}",
        f"- **{_prop_title('interactieve_sessies')}:** {sessions}",
        f"- **{_prop_title('betrokkenheid_raad')}:** "
        + (involvement("betrokkenheid_raad") if "betrokkenheid_raad" in m else UNKNOWN),
        f"- **{_prop_title('betrokkenheid_aanbieders')}:** {involvement('betrokkenheid_aanbieders')}",
        f"- **{_prop_title('betrokkenheid_clienten')}:** {involvement('betrokkenheid_clienten')}",
        f"- **{_prop_title('themas')}:** {_md(', '.join(m['themas']))}",
        f"- **{_prop_title('bronnen')}:**",
    ]
    for bron in m["bronnen"]:
        title = _md(bron["titel"])
        if bron.get("url"):
            title = f"[{title}](<{bron['url']}>)"
        publisher = f", {_md(bron['uitgever'])}" if bron.get("uitgever") else ""
        read = f" (gelezen: {_md(bron['gelezen'])})" if bron.get("gelezen") else ""
        lines.append(f"  - {title}, {_md(bron['auteur'])}{publisher}, {bron['jaar']}{read}")
    if m.get("aanbevelingen"):
        lines.append(f"- **{_prop_title('aanbevelingen')}:**")
        for rec in m["aanbevelingen"]:
            follow_up = _md(rec["opvolging"])
            if rec.get("opvolging_bron"):
                follow_up += f", volgens {_md(rec['opvolging_bron'])}"
            lines.append(f"  - {_md(rec['tekst'])} (opvolging: {follow_up})")
    return lines


_LICENCE_URLS = {
    "CC BY 4.0": "https://creativecommons.org/licenses/by/4.0/deed.nl",
    "CC BY-SA 4.0": "https://creativecommons.org/licenses/by-sa/4.0/deed.nl",
    "CC0 1.0": "https://creativecommons.org/publicdomain/zero/1.0/deed.nl",
}


def render_page(
    cs: CaseStudy,
    out_dir: Path,
    chapter_exists: Callable[[str], bool],
    *,
    size_class_of: Callable[[str], str | None] | None = None,
    chapters_docpath: str = "../gemeenten",
    slug_by_path: Mapping[Path, str] | None = None,
    root: Path | str | None = None,
) -> str:
    """The MyST page of one case study."""
    root_path = Path(root) if root is not None else paths.ROOT
    slug_by_path = slug_by_path or {Path(os.path.abspath(cs.path)): cs.slug}
    source = _display(cs.path, root_path)
    body = _rewrite_links(cs, Path(out_dir), slug_by_path, root_path).strip("\n")
    licence = cs.meta["licentie"]
    licence_text = f"[{licence}](<{_LICENCE_URLS[licence]}>)" if licence in _LICENCE_URLS else _md(licence)
    parts = [
        f"{GENERATED_MARKER} uit {source}; bewerk dat bestand, niet deze pagina.",
        "",
        f"# {_md(cs.titel)}",
        "",
        "```{admonition} In het kort",
        ":class: tip",
        "",
        *_summary_lines(cs, chapter_exists, size_class_of, chapters_docpath),
        "```",
        "",
        body,
        "",
        "---",
        "",
        f"Tekst: {_md(', '.join(cs.meta['auteurs']))}. Licentie: {licence_text}. "
        "Deze casestudie is geschreven op basis van de genoemde bronnen.",
        "",
    ]
    return "\n".join(parts)


def _attr(values: Iterable[str]) -> str:
    return html.escape("|".join(values), quote=True)


def render_index(
    case_studies: Sequence[CaseStudy],
    chapter_exists: Callable[[str], bool],
    *,
    size_class_of: Callable[[str], str | None] | None = None,
    chapters_docpath: str = "../gemeenten",
) -> str:
    """The index page: an HTML table with filters by theme, size class and monitor form
    (made interactive by ``_static/samenspel-filter.js``; without script the full table shows)."""
    schema = load_schema()["properties"]
    ordered = sorted(case_studies, key=lambda cs: (cs.titel.casefold(), cs.slug))

    def options(values: set[str], order: list[str]) -> list[str]:
        return [v for v in order if v in values] + sorted(values - set(order))

    rows_data = []
    for cs in ordered:
        size = cs.size_class(size_class_of) or UNKNOWN
        rows_data.append((cs, size))
    filters = [
        ("themas", "thema", schema["themas"]["title"], "Alle thema's",
         options({t for cs, _ in rows_data for t in cs.themas}, themes())),
        ("grootteklasse", "grootte", schema["grootteklasse"]["title"], "Alle grootteklassen",
         options({s for _, s in rows_data}, size_classes())),
        ("monitorvorm", "vorm", schema["monitorvorm"]["title"], "Alle monitorvormen",
         options({cs.meta["monitorvorm"] for cs, _ in rows_data}, schema["monitorvorm"]["enum"])),
    ]
    e = html.escape
    out = [
        f"{GENERATED_MARKER} uit casestudies/*.md; bewerk die bestanden, niet deze pagina.",
        "",
        "# Casestudies",
        "",
        "Hoe hebben andere gemeenten hun monitor sociaal domein en de informatie aan de "
        "gemeenteraad georganiseerd? Elke casestudie beschrijft één aanpak: wat de gemeente deed, "
        "wat het oplevert, wat er nog ontbreekt en welke lessen andere gemeenten eruit kunnen trekken. "
        "Kies hieronder een thema, een grootteklasse of een monitorvorm om de lijst te verkleinen.",
        "",
        "```{raw} html",
        '<div class="samenspel-filter" data-samenspel-filter>',
        # `hidden` until the script runs: without JavaScript the full table shows and no
        # controls that do nothing. The flex layout sits on an inner div, because an inline
        # `display` on the form itself would override `hidden`.
        '<form class="samenspel-filter-controls" data-filter-controls hidden '
        'role="search" aria-label="Casestudies filteren">',
        '<div style="display:flex;flex-wrap:wrap;gap:0.5rem 1rem;align-items:flex-end;margin-bottom:0.5rem">',
    ]
    for key, ident, label, all_label, values in filters:
        out.append(
            f'<div style="display:flex;flex-direction:column;min-width:10rem;flex:1 1 10rem">'
            f'<label for="samenspel-filter-{ident}">{e(label)}</label>'
            f'<select id="samenspel-filter-{ident}" data-filter="{key}" style="max-width:100%">'
            f'<option value="">{e(all_label)}</option>'
            + "".join(f'<option value="{e(v)}">{e(v)}</option>' for v in values)
            + "</select></div>"
        )
    out += [
        '<button type="button" class="btn btn-secondary" data-filter-reset>Wis filters</button>',
        "</div>",
        "</form>",
        '<p class="samenspel-filter-status" data-filter-status aria-live="polite" role="status"></p>',
        '<div style="overflow-x:auto">',
        '<table class="table samenspel-filter-table">',
        '<caption style="caption-side:top;text-align:left">'
        "Casestudies met gemeente, grootteklasse, monitorvorm en thema's</caption>",
        "<thead><tr>"
        + "".join(
            f'<th scope="col">{e(h)}</th>'
            for h in ("Titel", schema["gemeente"]["title"], schema["grootteklasse"]["title"],
                      schema["monitorvorm"]["title"], schema["themas"]["title"])
        )
        + "</tr></thead>",
        "<tbody>",
    ]
    for cs, size in rows_data:
        if cs.code and chapter_exists(cs.code):
            gemeente = f'<a href="{e(chapters_docpath)}/{e(cs.code)}.html">{e(cs.municipality_label)}</a>'
        else:
            gemeente = e(cs.municipality_label)
        out.append(
            f'<tr data-themas="{_attr(cs.themas)}" data-grootteklasse="{_attr([size])}" '
            f'data-monitorvorm="{_attr([cs.meta["monitorvorm"]])}">'
            f'<td><a href="{e(cs.slug)}.html">{e(cs.titel)}</a></td>'
            f"<td>{gemeente}</td><td>{e(size)}</td><td>{e(cs.meta['monitorvorm'])}</td>"
            f"<td>{e(', '.join(cs.themas))}</td></tr>"
        )
    out += ["</tbody>", "</table>", "</div>", "</div>", "```", ""]
    return "\n".join(out)


def write_pages(
    case_studies: Sequence[CaseStudy],
    out_dir: Path | str,
    chapter_exists: Callable[[str], bool],
    *,
    size_class_of: Callable[[str], str | None] | None = None,
    chapters_docpath: str = "../gemeenten",
    root: Path | str | None = None,
) -> list[Path]:
    """Write ``out_dir/<slug>.md`` for each case study and ``out_dir/index.md``.

    A file is only rewritten when its content changed; generated pages of case studies
    that no longer exist are removed. ``chapter_exists(code)`` says whether the chapter
    ``<chapters_docpath>/<code>`` (a document path relative to ``out_dir``) is in the book.
    Returns the page paths: the index first, then the case studies in index order.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    slug_by_path = {Path(os.path.abspath(cs.path)): cs.slug for cs in case_studies}
    pages = [out / f"{INDEX_SLUG}.md"]
    _write_if_changed(
        pages[0],
        render_index(case_studies, chapter_exists, size_class_of=size_class_of, chapters_docpath=chapters_docpath),
    )
    for cs in sorted(case_studies, key=lambda c: (c.titel.casefold(), c.slug)):
        page = out / f"{cs.slug}.md"
        _write_if_changed(
            page,
            render_page(
                cs, out, chapter_exists, size_class_of=size_class_of,
                chapters_docpath=chapters_docpath, slug_by_path=slug_by_path, root=root,
            ),
        )
        pages.append(page)
    keep = set(pages)
    for old in out.glob("*.md"):
        if old not in keep:
            with open(old, encoding="utf-8", errors="replace") as fh:
                if fh.readline().startswith(GENERATED_MARKER):
                    old.unlink()
    return pages


# ---------------------------------------------------------------------------------------
# Template and documentation, generated from the schema


def _comment_block(text: str, width: int = 88) -> list[str]:
    """YAML comment lines; a quoted value ('100 000 - 150 000') is never split."""
    protected = re.sub(r"'[^']*'", lambda m: m.group(0).replace(" ", "\u00a0"), text)
    lines = textwrap.wrap(
        protected, width=width, initial_indent="# ", subsequent_indent="# ", break_on_hyphens=False
    )
    return [line.replace("\u00a0", " ") for line in lines]


def _value_text(sub: Mapping[str, Any]) -> str:
    sub = _resolve(sub)
    kind = sub.get("type")
    if "enum" in sub:
        return "een van: " + ", ".join(f"`{v}`" for v in sub["enum"])
    if kind == "array":
        items = _resolve(sub.get("items", {}))
        size = f"minstens {sub['minItems']}" if sub.get("minItems") else "mag leeg"
        if "enum" in items:
            return f"lijst ({size}) met waarden uit: " + ", ".join(f"`{v}`" for v in items["enum"])
        if items.get("type") == "object":
            return f"lijst ({size}) van groepen met de velden hieronder"
        return f"lijst ({size}) van {_TYPE_NAMES.get(items.get('type'), 'waarden')}"
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
    return _TYPE_NAMES.get(kind, "waarde")


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
    conditional = _conditional_requirements()
    lines = ["---"]
    lines += _comment_block(
        "Sjabloon voor een casestudie. Kopieer dit bestand naar een nieuwe naam (bijvoorbeeld "
        "'gemeente-onderwerp.md'), vervang de voorbeeldwaarden en schrijf de vier secties. "
        "Controleer daarna met: python -m samenspel casestudies. Uitleg: casestudies/README.md. "
        "(Dit bestand wordt gemaakt uit samenspel/casestudy.schema.json; pas het daar aan.)"
    )
    for name, sub in schema["properties"].items():
        sub = _resolve(sub)
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
    conditional = _conditional_requirements()
    rows = [
        "| Veld | Naam | Verplicht | Waarde | Uitleg |",
        "| --- | --- | --- | --- | --- |",
    ]

    def add(name: str, sub: Mapping[str, Any], required: Sequence[str], cond: Mapping[str, str]) -> None:
        sub = _resolve(sub)
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
        resolved = _resolve(sub)
        nested = resolved
        prefix = name
        if resolved.get("type") == "array" and _resolve(resolved.get("items", {})).get("type") == "object":
            nested = _resolve(resolved["items"])
            prefix = f"{name}[]"
        if nested.get("type") == "object":
            for child, child_sub in nested.get("properties", {}).items():
                rows.append(
                    "| "
                    + " | ".join(
                        _table_cell(c)
                        for c in (
                            f"`{prefix}.{child}`",
                            _resolve(child_sub).get("title", ""),
                            "ja" if child in nested.get("required", []) else "nee",
                            _value_text(child_sub),
                            _resolve(child_sub).get("description", ""),
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
    if _write_if_changed(template, render_template()):
        changed.append(template)
    readme = directory / README_NAME
    if readme.is_file():
        if _write_if_changed(readme, update_readme_text(readme.read_text(encoding="utf-8"))):
            changed.append(readme)
    return changed
