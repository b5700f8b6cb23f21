"""Chapters executed with papermill, checked against the raw snapshot cells."""

import csv
import html
import json
import re
import statistics

import pytest

from samenspel.chapter import runner as chapters
from tests.rawcbs import cell, rows

KWB_2019, KWB_2024, KWB_2025 = "84583NED", "85984NED", "86165NED"


@pytest.fixture(scope="module")
def chapter_dir(tmp_path_factory, snapshot_dir):
    out = tmp_path_factory.mktemp("gemeenten")
    mp = pytest.MonkeyPatch()
    mp.setenv("SAMENSPEL_SNAPSHOT", str(snapshot_dir))
    mp.setenv("SAMENSPEL_CHAPTER_DIR", str(out))
    mp.setenv("SAMENSPEL_CACHE", str(tmp_path_factory.mktemp("cache")))
    from tests.conftest import clear_caches

    clear_caches()
    r1 = chapters.run_chapters(["Amsterdam"], jobs=1, year=2019, progress=False)
    r2 = chapters.run_chapters(["Almere", "Leiden", "Vlieland", "Groningen"], jobs=2, progress=False)
    assert not r1.failures and not r2.failures, (r1.failures, r2.failures)
    yield out
    mp.undo()
    clear_caches()


def load(chapter_dir, code):
    return json.loads((chapter_dir / f"{code}.ipynb").read_text("utf-8"))


def outputs(nb):
    """(section heading, output text) for every rich output, in order."""
    section, result = None, []
    for c in nb["cells"]:
        if c["cell_type"] == "markdown":
            m = re.search(r"^#+ (.+)$", "".join(c["source"]), re.M)
            if m:
                section = m.group(1).strip()
        for o in c.get("outputs", []):
            data = o.get("data", {})
            text = "".join(data.get("text/html", "")) or "".join(data.get("text/markdown", ""))
            if o.get("output_type") == "error":
                text = "ERROR " + o.get("ename", "")
            result.append((section, text))
    return result


def section_text(nb, name):
    return "\n".join(t for s, t in outputs(nb) if s == name)


def table_row(nb, label):
    for _, text in outputs(nb):
        m = re.search(
            r'<th scope="row">'
            + re.escape(html.escape(label))
            + r"(?:<br><small>[^<]*</small>)?</th>((?:<td[^>]*>.*?</td>){5})",
            text,
        )
        if m:
            return re.findall(r"<td[^>]*>(.*?)</td>", m.group(1))
    raise AssertionError(f"no row {label}")


def nl(value, decimals=1, suffix=""):
    """Independent Dutch formatting for the expected values."""
    if value is None:
        return "geen gegevens"
    text = f"{value:,.{decimals}f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return text + suffix


def peer_codes(chapter_dir, code, year):
    # the peers the chapter used, as stated in its metadata
    from samenspel.chapter import model

    return model.build(code, year).peer_group.members


def test_every_section_is_there_and_nothing_failed(chapter_dir):
    for code in ("GM0363", "GM0034", "GM0546", "GM0096"):
        nb = load(chapter_dir, code)
        heads = [s for s, _ in outputs(nb)]
        for name in (
            "Wie",
            "In het kort",
            "Jeugd",
            "Wmo",
            "Participatie en inkomen",
            "Bevolking",
            "Wijken",
            "Samenhang",
            "Definities en bronnen",
            "Leren van anderen",
            "Vragen voor het gesprek",
        ):
            assert name in heads, (code, name)
        assert not any(t.startswith("ERROR") for _, t in outputs(nb))
        # code is hidden and the injected parameters are removed from the page
        for c in nb["cells"]:
            if c["cell_type"] == "code":
                tags = c["metadata"].get("tags", [])
                assert "remove-input" in tags or "remove-cell" in tags
        injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
        assert injected and all("remove-cell" in c["metadata"]["tags"] for c in injected)
        assert nb["metadata"]["samenspel"]["code"] == code


