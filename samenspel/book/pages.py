"""The book's generated Markdown pages, from the templates in samenspel/templates/book/.

- `gemeenten.md`        the index of all municipality chapters (a searchable table)
- `provincie-<slug>.md` one page per province, the chapters below it in the toc
- `indicatoren.md`      the indicator glossary, from data/indicators.yml
- `bronnen.md`          every CBS table with its period and retrieval date
- `casestudies/`        written by samenspel.casestudies, when there are any

Python prepares plain data (which chapters, which year, which paragraphs); the templates hold
the Markdown. Text from outside (names, CBS definitions) is escaped there with the `md` filter.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from samenspel import fmt
from samenspel.errors import SamenspelError
from samenspel.templating import render

from .layout import Chapter, Layout, province_docname, slugify

TABLE_CLASS = "samenspel-tabel"

DIRECTIONS = {
    "hoger_gunstig": "Een hogere waarde is gunstiger.",
    "lager_gunstig": "Een lagere waarde is gunstiger.",
}
NO_DIRECTION = "Geen vaste richting: hoger of lager is niet vanzelf beter of slechter."
ORIGINS = {
    "cache": "opgehaald bij het CBS",
    "snapshot": "meegeleverde momentopname",
    None: "niet beschikbaar",
}


def format_number(value) -> str:
    """Dutch thousands separator: 222825 -> '222.825'. None -> '–'."""
    return fmt.number(value, 0, missing="–")


def _entries(chapters: list[Chapter], layout: Layout) -> list[dict]:
    """The chapters as the page templates list them: the chapter and its two link targets."""
    return [
        {
            "chapter": c,
            "docname": layout.docname(c.path),
            "province_docname": province_docname(c.provincie),
        }
        for c in chapters
    ]


def render_gemeenten(chapters: list[Chapter], layout: Layout) -> str:
    # One population year for all chapters goes into the column head, otherwise into each row.
    years = {c.inwoners_jaar for c in chapters if c.inwoners_jaar}
    return render(
        "book/gemeenten.md",
        entries=_entries(chapters, layout),
        year=years.pop() if len(years) == 1 else None,
        table_class=TABLE_CLASS,
    )


def render_province(provincie: str, chapters: list[Chapter], layout: Layout) -> str:
    return render("book/provincie.md", provincie=provincie, entries=_entries(chapters, layout))


def _describe(source) -> str:
    describe = getattr(source, "describe", None)
    return describe() if callable(describe) else str(source)


def _indicator(ind) -> dict:
    """What the glossary shows of one indicator."""
    computation = ind.computation() if callable(getattr(ind, "computation", None)) else None
    if not computation:
        computation = " / ".join(_describe(s) for s in (ind.sources or []))
    definition = (ind.definition or "").strip()
    return {
        "anchor": f"indicator-{slugify(ind.id)}",
        "label": ind.label,
        "explanation": (getattr(ind, "explanation", "") or "").strip(),
        "unit": str(ind.unit),
        "computation": computation,
        "direction": DIRECTIONS.get(ind.direction, NO_DIRECTION),
        "definition": [p.strip() for p in re.split(r"\n\s*\n|\r?\n", definition) if p.strip()],
    }


def render_indicatoren(catalogue: list | None, reason: str | None = None) -> str:
    themes: dict[str, list[dict]] = {}
    for ind in catalogue or []:
        label = getattr(ind, "theme_label", None) or str(ind.theme).capitalize()
        themes.setdefault(label, []).append(_indicator(ind))
    return render("book/indicatoren.md", themes=themes, reason=reason)


def _table(row: dict) -> dict:
    """What the sources page shows of one CBS table (a row of cbs.table_overview())."""
    period = str(row.get("period") or row.get("year") or "")
    if period.endswith("*"):
        period = period[:-1] + " (voorlopig)"
    return {
        "table_id": str(row.get("table_id") or ""),
        "url": row.get("url"),
        "title": str(row.get("title") or row.get("statistic") or ""),
        "period": period,
        "modified": row.get("modified"),
        "retrieved": row.get("retrieved"),
        "origin": ORIGINS.get(row.get("origin"), str(row.get("origin"))),
    }


def render_bronnen(overview: list[dict] | None, reason: str | None = None) -> str:
    return render("book/bronnen.md", tables=[_table(row) for row in overview or []], reason=reason)


def load_catalogue() -> tuple[list | None, str | None]:
    """The indicator catalogue, or None with the reason it is missing."""
    try:
        from samenspel.data import indicators
    except ImportError as exc:
        return None, f"de module samenspel.data.indicators ontbreekt ({exc})"
    return list(indicators.load_catalogue()), None


def load_overview() -> tuple[list[dict] | None, str | None]:
    """The overview of CBS tables, or None with the reason it is missing."""
    try:
        from samenspel.data import cbs
    except ImportError as exc:
        return None, f"de module samenspel.data.cbs ontbreekt ({exc})"
    return list(cbs.table_overview()), None


def generate_casestudies(layout: Layout, chapters: list[Chapter]) -> tuple[list[str] | None, str | None]:
    """Write the case-study pages; their docnames (index first), or None with a reason."""
    out_dir = layout.generated_dir / "casestudies"
    try:
        from samenspel import casestudies
    except ImportError as exc:
        reason = f"de module samenspel.casestudies ontbreekt ({exc})"
        shutil.rmtree(out_dir, ignore_errors=True)
        return None, reason
    studies = casestudies.load_all(layout.casestudies, root=layout.root) if layout.casestudies.is_dir() else []
    if not studies:
        shutil.rmtree(out_dir, ignore_errors=True)
        return None, f"geen casestudies in {layout.casestudies}"
    codes = {c.code for c in chapters}

    def chapter_exists(code: str) -> bool:
        return str(code).strip().upper() in codes

    # write_pages writes a file only when its content changed. Links to chapters are
    # relative to out_dir (they are used both in {doc} roles and in plain HTML links).
    chapters_docpath = os.path.relpath(layout.chapter_dir, out_dir).replace(os.sep, "/")
    result = casestudies.write_pages(
        studies, out_dir, chapter_exists, chapters_docpath=chapters_docpath, root=layout.root
    )
    pages = _listed_pages(result, out_dir)
    index = out_dir / "index.md"
    if not index.is_file():
        raise SamenspelError(f"samenspel.casestudies schreef geen {index}.")
    for stale in out_dir.rglob("*.md"):
        if stale != index and stale not in pages:
            stale.unlink()
    return [layout.docname(index)] + [layout.docname(p) for p in pages], None


def _listed_pages(result, out_dir: Path) -> list[Path]:
    """The case-study pages other than the index, in the order write_pages gave them."""
    paths: list[Path] = []
    if isinstance(result, (list, tuple)):
        for item in result:
            if isinstance(item, (str, os.PathLike)):
                p = Path(item)
                p = p if p.is_absolute() else out_dir / p
                if p.suffix == "":
                    p = p.with_suffix(".md")
                paths.append(p.resolve())
    if not paths:
        paths = sorted(p.resolve() for p in out_dir.rglob("*.md"))
    index = (out_dir / "index.md").resolve()
    out = []
    for p in paths:
        if p != index and p.is_file() and p not in out:
            out.append(p)
    return [out_dir / p.relative_to(out_dir.resolve()) for p in out]
