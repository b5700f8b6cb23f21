"""Links in a case-study body: finding every link (also inside MyST directives and {doc}
roles) and checking that it is safe, well formed and points to a file in the repository."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from samenspel.casestudies.parse import display_path
from samenspel.casestudies.safety import is_wellformed_url

DOC_ROLE = re.compile(r"\{doc\}`([^`]*)`")


def markdown():
    """A CommonMark parser (with tables) that keeps every link exactly as written."""
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


def resolve_local(target: str, base_dir: Path, root: Path) -> Path:
    """The file a relative (or repository-absolute, '/...') link points to."""
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


def _check_local(target: str, base_dir: Path, root: Path, doc_role: bool) -> str | None:
    resolved = resolve_local(target, base_dir, root)
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
    return f"de link '{target}' wijst naar een pagina die niet bestaat; verwacht een bestaand bestand (gezocht: {display_path(resolved, root)}).{hint}"


def check_link(target: str, base_dir: Path, root: Path, *, doc_role: bool = False) -> str | None:
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
        return (
            None
            if re.fullmatch(r"mailto:[^@\s]+@[^@\s]+\.[^@\s]+", target, re.I)
            else (f"ongeldig e-mailadres '{target}'.")
        )
    if scheme:
        return f"link van de soort '{scheme}:' is niet toegestaan; verwacht http(s), mailto of een bestand in de repository."
    return _check_local(target, base_dir, root, doc_role)


def iter_links(tokens, lines: list[str], offset: int) -> Iterable[tuple[int, str]]:
    """(0-based body line, target) of every link and image, also inside MyST directives
    (which CommonMark sees as code fences)."""
    for tok in tokens:
        if tok.type == "fence" and tok.info.strip().startswith("{") and tok.map:
            inner_start = tok.map[0] + 1
            inner_lines = lines[offset + inner_start : offset + tok.map[1]]
            # Blank out directive options (":class: tip") so line numbers stay right.
            content = "\n".join("" if ln.lstrip().startswith(":") else ln for ln in inner_lines)
            yield from iter_links(markdown().parse(content), lines, offset + inner_start)
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


def doc_role_target(content: str) -> str:
    """The target of a {doc} role: 'text <target>' or just 'target'."""
    m = re.fullmatch(r"\s*(.*?)\s*<([^<>]*)>\s*", content, re.S)
    return (m.group(2) if m else content).strip()


def link_problems(tokens, body_lines: list[str], base_dir: Path, root: Path) -> Iterable[tuple[int, str]]:
    """(0-based body line, Dutch message) for every bad link: Markdown links, images,
    reference links and autolinks first, then MyST {doc} roles."""
    for line0, target in iter_links(tokens, body_lines, 0):
        message = check_link(target, base_dir, root)
        if message:
            yield line0, message
    for i, text in enumerate(body_lines):
        for m in DOC_ROLE.finditer(text):
            message = check_link(doc_role_target(m.group(1)), base_dir, root, doc_role=True)
            if message:
                yield i, message
