"""The book: chapters and layout (layout), generated pages (pages, from templates/book/), the
table of contents (toc), generation and the Jupyter Book build (build), the Sphinx extension (sphinx)."""

from samenspel.templating import md_escape

from .build import (
    BASIC_BUNDLE,
    BASIC_TRACES,
    PLOTLY_JS,
    THEME_NL,
    Generated,
    build_html,
    copy_plotly,
    generate,
    jupyter_book_command,
    plotly_js_source,
    sync_static,
    translate_theme,
)
from .layout import (
    ABOUT_PAGES,
    DEFAULT_CODES,
    ROOT_PAGE,
    Chapter,
    Layout,
    by_province,
    name_sort_key,
    province_docname,
    read_chapter,
    read_chapters,
    slugify,
)
from .pages import (
    TABLE_CLASS,
    format_number,
    generate_casestudies,
    render_bronnen,
    render_gemeenten,
    render_indicatoren,
    render_province,
)
from .toc import TOC_HEADER, render_toc

__all__ = [
    "ABOUT_PAGES",
    "BASIC_BUNDLE",
    "BASIC_TRACES",
    "DEFAULT_CODES",
    "PLOTLY_JS",
    "ROOT_PAGE",
    "TABLE_CLASS",
    "THEME_NL",
    "TOC_HEADER",
    "Chapter",
    "Generated",
    "Layout",
    "build_html",
    "by_province",
    "copy_plotly",
    "format_number",
    "generate",
    "generate_casestudies",
    "jupyter_book_command",
    "md_escape",
    "name_sort_key",
    "plotly_js_source",
    "province_docname",
    "read_chapter",
    "read_chapters",
    "render_bronnen",
    "render_gemeenten",
    "render_indicatoren",
    "render_province",
    "render_toc",
    "slugify",
    "sync_static",
    "translate_theme",
]
