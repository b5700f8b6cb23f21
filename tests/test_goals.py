"""The council's goals: schema, validator, the template command, the generated documentation
and the real goals files. Fixtures are written to a temporary doelen/ folder; the
municipalities, the catalogue and the CBS values are the real ones."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from samenspel import cli, fmt, goals, paths  # noqa: E402
from samenspel.data import indicators, regions  # noqa: E402
from samenspel.errors import SamenspelError  # noqa: E402
from samenspel.goals import municipality, schema  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "doelen"
VALID = FIXTURES / "geldig"
INVALID = FIXTURES / "ongeldig"
SOURCES = ROOT.parent / "shared" / "sources" / "streefwaarden-sources.md"

_KNOWN: dict[str, str] = {}


@pytest.fixture
def known(use_snapshot) -> dict[str, str]:
    """Every GM code valid in some year 2014-2025, from the real CBS data (computed once)."""
    if not _KNOWN:
        _KNOWN.update(regions.known_municipalities())
    assert _KNOWN["GM0034"] == "Almere"
    return dict(_KNOWN)


@pytest.fixture
def doelen(tmp_path, monkeypatch) -> Path:
    """An empty doelen/ folder that the commands use."""
    folder = tmp_path / "doelen"
    folder.mkdir()
    monkeypatch.setenv(paths.DOELEN_ENV, str(folder))
    return folder


def install(fixture: Path, folder: Path) -> Path:
    """Copy a fixture into ``folder`` under the name its first line gives ('# bestand: X')."""
    first = fixture.read_text(encoding="utf-8").splitlines()[0]
    name = re.fullmatch(r"# bestand: (\S+)", first)[1]
    target = folder / name
    shutil.copy(fixture, target)
    return target


def check(paths_: list[Path], known, folder: Path):
    return goals.validate_files(paths_, known, root=folder.parent)


# --------------------------------------------------------------------------- the schema


def test_schema_is_draft_2020_12_and_dutch_everywhere():
    from jsonschema import Draft202012Validator

    raw = schema.raw_schema()
    assert raw["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(raw)
    rows = list(goals.docs.field_rows())
    assert len(rows) > 20
    for row in rows:
        assert row["title"] and row["description"], row["name"]
    assert "$ref" not in json.dumps(schema.load_schema())


def test_schema_fields_match_the_model():
    """Every field of a goal in the schema is a field of samenspel.goals.model.Goal."""
    import dataclasses

    goal_fields = {f.name for f in dataclasses.fields(goals.Goal)}
    assert set(schema.goal_schema()["properties"]) == goal_fields
    assert set(schema.prop(["doelen", "richting"])["enum"]) == set(goals.DIRECTIONS)
    document_fields = {f.name for f in dataclasses.fields(goals.Document)}
    assert set(schema.document_schema()["properties"]) == document_fields
    assert set(schema.load_schema()["properties"]) == {"gemeente", "vastgesteld_door", "bron", "doelen"}
    assert schema.own_fields() == ["naam", "eenheid", "waarden", "bron"]


# --------------------------------------------------------------------------- valid files


def test_valid_fixtures_pass_and_load_into_the_model(known, doelen):
    files = [install(f, doelen) for f in sorted(VALID.glob("*.yml"))]
    assert check(files, known, doelen) == []
    almere = goals.load(doelen / "GM0034.yml", known)
    assert almere.gemeente == "GM0034"  # written as 'Almere', normalised to the code
    assert almere.vastgesteld_door == "raad"
    assert almere.bron == goals.Document(
        "Programmabegroting 2026", 2025, "2025-11-06", "https://www.voorbeeld.nl/begroting-2026"
    )
    bijstand, jeugd, wmo, wachttijd, langdurig = almere.doelen
    assert (bijstand.indicator, bijstand.streefwaarde, bijstand.jaar, bijstand.richting) == (
        "bijstand_per_1000",
        20.0,
        2027,
        "lager",
    )
    assert jeugd.grens == ("onder", 12.0) and jeugd.streefwaarde is None
    assert (wmo.richting, wmo.marge, wmo.jaar) == ("gelijk", 2.0, None)
    assert wachttijd.is_own and wachttijd.waarden == {2023: 9.5, 2024: 8.0}
    assert wachttijd.bron == goals.Document("Jaarverslag Wmo 2024", 2025, None, "https://www.voorbeeld.nl/wmo-2024")
    assert wachttijd.waarden_toelichting == "eerste halfjaar"
    assert langdurig.verandering == (2018, -200.0) and langdurig.bron.jaar == 2023
    leiden = goals.load(doelen / "GM0546.yml", known)
    assert leiden.vastgesteld_door == "college" and leiden.bron.datum is None and leiden.bron.jaar == 2024
    # One own figure with two targets: two goals with different keys.
    assert [g.jaar for g in leiden.doelen[1:]] == [2025, 2028]


def test_load_for_finds_the_file_of_a_code(known, doelen):
    install(VALID / "almere.yml", doelen)
    assert goals.load_for("GM0034", known=known).gemeente == "GM0034"
    assert goals.load_for("GM0546", known=known) is None
    assert goals.load_for("GM0034", directory=doelen.parent, known=known) is None


def test_load_refuses_a_malformed_file_with_the_checks_message(known, doelen):
    install(INVALID / "onbekende-indicator.yml", doelen)
    with pytest.raises(SamenspelError) as exc:
        goals.load_for("GM0034", known=known)
    message = exc.value.message
    assert "1 probleem in de doelen" in message
    assert "GM0034.yml: veld 'doelen[1].indicator' (regel 9)" in message
    assert "'bijstand_per_1000'" in message


# --------------------------------------------------------------------------- bad input

# (fixture, field, a piece of the message). None: the file as a whole.
INVALID_CASES = [
    ("onbekende-gemeente.yml", "gemeente", "onbekende gemeente 'Almeer'; verwacht"),
    (
        "opgeheven-gemeente.yml",
        "gemeente",
        "Haren bestaat niet meer: zij is op 01-01-2019 opgegaan in Groningen (GM0014)",
    ),
    ("verkeerde-bestandsnaam.yml", None, "verwacht 'GM0034.yml'"),
    ("onbekende-indicator.yml", "doelen[1].indicator", "Bedoelde u 'bijstand_per_1000'"),
    (
        "verkeerde-eenheid.yml",
        "doelen[1].eenheid",
        "is niet die van de CBS-indicator 'bijstand_per_1000' (per 1.000 inwoners)",
    ),
    ("doeljaar-voor-document.yml", "doelen[1].jaar", "ligt vóór het jaar van het document (2025"),
    ("geen-doel.yml", "doelen[1]", "dit doel zegt niet wat de gemeente wil bereiken"),
    ("onbekende-richting.yml", "doelen[1].richting", "verwacht een van: 'lager', 'hoger', 'gelijk'"),
    ("marge-zonder-gelijk.yml", "doelen[1].marge", "hoort alleen bij 'richting: gelijk'"),
    ("meer-dan-een-doel.yml", "doelen[1].grens", "hoogstens één van streefwaarde, grens en verandering"),
    ("grens-met-twee-kanten.yml", "doelen[1].grens", "precies één van 'onder' en 'boven'"),
    ("richting-tegen-grens.yml", "doelen[1].richting", "past niet bij een grens 'onder'"),
    ("basisjaar-na-doeljaar.yml", "doelen[1].verandering.vanaf", "ligt niet vóór het doeljaar 2026"),
    ("eigen-zonder-bron.yml", "doelen[1].bron", "verplicht omdat indicator is 'eigen'"),
    ("eigen-zonder-waarden.yml", "doelen[1].waarden", "verplicht omdat indicator is 'eigen'"),
    ("eigen-lege-waarden.yml", "doelen[1].waarden", "verwacht minstens één waarde"),
    ("eigen-zonder-naam.yml", "doelen[1].naam", "verplicht omdat indicator is 'eigen'"),
    ("eigen-zonder-eenheid.yml", "doelen[1].eenheid", "verplicht omdat indicator is 'eigen'"),
    ("eigen-velden-bij-cbs-indicator.yml", "doelen[1].waarden", "hoort alleen bij een eigen cijfer"),
    ("eigen-cijfer-twee-eenheden.yml", "doelen[2].eenheid", "verwacht overal dezelfde eenheid"),
    (
        "geen-getal.yml",
        "doelen[1].waarden.2023",
        "verwacht een getal, gevonden: tekst ('9,5'). Schrijf een getal met een punt",
    ),
    ("streefwaarde-met-procent.yml", "doelen[1].streefwaarde", "zonder procentteken: 10"),
    ("dubbel-doel.yml", "doelen[2]", "dit doel staat er twee keer: doelen[1] heeft dezelfde indicator"),
    ("dubbel-veld.yml", "streefwaarde", "dit veld staat er twee keer"),
    ("onbekend-veld.yml", "doelen[1].streefjaar", "onbekend veld"),
    ("yaml-fout.yml", None, "geen geldige YAML"),
    ("leeg.yml", None, "het bestand is leeg"),
    ("html-in-tekst.yml", "doelen[1].toelichting", "HTML-code: '<script'"),
    ("javascript-url.yml", "bron.url", "'javascript:'"),
    ("url-niet-http.yml", "bron.url", "verwacht een volledig webadres dat begint met http:// of https://"),
    ("url-zonder-domein.yml", "bron.url", "ongeldig webadres 'https://almere/begroting-2026'"),
    ("bron-zonder-datum-of-jaar.yml", "bron", "verwacht het veld 'datum' of 'jaar'"),
    ("datum-bestaat-niet.yml", "bron.datum", "'2025-02-30' is geen bestaande datum"),
]


@pytest.mark.parametrize(("name", "field", "fragment"), INVALID_CASES, ids=[c[0] for c in INVALID_CASES])
def test_each_rule_rejects_its_fixture(name, field, fragment, known, doelen):
    path = install(INVALID / name, doelen)
    problems = check([path], known, doelen)
    matching = [p for p in problems if p.field == field and fragment in p.message]
    assert matching, "\n".join(map(str, problems))
    # Every problem in the fixture comes from the rule it is about.
    assert all(p.field == field for p in problems), "\n".join(map(str, problems))
    text = str(matching[0])
    assert text.startswith(f"doelen/{path.name}: ")
    if field:
        assert f"veld '{field}'" in text
        assert matching[0].line is not None
    assert "verwacht" in text.lower() or "niet toegestaan" in text
    # Loading refuses it with the same message (as the chapter build does).
    with pytest.raises(SamenspelError) as exc:
        goals.load(path, known, root=doelen.parent)
    assert text in exc.value.message


def test_every_invalid_fixture_is_covered():
    assert {p.name for p in INVALID.glob("*.yml")} == {c[0] for c in INVALID_CASES}


def test_unknown_gemeente_suggests_names_and_dissolved_names_the_successor(known):
    _, _, message = municipality.resolve("Almeer", known)
    assert "Bedoelt u misschien:" in message and "Almere" in message
    _, _, message = municipality.resolve("Haren", known)  # by name, too
    assert "opgegaan in Groningen (GM0014)" in message and "doelen/GM0014.yml" in message
    _, _, message = municipality.resolve("GM9999", known)
    assert message.startswith("onbekende CBS-gemeentecode 'GM9999'")
    assert municipality.resolve("'s-Hertogenbosch", known)[0] == "GM0796"
    assert municipality.resolve("den haag", known)[:2] == ("GM0518", known["GM0518"])
    assert municipality.resolve("34", known)[0] == "GM0034"


def test_problem_lines_point_at_the_offending_line(known, doelen):
    for name, start in [
        ("verkeerde-eenheid.yml", "    eenheid: per 10.000"),
        ("yaml-fout.yml", "   jaar: 2027"),
        ("dubbel-veld.yml", "    streefwaarde: 22"),
        ("geen-getal.yml", "    waarden: {2023:"),
        ("onbekende-gemeente.yml", "gemeente: Almeer"),
    ]:
        path = install(INVALID / name, doelen)
        problem = check([path], known, doelen)[0]
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[problem.line - 1].startswith(start), (name, problem)
        path.unlink()


def test_unit_comparison_ignores_case_spaces_and_thousands_points():
    from samenspel.goals.rules import unit_key

    assert unit_key("per 1000  Inwoners") == unit_key("per 1.000 inwoners")
    assert unit_key("per 10.000 inwoners") != unit_key("per 1.000 inwoners")


def test_an_empty_municipality_list_is_an_error_not_an_unknown_gemeente(doelen):
    path = install(VALID / "almere.yml", doelen)
    with pytest.raises(SamenspelError, match="geen lijst met CBS-gemeentecodes"):
        goals.validate_files([path], {})


def test_a_missing_file_is_a_problem(known, doelen):
    problems = check([doelen / "GM0034.yml"], known, doelen)
    assert [p.message for p in problems] == [
        "bestand niet gevonden; verwacht een bestaand doelenbestand (doelen/GMxxxx.yml)."
    ]


# --------------------------------------------------------------------------- the command


def test_command_is_registered_in_the_cli():
    assert cli.COMMANDS["doelen"][0] == "samenspel.cli.doelen"
    args = cli.build_parser().parse_args(["doelen", "--controleer", "a.yml", "b.yml"])
    assert args.namen == ["a.yml", "b.yml"] and args.controleer and not args.bijwerken


def test_controleer_names_file_field_and_the_nearest_id(known, doelen, capsys):
    shutil.copy(INVALID / "onbekende-indicator.yml", doelen / "GM0034.yml")
    assert cli.main(["doelen", "--controleer"]) == 2
    out = capsys.readouterr().out.splitlines()
    assert "GM0034.yml: veld 'doelen[1].indicator' (regel 9): onbekende indicator 'bijstand_per_100'" in out[0]
    assert "'bijstand_per_1000'" in out[0]
    assert out[-1] == "1 doelenbestand gecontroleerd: 1 probleem in 1 bestand."


def test_controleer_given_files_and_folders(known, doelen, capsys):
    for f in VALID.glob("*.yml"):
        install(f, doelen)
    assert cli.main(["doelen", "--controleer", str(doelen)]) == 0
    assert capsys.readouterr().out.strip() == "2 doelenbestanden gecontroleerd, geen problemen."
    assert cli.main(["doelen", "--controleer", str(doelen / "GM0034.yml")]) == 0
    assert capsys.readouterr().out.strip() == "1 doelenbestand gecontroleerd, geen problemen."
    empty = doelen.parent / "leeg"
    empty.mkdir()
    assert cli.main(["doelen", "--controleer", str(empty)]) == 2
    assert "Geen doelenbestanden gevonden" in capsys.readouterr().out


def test_controleer_checks_the_real_goals_by_default(use_snapshot, monkeypatch, capsys):
    monkeypatch.delenv(paths.DOELEN_ENV, raising=False)
    n = len(goals.goal_files(paths.DOELEN_DIR))
    assert cli.main(["doelen", "--controleer"]) == 0
    assert capsys.readouterr().out.strip() == f"{n} doelenbestanden gecontroleerd, geen problemen."


def _latest(data, indicator: str, code: str) -> tuple[str, int]:
    """The latest value and year of an indicator, read from the dataset without the package's helpers."""
    v = data["values"]
    rows = v[(v["indicator"] == indicator) & (v["code"] == code)].dropna(subset=["waarde"])
    row = rows.loc[rows["jaar"].idxmax()]
    ind = next(i for i in indicators.load_catalogue(with_definitions=False) if i.id == indicator)
    return fmt.with_unit(row["waarde"], ind.unit, ind.decimals), int(row["jaar"])


