"""HTML and Markdown from Jinja2 templates in samenspel/templates/.

Every fragment a chapter or a book page shows comes from a template; Python passes plain data.
`.html` templates are autoescaped. `.md` templates are not (Markdown is no HTML): mark text
from outside (CBS definitions, case-study fields) with the `md` filter, which escapes what MyST
would otherwise interpret.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import jinja2

from samenspel import fmt

TEMPLATE_DIR = Path(__file__).with_name("templates")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|$#])")


def md_escape(text, collapse: bool = False) -> str:
    """Escape text so that MyST shows it literally; `collapse` joins it onto one line."""
    text = "" if text is None else str(text)
    if collapse:
        text = " ".join(text.split())
    return _MD_SPECIAL.sub(r"\\\1", text)


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        number=fmt.number,
        with_unit=fmt.with_unit,
        date_nl=fmt.date_nl,
        lower_first=fmt.lower_first,
        md=md_escape,
        md_line=lambda text: md_escape(text, collapse=True),
    )
    return env


def render(name: str, **context) -> str:
    """Render samenspel/templates/<name> with `context`."""
    return environment().get_template(name).render(**context)
