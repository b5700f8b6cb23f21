"""The case studies in the book: one page per case study and the overview with filters,
with relative links rewritten for the folder the pages are written to."""

from __future__ import annotations

import html
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from samenspel import paths
from samenspel.files import write_if_changed
from samenspel.casestudies.links import DOC_ROLE, resolve_local
from samenspel.casestudies.parse import INDEX_SLUG, UNKNOWN, CaseStudy, display_path
from samenspel.casestudies.schema import load_schema, prop_title, size_classes, themes

GENERATED_MARKER = "% Gegenereerd door samenspel.casestudies"
FILTER_SCRIPT = "samenspel-filter.js"
_FENCE = re.compile(r"^(\s{0,3})(`{3,}|~{3,})")


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>{}|$#])")


def _md(text: Any) -> str:
    """Escape text for inline Markdown/MyST."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


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
        f"- **{prop_title('gemeente')}:** {gemeente}",
        f"- **{prop_title('grootteklasse')}:** {_md(size_text)}",
        f"- **{prop_title('jaar')}:** {cs.jaar}",
        f"- **{prop_title('monitorvorm')}:** {_md(m['monitorvorm'])}",
        f"- **{prop_title('rapportagefrequentie')}:** {_md(m['rapportagefrequentie'])}",
        f"- **{prop_title('soort_informatie')}:** {_md(soort)}",
        f"- **{prop_title('sturingsfilosofie')}:** {_md(m['sturingsfilosofie'])}",
        f"- **{prop_title('interactieve_sessies')}:** {sessions}",
        f"- **{prop_title('betrokkenheid_aanbieders')}:** {involvement('betrokkenheid_aanbieders')}",
        f"- **{prop_title('betrokkenheid_clienten')}:** {involvement('betrokkenheid_clienten')}",
        f"- **{prop_title('themas')}:** {_md(', '.join(m['themas']))}",
        f"- **{prop_title('bronnen')}:**",
    ]
    for bron in m["bronnen"]:
        title = _md(bron["titel"])
        if bron.get("url"):
            title = f"[{title}](<{bron['url']}>)"
        lines.append(f"  - {title}, {_md(bron['auteur'])}, {bron['jaar']}")
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
    source = display_path(cs.path, root_path)
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
    write_if_changed(
        pages[0],
        render_index(case_studies, chapter_exists, size_class_of=size_class_of, chapters_docpath=chapters_docpath),
    )
    for cs in sorted(case_studies, key=lambda c: (c.titel.casefold(), c.slug)):
        page = out / f"{cs.slug}.md"
        write_if_changed(
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