def _fill_in(text: str) -> str:
    """What a griffie does with Almere's template: the source, the bijstand target, one own
    figure; the other key indicators removed."""
    head, _, rest = text.partition("doelen:\n")
    head = head.replace("  titel:  # bijvoorbeeld: Programmabegroting 2026", "  titel: Programmabegroting 2026")
    head = head.replace("  # datum:  # jaar-maand-dag", "  datum: 2025-11-06  # jaar-maand-dag")
    head = head.replace("  # url:  # https://...", "  url: https://www.voorbeeld.nl/begroting-2026")
    blocks = rest.split("\n\n")
    bijstand = next(b for b in blocks if "- indicator: bijstand_per_1000" in b)
    bijstand = bijstand.replace("    # streefwaarde:", "    streefwaarde: 20")
    bijstand = bijstand.replace("    # jaar:  #", "    jaar: 2027  #")
    bijstand = bijstand.replace("    # richting:  #", "    richting: lager  #")
    own = "\n".join(
        [
            "  - indicator: eigen",
            "    naam: Wachttijd Wmo-melding tot besluit",
            "    eenheid: weken",
            "    waarden: {2023: 9.5, 2024: 8.0}",
            "    bron: {titel: Jaarverslag Wmo 2024, jaar: 2025, url: 'https://www.voorbeeld.nl/wmo-2024'}",
            "    streefwaarde: 6",
            "    jaar: 2026",
            "    richting: lager",
        ]
    )
    return head + "doelen:\n" + bijstand + "\n\n" + own + "\n"


