"""Dutch number formatting: 1.234,5 and 12,3%. Missing values read 'geen gegevens'."""

from __future__ import annotations

import math
import re
import unicodedata

MISSING = "geen gegevens"


def is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def number(value, decimals: int = 0, missing: str = MISSING) -> str:
    """12345.678 -> '12.345,7' (decimals=1); missing -> 'geen gegevens' (or `missing`)."""
    if is_missing(value):
        return missing
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def with_unit(value, unit: str, decimals: int = 1) -> str:
    """A value with its unit, the way a reader expects it: '12,3%' or '45 per 1.000 inwoners'."""
    if is_missing(value):
        return MISSING
    text = number(value, decimals)
    if unit.startswith("%"):
        return f"{text}%"
    if unit == "aantal":
        return text
    if unit.startswith("x 1.000 euro"):
        return f"€ {number(float(value) * 1000, 0)}"
    return f"{text} {unit}"


def date_nl(value, missing: str = "onbekend") -> str:
    """'2025-03-27' or a date/datetime -> '27-03-2025'; missing -> `missing`; other text as is."""
    if value is None or value == "":
        return missing
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text[:10])
    return f"{match[3]}-{match[2]}-{match[1]}" if match else text


def lower_first(label: str) -> str:
    """'Jongeren met jeugdzorg' -> 'jongeren met jeugdzorg', but 'Wmo-cliënten' stays."""
    if len(label) > 1 and label[0].isupper() and label[1].islower() and not label.startswith("Wmo"):
        return label[0].lower() + label[1:]
    return label


def join_nl(items) -> str:
    """['a', 'b', 'c'] -> 'a, b en c'."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " en " + items[-1]


def slugify(text: str) -> str:
    """'Fryslân' -> 'fryslan', 'Noord-Brabant' -> 'noord-brabant'."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "onbekend"
