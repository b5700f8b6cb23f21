"""Case studies: schema, validator, CLI command, chapter matching and book pages."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
# `.venv/bin/pytest` (unlike `python -m pytest`) does not put the project root on sys.path.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from samenspel import casestudies as cs  # noqa: E402
from samenspel import paths  # noqa: E402
from samenspel.casestudies import safety, validate  # noqa: E402
from samenspel.casestudies import schema as cs_schema  # noqa: E402
from samenspel.cli import casestudies as command  # noqa: E402
from samenspel.errors import SamenspelError  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "casestudies"
VALID = FIXTURES / "geldig"
INVALID = FIXTURES / "ongeldig"
TODAY = dt.date(2026, 6, 1)
SOURCES = ROOT.parent / "shared" / "sources"

# Used when the shared municipality list is not available.
FALLBACK_MUNICIPALITIES = {"GM0034": "Almere", "GM0546": "Leiden", "GM0363": "Amsterdam"}


def _municipality_csv() -> Path:
    value = os.environ.get("SAMENSPEL_SNAPSHOT")
    base = Path(value) if value else ROOT / "data" / "momentopname"  # the embedded snapshot
    path = base / "gebieden" / "gemeentelijke_indeling_1990-2025_nlextract.csv"
    return path if path.is_file() else path.with_name(path.name + ".gz")


@pytest.fixture(scope="session")
def known() -> dict[str, str]:
    """Every GM code valid in some year 2014-2025, from the CBS municipality list of the test snapshot."""
    path = _municipality_csv()
    if not path.is_file():
        return dict(FALLBACK_MUNICIPALITIES)
    names: dict[str, str] = {}
    with (gzip.open if path.suffix == ".gz" else open)(path, "rt", encoding="utf-8") as fh:
        for row in sorted(csv.DictReader(fh), key=lambda r: int(r["jaar"])):
            if 2014 <= int(row["jaar"]) <= 2025:
                names[row["gm_code"]] = row["gemeente_naam"]
    assert names["GM0034"] == "Almere"
    return names


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# --------------------------------------------------------------------------- the real case studies


def test_real_case_studies_are_valid(known):
    problems = cs.validate_all(paths.CASESTUDY_DIR, known)
    assert problems == [], "\n".join(map(str, problems))
    studies = cs.load_all(paths.CASESTUDY_DIR, known)
    assert len(studies) >= 8
    assert len({s.slug for s in studies}) == len(studies)


# The two texts in ../shared/sources that the first nine case studies are drawn from.
ALMERE_RESEARCH = {"Uniek samenspel", "Rol gemeenteraad"}


def _drawn_from_almere_research(study) -> bool:
    return bool({b["titel"] for b in study.meta["bronnen"]} & ALMERE_RESEARCH)


def test_real_case_studies_cite_the_research_and_name_only_named_municipalities(known):
    studies = [s for s in cs.load_all(paths.CASESTUDY_DIR, known) if _drawn_from_almere_research(s)]
    assert len(studies) >= 9
    for study in studies:
        for bron in study.meta["bronnen"]:
            if bron["titel"] == "Uniek samenspel":
                assert "Tuynman" in bron["auteur"] and "Westveer" in bron["auteur"]
                assert bron["uitgever"] == "Gemeente Almere"
                assert (bron["soort"], bron["gelezen"]) == ("onderzoek", "geheel")
                assert bron["jaar"] == 2019
                assert bron["url"] == "http://www.almere.nl/over-almere/feiten-en-cijfers/"
            if bron["titel"] == "Rol gemeenteraad":
                assert "url" not in bron  # the programme text gives no address
        assert study.meta["licentie"] == "CC BY 4.0"
        # The sources name only Almere and Leiden.
        assert study.gemeente in {"anoniem", "GM0034", "GM0546"}
    named = {s.gemeente: s for s in studies if s.code}
    assert named["GM0034"].gemeentenaam == "Almere"
    assert named["GM0546"].gemeentenaam == "Leiden"
    # Both sources are used somewhere.
    used = {b["titel"] for s in studies for b in s.meta["bronnen"]}
    assert used == ALMERE_RESEARCH


def test_case_studies_from_other_sources_name_their_place_and_come_from_many_publishers(known):
    """The case studies written from the research notes on monitor practice (issue 13)."""
    studies = [s for s in cs.load_all(paths.CASESTUDY_DIR, known) if not _drawn_from_almere_research(s)]
    assert len(studies) >= 20
    publishers = set()
    for study in studies:
        assert study.gemeente != "anoniem", study.slug
        assert study.meta["auteurs"] == ["Redactie Samenspel"] and study.meta["licentie"] == "CC BY 4.0"
        for bron in study.meta["bronnen"]:
            assert bron.get("url"), (study.slug, bron["titel"])  # the notes give an address for each
            publishers.add(bron.get("uitgever") or bron["auteur"])
        # A source that was not read in full is said to be so in the text.
        if any(b["gelezen"] != "geheel" for b in study.meta["bronnen"]):
            assert re.search(r"te (lezen|zien)|niet gelezen|gelezen (deel|delen)", study.body), study.slug
    assert len(publishers) >= 15


def _words(text: str) -> list[str]:
    return re.findall(r"[a-zà-ÿ0-9]+", text.lower())


@pytest.mark.skipif(not SOURCES.is_dir(), reason="the shared sources are not available")
def test_real_case_studies_are_written_in_our_own_words(known):
    """No run of 8 words from the sources appears verbatim in a case study."""
    n = 8
    source_words = []
    for path in SOURCES.iterdir():
        source_words.append(_words(path.read_text(encoding="utf-8")))
    grams = {tuple(w[i : i + n]) for w in source_words for i in range(len(w) - n + 1)}
    for study in cs.load_all(paths.CASESTUDY_DIR, known):
        # Every text field except the citations themselves (the sources, and the title of
        # the source that reports on a recommendation's follow-up).
        own = {k: v for k, v in study.meta.items() if k not in ("bronnen", "aanbevelingen")}
        own["aanbevelingen"] = [rec["tekst"] for rec in study.meta.get("aanbevelingen", [])]
        fields = " ".join(text for _, text in safety.walk_strings(own, []))
        words = _words(study.body + " " + fields)
        copied = [" ".join(words[i : i + n]) for i in range(len(words) - n + 1) if tuple(words[i : i + n]) in grams]
        assert not copied, f"{study.slug} copies the source: {copied[:3]}"


def test_real_case_studies_with_the_regions_module(use_snapshot):
    regions = pytest.importorskip("samenspel.data.regions")
    assert cs.validate_all(paths.CASESTUDY_DIR, regions.known_municipalities()) == []


def test_size_classes_are_spelled_as_in_regions():
    regions = pytest.importorskip("samenspel.data.regions")
    labels = [label for *_, label in regions.SIZE_CLASSES]
    assert cs.size_classes()[: len(labels)] == labels
    # Every named case study carries the class CBS gives it for that year.
    assert regions.size_class(207_904) == "150.000 tot 250.000 inwoners"  # Almere, 1-1-2019
    assert regions.size_class(124_899) == "100.000 tot 150.000 inwoners"  # Leiden, 1-1-2019


def test_template_and_readme_are_not_case_studies():
    names = {p.name for p in cs.case_study_files(paths.CASESTUDY_DIR)}
    assert "TEMPLATE.md" not in names and "README.md" not in names
    assert (paths.CASESTUDY_DIR / "TEMPLATE.md").is_file()


# --------------------------------------------------------------------------- generated docs


def test_template_is_generated_from_the_schema():
    committed = (paths.CASESTUDY_DIR / "TEMPLATE.md").read_text(encoding="utf-8")
    assert committed == cs.render_template(), "run: python -m samenspel casestudies --bijwerken"


def test_readme_field_table_is_up_to_date():
    readme = (paths.CASESTUDY_DIR / "README.md").read_text(encoding="utf-8")
    assert cs.README_BEGIN in readme and cs.README_END in readme
    block = readme.split(cs.README_BEGIN, 1)[1].split(cs.README_END, 1)[0]
    assert block == "\n" + cs.render_field_table(), "run: python -m samenspel casestudies --bijwerken"
    assert "python -m samenspel casestudies" in readme


def test_field_table_and_template_cover_every_schema_field():
    schema = cs.load_schema()
    table = cs.render_field_table()
    template = cs.render_template()
    for name, prop in schema["properties"].items():
        assert f"| `{name}` | {prop['title']} |" in table
        assert re.search(rf"^{name}:", template, re.M), name
        assert prop.get("title") and prop.get("description"), name
    assert "| `bronnen[].url` | Webadres | nee |" in table
    assert "| `grootteklasse` | Grootteklasse | als `gemeente` is 'anoniem' |" in table
    for title in cs.section_titles():
        assert f"\n## {title}\n" in template
    assert cs.section_titles() == ["Aanpak", "Wat het oplevert", "Wat ontbreekt", "Lessen"]


def test_schema_has_dutch_title_and_description_everywhere():
    def walk(node, where):
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                resolved = cs_schema.resolve(sub)
                assert resolved.get("title") and resolved.get("description"), f"{where}.{name}"
                walk(resolved, f"{where}.{name}")
            if "items" in node:
                walk(cs_schema.resolve(node["items"]), f"{where}[]")

    schema = cs.load_schema()
    assert schema["additionalProperties"] is False
    walk(schema, "")


def test_template_front_matter_is_valid_and_a_copy_only_lacks_text(tmp_path, known):
    from jsonschema import Draft202012Validator

    meta = yaml.safe_load(cs.split_front_matter(cs.render_template())[0])
    assert list(Draft202012Validator(cs.load_schema()).iter_errors(meta)) == []
    copy = tmp_path / "mijn-casestudie.md"
    copy.write_text(cs.render_template(), encoding="utf-8")
    problems = cs.validate_files([copy], known, root=tmp_path, today=TODAY)
    assert [p.field for p in problems] == ["tekst"] * 4
    assert all("is leeg" in p.message for p in problems)


def test_update_readme_text_replaces_only_the_block():
    text = f"# Kop\n\nvoor\n{cs.README_BEGIN}\nVEROUDERDE-TABEL\n{cs.README_END}\nna\n"
    updated = cs.update_readme_text(text)
    assert updated.startswith("# Kop\n\nvoor\n" + cs.README_BEGIN)
    assert updated.endswith(cs.README_END + "\nna\n")
    assert "VEROUDERDE-TABEL" not in updated and "| `titel` |" in updated
    assert cs.update_readme_text(updated) == updated
    with pytest.raises(SamenspelError, match="velden:begin"):
        cs.update_readme_text("geen markeringen")


def test_write_generated_docs_is_idempotent(tmp_path):
    (tmp_path / "README.md").write_text(f"intro\n{cs.README_BEGIN}\n{cs.README_END}\n", encoding="utf-8")
    assert set(cs.write_generated_docs(tmp_path)) == {tmp_path / "TEMPLATE.md", tmp_path / "README.md"}
    assert cs.write_generated_docs(tmp_path) == []
    assert (tmp_path / "TEMPLATE.md").read_text(encoding="utf-8") == cs.render_template()


# --------------------------------------------------------------------------- validation rules


def test_valid_fixtures_pass(known):
    assert cs.validate_all(VALID, known, today=TODAY) == []


# (file, field, a piece of the message). Field "tekst" is the body; None the whole file.
INVALID_CASES = [
    ("onbekend-veld.md", "thema", "onbekend veld"),
    ("ontbrekend-veld.md", "licentie", "verplicht veld ontbreekt"),
    ("verkeerd-type.md", "jaar", "verwacht een geheel getal"),
    ("verkeerde-keuze.md", "monitorvorm", "verwacht een van: 'website of dashboard'"),
    ("anoniem-zonder-grootteklasse.md", "grootteklasse", "verplicht omdat gemeente is 'anoniem'"),
    ("onbekende-gemeente.md", "gemeente", "onbekende CBS-gemeentecode 'GM9999'"),
    ("jaar-te-vroeg.md", "jaar", "verwacht minstens 2014"),
    ("jaar-in-de-toekomst.md", "jaar", "ligt in de toekomst"),
    ("bron-jaar-in-de-toekomst.md", "bronnen[1].jaar", "ligt in de toekomst"),
    ("ongeldige-url.md", "bronnen[1].url", "ongeldig webadres 'https://almere/zonder-domein'"),
    ("html-in-veld.md", "sturingsfilosofie", "HTML-code: '<b', '</b'"),
    ("html-in-tekst.md", "tekst", "HTML-code: '<script'"),
    ("javascript-link.md", "tekst", "'javascript:'"),
    ("gebeurtenis-in-tekst.md", "tekst", "HTML-gebeurtenis"),
    ("raw-opdracht.md", "tekst", "'{raw}'"),
    ("kapotte-link.md", "tekst", "'bestaat-niet.md' wijst naar een pagina die niet bestaat"),
    ("kapotte-link-in-kader.md", "tekst", "'weg.md' wijst naar een pagina die niet bestaat"),
    ("kapotte-doc-link.md", "tekst", "book/bestaat-niet' wijst naar een pagina die niet bestaat"),
    ("link-buiten-repo.md", "tekst", "wijst buiten de repository"),
    ("ongeldige-externe-link.md", "tekst", "ongeldig webadres 'https://cbs/pagina'"),
    ("bestand-link.md", "tekst", "'file:' is niet toegestaan"),
    ("ontbrekende-sectie.md", "tekst", "de verplichte sectie '## Lessen' ontbreekt"),
    ("lege-sectie.md", "tekst", "de sectie '## Wat ontbreekt' is leeg"),
    ("volgorde-secties.md", "tekst", "niet in de goede volgorde"),
    ("kop-met-een-hekje.md", "tekst", "kop met één '#'"),
    ("dubbel-veld.md", "monitorvorm", "staat er twee keer"),
    ("yaml-fout.md", None, "geen geldige YAML"),
    ("zonder-kop.md", None, "de kop met velden ontbreekt"),
    ("index.md", None, "'index' is gereserveerd"),
    # Sources: what kind, and how much of it was read.
    ("onbekende-bronsoort.md", "bronnen[1].soort", "verwacht een van: 'gemeente', 'rekenkamer'"),
    ("bron-zonder-gelezen.md", "bronnen[1].gelezen", "verplicht veld ontbreekt"),
    ("onbekend-gelezen.md", "bronnen[1].gelezen", "verwacht een van: 'geheel', 'deels'"),
    # Regions.
    ("regio-ontbreekt.md", "regio", "verplicht omdat gemeente is 'regio'"),
    ("regio-zonder-gemeenten.md", "regio.gemeenten", "verplicht veld ontbreekt"),
    ("regio-met-naam-in-plaats-van-code.md", "regio.gemeenten[2]", "heeft niet de goede vorm (tekst ('Leiden'))"),
    ("onbekende-gemeente-in-regio.md", "regio.gemeenten[2]", "onbekende CBS-gemeentecode 'GM9999'"),
    # Recommendations and their follow-up.
    ("onbekende-opvolging.md", "aanbevelingen[1].opvolging", "verwacht een van: 'uitgevoerd'"),
    ("opvolging-zonder-bron.md", "aanbevelingen[1].opvolging_bron", "verplicht veld ontbreekt"),
    (
        "opvolging-bron-niet-in-bronnen.md",
        "aanbevelingen[1].opvolging_bron",
        "'Rol van de gemeenteraad' is niet de titel van een bron in 'bronnen'",
    ),
    # Targets and the council's part.
    ("onbekende-streefwaarden.md", "streefwaarden", "verwacht een van: 'ja', 'deels', 'nee', 'onbekend'"),
    ("raad-onbekend-niveau.md", "betrokkenheid_raad.niveau", "verwacht een van: 'alleen geïnformeerd'"),
    ("ontbrekende-betrokkenheid-raad.md", "betrokkenheid_raad", "verplicht veld ontbreekt"),
]


@pytest.mark.parametrize(("name", "field", "fragment"), INVALID_CASES, ids=[c[0] for c in INVALID_CASES])
def test_each_rule_rejects_its_fixture(name, field, fragment, known):
    path = INVALID / name
    problems = cs.validate_files([path], known, today=TODAY)
    matching = [p for p in problems if p.field == field and fragment in p.message]
    assert matching, "\n".join(map(str, problems))
    # Every problem in the fixture comes from the rule it is about.
    assert all(p.field == field for p in problems), "\n".join(map(str, problems))
    text = str(matching[0])
    assert text.startswith(f"{_rel(path)}: ")
    if field == "tekst":
        assert text.startswith(f"{_rel(path)}: tekst")
    elif field:
        assert f"veld '{field}'" in text
    # Messages say what is expected.
    assert "verwacht" in text or "niet toegestaan" in text or "ligt in de toekomst" in text


def test_every_invalid_fixture_is_covered():
    assert {p.name for p in INVALID.glob("*.md")} == {c[0] for c in INVALID_CASES}


def test_problem_lines_point_at_the_offending_line(known):
    problem = cs.validate_files([INVALID / "kapotte-link.md"], known, today=TODAY)[0]
    lines = (INVALID / "kapotte-link.md").read_text(encoding="utf-8").splitlines()
    assert "bestaat-niet.md" in lines[problem.line - 1]
    problem = cs.validate_files([INVALID / "verkeerde-keuze.md"], known, today=TODAY)[0]
    lines = (INVALID / "verkeerde-keuze.md").read_text(encoding="utf-8").splitlines()
    assert lines[problem.line - 1].startswith("monitorvorm: dashbord")
    problem = cs.validate_files([INVALID / "dubbel-veld.md"], known, today=TODAY)[0]
    lines = (INVALID / "dubbel-veld.md").read_text(encoding="utf-8").splitlines()
    assert lines[problem.line - 1] == "monitorvorm: combinatie"


def test_problem_str_formats():
    assert (
        str(cs.Problem("casestudies/almere.md", "jaar", "verwacht x"))
        == "casestudies/almere.md: veld 'jaar': verwacht x"
    )
    assert str(cs.Problem("a.md", "jaar", "m", 6)) == "a.md: veld 'jaar' (regel 6): m"
    assert str(cs.Problem("a.md", "tekst", "m", 12)) == "a.md: tekst (regel 12): m"
    assert str(cs.Problem("a.md", None, "m")) == "a.md: m"


def test_unknown_field_suggests_the_right_name(known):
    problem = cs.validate_files([INVALID / "onbekend-veld.md"], known, today=TODAY)[0]
    assert "Bedoelde u 'themas'?" in problem.message


def test_year_may_be_this_year_but_not_next_year(tmp_path, known):
    text = (VALID / "voorbeeld-anoniem.md").read_text(encoding="utf-8")
    this_year = tmp_path / "dit-jaar.md"
    this_year.write_text(text.replace("jaar: 2020\nbronnen", f"jaar: {TODAY.year}\nbronnen"), encoding="utf-8")
    next_year = tmp_path / "volgend-jaar.md"
    next_year.write_text(text.replace("jaar: 2020\nbronnen", f"jaar: {TODAY.year + 1}\nbronnen"), encoding="utf-8")
    # The fixture links back to voorbeeld-almere.md; give it a target in tmp_path.
    shutil.copy(VALID / "voorbeeld-almere.md", tmp_path / "voorbeeld-almere.md")
    assert cs.validate_files([this_year], known, today=TODAY, root=tmp_path) == []
    problems = cs.validate_files([next_year], known, today=TODAY, root=tmp_path)
    assert [(p.field, p.message) for p in problems] == [
        ("jaar", f"{TODAY.year + 1} ligt in de toekomst; verwacht uiterlijk {TODAY.year}.")
    ]


def test_a_region_with_followed_up_recommendations_is_valid_and_named_on_its_page(tmp_path, known):
    text = (VALID / "voorbeeld-anoniem.md").read_text(encoding="utf-8")
    text = text.replace(
        "gemeente: anoniem\ngrootteklasse: kleine gemeente\n",
        "gemeente: regio\nregio:\n  naam: Twee buurgemeenten\n  gemeenten:\n    - GM0034\n    - GM0546\n",
    ).replace("[Almere](voorbeeld-almere.md)", "Almere")
    text = text.replace(
        "themas:\n  - participatie\n",
        "themas:\n  - participatie\naanbevelingen:\n"
        "  - tekst: Bespreek de cijfers met de raad voordat de stukken worden verstuurd.\n"
        "    opvolging: deels uitgevoerd\n    opvolging_bron: Rol gemeenteraad\n"
        "  - tekst: Spreek vooraf af welke informatie de raad krijgt.\n    opvolging: onbekend\n",
    )
    assert "gemeente: regio" in text and "opvolging_bron: Rol gemeenteraad" in text
    (tmp_path / "twee-buurgemeenten.md").write_text(text, encoding="utf-8")
    assert cs.validate_all(tmp_path, known, today=TODAY, root=tmp_path) == []
    [study] = cs.load_all(tmp_path, known, today=TODAY, root=tmp_path)
    assert study.code is None and study.region_names == ("Almere", "Leiden")
    assert study.municipality_label == "Twee buurgemeenten"
    page = cs.render_page(study, tmp_path / "uit", lambda c: True)
    assert "- **Gemeente:** regio Twee buurgemeenten (Almere, Leiden)" in page
    # The new fields show in the box: targets, the council's part, how much of a source was
    # read, and each recommendation with its follow-up and the source that reports it.
    assert "- **Streefwaarden:** onbekend" in page
    assert "- **Betrokkenheid raad:** onbekend" in page
    assert "Traject Rol gemeenteraad (programmatekst), 2020 (gelezen: geheel)" in page
    assert "(opvolging: deels uitgevoerd, volgens Rol gemeenteraad)" in page
    assert "Spreek vooraf af welke informatie de raad krijgt. (opvolging: onbekend)" in page
    assert "gemeenten/" not in page  # a region has no chapter of its own
    index = cs.render_index([study], lambda c: True)
    assert "<td>Twee buurgemeenten</td>" in index


def test_duplicate_slugs_are_rejected(known):
    problems = cs.validate_all(FIXTURES / "dubbele-naam", known, today=TODAY)
    assert len(problems) == 1
    text = str(problems[0])
    assert "voorbeeld_anoniem.md" in text or "voorbeeld-anoniem.md" in text
    assert "'voorbeeld-anoniem' is al in gebruik" in text


def test_municipality_list_is_only_needed_for_named_municipalities(monkeypatch):
    def boom():
        raise AssertionError("must not be called")

    monkeypatch.setattr(validate, "default_known_municipalities", boom)
    assert cs.validate_files([INVALID / "jaar-te-vroeg.md"], today=TODAY)[0].field == "jaar"
    calls = []
    monkeypatch.setattr(validate, "default_known_municipalities", lambda: calls.append(1) or {"GM0034": "Almere"})
    assert cs.validate_all(VALID, today=TODAY) == []
    assert calls == [1]  # loaded once, lazily


def test_an_empty_municipality_list_is_an_error_not_an_unknown_code(monkeypatch):
    monkeypatch.setattr(validate, "default_known_municipalities", dict)
    with pytest.raises(SamenspelError, match="geen lijst met CBS-gemeentecodes"):
        cs.validate_all(VALID, today=TODAY)
    # Anonymous case studies need no list at all.
    assert cs.validate_files([VALID / "voorbeeld-anoniem.md"], today=TODAY) == []


@pytest.mark.parametrize(
    ("text", "unsafe"),
    [
        ("<div>tekst</div>", True),
        ("<img src=x onerror=alert(1)>", True),
        ("<!-- verborgen -->", True),
        ("[x](JavaScript:alert(1))", True),
        ("java\tscript:alert(1)", True),
        ("tekst onmouseover=alert(1)", True),
        ("```{raw} html", True),
        ("```{include} ../geheim.md", True),
        ("{eval-rst}", True),
        ("Gemeenten < 20 000 inwoners", False),
        ("Zie <https://www.almere.nl/over-almere/> voor meer.", False),
        ("onbekend = niet beschreven", False),
        ("ondersteuning en ontwikkeling", False),
        ("```{note}", False),
        ("&lt;script&gt; als tekst", False),
    ],
)
def test_unsafe_content_detection(text, unsafe):
    assert bool(safety.unsafe_matches(text)) is unsafe


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("http://www.almere.nl/over-almere/feiten-en-cijfers/", True),
        ("https://www.cbs.nl/nl-nl/maatwerk?x=1#y", True),
        ("https://xn--bcher-kva.example/", True),
        ("https://www.cbs.nl:8443/pagina", True),
        ("www.almere.nl/over-almere", False),
        ("https://almere", False),
        ("https:///pad", False),
        ("https://gebruiker:wachtwoord@cbs.nl/", False),
        ("https://www.cbs.nl:99999/", False),
        ("https://www.cbs .nl/", False),
        ("ftp://ftp.cbs.nl/", False),
        ("javascript:alert(1)", False),
    ],
)
def test_is_wellformed_url(url, ok):
    assert cs.is_wellformed_url(url) is ok


# --------------------------------------------------------------------------- loading


def test_load_all_parses_front_matter_and_body(known):
    studies = cs.load_all(VALID, known, today=TODAY)
    assert [s.slug for s in studies] == ["voorbeeld-almere", "voorbeeld-anoniem"]
    almere, anoniem = studies
    assert almere.code == "GM0034" and almere.gemeentenaam == "Almere"
    assert almere.meta["interactieve_sessies"] == {
        "gehouden": "ja",
        "toelichting": "Ambtenaren lichten de cijfers elk kwartaal toe.",
    }
    assert almere.body.lstrip().startswith("Een inleiding")
    assert almere.path == VALID / "voorbeeld-almere.md"
    assert anoniem.code is None and anoniem.grootteklasse == "kleine gemeente"
    assert anoniem.themas == ["participatie"]


def test_load_all_raises_a_dutch_error_naming_file_and_field(known):
    with pytest.raises(SamenspelError) as info:
        cs.load_all(INVALID, known, today=TODAY)
    message = info.value.message
    assert "problemen in de casestudies" in message
    assert "tests/fixtures/casestudies/ongeldig/verkeerd-type.md: veld 'jaar'" in message
    assert "tests/fixtures/casestudies/ongeldig/ontbrekende-sectie.md: tekst" in message


# --------------------------------------------------------------------------- matching for a chapter


def _study(slug: str, gemeente: str, jaar: int = 2019, grootteklasse: str | None = None) -> cs.CaseStudy:
    meta = {"titel": f"Titel {slug}", "gemeente": gemeente, "jaar": jaar, "themas": ["wmo"], "monitorvorm": "onbekend"}
    if grootteklasse:
        meta["grootteklasse"] = grootteklasse
    return cs.CaseStudy(path=Path(f"{slug}.md"), slug=slug, meta=meta, body="")


def test_for_chapter_orders_own_peers_size_class_rest():
    big = "150.000 tot 250.000 inwoners"
    studies = [
        _study("rest-anoniem", "anoniem", grootteklasse="kleine gemeente"),
        _study("rest-genoemd", "GM0363"),
        _study("zelfde-klasse-anoniem", "anoniem", grootteklasse=big),
        _study("zelfde-klasse-genoemd", "GM0200"),
        _study("peer-tweede", "GM0546"),
        _study("peer-eerste-oud", "GM0599", jaar=2016),
        _study("peer-eerste-nieuw", "GM0599", jaar=2021),
        _study("eigen", "GM0034"),
    ]
    classes = {"GM0200": big, "GM0363": "250.000 inwoners of meer", "GM0034": big}
    ordered = cs.for_chapter("GM0034", ["GM0599", "GM0546"], big, studies, size_class_of=classes.get)
    assert [s.slug for s in ordered] == [
        "eigen",
        "peer-eerste-nieuw",
        "peer-eerste-oud",
        "peer-tweede",
        "zelfde-klasse-anoniem",
        "zelfde-klasse-genoemd",
        "rest-anoniem",
        "rest-genoemd",
    ]
    # Without a size-class lookup only the field counts; the chapter's class can be derived.
    ordered = cs.for_chapter("GM0034", [], None, studies, size_class_of=classes.get)
    assert ordered[1].slug == "zelfde-klasse-anoniem"
    ordered = cs.for_chapter("GM9999", [], "onbekend", studies)
    assert [s.slug for s in ordered][0] == "peer-eerste-nieuw"  # no groups: newest first


def test_for_chapter_with_real_case_studies(known):
    studies = cs.load_all(paths.CASESTUDY_DIR, known)
    ordered = cs.for_chapter("GM0546", ["GM0034"], "100.000 tot 150.000 inwoners", studies)
    assert ordered[0].code == "GM0546"
    assert ordered[1].code == "GM0034"
    assert len(ordered) == len(studies)


# --------------------------------------------------------------------------- book pages


@pytest.fixture
def pages(tmp_path, known):
    studies = cs.load_all(VALID, known, today=TODAY)
    out = tmp_path / "book" / "generated" / "casestudies"
    written = cs.write_pages(studies, out, lambda code: code == "GM0034", chapters_docpath="../../gemeenten")
    return out, written, studies


def test_write_pages_writes_index_first_then_each_case_study(pages):
    out, written, studies = pages
    assert written[0] == out / "index.md" and written[1] == out / "vergelijking.md"
    assert sorted(written[2:]) == sorted(out / f"{s.slug}.md" for s in studies)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written)


def test_case_study_page_has_title_summary_box_and_body(pages):
    out, _, _ = pages
    page = (out / "voorbeeld-almere.md").read_text(encoding="utf-8")
    lines = page.splitlines()
    assert (
        lines[0].startswith(cs.GENERATED_MARKER) and "tests/fixtures/casestudies/geldig/voorbeeld-almere.md" in lines[0]
    )
    # Markdown in the title is escaped, so it shows as written.
    assert lines[2] == r"# Voorbeeld: Almere bundelt \[alles\] op één \*plek\*"
    assert "```{admonition} In het kort" in page
    box = page.split("```{admonition} In het kort", 1)[1].split("\n```\n", 1)[0]
    assert "- **Gemeente:** {doc}`Almere <../../gemeenten/GM0034>` (GM0034)" in box
    assert "- **Jaar van beschrijving:** 2019" in box
    assert "- **Monitorvorm:** website of dashboard" in box
    assert "- **Rapportagefrequentie:** kwartaal" in box
    assert "- **Soort informatie:** kwantitatief" in box
    assert "- **Interactieve sessies:** ja: Ambtenaren lichten de cijfers elk kwartaal toe." in box
    assert "- **Betrokkenheid aanbieders:** informatiebron" in box
    assert "- **Betrokkenheid cliënten:** onbekend" in box
    assert "- **Thema's:** jeugd, wmo" in box
    assert "[Uniek samenspel](<http://www.almere.nl/over-almere/feiten-en-cijfers/>)" in box
    assert "Onderzoek & Statistiek, Gemeente Almere, 2019 (gelezen: geheel)" in box  # author, publisher
    assert "- **Aanbevelingen:**" not in box  # only when there are any
    # The body follows, sections in order.
    positions = [page.index(f"\n## {t}\n") for t in cs.section_titles()]
    assert positions == sorted(positions) and positions[0] > page.index("In het kort")
    assert "Licentie: [CC BY 4.0](<https://creativecommons.org/licenses/by/4.0/deed.nl>)" in page


def test_case_study_page_rewrites_relative_links_for_its_new_place(pages):
    out, _, _ = pages
    page = (out / "voorbeeld-almere.md").read_text(encoding="utf-8")
    # Another case study becomes its sibling page, anchors kept.
    assert "[de anonieme casestudie](voorbeeld-anoniem.md#lessen)" in page
    assert "[anoniem](voorbeeld-anoniem.md)" in page  # also inside a directive
    # A file elsewhere in the repository is linked relative to the output folder.
    readme = os.path.relpath(paths.CASESTUDY_DIR / "README.md", out).replace(os.sep, "/")
    assert f"[de handleiding]({readme})" in page
    assert "{doc}`de handleiding <" + readme.removesuffix(".md") + ">`" in page
    # Code blocks and external links are left alone.
    assert "[geen link](bestaat-niet-maar-is-code.md)" in page
    assert "[CBS](https://www.cbs.nl/nl-nl/maatwerk)" in page
    for target in re.findall(r"\]\(([^)<>]+)\)", page):
        if "://" not in target and "bestaat-niet-maar-is-code" not in target:
            assert (out / target.split("#")[0]).resolve().is_file(), target


def test_case_study_page_without_chapter_has_no_chapter_link(tmp_path, known):
    studies = cs.load_all(VALID, known, today=TODAY)
    out = tmp_path / "uit"
    cs.write_pages(studies, out, lambda code: False)
    page = (out / "voorbeeld-almere.md").read_text(encoding="utf-8")
    assert "- **Gemeente:** Almere (GM0034)" in page
    assert "gemeenten/GM0034" not in page
    anon = (out / "voorbeeld-anoniem.md").read_text(encoding="utf-8")
    assert "- **Gemeente:** anoniem" in anon
    assert "- **Grootteklasse:** kleine gemeente" in anon
    assert "- **Soort informatie:** niet beschreven in de bron" in anon
    index = (out / "index.md").read_text(encoding="utf-8")
    assert "GM0034.html" not in index


def _index_rows(index: str) -> list[dict]:
    rows = []
    for m in re.finditer(
        r'<tr data-themas="([^"]*)" data-grootteklasse="([^"]*)" data-monitorvorm="([^"]*)">(.*?)</tr>', index
    ):
        rows.append(
            {
                "themas": html.unescape(m.group(1)).split("|"),
                "grootteklasse": html.unescape(m.group(2)),
                "monitorvorm": html.unescape(m.group(3)),
                "cells": re.findall(r"<td>(.*?)</td>", m.group(4)),
            }
        )
    return rows


def test_index_page_lists_every_case_study_with_filters(pages):
    out, _, studies = pages
    index = (out / "index.md").read_text(encoding="utf-8")
    assert index.splitlines()[2] == "# Casestudies"
    assert "```{raw} html" in index and index.rstrip().endswith("```")
    assert "data-samenspel-filter" in index
    rows = _index_rows(index)
    assert len(rows) == len(studies) == 2
    almere = next(r for r in rows if "voorbeeld-almere.html" in r["cells"][0])
    assert almere["cells"][0] == '<a href="voorbeeld-almere.html">Voorbeeld: Almere bundelt [alles] op één *plek*</a>'
    assert almere["cells"][1] == '<a href="../../gemeenten/GM0034.html">Almere</a>'
    assert almere["themas"] == ["jeugd", "wmo"]
    assert almere["monitorvorm"] == "website of dashboard"
    assert almere["cells"][4] == "jeugd, wmo"
    anon = next(r for r in rows if "voorbeeld-anoniem.html" in r["cells"][0])
    assert anon["grootteklasse"] == "kleine gemeente" and anon["cells"][1] == "anoniem"
    assert almere["grootteklasse"] == "onbekend"  # no field and no size-class lookup given
    # One labelled select per filter, offering only values that occur, in schema order.
    for ident, key in (("thema", "themas"), ("grootte", "grootteklasse"), ("vorm", "monitorvorm")):
        assert f'<label for="samenspel-filter-{ident}">' in index
        assert f'<select id="samenspel-filter-{ident}" data-filter="{key}"' in index
    options = re.search(r'data-filter="themas"[^>]*>(.*?)</select>', index).group(1)
    assert re.findall(r'<option value="([^"]*)">', options) == ["", "jeugd", "wmo", "participatie"]
    # Controls are hidden until the script runs; the table needs no script.
    assert re.search(r"<form[^>]*data-filter-controls[^>]*hidden", index)
    assert 'aria-live="polite"' in index and "overflow-x:auto" in index


def test_index_uses_size_class_lookup_for_named_municipalities(tmp_path, known):
    studies = cs.load_all(VALID, known, today=TODAY)
    cs.write_pages(studies, tmp_path, lambda c: False, size_class_of={"GM0034": "150.000 tot 250.000 inwoners"}.get)
    rows = _index_rows((tmp_path / "index.md").read_text(encoding="utf-8"))
    assert {r["grootteklasse"] for r in rows} == {"150.000 tot 250.000 inwoners", "kleine gemeente"}


def test_index_escapes_html_in_titles(tmp_path):
    study = _study("gevaar", "anoniem", grootteklasse="onbekend")
    study.meta["titel"] = 'A & B "C" <i>'
    index = cs.render_index([study], lambda c: False)
    assert "A &amp; B &quot;C&quot; &lt;i&gt;" in index
    assert "<i>" not in index


def test_index_escapes_quotes_as_html_escape_does(tmp_path):
    # The page templates escape like html.escape (&quot;, &#x27;), not like markupsafe.
    study = _study("quote", "anoniem", grootteklasse="onbekend")
    study.meta["titel"] = "Het 'eigen' \"woord\""
    index = cs.render_index([study], lambda c: False)
    assert "Het &#x27;eigen&#x27; &quot;woord&quot;" in index
    assert "Alle thema&#x27;s" in index and "&#39;" not in index and "&#34;" not in index


def test_page_escapes_myst_characters_on_one_line(tmp_path, known):
    studies = cs.load_all(VALID, known, today=TODAY)
    study = next(s for s in studies if s.code is None)
    study.meta["titel"] = "a*b _c_ [d] <e> {f} |g| $h #i \\j `k`\n   verder"
    page = cs.render_page(study, tmp_path, lambda c: False, root=ROOT)
    assert "# a\\*b \\_c\\_ \\[d\\] \\<e\\> \\{f\\} \\|g\\| \\$h \\#i \\\\j \\`k\\` verder\n" in page


def test_write_pages_only_rewrites_what_changed_and_removes_stale_pages(tmp_path, known):
    studies = cs.load_all(VALID, known, today=TODAY)
    out = tmp_path / "uit"
    cs.write_pages(studies, out, lambda c: False)
    past = 1_000_000_000
    for p in out.iterdir():
        os.utime(p, (past, past))
    stale = out / "verdwenen.md"
    stale.write_text(cs.GENERATED_MARKER + " uit oud.md\n\n# Oud\n", encoding="utf-8")
    own = out / "eigen-pagina.md"
    own.write_text("# Niet van ons\n", encoding="utf-8")
    cs.write_pages(studies, out, lambda c: False)
    assert all(p.stat().st_mtime == past for p in out.iterdir() if p.name not in ("eigen-pagina.md",))
    assert not stale.exists() and own.exists()
    # A changed case study rewrites its page, the index and the comparison, nothing else.
    studies[1].meta["titel"] = "Nieuwe titel"
    cs.write_pages(studies, out, lambda c: False)
    changed = {p.name for p in out.iterdir() if p.stat().st_mtime != past}
    assert changed == {"voorbeeld-anoniem.md", "index.md", "vergelijking.md", "eigen-pagina.md"}


def test_real_case_study_pages(tmp_path, known):
    studies = cs.load_all(paths.CASESTUDY_DIR, known)
    out = tmp_path / "book" / "generated" / "casestudies"
    written = cs.write_pages(studies, out, lambda c: c in {"GM0034", "GM0546"}, chapters_docpath="../../gemeenten")
    assert len(written) == len(studies) + 2  # the index and the comparison
    index = (out / "index.md").read_text(encoding="utf-8")
    assert len(_index_rows(index)) == len(studies)
    almere = (out / "almere-monitor.md").read_text(encoding="utf-8")
    assert "{doc}`Almere <../../gemeenten/GM0034>`" in almere
    for page in written[1:]:
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)<>]+)\)", text):
            if "://" not in target:
                assert (out / target.split("#")[0]).is_file(), (page.name, target)


# --------------------------------------------------------------------------- filter script

SCRIPT = ROOT / "_static" / cs.FILTER_SCRIPT


def test_filter_script_is_dependency_free_and_guarded():
    source = SCRIPT.read_text(encoding="utf-8")
    assert "[data-samenspel-filter]" in source
    assert "import " not in source and "require(" not in source and "http" not in source
    if shutil.which("node"):
        subprocess.run(["node", "--check", str(SCRIPT)], check=True)


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


@pytest.mark.skipif(_chromium() is None, reason="no headless Chromium")
def test_filter_script_filters_rows_in_a_browser(tmp_path, known):
    """Run the script on the generated index in headless Chromium at phone width."""
    studies = cs.load_all(VALID, known, today=TODAY)
    index = cs.render_index(studies, lambda c: False)
    raw = index.split("```{raw} html\n", 1)[1].rsplit("```", 1)[0]
    probe = """