def test_almere_template_is_refused_until_filled_in_then_accepted(use_snapshot, doelen, capsys):
    from samenspel.data import dataset

    assert cli.main(["doelen", "Almere"]) == 0
    out = capsys.readouterr().out
    assert "Geschreven:" in out and "--controleer" in out
    path = doelen / "GM0034.yml"
    text = path.read_text(encoding="utf-8")
    # Every key sturing indicator, with its latest value and year as a comment.
    ids = [i.id for i in goals.key_indicators()]
    assert ids == ["jeugdzorg_pct", "wmo_per_1000", "bijstand_per_1000", "sociaal_minimum_pct"]
    for indicator in ids:
        assert f"  - indicator: {indicator}\n" in text
    data = dataset.load()
    value, year = _latest(data, "bijstand_per_1000", "GM0034")
    assert f"# Laatste CBS-cijfer voor Almere: {value} ({year}" in text
    assert "Het CBS heeft voor Almere (nog) geen cijfer" in text  # sociaal_minimum_pct
    assert "weigert de controle dit bestand" in text
    # Every target field is a comment; the file is YAML.
    parsed = yaml.safe_load(text)
    assert all(set(goal) == {"indicator"} for goal in parsed["doelen"])
    # Refused as it is: no source, no target.
    assert cli.main(["doelen", "--controleer"]) == 2
    out = capsys.readouterr().out
    assert "veld 'bron.titel'" in out and "veld 'bron'" in out
    assert out.count("dit doel zegt niet wat de gemeente wil bereiken") == 4
    # Filled in: accepted.
    path.write_text(_fill_in(text), encoding="utf-8")
    assert cli.main(["doelen", "--controleer"]) == 0, capsys.readouterr().out
    assert capsys.readouterr().out.strip() == "1 doelenbestand gecontroleerd, geen problemen."
    loaded = goals.load_for("GM0034", known=data["known"])
    bijstand, own = loaded.doelen
    assert (bijstand.indicator, bijstand.streefwaarde, bijstand.jaar, bijstand.richting) == (
        "bijstand_per_1000",
        20.0,
        2027,
        "lager",
    )
    assert own.is_own and own.naam == "Wachttijd Wmo-melding tot besluit" and own.waarden == {2023: 9.5, 2024: 8.0}
    assert loaded.bron.titel == "Programmabegroting 2026" and loaded.bron.jaar == 2025


