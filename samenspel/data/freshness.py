"""Has CBS published something newer than the last published book?

The weekly job of the GitHub Pages workflow asks CBS for the `Modified` date of every
registered table (TableInfos, one small request each) and compares it with the state file of
the last published build (`gegevens.json`, written next to the book's HTML by `state()`).
Only when a table is newer, or new, is the book rebuilt and published.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from samenspel import fmt
from samenspel.data import cbs
from samenspel.errors import SamenspelError

STATE_VERSION = 1


@dataclass(frozen=True)
class Decision:
    """newer: CBS has a table newer than (or absent from) the previous state; reachable: CBS
    answered; tables: table id -> CBS's Modified now; changed: the newer tables; reason: why,
    in Dutch."""

    newer: bool
    reason: str
    reachable: bool = True
    tables: dict = field(default_factory=dict)
    changed: tuple = ()

    @property
    def exit_code(self) -> int:
        """0: something newer; 1: nothing newer; 2: CBS did not answer."""
        if not self.reachable:
            return 2
        return 0 if self.newer else 1


def registered_tables() -> list[str]:
    """Every table id of data/tables.yml (all statistics), in order, once."""
    ids: list[str] = []
    for statistic in cbs.registry()["statistics"]:
        for _, tid in sorted(cbs.table_ids(statistic).items()):
            if tid not in ids:
                ids.append(tid)
    return ids


def _when(value) -> dt.datetime | None:
    """A Modified value as a (naive) date-time, for comparing; None when it is not one."""
    if not value:
        return None
    text = str(value).strip().replace("Z", "+00:00")
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return when.replace(tzinfo=None)


def _is_newer(now, before) -> bool:
    a, b = _when(now), _when(before)
    if a is not None and b is not None:
        return a > b
    return str(now) > str(before)


def check(previous: dict | None, table_ids: list[str] | None = None, timeout: float = cbs.CHECK_TIMEOUT) -> Decision:
    """Ask CBS for the Modified date of each table and compare with `previous` (a state as
    `state()` writes it; None or {} when there is no previous publication)."""
    ids = list(table_ids) if table_ids is not None else registered_tables()
    now: dict[str, str] = {}
    for tid in ids:
        try:
            value = cbs.cbs_modified(tid, timeout=timeout)
        except cbs.CbsUnreachable as exc:
            return Decision(
                newer=False,
                reachable=False,
                reason=f"Het CBS ({exc.url}) is niet bereikbaar; er wordt niets opnieuw gebouwd of gepubliceerd.",
            )
        except SamenspelError:
            continue  # not (yet) published by CBS: nothing to compare
        if value:
            now[tid] = value
    before = dict((previous or {}).get("tables") or {})
    if not before:
        return Decision(
            newer=True,
            tables=now,
            changed=tuple(now),
            reason="Er is geen vorige publicatie bekend (geen gegevens.json); het boek wordt gebouwd.",
        )
    changed = tuple(
        tid for tid, value in now.items() if tid not in before or not before[tid] or _is_newer(value, before[tid])
    )
    built = fmt.date_nl((previous or {}).get("built"), "onbekende datum")
    if changed:
        parts = [
            f"{tid} ({'gewijzigd op ' + fmt.date_nl(str(now[tid])[:10]) if before.get(tid) else 'nieuw'})"
            for tid in changed
        ]
        return Decision(
            newer=True,
            tables=now,
            changed=changed,
            reason=f"Het CBS heeft sinds de vorige publicatie ({built}) nieuwe gegevens: {', '.join(parts)}.",
        )
    return Decision(
        newer=False,
        tables=now,
        reason=(
            f"Het CBS heeft niets nieuws sinds de vorige publicatie ({built}): "
            + ("1 tabel heeft" if len(now) == 1 else f"{len(now)} tabellen hebben")
            + " dezelfde wijzigingsdatum als toen."
        ),
    )


def read_previous(path: Path | str | None) -> dict | None:
    """The previous state file; None when there is none or it cannot be read."""
    if path is None:
        return None
    try:
        value = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def state(built: dt.datetime | None = None) -> dict:
    """The state of the data in use now (no CBS request): per table the Modified date of the
    copy that is read, the latest data date and the sentence that says where it came from."""
    tables = {}
    for tid in registered_tables():
        if not cbs.is_available(tid):
            continue
        folder, _ = cbs._location(tid)
        try:
            info = (cbs._read_json(folder / "TableInfos.json") or [{}])[0]
        except cbs.CorruptTable:
            continue
        tables[tid] = str(info["Modified"]) if info.get("Modified") else None
    origin = cbs.data_origin()
    return {
        "version": STATE_VERSION,
        "built": (built or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
        "tables": tables,
        "data_date": origin.modified,
        "origin": origin.kind,
        "sentence": origin.sentence,
    }


def front_page_markdown(current: dict | None = None) -> str:
    """The data date for the book's front page (Markdown, Dutch), from a state."""
    current = current or state()
    built = fmt.date_nl(current.get("built"))
    date = current.get("data_date")
    when = (
        f"De cijfers zijn van het CBS; de nieuwste gebruikte CBS-tabel is door het CBS gewijzigd op "
        f"**{fmt.date_nl(date)}**."
        if date
        else "De cijfers zijn van het CBS."
    )
    return (
        f"{when} Dit boek is gebouwd op {built}. Elke week kijkt Samenspel of het CBS nieuwe cijfers "
        f"heeft gepubliceerd; zo ja, dan wordt het boek opnieuw gebouwd. Waar de cijfers vandaan komen, "
        f"staat in elk hoofdstuk onder *Verantwoording* en bij de bronnen.\n"
    )