def test_amsterdam_2019_figures_equal_raw_cells(chapter_dir, snapshot_dir):
    nb = load(chapter_dir, "GM0363")
    peers = peer_codes(chapter_dir, "GM0363", 2019)
    for label, stem, decimals, unit in [
        ("Jongeren met jeugdzorg", "PercentageJongerenMetJeugdzorg", 1, "%"),
        ("Wmo-cliënten per 1.000 inwoners", "WmoClientenRelatief", 0, ""),
        ("Huishoudens onder of rond het sociaal minimum", "HuishOnderOfRondSociaalMinimum", 1, "%"),
    ]:
        value, median, national, year, _ = table_row(nb, label)
        assert value == nl(cell(snapshot_dir, KWB_2019, "GM0363", stem), decimals, unit)
        in_table = rows(str(snapshot_dir / KWB_2019))
        peer_values = [cell(snapshot_dir, KWB_2019, p, stem) for p in peers if p in in_table]
        peer_values = [v for v in peer_values if v is not None]
        if len(peer_values) >= 3:
            assert median == nl(statistics.median(peer_values), decimals, unit)
        else:  # in the snapshot only Amsterdam has this figure in 2019
            assert median == "geen gegevens"
        assert national == nl(cell(snapshot_dir, KWB_2019, "NL00", stem), decimals, unit)
        assert year == "2019"
    # computed indicator: bijstand per 1,000 inhabitants
    value = table_row(nb, "Bijstandsuitkeringen per 1.000 inwoners")[0]
    raw = (
        cell(snapshot_dir, KWB_2019, "GM0363", "PersonenPerSoortUitkeringBijstand")
        / cell(snapshot_dir, KWB_2019, "GM0363", "AantalInwoners")
        * 1000
    )
    assert value == nl(raw, 1)


def test_suppressed_wijk_values_read_geen_gegevens(chapter_dir, snapshot_dir):
    nb = load(chapter_dir, "GM0363")
    wijken = section_text(nb, "Wijken")
    suppressed = [
        r
        for code, r in rows(str(snapshot_dir / KWB_2019)).items()
        if code.startswith("WK0363") and r.get("PercentageJongerenMetJeugdzorg_88") is None
    ]
    assert suppressed
    assert "Jongeren met jeugdzorg per wijk in Amsterdam, 2019" in wijken
    assert "Geen gegevens voor:" in wijken


def test_almere_uses_latest_year_with_data_per_indicator(chapter_dir, snapshot_dir):
    nb = load(chapter_dir, "GM0034")
    value, median, national, year, _ = table_row(nb, "Jongeren met jeugdzorg")
    assert year == "2024"  # 2025 has no youth-care figures yet
    assert value == nl(cell(snapshot_dir, KWB_2024, "GM0034", "PercentageJongerenMetJeugdzorg"), 1, "%")
    assert national == nl(cell(snapshot_dir, KWB_2024, "NL00", "PercentageJongerenMetJeugdzorg"), 1, "%")
    value, _, _, year, _ = table_row(nb, "Inwoners")
    assert year == "2025" and value == nl(cell(snapshot_dir, KWB_2025, "GM0034", "AantalInwoners"), 0)
    # wijken of Almere in 2024
    assert "per wijk in Almere, 2024" in section_text(nb, "Wijken")


def test_small_municipality_chapter_uses_its_figures(chapter_dir, snapshot_dir):
    nb = load(chapter_dir, "GM0096")
    value, _, _, year, _ = table_row(nb, "Inwoners")
    assert value == nl(cell(snapshot_dir, KWB_2024, "GM0096", "AantalInwoners"), 0) and year == "2024"
    row = table_row(nb, "Kinderen tot 15 jaar")
    raw = (
        cell(snapshot_dir, KWB_2024, "GM0096", "k_0Tot15Jaar")
        / cell(snapshot_dir, KWB_2024, "GM0096", "AantalInwoners")
        * 100
    )
    assert row[0] == nl(raw, 1, "%")


def test_gemeente_with_population_only_says_which_themes_have_no_data(population_only_snapshot, tmp_path, monkeypatch):
    from tests.conftest import clear_caches

    folder, code = population_only_snapshot
    monkeypatch.setenv("SAMENSPEL_SNAPSHOT", str(folder))
    monkeypatch.setenv("SAMENSPEL_CHAPTER_DIR", str(tmp_path / "gemeenten"))
    monkeypatch.setenv("SAMENSPEL_CACHE", str(tmp_path / "cache"))
    clear_caches()
    try:
        result = chapters.run_chapters([code], jobs=1, progress=False)
        assert not result.failures, result.failures
        nb = load(tmp_path / "gemeenten", code)
    finally:
        clear_caches()
    wie = section_text(nb, "Wie")
    assert "geen cijfers over: jeugd, wmo en participatie en inkomen" in wie
    for theme in ("Jeugd", "Wmo", "Participatie en inkomen"):
        text = section_text(nb, theme)
        assert "geen gegevens" in text and "0,0" not in text, theme
    # population figures stay: the latest table with an inhabitants cell for this gemeente
    latest = next((t for t in (KWB_2025, KWB_2024) if code in rows(str(folder / t))), None)
    value, _, _, year, _ = table_row(nb, "Inwoners")
    assert value == nl(cell(folder, latest, code, "AantalInwoners"), 0)
    assert year == {KWB_2025: "2025", KWB_2024: "2024"}[latest]
    assert "geen gegevens" in section_text(nb, "Wijken")


