"""What may not reach the public site: raw HTML, script and MyST directives that insert raw
code or other files, in any field or in the body; and whether a web address is well formed."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

# HTML event-handler attributes ("onclick=", "onerror = '...'"). Only real event names,
# or any on...= followed by a quote, so that Dutch words such as "onbekend = ..." pass.
_EVENT_HANDLER = re.compile(
    r"\bon(?:(?:click|dblclick|auxclick|load|loadstart|loadend|error|abort|mouse[a-z]*|key[a-z]*"
    r"|focus[a-z]*|blur|change|submit|input|beforeinput|invalid|reset|search|select[a-z]*"
    r"|pointer[a-z]*|touch[a-z]*|drag[a-z]*|drop|wheel|scroll[a-z]*|copy|cut|paste"
    r"|animation[a-z]*|transition[a-z]*|toggle|begin|end|play[a-z]*|pause|ended|message"
    r"|resize|unload|beforeunload|pageshow|pagehide|hashchange|popstate|storage|show"
    r"|contextmenu|cancel|close|formdata|securitypolicyviolation|[a-z]*change)\s*="
    r"|[a-z]+\s*=\s*[\"'`])",
    re.I,
)

# Body content that would put raw HTML or script on the public site.
_UNSAFE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"<!--"), "HTML-commentaar ('<!--')"),
    (re.compile(r"<[!?]"), "HTML-code ('<!' of '<?')"),
    (re.compile(r"</?[A-Za-z][\w:-]*"), "HTML-code"),
    (re.compile(r"j\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t\s*:", re.I), "een 'javascript:'-adres"),
    (re.compile(r"v\s*b\s*s\s*c\s*r\s*i\s*p\s*t\s*:", re.I), "een 'vbscript:'-adres"),
    (_EVENT_HANDLER, "een HTML-gebeurtenis (zoals 'onclick=')"),
    (
        re.compile(r"\{\s*(raw|raw-[\w-]+|eval-rst|eval_rst|include|literalinclude|code-cell)\s*\}", re.I),
        "een MyST-opdracht die ruwe code of andere bestanden invoegt",
    ),
)
# Markdown autolinks (<https://...>) are ordinary links, not HTML.
_AUTOLINK = re.compile(r"<(https?://[^\s<>]+|mailto:[^\s<>]+)>", re.I)
_HOST_LABEL = re.compile(r"^(?!-)[^\W_](?:[^\W_]|-){0,62}(?<!-)$", re.UNICODE)

UNSAFE_ADVICE = (
    "zulke code is niet toegestaan, want het boek staat op een openbare website; "
    "gebruik gewone tekst en Markdown-opmaak."
)


def unsafe_matches(text: str) -> list[tuple[int, str]]:
    """Offsets and descriptions of raw HTML or script in a text."""
    # Blank out Markdown autolinks so that '<https://...>' is not taken for a tag.
    masked = _AUTOLINK.sub(lambda m: " " * len(m.group(0)), text)
    found: list[tuple[int, str]] = []
    for pattern, what in _UNSAFE_PATTERNS:
        for m in pattern.finditer(masked):
            found.append((m.start(), f"{what}: '{m.group(0).strip()}'"))
    found.sort()
    # Report each offset once (e.g. '<!--' also matches '<!').
    seen: set[int] = set()
    unique = []
    for offset, what in found:
        if offset not in seen:
            unique.append((offset, what))
            seen.add(offset)
    return unique


def join_unsafe(found: list[tuple[int, str]]) -> str:
    """'HTML-code: '<b', '</b'' from several matches, grouped by kind."""
    kinds: dict[str, list[str]] = {}
    for _, what in found:
        kind, _, sample = what.partition(": ")
        kinds.setdefault(kind, []).append(sample)
    return "; ".join(f"{kind}: {', '.join(samples)}" for kind, samples in kinds.items())


def unsafe_message(text: str) -> str | None:
    """The Dutch message for raw HTML or script in ``text``, or None when it is safe."""
    found = unsafe_matches(text)
    return f"bevat {join_unsafe(found)}; {UNSAFE_ADVICE}" if found else None


def walk_strings(value: Any, path: list[Any]) -> Iterable[tuple[list[Any], str]]:
    """(path, text) of every string in nested fields."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from walk_strings(v, [*path, k])
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from walk_strings(v, [*path, i])


def is_wellformed_url(url: str) -> bool:
    """Whether ``url`` is a complete http(s) address with a plausible host (not fetched)."""
    if not isinstance(url, str) or not url or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return False
    if "@" in parts.netloc or not parts.hostname:
        return False
    labels = parts.hostname.rstrip(".").split(".")
    if len(labels) < 2 or not all(_HOST_LABEL.match(label) for label in labels):
        return False
    tld = labels[-1]
    return tld.isalpha() and len(tld) >= 2 or tld.startswith("xn--")
