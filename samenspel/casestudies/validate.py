"""Checking case-study files: the fields against the schema and the facts (years, web
addresses, municipality codes), the body's sections, safety and links; then loading them."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from samenspel import paths
from samenspel.casestudies.links import link_problems, markdown
from samenspel.casestudies.messages import hint, translate
from samenspel.casestudies.parse import (
    INDEX_SLUG,
    CaseStudy,
    Problem,
    case_study_files,
    display_path,
    field_path,
    line_for,
    load_front_matter,
    slugify,
    split_front_matter,
    yaml_lines,
)
from samenspel.casestudies.safety import is_wellformed_url, unsafe_message, walk_strings
from samenspel.casestudies.schema import load_schema, section_titles
from samenspel.errors import SamenspelError

# ---------------------------------------------------------------------------------------
# The body


def _section_list(required: list[str]) -> str:
    return ", ".join(f"'## {t}'" for t in required)


def _heading_problems(tokens, body_lines: list[str]) -> Iterable[tuple[int | None, str]]:
    """(0-based body line or None, message) for a '#' heading and for required sections
    that are missing, doubled, empty or out of order."""
    headings: list[tuple[int, str, str]] = []  # (0-based line, tag, text)
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.map:
            headings.append((tok.map[0], tok.tag, tokens[i + 1].content.strip()))
    for line0, tag, text in headings:
        if tag == "h1":
            yield (
                line0,
                (
                    f"kop met één '#' ('# {text}') is niet toegestaan; de titel komt uit het veld 'titel'. "
                    "Verwacht koppen met '##'."
                ),
            )
    required = section_titles()
    h2 = [(line0, text) for line0, tag, text in headings if tag == "h2"]
    positions: list[int] = []
    for title in required:
        found = [idx for idx, (_, text) in enumerate(h2) if text.casefold() == title.casefold()]
        if not found:
            yield (
                None,
                (
                    f"de verplichte sectie '## {title}' ontbreekt; verwacht deze secties in deze volgorde: "
                    + _section_list(required)
                    + "."
                ),
            )
            continue
        if len(found) > 1:
            yield h2[found[1]][0], f"de sectie '## {title}' staat er {len(found)} keer; verwacht één keer."
        positions.append(found[0])
        # The section must have content (MyST comments, lines starting with '%', do not count).
        start = h2[found[0]][0] + 1
        following = [ln for ln, tag, _ in headings if ln >= start and tag in ("h1", "h2")]
        end = following[0] if following else len(body_lines)
        content = [ln for ln in body_lines[start:end] if ln.strip() and not ln.lstrip().startswith("%")]
        if not content:
            yield h2[found[0]][0], f"de sectie '## {title}' is leeg; verwacht een paar alinea's of opsommingstekens."
    if positions != sorted(positions):
        yield None, "de secties staan niet in de goede volgorde; verwacht: " + _section_list(required) + "."


def _body_problems(body: str, body_start: int, file_path: Path, root: Path, shown: str) -> list[Problem]:
    """Raw HTML or script (one message per line), headings and sections, then links."""
    found: list[tuple[int | None, str]] = []
    body_lines = body.splitlines()
    for i, text in enumerate(body_lines):
        message = unsafe_message(text)
        if message:
            found.append((i, message))
    tokens = markdown().parse(body)
    found += _heading_problems(tokens, body_lines)
    found += link_problems(tokens, body_lines, file_path.parent, root)
    return [Problem(shown, "tekst", message, None if line0 is None else body_start + line0) for line0, message in found]


# ---------------------------------------------------------------------------------------
# The fields


class LazyMunicipalities:
    """The known municipalities (code -> name), asked for only when a file needs them;
    `checked` says in Dutch what cannot be checked without them."""

    def __init__(self, given: Mapping[str, str] | None, checked: str = "de gemeentecodes in de casestudies"):
        self._given = given
        self._checked = checked

    def get(self) -> Mapping[str, str]:
        if self._given is None:
            self._given = default_known_municipalities()
        if not self._given:
            # Without data every code would look unknown; say what is really wrong.
            raise SamenspelError(
                f"Er is geen lijst met CBS-gemeentecodes beschikbaar, dus {self._checked} kunnen niet "
                "worden gecontroleerd. Gebruik de CBS-gegevens uit een momentopname (--snapshot MAP of "
                "SAMENSPEL_SNAPSHOT=MAP) of haal ze op met 'python -m samenspel download'."
            )
        return self._given


def default_known_municipalities() -> Mapping[str, str]:
    """All GMxxxx codes valid in any year 2014-2025, with names (from samenspel.data.regions)."""
    try:
        from samenspel.data.regions import known_municipalities
    except ImportError as exc:  # pragma: no cover - depends on the lead's module
        raise SamenspelError(
            "De lijst met CBS-gemeentecodes is niet beschikbaar (samenspel.data.regions ontbreekt); "
            f"de gemeentecodes in de casestudies kunnen niet worden gecontroleerd ({exc})."
        ) from exc
    return known_municipalities()


def _schema_problems(meta: dict[str, Any], shown: str) -> tuple[list[Problem], set[str]]:
    """Unknown and missing fields and wrong types; also the fields that have a problem."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(load_schema())
    problems: list[Problem] = []
    seen: set[tuple[str | None, str]] = set()
    bad_fields: set[str] = set()
    for error in sorted(validator.iter_errors(meta), key=lambda e: list(map(str, e.absolute_path))):
        for fld, message in translate(error, meta):
            if (fld, message) not in seen:
                seen.add((fld, message))
                problems.append(Problem(shown, fld, message))
                if fld:
                    bad_fields.add(fld)
    return problems, bad_fields


