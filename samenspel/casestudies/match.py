"""Which case studies a municipality's chapter shows first, and why: its own, its peers',
those on the themes where it differs, those of municipalities that are alike."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from samenspel.casestudies.parse import UNKNOWN, CaseStudy


def for_chapter(
    code: str,
    peer_codes: Sequence[str],
    size_class: str | None,
    case_studies: Iterable[CaseStudy],
    size_class_of: Callable[[str], str | None] | None = None,
) -> list[CaseStudy]:
    """All case studies, the most relevant for municipality ``code`` first.

    Order: the municipality's own case studies; then those of its peers (in the order of
    ``peer_codes``); then those of the same size class (``size_class`` is the chapter
    municipality's class; a case study's class is its ``grootteklasse`` field, or for a
    named municipality ``size_class_of(code)``); then the rest. Within a group: newest
    first, then by title.
    """
    if size_class is None and size_class_of is not None:
        size_class = size_class_of(code)
    peer_rank = {c: i for i, c in enumerate(peer_codes)}

    def key(cs: CaseStudy) -> tuple:
        if cs.code == code:
            group, sub = 0, 0
        elif cs.code in peer_rank:
            group, sub = 1, peer_rank[cs.code]
        elif size_class and size_class != UNKNOWN and cs.size_class(size_class_of) == size_class:
            group, sub = 2, 0
        else:
            group, sub = 3, 0
        return (group, sub, -cs.jaar, cs.titel.casefold(), cs.slug)

    return sorted(case_studies, key=key)


@dataclass
class Match:
    """A case study listed in a chapter, and why (plain Dutch reasons)."""

    study: CaseStudy
    reasons: list[str] = field(default_factory=list)


THEME_WORDS = {
    "jeugd": "jeugdzorg",
    "wmo": "de Wmo",
    "participatie": "werk en participatie",
    "inkomen": "inkomen",
    "bevolking": "de bevolking",
}


def rank(
    code: str,
    case_studies: Iterable[CaseStudy],
    *,
    twins: Sequence[str] = (),
    distance: Mapping[str, float] | None = None,
    size_class_of: Callable[[str], str | None] | None = None,
    province_of: Callable[[str], str | None] | None = None,
    themes: Sequence[str] = (),
    names: Mapping[str, str] | None = None,
) -> list[Match]:
    """Case studies for the chapter of ``code``, most useful first, each with its reasons.

    Order: about this municipality (or a region it belongs to); then about its statistical
    twins (nearest first); then the others by how many of the chapter's themes they share
    (``themes``: the themes where the chapter's findings lie), then by how alike the
    municipalities are (``distance`` on the twins' profile, nearest first), then same size
    class, then same province, newest first.
    """
    distance = distance or {}
    names = names or {}
    size_class_of = size_class_of or (lambda c: None)
    province_of = province_of or (lambda c: None)
    own_size, own_province = size_class_of(code), province_of(code)
    twin_rank = {c: i for i, c in enumerate(twins)}
    scored = []
    for cs in case_studies:
        codes = [cs.code] if cs.code else list(cs.region_codes)
        reasons: list[str] = []
        if code in codes:
            group, sub = 0, 0
            reasons.append(
                "over deze gemeente" if cs.code == code else f"deze gemeente hoort bij de regio {cs.municipality_label}"
            )
        elif any(c in twin_rank for c in codes):
            twin = min((c for c in codes if c in twin_rank), key=twin_rank.get)
            group, sub = 1, twin_rank[twin]
            reasons.append(f"{names.get(twin, twin)} lijkt in cijfers op deze gemeente (een statistische tweeling)")
        else:
            group, sub = 2, 0
        shared = [t for t in themes if t in cs.themas]
        if shared:
            reasons.append(
                "gaat over "
                + _join([THEME_WORDS.get(t, t) for t in shared])
                + ", waar deze gemeente afwijkt van vergelijkbare gemeenten"
            )
        size = cs.size_class(size_class_of)
        same_size = bool(own_size) and size == own_size
        same_province = bool(own_province) and any(province_of(c) == own_province for c in codes)
        if group == 2 and same_size:
            reasons.append(f"ook een gemeente met {own_size}")
        if group == 2 and same_province:
            reasons.append(f"ook in {own_province}")
        near = min((distance[c] for c in codes if c in distance), default=float("inf"))
        key = (group, sub, -len(shared), near, not same_size, not same_province, -cs.jaar, cs.titel.casefold(), cs.slug)
        scored.append((key, Match(cs, reasons)))
    return [m for _, m in sorted(scored, key=lambda pair: pair[0])]


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]