def test_template_never_overwrites_and_writes_nothing_on_an_error(use_snapshot, doelen, capsys):
    existing = doelen / "GM0034.yml"
    existing.write_text("mijn doelen\n", encoding="utf-8")
    assert cli.main(["doelen", "GM0034"]) == 2
    assert "bestaat al" in capsys.readouterr().err
    assert existing.read_text(encoding="utf-8") == "mijn doelen\n"
    assert cli.main(["doelen", "Almeer"]) == 2
    assert "Bedoelt u misschien" in capsys.readouterr().err
    assert cli.main(["doelen", "Haren"]) == 2
    assert "Groningen" in capsys.readouterr().err
    assert cli.main(["doelen"]) == 2
    assert "Noem de gemeente" in capsys.readouterr().err
    assert sorted(p.name for p in doelen.iterdir()) == ["GM0034.yml"]


def test_template_for_a_name_with_spaces(use_snapshot, doelen, capsys):
    assert cli.main(["doelen", "Bergen", "op", "Zoom"]) == 0
    assert (doelen / "GM0748.yml").is_file()
    assert "gemeente: GM0748  # Bergen op Zoom" in (doelen / "GM0748.yml").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- documentation


def test_readme_tables_and_template_are_up_to_date():
    readme = (paths.DOELEN_DIR / goals.README_NAME).read_text(encoding="utf-8")
    assert goals.update_readme_text(readme) == readme, "run: python -m samenspel doelen --bijwerken"
    block = readme.split(goals.FIELDS_BEGIN, 1)[1].split(goals.FIELDS_END, 1)[0]
    assert block == "\n" + goals.render_field_table()
    block = readme.split(goals.INDICATORS_BEGIN, 1)[1].split(goals.INDICATORS_END, 1)[0]
    assert block == "\n" + goals.render_indicator_table()
    committed = (paths.DOELEN_DIR / goals.TEMPLATE_NAME).read_text(encoding="utf-8")
    assert committed == goals.render_template(), "run: python -m samenspel doelen --bijwerken"


