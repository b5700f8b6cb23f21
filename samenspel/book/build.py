"""Generating the book's parts and building it with Jupyter Book.

`generate()` writes everything the book needs besides the hand-written pages in `book/`:
the generated pages (samenspel.book.pages) in `book/generated/`, `_toc.yml`, and
`_static/plotly.min.js`, copied from the installed plotly package (or plotly's basic bundle).
Every file is written only when its content changes, so that Sphinx's incremental build only
rereads what really changed.

`build_html()` runs `jupyter-book build`, then brings changed static files into the built
book and gives the theme's English labels Dutch ones.
"""

from __future__ import annotations

import filecmp
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from samenspel.data import freshness
from samenspel.errors import SamenspelError
from samenspel.files import atomic_write, write_if_changed
from samenspel.paths import ROOT

from . import pages
from .layout import Chapter, Layout, by_province, province_docname, read_chapters
from .toc import render_toc

PLOTLY_JS = "plotly.min.js"


# --------------------------------------------------------------------------- generation


@dataclass
class Generated:
    chapters: list[Chapter]
    casestudy_docs: list[str] | None
    written: list[Path]
    removed: list[Path]
    notes: list[str]


def generate(layout: Layout | None = None, *, log_to: Callable[[str], None] | None = None) -> Generated:
    """Write the generated pages, _toc.yml and _static/plotly.min.js (only what changed)."""
    layout = layout or Layout()
    say = log_to or (lambda msg: None)
    written: list[Path] = []
    removed: list[Path] = []
    notes: list[str] = []

    def put(path: Path, text: str) -> None:
        if write_if_changed(path, text):
            written.append(path)

    chapters = read_chapters(layout.chapter_dir)
    gen = layout.generated_dir
    put(gen / "gemeenten.md", pages.render_gemeenten(chapters, layout))

    wanted = set()
    for provincie, group in by_province(chapters).items():
        path = layout.root / f"{province_docname(provincie)}.md"
        wanted.add(path)
        put(path, pages.render_province(provincie, group, layout))
    for path in gen.glob("provincie-*.md"):
        if path not in wanted:
            path.unlink()
            removed.append(path)

    catalogue, reason = pages.load_catalogue()
    if reason:
        notes.append(f"Indicatoren: {reason}")
    put(gen / "indicatoren.md", pages.render_indicatoren(catalogue, reason))

    overview, reason = pages.load_overview()
    if reason:
        notes.append(f"Bronnen: {reason}")
    put(gen / "bronnen.md", pages.render_bronnen(overview, reason))
    # The data date on the front page (book/intro.md includes it).
    put(gen / "actualiteit.md", freshness.front_page_markdown())

    casestudy_docs, reason = pages.generate_casestudies(layout, chapters)
    if reason:
        notes.append(f"Leren van anderen wordt overgeslagen: {reason}")

    put(layout.toc_path, render_toc(chapters, layout, casestudy_docs))
    if copy_plotly(layout.static_dir):
        written.append(layout.static_dir / PLOTLY_JS)
    for note in notes:
        say(note)
    return Generated(chapters, casestudy_docs, written, removed, notes)


# --------------------------------------------------------------------------- plotly.js

# The chapters draw only bar and scatter traces, which plotly's official "basic" bundle
# covers at under a quarter of the full bundle's size (1.1 MB instead of 4.8 MB): better for
# readers on a phone. It is vendored in vendor/plotly/ (refreshed by scripts/vendor_plotly.py,
# which records its version and checksum in BRON.json), so building the book needs only Python.
# It is used only when its version is the plotly.js version of the installed plotly package
# and its checksum is intact; otherwise the full bundle of the plotly package is used.
BASIC_BUNDLE = ROOT / "vendor" / "plotly" / "plotly-basic.min.js"
BASIC_TRACES = {"bar", "scatter", "pie"}


def _basic_bundle_usable(plotlyjs_version: str) -> bool:
    meta = BASIC_BUNDLE.parent / "BRON.json"
    try:
        source = json.loads(meta.read_text("utf-8"))
        if source.get("version") != plotlyjs_version:
            return False
        return hashlib.sha256(BASIC_BUNDLE.read_bytes()).hexdigest() == source.get("sha256")
    except (OSError, ValueError, AttributeError):
        return False


def plotly_js_source() -> Path:
    import plotly
    from plotly.offline import get_plotlyjs_version

    if _basic_bundle_usable(get_plotlyjs_version()):
        return BASIC_BUNDLE
    path = Path(plotly.__file__).parent / "package_data" / PLOTLY_JS
    if not path.is_file():
        raise SamenspelError(f"plotly.min.js niet gevonden in het geïnstalleerde plotly-pakket ({path}).")
    return path


