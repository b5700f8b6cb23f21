"""The case studies in the book: one page per case study and the overview with filters,
with relative links rewritten for the folder the pages are written to."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from samenspel import paths, templating
from samenspel.casestudies.compare import COMPARE_SLUG, render_compare
from samenspel.casestudies.links import DOC_ROLE, resolve_local
from samenspel.casestudies.parse import GENERATED_MARKER, INDEX_SLUG, UNKNOWN, CaseStudy, display_path
from samenspel.casestudies.schema import load_schema, size_classes, themes
from samenspel.files import write_if_changed

FILTER_SCRIPT = "samenspel-filter.js"
_FENCE = re.compile(r"^(\s{0,3})(`{3,}|~{3,})")


def _outside_fences(body: str, transform: Callable[[str], str]) -> str:
    """Apply ``transform`` to each line that is not inside a code block. MyST directive
    fences (```{note}) contain Markdown, so their lines are transformed too."""
    out = []
    stack: list[tuple[str, int, bool]] = []  # (fence character, length, is code)
    for line in body.splitlines(keepends=True):
        m = _FENCE.match(line)
        if m:
            fence = m.group(2)
            rest = line.strip()[len(fence) :].strip()
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
        resolved = resolve_local(path_part, base, root) if path_part else None
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
        return DOC_ROLE.sub(doc_role, line)

    return _outside_fences(cs.body, transform)


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
    name = (cs.gemeentenaam or cs.code) if cs.code else None
    return templating.render(
        "casestudies/page.md",
        marker=GENERATED_MARKER,
        source=display_path(cs.path, root_path),
        cs=cs,
        m=cs.meta,
        props=load_schema()["properties"],
        municipality=name,
        # A {doc} role cannot show a backtick or angle brackets.
        role_name=re.sub(r"[`<>]", "", name) if name else None,
        chapter=bool(cs.code) and chapter_exists(cs.code),
        chapters_docpath=chapters_docpath,
        size=cs.size_class(size_class_of) or UNKNOWN,
        body=_rewrite_links(cs, Path(out_dir), slug_by_path, root_path).strip("\n"),
        licence_url=_LICENCE_URLS.get(cs.meta["licentie"]),
    )


@dataclass(frozen=True)
class _Row:
    """One case study in the overview table."""

    cs: CaseStudy
    size: str
    chapter: bool  # whether the municipality's chapter is in the book

    @property
    def themas_attr(self) -> str:
        return "|".join(self.cs.themas)

    @property
    def themas_text(self) -> str:
        return ", ".join(self.cs.themas)


def _options(values: set[str], order: list[str]) -> list[str]:
    """The values that occur, in schema order; unknown ones after, sorted."""
    return [v for v in order if v in values] + sorted(values - set(order))


def render_index(
    case_studies: Sequence[CaseStudy],
    chapter_exists: Callable[[str], bool],
    *,
    size_class_of: Callable[[str], str | None] | None = None,
    chapters_docpath: str = "../gemeenten",
) -> str:
    """The index page: an HTML table with filters by theme, size class and monitor form
    (made interactive by ``_static/samenspel-filter.js``; without script the full table shows)."""
    props = load_schema()["properties"]
    rows = [
        _Row(cs, cs.size_class(size_class_of) or UNKNOWN, bool(cs.code and chapter_exists(cs.code)))
        for cs in sorted(case_studies, key=lambda cs: (cs.titel.casefold(), cs.slug))
    ]
    options = {
        "themas": _options({t for row in rows for t in row.cs.themas}, themes()),
        "grootteklasse": _options({row.size for row in rows}, size_classes()),
        "monitorvorm": _options({row.cs.meta["monitorvorm"] for row in rows}, props["monitorvorm"]["enum"]),
    }
    table = templating.render(
        "casestudies/index_table.html", props=props, rows=rows, options=options, chapters_docpath=chapters_docpath
    )
    return templating.render("casestudies/index.md", marker=GENERATED_MARKER, table=table)


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
    Also writes ``out_dir/vergelijking.md``, the comparison of all case studies.
    Returns the page paths: the index first, then the comparison, then the case studies in
    index order.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    slug_by_path = {Path(os.path.abspath(cs.path)): cs.slug for cs in case_studies}
    pages = [out / f"{INDEX_SLUG}.md", out / f"{COMPARE_SLUG}.md"]
    write_if_changed(
        pages[0],
        render_index(case_studies, chapter_exists, size_class_of=size_class_of, chapters_docpath=chapters_docpath),
    )
    write_if_changed(
        pages[1],
        render_compare(case_studies, chapter_exists, size_class_of=size_class_of, chapters_docpath=chapters_docpath),
    )
    for cs in sorted(case_studies, key=lambda c: (c.titel.casefold(), c.slug)):
        page = out / f"{cs.slug}.md"
        write_if_changed(
            page,
            render_page(
                cs,
                out,
                chapter_exists,
                size_class_of=size_class_of,
                chapters_docpath=chapters_docpath,
                slug_by_path=slug_by_path,
                root=root,
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
