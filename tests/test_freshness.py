"""The weekly decision of the Pages workflow: rebuild only when CBS has published something
newer than the last published book (checked against the local OData server)."""

import json

import cbsodata
import pytest

from samenspel.data import freshness
from tests.conftest import clear_caches
from tests.odata_server import cbsodata_at, serving


@pytest.fixture
def server(snapshot_dir):
    with serving(snapshot_dir) as srv:  # every table of the snapshot
        yield srv
    clear_caches()


@pytest.fixture
def published(use_snapshot, tmp_path):
    """The state file of the last published book, written from the data in use."""
    state = freshness.state()
    path = tmp_path / "gegevens.json"
    path.write_text(json.dumps(state), "utf-8")
    return path, state


def test_nothing_new_means_no_rebuild(server, published):
    path, state = published
    decision = freshness.check(state)
    assert decision.reachable and not decision.newer and decision.exit_code == 1
    assert decision.changed == () and "niets nieuws" in decision.reason
    assert decision.tables["85984NED"] == state["tables"]["85984NED"]
    # only TableInfos is asked, nothing is downloaded
    assert server.requests and all("/TableInfos" in r for r in server.requests)


def test_a_newer_table_means_a_rebuild(server, published):
    path, state = published
    server.modified["85984NED"] = "2026-06-30T02:00:00"
    decision = freshness.check(state)
    assert decision.newer and decision.exit_code == 0 and decision.changed == ("85984NED",)
    assert "85984NED (gewijzigd op 30-06-2026)" in decision.reason


def test_a_table_cbs_has_that_the_last_book_lacked_is_new(server, published):
    path, state = published
    server.modified["86165NED"] = "2025-09-01T02:00:00"  # (the test tables give no date)
    del state["tables"]["86165NED"]
    decision = freshness.check(state)
    assert decision.newer and decision.changed == ("86165NED",) and "86165NED (nieuw)" in decision.reason


def test_without_a_previous_publication_everything_is_new(server, use_snapshot):
    decision = freshness.check(None)
    assert decision.newer and decision.exit_code == 0 and "geen vorige publicatie" in decision.reason


def test_unreachable_cbs_builds_nothing(use_snapshot, published):
    with cbsodata_at("127.0.0.1:9"):  # nothing listens there
        decision = freshness.check(published[1], timeout=2)
    assert not decision.reachable and not decision.newer and decision.exit_code == 2
    assert "niet bereikbaar" in decision.reason


def test_the_command_exits_0_1_or_2(server, published, capsys, tmp_path):
    from samenspel import cli

    path, _ = published
    assert cli.main(["actueel", "--vorige", str(path)]) == 1
    assert "niets nieuws" in capsys.readouterr().out
    server.modified["86165NED"] = "2026-06-30T02:00:00"
    assert cli.main(["actueel", "--vorige", str(path)]) == 0
    assert cli.main(["actueel", "--vorige", str(tmp_path / "bestaat-niet.json")]) == 0
    assert "alles telt als nieuw" in capsys.readouterr().out
    cbsodata.options.catalog_url = "127.0.0.1:9"
    assert cli.main(["actueel", "--vorige", str(path)]) == 2


def test_the_command_writes_the_state_and_the_front_page_date(use_snapshot, tmp_path, capsys):
    from samenspel import cli

    state_file, page = tmp_path / "html" / "gegevens.json", tmp_path / "actualiteit.md"
    assert cli.main(["actueel", "--schrijf", str(state_file), "--pagina", str(page)]) == 0
    state = json.loads(state_file.read_text("utf-8"))
    assert state["version"] == 1 and state["tables"]["85984NED"].startswith("2025-03-27")
    assert state["data_date"] == "2025-03-27" and state["sentence"].startswith("Gegevens: ")
    text = page.read_text("utf-8")
    assert "**27-03-2025**" in text and "Elke week" in text
