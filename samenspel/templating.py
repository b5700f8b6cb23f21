"""HTML and Markdown from Jinja2 templates in samenspel/templates/.

Every fragment a chapter or a book page shows comes from a template; Python passes plain data.
`.html` templates are autoescaped, with html.escape's entities (&quot;, &#x27;) as in the rest of
the project; print values with {{ }} (`join` and `~` escape with markupsafe's &#34; and &#39;).
`.md` templates are not (Markdown is no HTML): mark text from outside (CBS definitions,
case-study fields) with the `md` filter, which escapes what MyST would otherwise interpret.

A template whose first line is `{# compact #}` is written over several indented lines for the
reader but rendered as one line: its lines are stripped and joined without a space (so keep
each piece of text on one line). Values inserted into it (a plotly figure) are left as they are.
"""

from __future__ import annotations

import functools
import html
import re
from pathlib import Path

import jinja2
import markupsafe

from samenspel import fmt

TEMPLATE_DIR = Path(__file__).with_name("templates")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|$#])")


def md_escape(text, collapse: bool = False) -> str:
    """Escape text so that MyST shows it literally; `collapse` joins it onto one line."""
    text = "" if text is None else str(text)
    if collapse:
        text = " ".join(text.split())
    return _MD_SPECIAL.sub(r"\\\1", text)


COMPACT_MARK = "{# compact #}"


class _Loader(jinja2.FileSystemLoader):
    """Templates from samenspel/templates; `{# compact #}` templates joined onto one line."""

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        if source.startswith(COMPACT_MARK):
            source = "".join(line.strip() for line in source.splitlines())
        return source, filename, uptodate


def nl2br(text) -> markupsafe.Markup:
    """Escaped text with its line breaks as <br>."""
    return markupsafe.Markup("<br>").join(markupsafe.Markup(html.escape(line)) for line in str(text).split("\n"))


@jinja2.pass_eval_context
def _finalize(eval_ctx, value):
    """Escape a printed value in an autoescaped template with html.escape, not markupsafe:
    the same characters, but the entities the project's HTML has always used."""
    if eval_ctx.autoescape and not hasattr(value, "__html__"):
        return markupsafe.Markup(html.escape(str(value)))
    return value


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=_Loader(str(TEMPLATE_DIR)),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalize,
    )
    env.filters.update(
        number=fmt.number,
        with_unit=fmt.with_unit,
        date_nl=fmt.date_nl,
        lower_first=fmt.lower_first,
        md=md_escape,
        md_line=lambda text: md_escape(text, collapse=True),
        nl2br=nl2br,
        join_nl=fmt.join_nl,
        slug=fmt.slugify,
    )
    env.tests["missing"] = fmt.is_missing
    return env


def render(name: str, **context) -> str:
    """Render samenspel/templates/<name> with `context`."""
    return environment().get_template(name).render(**context)
