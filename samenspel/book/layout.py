"""Where the book's files live, and the chapters in it: read from their notebook metadata only.

A chapter (`book/gemeenten/GMxxxx.ipynb`) is read for `metadata["samenspel"]`; it is never
executed here. Chapters sort the way a Dutch reader expects ("'s-Gravenhage" under G).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from samenspel import fmt
from samenspel.errors import SamenspelError
from samenspel.paths import ROOT

# The chapters generated when the book is built and no chapter exists yet.
DEFAULT_CODES = ["GM0034", "GM0546", "GM0363"]  # Almere, Leiden, Amsterdam

# The hand-written pages of the part "Over Samenspel", in reading order, with the generated
# glossary and sources pages in between.
ABOUT_PAGES = [
    "book/leeswijzer",
    "book/methode",
    "book/generated/indicatoren",
    "book/generated/bronnen",
    "book/bijdragen",
]
ROOT_PAGE = "book/intro"


@dataclass(frozen=True)
class Layout:
    """Where the book's files live. Tests build a small book in a temporary root."""

    root: Path = ROOT
    casestudy_dir: Path | None = None

    @property
    def chapter_dir(self) -> Path:
        return self.root / "book" / "gemeenten"

    @property
    def generated_dir(self) -> Path:
        return self.root / "book" / "generated"

    @property
    def static_dir(self) -> Path:
        return self.root / "_static"

    @property
    def toc_path(self) -> Path:
        return self.root / "_toc.yml"

    @property
    def html_dir(self) -> Path:
        return self.root / "_build" / "html"

    @property
    def casestudies(self) -> Path:
        return self.casestudy_dir or self.root / "casestudies"

    def docname(self, path: Path) -> str:
        """The Sphinx document name of a source file (relative, no suffix, posix)."""
        return path.relative_to(self.root).with_suffix("").as_posix()


slugify = fmt.slugify


def name_sort_key(name: str) -> str:
    """Sort as a Dutch reader expects: "'s-Gravenhage" under G, accents ignored."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    plain = re.sub(r"^(?:'s|'t)[- ]", "", plain.strip(), flags=re.IGNORECASE)
    return plain.casefold()


def province_docname(provincie: str) -> str:
    return f"book/generated/provincie-{slugify(provincie)}"


@dataclass(frozen=True)
class Chapter:
    code: str
    naam: str
    provincie: str
    inwoners: int | None
    inwoners_jaar: int | None
    path: Path


def read_chapter(path: Path) -> Chapter:
    """A chapter's identity from its notebook metadata (the notebook is not executed)."""
    try:
        with open(path, encoding="utf-8") as fh:
            nb = json.load(fh)
    except (OSError, ValueError) as exc:
        raise SamenspelError(f"Het hoofdstuk {path.name} is geen leesbaar notebook: {exc}") from exc
    meta = (nb.get("metadata") or {}).get("samenspel") or {}
    code = str(meta.get("code") or path.stem).strip()
    inwoners = meta.get("inwoners")
    jaar = meta.get("inwoners_jaar")
    return Chapter(
        code=code,
        naam=str(meta.get("naam") or code).strip(),
        provincie=str(meta.get("provincie") or "").strip() or "Provincie onbekend",
        inwoners=int(inwoners) if isinstance(inwoners, (int, float)) else None,
        inwoners_jaar=int(jaar) if isinstance(jaar, (int, float)) else None,
        path=path,
    )


def read_chapters(chapter_dir: Path) -> list[Chapter]:
    """Every chapter `GMxxxx.ipynb` in `chapter_dir`, sorted by name."""
    if not chapter_dir.is_dir():
        return []
    chapters = [read_chapter(p) for p in sorted(chapter_dir.glob("GM*.ipynb"))]
    return sorted(chapters, key=lambda c: (name_sort_key(c.naam), c.code))


def by_province(chapters: Iterable[Chapter]) -> dict[str, list[Chapter]]:
    groups: dict[str, list[Chapter]] = {}
    for chapter in chapters:
        groups.setdefault(chapter.provincie, []).append(chapter)
    return {p: groups[p] for p in sorted(groups, key=name_sort_key)}
