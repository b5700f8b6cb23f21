import csv
import io

import pandas as pd
import pytest

from samenspel.data import regions
from tests.rawcbs import cell, read_text


def lookup(query, year=None):
    """regions.lookup on the municipalities of `year` and the names of every code, as the
    dataset passes them down."""
    return regions.lookup(query, regions.municipalities(year), regions.known_municipalities())


@pytest.mark.parametrize("query", ["almere", "Almere", "ALMERE", " almere ", "GM0034", "gm0034", "0034", "34"])
def test_lookup_forgives_case_spaces_and_code_forms(use_snapshot, query):
    assert lookup(query).code == "GM0034"


@pytest.mark.parametrize(
    "query,code",
    [
        ("'s-Hertogenbosch", "GM0796"),
        ("Den Bosch", "GM0796"),
        ("s-hertogenbosch", "GM0796"),
        ("Den Haag", "GM0518"),
        ("'s-Gravenhage", "GM0518"),
        ("Súdwest-Fryslân", "GM1900"),
        ("sudwest fryslan", "GM1900"),
        ("Bergen (NH.)", "GM0373"),
        ("Leiden", "GM0546"),
    ],
)
def test_lookup_names_and_aliases(use_snapshot, query, code):
    assert lookup(query).code == code


@pytest.mark.parametrize(
    "query,successor,year",
    [
        ("Appingedam", "Eemsdelta", "01-01-2021"),
        ("Delfzijl", "Eemsdelta", "01-01-2021"),
        ("Loppersum", "Eemsdelta", "01-01-2021"),
        ("Weesp", "Amsterdam", "24-03-2022"),
        ("GM0457", "Amsterdam", "24-03-2022"),
    ],
)
def test_dissolved_municipality_names_its_successor(use_snapshot, query, successor, year):
    with pytest.raises(regions.DissolvedMunicipality) as info:
        lookup(query)
    assert successor in info.value.message and year in info.value.message
    assert info.value.exit_code == 2


def test_dissolved_in_a_year_before_the_merger_is_still_known(use_snapshot):
    assert lookup("Weesp", year=2021).code == "GM0457"
    assert lookup("Appingedam", year=2020).naam == "Appingedam"


def test_unknown_municipality_suggests_up_to_three(use_snapshot):
    with pytest.raises(regions.UnknownMunicipality) as info:
        lookup("Amsterdm")
    assert info.value.suggestions[0] == "Amsterdam"
    assert 1 <= len(info.value.suggestions) <= 3
    assert "Bedoelt u misschien" in info.value.message
    with pytest.raises(regions.UnknownMunicipality):
        lookup("GM9999")


def test_municipality_counts_per_year(use_snapshot):
    # the official counts on 1 January; the list for year X also names those dissolved on 1-1-X
    assert [len(regions.municipalities(y)) for y in (2019, 2020, 2021, 2022, 2023, 2024, 2025)] == [
        355,
        355,
        352,
        345,
        342,
        342,
        342,
    ]


def test_municipality_record_from_raw_cells(use_snapshot, snapshot_dir):
    frame = regions.municipalities(2024).set_index("code")
    for code in ("GM0034", "GM0546", "GM0096"):  # Almere, Leiden, Vlieland (< 10,000)
        assert frame.loc[code, "inwoners"] == cell(snapshot_dir, "85984NED", code, "AantalInwoners")
        assert frame.loc[code, "inwoners_jaar"] == 2024
    assert frame.loc["GM0034", "provincie"] == "Flevoland"
    assert frame.loc["GM0546", "provincie"] == "Zuid-Holland"
    assert frame.loc["GM0096", "provincie"] == "Friesland"
    assert frame.loc["GM0096", "grootteklasse"] == "minder dan 5.000 inwoners"
    assert frame.loc["GM0034", "grootteklasse"] == "150.000 tot 250.000 inwoners"
    # Almere's stedelijkheid is a CBS class in the table
    assert frame.loc["GM0034", "stedelijkheid"] == cell(snapshot_dir, "85984NED", "GM0034", "MateVanStedelijkheid")