<script>
window.addEventListener("load", function () {
  var out = {};
  var root = document.querySelector("[data-samenspel-filter]");
  var form = root.querySelector("[data-filter-controls]");
  var rows = Array.prototype.slice.call(root.querySelectorAll("tbody tr"));
  function visible() { return rows.filter(function (r) { return !r.hidden && r.style.display !== "none"; }).length; }
  out.formHidden = form.hidden;
  out.all = visible();
  var thema = document.getElementById("samenspel-filter-thema");
  thema.value = "wmo"; thema.dispatchEvent(new Event("change"));
  out.wmo = visible();
  out.status = root.querySelector("[data-filter-status]").textContent;
  var vorm = document.getElementById("samenspel-filter-vorm");
  vorm.value = "onbekend"; vorm.dispatchEvent(new Event("change"));
  out.none = visible();
  out.noneStatus = root.querySelector("[data-filter-status]").textContent;
  root.querySelector("[data-filter-reset]").click();
  out.reset = visible();
  out.focus = document.activeElement && document.activeElement.id;
  var phone = document.getElementById("phone");
  out.phoneWidth = phone.scrollWidth;
  out.widest = Math.max.apply(null, Array.prototype.map.call(
    form.querySelectorAll("select, button, label"), function (e) { return e.getBoundingClientRect().right; }));
  out.labels = Array.prototype.map.call(root.querySelectorAll("select"), function (s) {
    return s.labels && s.labels.length ? s.labels[0].textContent : null; });
  document.getElementById("result").textContent = JSON.stringify(out);
});
</script>"""
    page = tmp_path / "index.html"
    # A 375 px wide column stands in for a phone screen (headless windows have a minimum width).
    page.write_text(
        '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<script src="{SCRIPT.as_uri()}"></script></head><body style="margin:0">'
        f'<div id="phone" style="width:375px;overflow:visible">{raw}</div>'
        f'<pre id="result"></pre>{probe}</body></html>',
        encoding="utf-8",
    )
    proc = subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--allow-file-access-from-files",
            "--window-size=375,812",
            f"--user-data-dir={tmp_path / 'profiel'}",
            "--virtual-time-budget=5000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    match = re.search(r'<pre id="result">(.*?)</pre>', proc.stdout, re.S)
    assert match and match.group(1), proc.stderr[-2000:]
    result = json.loads(html.unescape(match.group(1)))
    assert result["formHidden"] is False  # the script reveals the controls
    assert result["all"] == 2
    assert result["wmo"] == 1
    assert result["status"] == "1 van de 2 casestudies worden getoond."
    assert result["none"] == 0 and result["noneStatus"].startswith("Geen casestudies")
    assert result["reset"] == 2 and result["focus"] == "samenspel-filter-thema"
    assert result["labels"] == ["Thema's", "Grootteklasse", "Monitorvorm"]
    # At phone width nothing sticks out: controls wrap, the table scrolls inside its box.
    assert result["phoneWidth"] <= 375 and 0 < result["widest"] <= 375


def test_filter_script_leaves_other_pages_alone(tmp_path):
    chromium = _chromium()
    if chromium is None:
        pytest.skip("no headless Chromium")
    page = tmp_path / "ander.html"
    page.write_text(
        f'<!DOCTYPE html><html><head><script src="{SCRIPT.as_uri()}"></script></head><body>'
        '<table><tbody><tr><td>rij</td></tr></tbody></table><pre id="r"></pre>'
        '<script>window.addEventListener("load",function(){document.getElementById("r").textContent='
        'String(document.querySelector("tr").hidden)+"|"+document.querySelectorAll("form").length;});</script>'
        "</body></html>",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--allow-file-access-from-files",
            f"--user-data-dir={tmp_path / 'profiel'}",
            "--virtual-time-budget=3000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert '<pre id="r">false|0</pre>' in proc.stdout, proc.stderr[-2000:]


# --------------------------------------------------------------------------- command


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    return parser.parse_args(argv)


@pytest.fixture
def known_default(monkeypatch, known):
    monkeypatch.setattr(validate, "default_known_municipalities", lambda: known)


def test_command_reports_success_in_dutch(known_default, capsys):
    assert command.run(_parse([str(VALID)])) == 0
    assert capsys.readouterr().out.strip() == "2 casestudies gecontroleerd, geen problemen."


def test_command_checks_all_real_case_studies_by_default(known_default, capsys):
    assert command.run(argparse.Namespace(paths=[], bijwerken=False)) == 0
    n = len(cs.case_study_files(paths.CASESTUDY_DIR))
    assert capsys.readouterr().out.strip() == f"{n} casestudies gecontroleerd, geen problemen."


def test_command_prints_each_problem_and_fails(known_default, capsys):
    args = _parse(
        [str(INVALID / "verkeerd-type.md"), str(INVALID / "kapotte-link.md"), str(VALID / "voorbeeld-anoniem.md")]
    )
    assert command.run(args) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(
        "tests/fixtures/casestudies/ongeldig/verkeerd-type.md: veld 'jaar' (regel 6): verwacht een geheel getal"
    )
    assert out[1].startswith(
        "tests/fixtures/casestudies/ongeldig/kapotte-link.md: tekst (regel 35): de link 'bestaat-niet.md'"
    )
    assert out[-1] == "3 casestudies gecontroleerd: 2 problemen in 2 bestanden."


def test_command_reports_missing_files(known_default, capsys, tmp_path):
    assert command.run(_parse([str(tmp_path / "bestaat-niet.md")])) == 1
    assert "bestand niet gevonden" in capsys.readouterr().out
    (tmp_path / "leeg").mkdir()
    assert command.run(_parse([str(tmp_path / "leeg")])) == 1
    assert "Geen casestudies gevonden" in capsys.readouterr().out


def test_command_is_registered_in_the_cli():
    from samenspel import cli

    assert cli.COMMANDS["casestudies"][0] == "samenspel.cli.casestudies"
    args = _parse(["--bijwerken", "a.md", "b.md"])
    assert args.paths == ["a.md", "b.md"] and args.bijwerken is True


# --------------------------------------------------------------------------- comparison page


def test_comparison_synthesis_links_every_point_to_the_case_studies_it_counts(known):
    from samenspel.casestudies import compare

    studies = cs.load_all(paths.CASESTUDY_DIR, known)
    points = compare.synthesis(studies)
    assert points
    for point in points:
        assert len(point.studies) >= compare.MIN_LINKS
        count = int(re.search(r"\d+", point.text).group(0))
        assert count == len(point.studies), point.text
    rekenkamer = next(p for p in points if "rekenkamer" in p.text)
    assert all(any(b["soort"] == "rekenkamer" for b in s.meta["bronnen"]) for s in rekenkamer.studies)
    assert len(rekenkamer.studies) == sum(any(b["soort"] == "rekenkamer" for b in s.meta["bronnen"]) for s in studies)


def test_a_point_resting_on_one_case_study_is_not_made(known):
    from samenspel.casestudies import compare

    studies = cs.load_all(paths.CASESTUDY_DIR, known)
    one = [s for s in studies if "kwalitatief" in s.meta["soort_informatie"]][:1]
    others = [s for s in studies if "kwalitatief" not in s.meta["soort_informatie"]]
    assert not any("kwalitatieve" in p.text for p in compare.synthesis(one + others))


def test_comparison_page_lists_every_case_study_with_all_filters(tmp_path, known):
    from samenspel.casestudies import compare

    studies = cs.load_all(paths.CASESTUDY_DIR, known)
    cs.write_pages(studies, tmp_path, lambda code: False)
    page = (tmp_path / "vergelijking.md").read_text(encoding="utf-8")
    assert page.startswith(cs.GENERATED_MARKER)
    for study in studies:
        assert f'href="{study.slug}.html"' in page
    for key in compare.FILTERS:
        assert f'data-filter="{key}"' in page
        assert page.count(f" data-{key}=") == len(studies)
    # every synthesis link points at a page that exists
    for target in re.findall(r"\]\(([a-z0-9-]+)\.md\)", page):
        assert (tmp_path / f"{target}.md").is_file()


def test_libyaml_and_the_python_parser_read_the_same_fields_of_every_case_study(monkeypatch):
    """Front matter is read with libyaml when PyYAML has it (every chapter process reads all
    case studies); the fields and their lines must be exactly those the Python parser reads."""
    import yaml

    from samenspel import paths
    from samenspel.casestudies import parse

    files = sorted(paths.CASESTUDY_DIR.glob("*.md"))
    assert len(files) >= 9
    blocks = [b for b in (parse.split_front_matter(f.read_text("utf-8")) for f in files) if b]
    fast = [(parse.load_front_matter(b[0], "x.md"), parse.yaml_lines(b[0], 2)) for b in blocks]
    monkeypatch.setattr(parse, "_FAST_SAFE", yaml.SafeLoader)
    monkeypatch.setattr(parse, "_FastUniqueKeyLoader", parse.UniqueKeyLoader)
    slow = [(parse.load_front_matter(b[0], "x.md"), parse.yaml_lines(b[0], 2)) for b in blocks]
    assert fast == slow and all(meta for (meta, _), _ in fast)