def test_chapter_has_findings_questions_and_provenance(chapter_dir):
    nb = load(chapter_dir, "GM0546")
    kort = section_text(nb, "In het kort")
    assert 3 <= kort.count("- **") <= 6 and "tegen een mediaan van" in kort
    vragen = section_text(nb, "Vragen voor het gesprek")
    assert 3 <= len(re.findall(r"^\d\. ", vragen, re.M)) <= 5
    bron = section_text(nb, "Verantwoording")
    assert "85984NED" in bron and "Samenspel" in bron and "download als CSV" in bron
    assert "correlatie" in section_text(nb, "Samenhang")


def test_csv_download_holds_the_source_cells(chapter_dir, snapshot_dir):
    path = chapter_dir / "GM0034.csv"
    with open(path, encoding="utf-8") as fh:
        data = list(csv.DictReader(fh, delimiter=";"))
    row = next(r for r in data if r["code"] == "GM0034" and r["indicator"] == "wmo_per_1000" and r["jaar"] == "2024")
    assert float(row["waarde"].replace(",", ".")) == cell(snapshot_dir, KWB_2024, "GM0034", "WmoClientenRelatief")
    assert row["tabel"] == KWB_2024 and row["kolommen"].startswith("WmoClientenRelatief_")


def test_unchanged_chapter_is_skipped_and_failure_writes_nothing(chapter_dir, monkeypatch):
    before = (chapter_dir / "GM0034.ipynb").stat().st_mtime_ns
    result = chapters.run_chapters(["Almere"], jobs=1, progress=False)
    assert result.skipped == ["GM0034"] and not result.written
    assert (chapter_dir / "GM0034.ipynb").stat().st_mtime_ns == before
    # an unknown peer in an explicit list fails inside the planner: nothing is written
    from samenspel.errors import SamenspelError

    with pytest.raises(SamenspelError):
        chapters.run_chapters(["Almere"], jobs=1, vergelijk_met=["Nergenshuizen"], progress=False)
    assert sorted(p.name for p in chapter_dir.glob("*.ipynb")) == [
        "GM0014.ipynb",
        "GM0034.ipynb",
        "GM0096.ipynb",
        "GM0363.ipynb",
        "GM0546.ipynb",
    ]
    assert not list(chapter_dir.glob(".*"))  # no temporary files left


def test_alternative_peer_views_are_shown(chapter_dir, snapshot_dir):
    nb = load(chapter_dir, "GM0034")
    text = section_text(nb, "Andere vergelijkingsgroepen")
    assert "Mediaan gemeenten in dezelfde CBS-grootteklasse" in text
    assert "Mediaan gemeenten in dezelfde provincie" in text
    assert "provincie Flevoland" in text


def test_a_failing_chapter_is_listed_and_writes_nothing(chapter_dir):
    before = (chapter_dir / "GM0546.ipynb").read_bytes()
    result = chapters.run_chapters(["Leiden"], jobs=1, methode="onbekend", progress=False)
    assert list(result.failures) == ["GM0546"]
    assert "Onbekende vergelijkingsmethode" in result.failures["GM0546"]
    assert not result.written
    assert not list(chapter_dir.glob(".*"))  # the temporary file is gone
    assert (chapter_dir / "GM0546.ipynb").read_bytes() == before  # the previous chapter is intact


# --------------------------------------------------------------------------- truth rules


def _raw_rate(snapshot_dir, table, code, stem, base_stem="AantalInwoners"):
    return cell(snapshot_dir, table, code, stem), cell(snapshot_dir, table, code, base_stem)


