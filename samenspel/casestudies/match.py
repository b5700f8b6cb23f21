"""Which case studies a municipality's chapter shows first: its own, its peers', those of
municipalities of the same size, then the rest."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

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
