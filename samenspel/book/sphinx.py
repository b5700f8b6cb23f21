"""The book's Sphinx extension (loaded through _config.yml, `local_extensions`).

It keeps every page free of requests to other hosts and light on a phone:
- plotly.min.js is loaded only on pages that hold a plotly figure;
- sphinx-thebe's scripts (a CDN address, and a console error) are left out;
- formulas are shown as plain text instead of through MathJax from a CDN;
- the favicon is inline, so browsers do not ask for /favicon.ico.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from markupsafe import Markup

from samenspel.errors import SamenspelError
from samenspel.templating import render

from .build import PLOTLY_JS, copy_plotly

log = logging.getLogger(__name__)

PLOTLY_MARKER = "plotly-graph-div"
# What a data: address must not hold literally (of the characters the icon uses).
_DATA_URL_ESCAPES = str.maketrans({"%": "%25", "<": "%3C", ">": "%3E", "#": "%23"})


@functools.lru_cache(maxsize=1)
def favicon_url() -> str:
    """The book's icon (templates/book/favicon.svg) as a data: address."""
    svg = render("book/favicon.svg").strip()
    return "data:image/svg+xml," + svg.translate(_DATA_URL_ESCAPES)


def _drop_global_plotly(app, config) -> None:
    # Jupyter Book adds every .js file in _static/ to every page; plotly.js is large (1.1 MB
    # basic bundle, 4.8 MB full), so we take it out and add it back only on pages that show
    # a figure.
    files = list(config.html_js_files or [])
    kept = [f for f in files if (f[0] if isinstance(f, (tuple, list)) else f) != PLOTLY_JS]
    if kept != files:
        config.html_js_files = kept


def _ensure_plotly(app) -> None:
    static = Path(app.srcdir) / "_static"
    try:
        copy_plotly(static)
    except (OSError, SamenspelError) as exc:  # pragma: no cover - reported by the build
        log.warning("plotly.min.js kon niet worden gekopieerd: %s", exc)


def _is_thebe(asset) -> bool:
    name = str(getattr(asset, "filename", asset) or "")
    body = str((getattr(asset, "attributes", None) or {}).get("body", ""))
    return "thebe" in name or "THEBE_JS_URL" in body


# Extension assets a page needs only when its body uses them: (file name part, body markers).
# A chapter on a phone then skips about 100 kB of CSS and scripts it never uses.
_OPTIONAL_ASSETS = [
    ("sphinx-design", ("sd-",)),
    ("design-tabs", ("sd-tab",)),
    ("togglebutton", ('class="toggle', "dropdown")),
    ("copybutton", ("<pre",)),
    ("clipboard", ("<pre",)),
    ("pygments", ("highlight",)),
    # Samenspel's own scripts: the case-study filters and the searchable, sortable tables.
    ("samenspel-filter", ("data-samenspel-filter",)),
    ("samenspel-tabel", ("samenspel-tabel",)),
    # myst-nb's style sheet (43 kB) styles code cells, prompts, streams and widgets, which no
    # page shows; the two rules the chapters' output cells need are in samenspel.css.
    # Measured: chapters, the front page and the case-study list render pixel for pixel the
    # same without it at 375 px.
    ("mystnb.", ()),
]


def _unused(asset, body: str) -> bool:
    name = str(getattr(asset, "filename", asset) or "")
    return any(part in name and not any(m in body for m in markers) for part, markers in _OPTIONAL_ASSETS)


def _page_assets(app, pagename, templatename, context, doctree) -> None:
    """Per page: plotly.js only where a figure is; never sphinx-thebe's scripts.

    Jupyter Book always loads sphinx-thebe, which puts its settings (with a CDN address for
    thebe) in every page, twice, so that the browser reports an error. The book runs no code
    in the browser, so its scripts are left out.
    """
    for key in ("script_files", "css_files"):
        files = context.get(key)
        if files:
            body = context.get("body") or ""
            files[:] = [f for f in files if not _is_thebe(f) and not _unused(f, body)]
    if PLOTLY_MARKER in (context.get("body") or ""):
        app.add_js_file(PLOTLY_JS, priority=400, loading_method="defer")  # never blocks parsing
    if not context.get("favicon_url"):
        # An icon inside the page: browsers then do not ask the server for /favicon.ico.
        context["favicon_url"] = favicon_url()


def _plain_math(translator, node, tag: str, display: bool) -> None:
    """A formula as its plain text (templates/book/math.html). docutils writes the start tag,
    with the node's ids and classes, and encodes the text, as for any other element."""
    from docutils import nodes

    translator.body.append(
        render(
            "book/math.html",
            start_tag=Markup(translator.starttag(node, tag, "", CLASS="math notranslate")),
            text=Markup(translator.encode(node.astext())),
            tag=tag,
            display=display,
        )
    )
    raise nodes.SkipNode


def _visit_math_plain(self, node) -> None:
    _plain_math(self, node, "span", display=False)


def _visit_displaymath_plain(self, node) -> None:
    _plain_math(self, node, "div", display=True)


# Jupyter Book 1 always loads two extensions that do not declare whether they are
# parallel-safe, so Sphinx would warn (an error with -W) and read serially. Both keep no state
# in the build environment: sphinx_multitoc_numbering only replaces
# TocTreeCollector.assign_section_numbers (run in the main process after all documents are
# read); sphinx_jupyterbook_latex adds per-document transforms that act for the LaTeX builder.
UNDECLARED_PARALLEL_SAFE = ("sphinx_multitoc_numbering", "sphinx_jupyterbook_latex")


def _declare_parallel_safe(app) -> None:
    for name in UNDECLARED_PARALLEL_SAFE:
        ext = app.extensions.get(name)
        if ext is not None and ext.parallel_read_safe is None:
            ext.parallel_read_safe = True
            ext.parallel_write_safe = True


def setup(app):
    app.connect("config-inited", lambda app, config: _declare_parallel_safe(app))
    # Formulas as plain text instead of MathJax from a CDN (html_math_renderer in _config.yml).
    app.add_html_math_renderer("samenspel_plain", (_visit_math_plain, None), (_visit_displaymath_plain, None))
    app.connect("config-inited", _drop_global_plotly)
    app.connect("builder-inited", _ensure_plotly)
    app.connect("html-page-context", _page_assets)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