def test_wijk_rates_on_a_small_base_are_not_shown_and_named(chapter_dir, snapshot_dir):
    nb = load(chapter_dir, "GM0034")
    wijken = section_text(nb, "Wijken")
    # Randstad: a handful of inhabitants and a rounded count of bijstand recipients
    num, den = _raw_rate(snapshot_dir, KWB_2024, "WK003434", "PersonenPerSoortUitkeringBijstand")
    assert den < 100 and num / den * 1000 > 1000
    assert "3.333" not in wijken and "3333" not in wijken
    chart = next(t for t in wijken.split("</figure>") if "Bijstandsuitkeringen per 1.000 inwoners per wijk" in t)
    note = re.search(r"Te weinig inwoners om een betrouwbaar cijfer te tonen: ([^.<]*)\.", chart).group(1)
    assert "Randstad" in note.split(", ")
    # every wijk under the rule is named, and none above it
    small = []
    for code in rows(str(snapshot_dir / KWB_2024)):
        if code.startswith("WK0034"):
            num, den = _raw_rate(snapshot_dir, KWB_2024, code, "PersonenPerSoortUitkeringBijstand")
            if num is not None and den is not None and (den < 100 or num < 10):
                small.append(code)
    assert len(note.split(", ")) == len(small)
    # on the map (the 2024 wijken are those of the boundaries) the wijk is hatched, not coloured
    assert 'data-code="WK003434" data-geen-cijfer="kleine basis"' in chart


def test_a_jump_in_almere_wmo_is_marked(chapter_dir, snapshot_dir):
    nb = load(chapter_dir, "GM0034")
    wmo = section_text(nb, "Wmo")
    before = cell(snapshot_dir, "85318NED", "GM0034", "WmoClientenRelatief")
    after = cell(snapshot_dir, "85618NED", "GM0034", "WmoClientenRelatief")
    assert after / before - 1 < -0.2
    assert (
        f"Tussen 2022 en 2023 daalde het cijfer van Almere van {nl(before, 0)} per 1.000 inwoners naar {nl(after, 0)}"
        in wmo
    )
    assert "sprong in de reeks" in wmo and "registratie of definitie" in wmo
    vragen = section_text(nb, "Vragen voor het gesprek")
    assert "tussen 2022 en 2023" in vragen


def test_groningen_trend_marks_the_herindeling(chapter_dir):
    nb = load(chapter_dir, "GM0014")
    text = section_text(nb, "Jeugd") + section_text(nb, "Wmo")
    # the line before the merger is a trace of its own (its name JSON-escaped in the figure)
    assert "Groningen v\\u00f3\\u00f3r de herindeling van 2019" in text
    assert "In 2019 telt Groningen voor het eerst met Ten Boer en Haren" in text


@pytest.mark.parametrize("code", ["GM0034", "GM0546", "GM0014", "GM0096"])
def test_no_question_treats_context_as_policy(chapter_dir, code):
    vragen = section_text(load(chapter_dir, code), "Vragen voor het gesprek")
    for context in ("AOW", "65 jaar", "Kinderen tot 15", "herkomst", "Eenpersoonshuishoudens", "WOZ"):
        assert context not in vragen, (code, context)


def test_twins_explanation_states_the_true_reasons(chapter_dir):
    wie = section_text(load(chapter_dir, "GM0034"), "Wie")
    assert "De bevolkingsdichtheid telt niet mee, omdat de stedelijkheid al meet" in wie
    assert "omdat het CBS-cijfer ontbreekt: bevolkingsdichtheid" not in wie


def test_almere_wijken_over_time_join_only_the_same_area(chapter_dir, snapshot_dir):
    # Almere had 6 wijken until 2021 and 71 from 2022: WK003401 means another area in 2021
    rows_2021 = rows(str(snapshot_dir / "85039NED"))
    assert "WK003401" in rows_2021
    wijken = section_text(load(chapter_dir, "GM0034"), "Wijken")
    trends = [t for t in wijken.split("</figure>") if "die het meest veranderden" in t]
    assert trends, "no chart of the wijken over time"
    for chart in trends:
        assert "2022–2024" in chart or "2023–2024" in chart
        assert "2021" not in chart.split("samenspel-chart-title")[1].split("</p>")[0]
        assert "hetzelfde gebied" in chart


def test_same_area_years_follow_cbs_indelingswijziging():
    import pandas as pd

    from samenspel.data.indicators import same_area_years

    changes = pd.DataFrame({"code": ["W"] * 4, "jaar": [2021, 2022, 2023, 2024], "indeling": [1, 3, 1, 1]})
    assert same_area_years(changes, "W", 2024, [2020, 2021, 2022, 2023, 2024]) == [2022, 2023, 2024]
    assert same_area_years(changes, "W", 2024, [2022, 2024]) == [2024]  # no row in 2023: no link
    assert same_area_years(changes, "W", 2021, [2020, 2021]) == [2020, 2021]


# --------------------------------------------------------------------------- the council's goals