def _is_year(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _year_and_url_problems(meta: dict[str, Any], shown: str, today: _dt.date, bad_fields: set[str]) -> list[Problem]:
    """Years not in the future (the lower bound is in the schema); sources' web addresses."""
    problems: list[Problem] = []
    jaar = meta.get("jaar")
    if _is_year(jaar) and jaar > today.year:
        problems.append(Problem(shown, "jaar", f"{jaar} ligt in de toekomst; verwacht uiterlijk {today.year}."))
    bronnen = meta.get("bronnen")
    for i, bron in enumerate(bronnen if isinstance(bronnen, list) else []):
        if not isinstance(bron, dict):
            continue
        bron_jaar = bron.get("jaar")
        if _is_year(bron_jaar) and bron_jaar > today.year:
            problems.append(
                Problem(
                    shown,
                    f"bronnen[{i + 1}].jaar",
                    f"{bron_jaar} ligt in de toekomst; verwacht uiterlijk {today.year}.",
                )
            )
        url = bron.get("url")
        fld = f"bronnen[{i + 1}].url"
        if isinstance(url, str) and fld not in bad_fields and not is_wellformed_url(url):
            problems.append(
                Problem(
                    shown,
                    fld,
                    f"ongeldig webadres '{url}'; verwacht een volledig adres als https://www.voorbeeld.nl/pagina.",
                )
            )
    return problems


def _municipality(
    meta: dict[str, Any], shown: str, municipalities: LazyMunicipalities
) -> tuple[list[Problem], str | None]:
    """The municipality's name, or the problem when its code does not exist."""
    gemeente = meta.get("gemeente")
    if not (isinstance(gemeente, str) and re.fullmatch(r"GM[0-9]{4}", gemeente)):
        return [], None
    known = municipalities.get()
    if gemeente in known:
        return [], known[gemeente]
    return [
        Problem(
            shown,
            "gemeente",
            f"onbekende CBS-gemeentecode '{gemeente}'; verwacht de code van een gemeente die tussen "
            "2014 en 2025 bestond (zoals GM0034 voor Almere), 'regio' of 'anoniem'.",
        )
    ], None


def _region_problems(
    meta: dict[str, Any], shown: str, municipalities: LazyMunicipalities
) -> tuple[list[Problem], tuple[str, ...]]:
    """Every code in ``regio.gemeenten`` is a known CBS municipality; returns the problems and
    the names of the region's municipalities. (Wrong shapes are left to the schema.)"""
    problems: list[Problem] = []
    names: list[str] = []
    regio = meta.get("regio")
    codes = regio.get("gemeenten") if isinstance(regio, Mapping) else None
    for i, code in enumerate(codes if isinstance(codes, list) else []):
        if not (isinstance(code, str) and re.fullmatch(r"GM[0-9]{4}", code)):
            continue
        known = municipalities.get()
        if code in known:
            names.append(known[code])
        else:
            problems.append(
                Problem(
                    shown,
                    f"regio.gemeenten[{i + 1}]",
                    f"onbekende CBS-gemeentecode '{code}'; verwacht de code van een gemeente die tussen "
                    "2014 en 2025 bestond (zoals GM0629 voor Wassenaar).",
                )
            )
    return problems, tuple(names)


def _follow_up_problems(meta: dict[str, Any], shown: str) -> list[Problem]:
    """Every ``aanbevelingen[].opvolging_bron`` is the title of a source in ``bronnen``."""
    bronnen = meta.get("bronnen")
    titles = [
        b["titel"]
        for b in (bronnen if isinstance(bronnen, list) else [])
        if isinstance(b, Mapping) and isinstance(b.get("titel"), str)
    ]
    aanbevelingen = meta.get("aanbevelingen")
    problems = []
    for i, rec in enumerate(aanbevelingen if isinstance(aanbevelingen, list) else []):
        ref = rec.get("opvolging_bron") if isinstance(rec, Mapping) else None
        if isinstance(ref, str) and ref not in titles:
            listed = ", ".join(f"'{t}'" for t in titles) or "(geen)"
            problems.append(
                Problem(
                    shown,
                    f"aanbevelingen[{i + 1}].opvolging_bron",
                    f"'{ref}' is niet de titel van een bron in 'bronnen'; verwacht precies een van deze "
                    f"titels: {listed}.{hint(ref, titles)}",
                )
            )
    return problems


def _field_problems(
    meta: dict[str, Any], shown: str, municipalities: LazyMunicipalities, today: _dt.date
) -> tuple[list[Problem], str | None]:
    """Every problem in the fields (without lines yet), and the municipality's name and those
    of a region's municipalities."""
    problems, bad_fields = _schema_problems(meta, shown)
    problems += _year_and_url_problems(meta, shown, today, bad_fields)
    municipality_problems, name = _municipality(meta, shown, municipalities)
    problems += municipality_problems
    region_problems, region_names = _region_problems(meta, shown, municipalities)
    problems += region_problems + _follow_up_problems(meta, shown)
    # Raw HTML or script in any text field.
    for path, value in walk_strings(meta, []):
        message = unsafe_message(value)
        if message:
            problems.append(Problem(shown, field_path(path), message))
    return problems, (name, region_names)


def _with_lines(problems: list[Problem], lines: Mapping[str, int]) -> list[Problem]:
    """Point each field problem at its line in the file, where there is one."""
    return [
        Problem(p.file, p.field, p.message, line_for(p.field, lines))
        if p.field and p.field != "tekst" and p.line is None
        else p
        for p in problems
    ]


# ---------------------------------------------------------------------------------------
# Files


def _name_problems(slug: str, shown: str) -> list[Problem]:
    if not slug:
        return [
            Problem(
                shown, None, "de bestandsnaam bevat geen letters of cijfers; verwacht bijvoorbeeld 'almere-monitor.md'."
            )
        ]
    if slug == INDEX_SLUG:
        return [
            Problem(
                shown,
                None,
                "de bestandsnaam 'index' is gereserveerd voor het overzicht; verwacht een andere naam, bijvoorbeeld 'gemeente-onderwerp.md'.",
            )
        ]
    return []


def _check_file(
    file_path: Path,
    municipalities: LazyMunicipalities,
    today: _dt.date,
    root: Path,
) -> tuple[list[Problem], CaseStudy | None]:
    shown = display_path(file_path, root)
    problems: list[Problem] = []
    if not file_path.is_file():
        return [Problem(shown, None, "bestand niet gevonden; verwacht een bestaand .md-bestand.")], None
    if file_path.suffix.lower() != ".md":
        problems.append(Problem(shown, None, "verwacht een Markdown-bestand met de extensie .md."))
    try:
        text = file_path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return [Problem(shown, None, "het bestand is geen UTF-8-tekst; sla het op als UTF-8.")], None
    split = split_front_matter(text)
    if split is None:
        return [
            Problem(
                shown,
                None,
                "de kop met velden ontbreekt; verwacht op de eerste regel '---', dan de velden, "
                "dan weer een regel '---' (zie casestudies/TEMPLATE.md).",
                1,
            )
        ], None
    yaml_text, body, body_start = split
    meta, yaml_problems = load_front_matter(yaml_text, shown)
    if meta is None:
        return yaml_problems, None
    field_problems, (name, region_names) = _field_problems(meta, shown, municipalities, today)
    problems = _with_lines(problems + field_problems, yaml_lines(yaml_text, 2))
    problems += _body_problems(body, body_start, file_path, root, shown)
    slug = slugify(file_path.stem)
    problems += _name_problems(slug, shown)
    if problems:
        return problems, None
    return [], CaseStudy(
        path=file_path,
        slug=slug,
        meta=meta,
        body=body,
        gemeentenaam=name,
        body_start_line=body_start,
        region_names=region_names,
    )


def _collect(
    files: Iterable[Path | str],
    known_municipalities: Mapping[str, str] | None,
    today: _dt.date | None,
    root: Path | str | None,
) -> tuple[list[Problem], list[CaseStudy]]:
    root_path = Path(root) if root is not None else paths.ROOT
    today = today or _dt.date.today()
    municipalities = LazyMunicipalities(known_municipalities)
    problems: list[Problem] = []
    studies: list[CaseStudy] = []
    by_slug: dict[str, Path] = {}
    for file_path in files:
        file_path = Path(file_path)
        file_problems, study = _check_file(file_path, municipalities, today, root_path)
        problems.extend(file_problems)
        slug = slugify(file_path.stem)
        if slug and slug in by_slug:
            problems.append(
                Problem(
                    display_path(file_path, root_path),
                    None,
                    f"de paginanaam '{slug}' is al in gebruik door {display_path(by_slug[slug], root_path)}; "
                    "verwacht een unieke bestandsnaam.",
                )
            )
            study = None
        elif slug:
            by_slug[slug] = file_path
        if study is not None:
            studies.append(study)
    return problems, studies


def validate_files(
    files: Iterable[Path | str],
    known_municipalities: Mapping[str, str] | None = None,
    *,
    today: _dt.date | None = None,
    root: Path | str | None = None,
) -> list[Problem]:
    """Check the given case-study files; see :func:`validate_all`."""
    return _collect(files, known_municipalities, today, root)[0]


def validate_all(
    directory: Path | str = paths.CASESTUDY_DIR,
    known_municipalities: Mapping[str, str] | None = None,
    *,
    today: _dt.date | None = None,
    root: Path | str | None = None,
) -> list[Problem]:
    """Check every case study in ``directory`` and return the problems (empty: all valid).

    ``known_municipalities`` maps every valid CBS code to its name (default:
    ``samenspel.data.regions.known_municipalities()``, only called when a file names a code).
    ``today`` decides which years lie in the future; ``root`` is the repository root that
    relative links must stay inside (default: this project).
    """
    return validate_files(case_study_files(directory), known_municipalities, today=today, root=root)


def load_all(
    directory: Path | str = paths.CASESTUDY_DIR,
    known_municipalities: Mapping[str, str] | None = None,
    *,
    today: _dt.date | None = None,
    root: Path | str | None = None,
) -> list[CaseStudy]:
    """All case studies in ``directory``, sorted by slug; raises SamenspelError when any
    is invalid (the message names each file and field)."""
    problems, studies = _collect(case_study_files(directory), known_municipalities, today, root)
    if problems:
        lines = "\n".join(f"- {p}" for p in problems)
        raise SamenspelError(
            f"{len(problems)} {'probleem' if len(problems) == 1 else 'problemen'} in de casestudies "
            f"(controleer met 'python -m samenspel casestudies'):\n{lines}"
        )
    return sorted(studies, key=lambda s: s.slug)