def test_inhabitants_fall_back_to_nearest_year_and_say_so(use_snapshot, snapshot_dir):
    frame = regions.municipalities(2025).set_index("code")
    # KWB 2025 in the snapshot has only 31 gemeenten: Vlieland falls back to 2024
    assert frame.loc["GM0096", "inwoners_jaar"] == 2024
    assert frame.loc["GM0034", "inwoners_jaar"] == 2025
    assert frame.loc["GM0034", "inwoners"] == cell(snapshot_dir, "86165NED", "GM0034", "AantalInwoners")


@pytest.mark.parametrize(
    "oad,klass", [(3000, 1), (2500, 1), (2499, 2), (1500, 2), (1200, 3), (999, 4), (500, 4), (499, 5), (None, None)]
)
def test_urbanity_from_density_uses_cbs_bounds(oad, klass):
    assert regions.urbanity_from_density(oad) == klass


@pytest.mark.parametrize(
    "inw,label",
    [
        (4999, "minder dan 5.000 inwoners"),
        (5000, "5.000 tot 10.000 inwoners"),
        (249_999, "150.000 tot 250.000 inwoners"),
        (900_000, "250.000 inwoners of meer"),
    ],
)
def test_size_classes(inw, label):
    assert regions.size_class(inw) == label


def test_merger_list_matches_cbs_municipality_list(use_snapshot, snapshot_dir):
    path = snapshot_dir / "gebieden" / "gemeentelijke_indeling_1990-2025_nlextract.csv"
    ended = {}
    valid_codes = {}
    for row in csv.DictReader(io.StringIO(read_text(path))):
        if row["einddatum"] and row["einddatum"] >= "2015-01-02":
            ended[row["gm_code"]] = row["einddatum"]
        valid_codes.setdefault(row["gm_code"], []).append((row["begindatum"], row["einddatum"]))
    mergers = regions.mergers()
    assert set(mergers) == set(ended)
    for code, merger in mergers.items():
        assert merger["datum"] == ended[code], code
        for successor in merger["opvolgers"]:
            # every successor exists on the day of the merger
            assert any(b <= merger["datum"] and (not e or e > merger["datum"]) for b, e in valid_codes[successor]), (
                successor
            )


def test_known_municipalities_include_dissolved_ones(use_snapshot):
    known = regions.known_municipalities()
    assert known["GM0034"] == "Almere"
    assert known["GM0457"] == "Weesp"
    assert "GM1992" in known


def test_provinces_from_a_cbs_table_when_the_municipality_list_is_missing(tmp_path, monkeypatch, snapshot_dir):
    """Without the municipality list (the live API), provinces come from CBS's own tables;
    here the real 'Woonplaatsen in Nederland 2019' (84489NED) of the snapshot."""
    from tests.conftest import clear_caches

    snap = tmp_path / "snap"
    snap.mkdir()
    for table in ("84583NED", "85984NED", "84489NED"):
        (snap / table).symlink_to(snapshot_dir / table)
    monkeypatch.setenv("SAMENSPEL_SNAPSHOT", str(snap))
    clear_caches()
    from samenspel.data import cbs

    provinces = regions.provinces_from_table(cbs.load_table("84489NED"))
    assert provinces["GM0034"] == "Flevoland" and provinces["GM0546"] == "Zuid-Holland"
    assert len(provinces) == 355  # every municipality of 2019
    frame = regions.municipalities(2024).set_index("code")
    assert len(frame) == 342  # the list itself now comes from the KWB table
    assert frame.loc["GM0034", "provincie"] == "Flevoland"
    assert frame.loc["GM0363", "provincie"] == "Noord-Holland"
    # a municipality formed after 2019 has no province in this 2019 table: unknown, not guessed
    assert frame.loc["GM1992", "provincie"] is None or pd.isna(frame.loc["GM1992", "provincie"])
    clear_caches()