@pytest.fixture(scope="module")
def goals_chapter(tmp_path_factory, snapshot_dir):
    """Almere's chapter with a goals file (tests/fixtures/doelen/geldig/almere.yml: made-up
    goals, among them bijstand per 1.000 lower to 20 by 2027 and own figures)."""
    import shutil
    from pathlib import Path

    out = tmp_path_factory.mktemp("doelen-hoofdstuk")
    doelen = tmp_path_factory.mktemp("doelen")
    shutil.copy(Path(__file__).parent / "fixtures" / "doelen" / "geldig" / "almere.yml", doelen / "GM0034.yml")
    mp = pytest.MonkeyPatch()
    mp.setenv("SAMENSPEL_SNAPSHOT", str(snapshot_dir))
    mp.setenv("SAMENSPEL_CHAPTER_DIR", str(out))
    mp.setenv("SAMENSPEL_DOELEN_DIR", str(doelen))
    from tests.conftest import clear_caches

    clear_caches()
    result = chapters.run_chapters(["Almere"], jobs=1, progress=False)
    assert not result.failures, result.failures
    yield load(out, "GM0034"), doelen
    mp.undo()
    clear_caches()


def test_goals_are_shown_with_value_target_year_and_verdict(goals_chapter, snapshot_dir):
    nb, _ = goals_chapter
    doelen = html.unescape(section_text(nb, "Doelen van de raad"))
    # bijstand: the latest CBS figure, computed from the raw cells, against 20 in 2027
    bij = cell(snapshot_dir, KWB_2024, "GM0034", "PersonenPerSoortUitkeringBijstand")
    inw = cell(snapshot_dir, KWB_2024, "GM0034", "AantalInwoners")
    assert "Bijstandsuitkeringen per 1.000 inwoners</strong>: " in doelen
    assert f"Nu {nl(bij / inw * 1000, 1)} per 1.000 inwoners (2024); doel: 20,0 per 1.000 inwoners in 2027." in doelen
    assert re.search(
        r"Bijstandsuitkeringen per 1.000 inwoners</strong>: <span[^>]*>(op koers|niet op koers|niet te beoordelen)<",
        doelen,
    )
    # an own figure is labelled as such, with its source
    assert "Wachttijd Wmo-melding tot besluit" in doelen and "Nu 8,0 weken (2024); doel: 6,0 weken in 2026." in doelen
    assert "Eigen cijfer van de gemeente (niet van het CBS)" in doelen and "Jaarverslag Wmo 2024" in doelen
    assert "rechte lijn" in doelen  # the method in one sentence


def test_goals_are_named_in_het_kort_and_the_questions(goals_chapter):
    nb, _ = goals_chapter
    kort = section_text(nb, "In het kort")
    assert "De doelen van de raad:" in kort
    assert re.search(
        r"\*\*Bijstandsuitkeringen per 1.000 inwoners\*\*: de raad wil 20,0 per 1.000 inwoners in 2027; nu [\d,]+ per 1.000 inwoners \(2024\): (op koers|niet op koers|niet te beoordelen)\.",
        kort,
    )
    vragen = section_text(nb, "Vragen voor het gesprek")
    assert "De raad wil voor" in vragen or "Het doel voor" in vragen


def test_without_goals_the_chapter_says_how_to_add_them(chapter_dir):
    doelen = section_text(load(chapter_dir, "GM0546"), "Doelen van de raad")
    assert "nog geen doelen van de raad vastgelegd" in doelen and "python -m samenspel doelen GM0546" in doelen


def test_a_malformed_goals_file_stops_the_chapter_and_writes_nothing(tmp_path, snapshot_dir, monkeypatch):
    from tests.conftest import clear_caches

    doelen = tmp_path / "doelen"
    doelen.mkdir()
    (doelen / "GM0034.yml").write_text(
        "gemeente: GM0034\nvastgesteld_door: raad\nbron: {titel: X, jaar: 2025}\n"
        "doelen:\n  - indicator: bijstand_per_100\n    streefwaarde: 20\n",
        "utf-8",
    )
    monkeypatch.setenv("SAMENSPEL_SNAPSHOT", str(snapshot_dir))
    monkeypatch.setenv("SAMENSPEL_CHAPTER_DIR", str(tmp_path / "gemeenten"))
    monkeypatch.setenv("SAMENSPEL_DOELEN_DIR", str(doelen))
    clear_caches()
    try:
        result = chapters.run_chapters(["Almere"], jobs=1, progress=False)
    finally:
        clear_caches()
    assert "GM0034" in result.failures and "bijstand_per_1000" in result.failures["GM0034"]
    assert not list((tmp_path / "gemeenten").glob("*.ipynb"))