def test_field_table_and_template_cover_every_field_and_indicator():
    table = goals.render_field_table()
    template = goals.render_template()
    for row in goals.docs.field_rows():
        assert f"`{row['name']}`" in table
    for name in schema.goal_schema()["properties"]:
        assert re.search(rf"^(    |  - )(# )?{name}:", template, re.M), name
    for rule in schema.rules():
        assert rule in table
    listed = goals.render_indicator_table()
    for ind in indicators.load_catalogue(with_definitions=False):
        assert f"| `{ind.id}` | {ind.label} | {ind.unit} |" in listed


def test_a_copy_of_the_template_is_refused_until_filled_in(known, doelen):
    copy = doelen / "GM0034.yml"
    shutil.copy(paths.DOELEN_DIR / goals.TEMPLATE_NAME, copy)
    problems = check([copy], known, doelen)
    fields = {p.field for p in problems}
    assert {"gemeente", "vastgesteld_door", "bron.titel", "bron", "doelen[1].indicator"} <= fields
    # Uncommenting the examples of the catalogue goal's fields gives a valid goal.
    text = copy.read_text(encoding="utf-8")
    text = text.replace("gemeente:\n", "gemeente: GM0034\n").replace("vastgesteld_door:\n", "vastgesteld_door: raad\n")
    text = text.replace("  titel:\n", "  titel: Programmabegroting 2026\n").replace("  # datum:", "  datum:")
    text = text.replace("  - indicator:\n", "  - indicator: bijstand_per_1000\n")
    for name in ("streefwaarde", "jaar", "richting", "toelichting"):
        text = text.replace(f"    # {name}:", f"    {name}:")
    copy.write_text(text, encoding="utf-8")
    assert check([copy], known, doelen) == []


