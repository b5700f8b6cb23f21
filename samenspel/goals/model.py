"""The council's goals as plain data, as read from one doelen/<GMxxxx>.yml file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

OWN = "eigen"  # a figure the CBS does not publish in this definition
DIRECTIONS = ("lager", "hoger", "gelijk")


@dataclass(frozen=True)
class Document:
    """Where a goal (or an own figure) comes from: a budget, a kadernota, an annual report."""

    titel: str
    jaar: int  # the year of the document (from `datum`, or given)
    datum: str | None = None  # ISO date, when known
    url: str | None = None


@dataclass(frozen=True)
class Goal:
    indicator: str  # an id from data/indicators.yml, or OWN
    # an own figure (indicator == OWN): its name, unit, values per year and their source
    naam: str | None = None
    eenheid: str | None = None
    waarden: dict[int, float] = field(default_factory=dict)
    waarden_toelichting: str | None = None  # e.g. 'eerste halfjaar' when a value is not a whole year
    bron: Document | None = None
    # the target: at most one of streefwaarde, grens, verandering; or a direction only
    streefwaarde: float | None = None
    grens: tuple[str, float] | None = None  # ('onder', 10.0) or ('boven', 70.0)
    verandering: tuple[int, float] | None = None  # (vanaf: baseline year, met: change in the unit)
    jaar: int | None = None  # the target year; None when the document gives none
    richting: str | None = None  # one of DIRECTIONS
    marge: float | None = None  # with richting 'gelijk': how far the value may move
    toelichting: str | None = None

    @property
    def is_own(self) -> bool:
        return self.indicator == OWN

    @property
    def key(self) -> tuple:
        """Two goals with the same key in one file are duplicates."""
        return (self.indicator, self.naam if self.is_own else None, self.jaar)


@dataclass(frozen=True)
class GoalFile:
    path: Path
    gemeente: str  # CBS code, normalised
    vastgesteld_door: str  # 'raad' or 'college'
    bron: Document
    doelen: tuple[Goal, ...]