def copy_plotly(static_dir: Path) -> bool:
    """Copy plotly.min.js of the installed plotly into `static_dir` unless it is already there."""
    source = plotly_js_source()
    target = static_dir / PLOTLY_JS
    if target.is_file() and filecmp.cmp(source, target, shallow=False):
        return False
    with open(source, "rb") as src, atomic_write(target, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return True


# --------------------------------------------------------------------------- build


def jupyter_book_command() -> list[str]:
    script = Path(sys.executable).with_name("jupyter-book")
    if script.is_file():
        return [str(script)]
    found = shutil.which("jupyter-book")
    if found:
        return [found]
    return [sys.executable, "-c", "import sys; from jupyter_book.cli.main import main; sys.exit(main())"]


# Jupyter Book 1's command line has no -j, but its build_sphinx() passes `jobs` on to Sphinx
# as `parallel`; myst-nb, the theme and samenspel.book.sphinx are parallel_read_safe. The
# command is run with build_sphinx given the number of processes.
_PARALLEL_BUILD = (
    "import functools, os, sys; import jupyter_book.sphinx as s; "
    "s.build_sphinx = functools.partial(s.build_sphinx, jobs=int(os.environ['SAMENSPEL_BOOK_JOBS'])); "
    "from jupyter_book.cli.main import main; sys.argv[0] = 'jupyter-book'; sys.exit(main())"
)


def build_html(
    layout: Layout | None = None,
    *,
    strict: bool = True,
    fresh: bool = False,
    quiet: bool = False,
    capture: bool = False,
    jobs: int = 1,
) -> subprocess.CompletedProcess:
    """Run `jupyter-book build` on the book (warnings are errors when strict); with `jobs` > 1
    Sphinx reads (and writes) the pages in that many processes."""
    layout = layout or Layout()
    base = [sys.executable, "-c", _PARALLEL_BUILD] if jobs > 1 else jupyter_book_command()
    cmd = base + ["build", str(layout.root), "--builder", "html"]
    if strict:
        cmd += ["--warningiserror", "--keep-going"]
    if fresh:
        cmd.append("--all")
    if quiet:
        cmd.append("--quiet")
    env = dict(os.environ)
    env["SAMENSPEL_BOOK_JOBS"] = str(jobs)
    # The book's Sphinx extension (samenspel.book.sphinx) must be importable by the build.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    proc = subprocess.run(
        cmd,
        cwd=layout.root,
        env=env,
        text=True,
        capture_output=capture,
        check=False,
    )
    if proc.returncode == 0:
        sync_static(layout)
        translate_theme(layout.html_dir)
    return proc


# The theme (pydata/sphinx-book) has no Dutch for these labels; screen readers and tooltips
# would read them in English to a Dutch reader. Applied to the built pages after each build.
THEME_NL = {
    'title="Link to this heading"': 'title="Link naar deze kop"',
    'title="previous page"': 'title="vorige pagina"',
    'title="next page"': 'title="volgende pagina"',
    'title="Toggle primary sidebar"': 'title="Navigatie tonen of verbergen"',
    'aria-label="Toggle primary sidebar"': 'aria-label="Navigatie tonen of verbergen"',
    'title="Toggle secondary sidebar"': 'title="Inhoud van deze pagina tonen of verbergen"',
    'aria-label="Toggle secondary sidebar"': 'aria-label="Inhoud van deze pagina tonen of verbergen"',
    'title="System Settings"': 'title="Systeeminstelling"',
    'title="Light"': 'title="Licht"',
    'title="Dark"': 'title="Donker"',
    'title="Color mode"': 'title="Kleurweergave"',
    'aria-label="Version warning"': 'aria-label="Versiewaarschuwing"',
    'aria-label="Source repositories"': 'aria-label="Bronopslagplaatsen"',
    'aria-label="Site navigation"': 'aria-label="Navigatie van de site"',
    'aria-label="Page"': 'aria-label="Pagina"',
    'aria-label="On this page"': 'aria-label="Op deze pagina"',
    'aria-label="Main"': 'aria-label="Hoofdinhoud"',
    ">Skip to main content<": ">Direct naar de inhoud<",
    "Back to top": "Terug naar boven",
}


def translate_theme(html_dir: Path) -> int:
    """Replace the theme's English labels by Dutch ones in the built pages; returns the
    number of pages changed (pages already translated are left alone)."""
    changed = 0
    for page in html_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = text
        for english, dutch in THEME_NL.items():
            new = new.replace(english, dutch)
        if new != text:
            page.write_text(new, encoding="utf-8")
            changed += 1
    return changed


def sync_static(layout: Layout) -> list[Path]:
    """Copy changed files of _static/ into the built book.

    Sphinx copies static files only when at least one page is rebuilt, so a changed style
    sheet or script (or a new plotly.min.js) would otherwise not reach the built book.
    """
    copied = []
    target_root = layout.html_dir / "_static"
    if not layout.static_dir.is_dir() or not target_root.is_dir():
        return copied
    for source in layout.static_dir.rglob("*"):
        if not source.is_file() or source.name.endswith((".tmp", "_t")):
            continue
        target = target_root / source.relative_to(layout.static_dir)
        if target.is_file() and filecmp.cmp(source, target, shallow=False):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        copied.append(target)
    return copied