def test_write_generated_docs_is_idempotent(tmp_path):
    (tmp_path / "README.md").write_text(
        f"intro\n{goals.FIELDS_BEGIN}\n{goals.FIELDS_END}\n{goals.INDICATORS_BEGIN}\n{goals.INDICATORS_END}\n",
        encoding="utf-8",
    )
    assert set(goals.write_generated_docs(tmp_path)) == {tmp_path / "TEMPLATE.yml", tmp_path / "README.md"}
    assert goals.write_generated_docs(tmp_path) == []
    (tmp_path / "README.md").write_text("zonder markeringen\n", encoding="utf-8")
    with pytest.raises(SamenspelError, match="mist de markeringen"):
        goals.write_generated_docs(tmp_path)


def test_template_and_readme_are_not_goal_files():
    names = {p.name for p in goals.goal_files(paths.DOELEN_DIR)}
    assert "TEMPLATE.yml" not in names and "README.md" not in names
    assert all(re.fullmatch(r"GM[0-9]{4}\.yml", n) for n in names)


# --------------------------------------------------------------------------- the real goals


def test_real_goals_are_valid_and_cited(known):
    assert goals.validate_all(paths.DOELEN_DIR, known) == []
    files = [goals.load(p, known) for p in goals.goal_files(paths.DOELEN_DIR)]
    assert len({f.gemeente for f in files}) >= 2
    for goal_file in files:
        assert goal_file.bron.url.startswith("https://")
        assert re.search(r"\b(19|20)\d\d\b", goal_file.bron.titel)
        title_year = re.search(r"Begroting (\d{4})", goal_file.bron.titel)[1]
        assert goal_file.bron.jaar == int(title_year)
        for goal in goal_file.doelen:
            # Budgets use other definitions than the catalogue: own figures, with their source.
            assert goal.is_own and goal.bron is not None and goal.waarden
            assert f"doel uit de Begroting {title_year}" in goal.toelichting
            assert goal.jaar is None  # neither document gives a target year


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else None]


def _forms(value: float) -> set[str]:
    """How a Dutch document may print a number: '861,6', '10,0', '10', '1'."""
    return {f"{value:.1f}".replace(".", ","), f"{value:g}".replace(".", ",")}


def _has(cell: str, value: float, after: str = "") -> bool:
    """Whether ``cell`` prints ``value`` (optionally followed by ``after``, like ' (1e hj 2021)')."""
    return any(re.search(rf"(?<![\d,]){re.escape(f + after)}(?![\d,])", cell) for f in _forms(value))


@pytest.mark.skipif(not SOURCES.is_file(), reason="the shared sources are not available")
def test_real_goals_hold_exactly_the_values_the_sources_report(known):
    """Each value is in the row of the source notes that names the figure, in the column of
    its year; each target in the last column (Streefwaarde / Target), never in an estimate
    column; the document's address is that of the gemeente's section."""
    notes = SOURCES.read_text(encoding="utf-8")
    sections = {"GM0375": "## A1. Beverwijk", "GM0777": "## A3. Etten-Leur"}
    for path in goals.goal_files(paths.DOELEN_DIR):
        goal_file = goals.load(path, known)
        section = _section(notes, sections[goal_file.gemeente])
        assert goal_file.bron.url in section
        assert "Status: **own**" in section or "the Streefwaarde column = **own**" in section
        table = [line for line in section.splitlines() if line.startswith("| ")]
        header = [c.strip() for c in table[0].strip("|").split("|")]
        for goal in goal_file.doelen:
            rows = [line for line in table[1:] if line[2:].casefold().startswith(goal.naam.casefold())]
            assert len(rows) == 1, goal.naam
            cells = dict(zip(header, (c.strip() for c in rows[0].strip("|").split("|"))))
            for year, value in goal.waarden.items():
                if f"W{year}" in cells:  # Beverwijk: Werkelijk 2017 | Werkelijk 2018
                    assert _has(cells[f"W{year}"], value), (goal.naam, year)
                else:  # Etten-Leur: '11,3 (1e hj 2021); 11,4 (1e hj 2022)'
                    assert _has(cells["Realised"], value, f" (1e hj {year})"), (goal.naam, year)
            target = goal.streefwaarde if goal.streefwaarde is not None else goal.grens[1]
            assert header[-1] in ("Streefwaarde", "Target")
            assert _has(cells[header[-1]], target), goal.naam


def test_real_goals_beverwijk_and_etten_leur(known):
    beverwijk = goals.load_for("GM0375", known=known)
    assert beverwijk.bron.titel.startswith("Begroting 2020") and beverwijk.vastgesteld_door == "raad"
    jeugdhulp = next(g for g in beverwijk.doelen if g.naam == "Jongeren met jeugdhulp")
    assert (jeugdhulp.eenheid, jeugdhulp.waarden, jeugdhulp.streefwaarde) == (
        "% van de jongeren tot 18 jaar",
        {2017: 7.9, 2018: 10.0},
        10.0,
    )
    # The bijstand row is left out: the budget gives no unit for it.
    assert not any("bijstand" in g.naam.lower() for g in beverwijk.doelen)
    etten_leur = goals.load_for("GM0777", known=known)
    (goal,) = etten_leur.doelen
    assert goal.grens == ("onder", 10.0) and goal.jaar is None and goal.richting is None
    assert goal.waarden == {2021: 11.3, 2022: 11.4} and "eerste halfjaar" in goal.waarden_toelichting
