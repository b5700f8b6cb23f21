"""samenspel.book and `python -m samenspel boek`: generated pages, table of contents, build."""

from __future__ import annotations

import importlib.util
import re
import sys
import types

import nbformat
import pytest
import yaml

from samenspel import book, cli
from samenspel.paths import ROOT


def _helper():
    name = "samenspel_book_fixture_build"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "tests" / "fixtures" / "book" / "build.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _toc(layout: book.Layout) -> dict:
    return yaml.safe_load(layout.toc_path.read_text(encoding="utf-8"))


def _sources_read(output: str) -> set[str]:
    """Docnames Sphinx reread, from its (uncoloured) build log."""
    plain = re.sub(r"\x1b\[[0-9;]*m", "", output)
    return set(re.findall(r"reading sources\.\.\. \[\s*\d+%\] (\S+)", plain))


# --------------------------------------------------------------------------- helpers


def test_numbers_are_written_the_dutch_way():
    assert book.format_number(222825) == "222.825"
    assert book.format_number(1_234_567) == "1.234.567"
    assert book.format_number(999) == "999"
    assert book.format_number(1000.4) == "1.000"
    assert book.format_number(None) == "–"


def test_slugs_and_dutch_sorting():
    assert book.slugify("Fryslân") == "fryslan"
    assert book.slugify("Noord-Brabant") == "noord-brabant"
    names = ["Zwolle", "'s-Hertogenbosch", "Amsterdam", "'s-Gravenhage", "Ede"]
    assert sorted(names, key=book.name_sort_key) == [
        "Amsterdam",
        "Ede",
        "'s-Gravenhage",
        "'s-Hertogenbosch",
        "Zwolle",
    ]


def test_cbs_text_is_shown_literally():
    assert book.md_escape("a*b_c <x> {doc}") == r"a\*b\_c \<x\> \{doc\}"


def test_chapter_metadata_is_read_without_running_the_notebook(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("raise SystemExit('must not run')")]
    nb.metadata["samenspel"] = {
        "code": "GM0034",
        "naam": "Almere",
        "provincie": "Flevoland",
        "inwoners": 222825,
        "inwoners_jaar": 2024,
    }
    path = tmp_path / "GM0034.ipynb"
    nbformat.write(nb, path)
    chapter = book.read_chapter(path)
    assert (chapter.code, chapter.naam, chapter.provincie) == ("GM0034", "Almere", "Flevoland")
    assert (chapter.inwoners, chapter.inwoners_jaar) == (222825, 2024)


def test_a_chapter_without_metadata_still_gets_a_place(tmp_path):
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "GM0999.ipynb")
    (chapter,) = book.read_chapters(tmp_path)
    assert chapter.code == "GM0999" and chapter.naam == "GM0999"
    assert chapter.provincie == "Provincie onbekend" and chapter.inwoners is None


# --------------------------------------------------------------------------- generated pages


def test_generate_writes_the_index_province_pages_and_toc(tmp_path, use_snapshot):
    layout = _helper().make_small_book(tmp_path / "boek")
    result = book.generate(layout)
    assert [c.naam for c in result.chapters] == ["Almere", "Amsterdam", "'s-Gravenhage", "Leiden"]

    toc = _toc(layout)
    assert toc["format"] == "jb-book" and toc["root"] == "book/intro"
    parts = {p["caption"]: p["chapters"] for p in toc["parts"]}
    assert list(parts) == ["Over Samenspel", "Gemeenten", "Leren van anderen"]
    assert [c["file"] for c in parts["Over Samenspel"]] == book.ABOUT_PAGES
    gemeenten = parts["Gemeenten"]
    assert gemeenten[0] == {"file": "book/generated/gemeenten"}
    assert {c["file"]: [s["file"] for s in c["sections"]] for c in gemeenten[1:]} == {
        "book/generated/provincie-flevoland": ["book/gemeenten/GM0034"],
        "book/generated/provincie-noord-holland": ["book/gemeenten/GM0363"],
        "book/generated/provincie-zuid-holland": ["book/gemeenten/GM0518", "book/gemeenten/GM0546"],
    }
    assert parts["Leren van anderen"] == [
        {
            "file": "book/generated/casestudies/index",
            "sections": [
                {"file": "book/generated/casestudies/vergelijking"},
                {"file": "book/generated/casestudies/almere-monitor"},
            ],
        }
    ]

    def files(entries):
        for entry in entries:
            yield entry["file"]
            yield from files(entry.get("sections", []))

    for docname in [toc["root"], *(f for chapters in parts.values() for f in files(chapters))]:
        assert any((layout.root / f"{docname}{suffix}").is_file() for suffix in (".md", ".ipynb")), docname

    index = (layout.generated_dir / "gemeenten.md").read_text(encoding="utf-8")
    assert ":::{container} samenspel-tabel" in index
    from tests.conftest import SNAPSHOT
    from tests.rawcbs import cell

    almere = f"{cell(SNAPSHOT, '86165NED', 'GM0034', 'AantalInwoners'):,.0f}".replace(",", ".")  # KWB 2025
    assert (
        f"| {{doc}}`Almere </book/gemeenten/GM0034>` | {{doc}}`Flevoland </book/generated/provincie-flevoland>` | {almere} |"
        in index
    )
    assert "Inwoners 2025" in index  # every chapter of the small book has 2025 population figures
    flevoland = (layout.generated_dir / "provincie-flevoland.md").read_text(encoding="utf-8")
    assert flevoland.startswith("# Flevoland\n")
    assert f"{{doc}}`Almere </book/gemeenten/GM0034>` — {almere} inwoners (2025)" in flevoland
    assert (layout.static_dir / book.PLOTLY_JS).read_bytes() == book.plotly_js_source().read_bytes()


def test_a_second_run_rewrites_nothing(tmp_path, use_snapshot):
    layout = _helper().make_small_book(tmp_path / "boek")
    book.generate(layout)
    watched = [layout.toc_path, layout.static_dir / book.PLOTLY_JS, *layout.generated_dir.rglob("*.md")]
    before = {p: p.stat().st_mtime_ns for p in watched}
    result = book.generate(layout)
    assert result.written == [] and result.removed == []
    assert {p: p.stat().st_mtime_ns for p in watched} == before


def test_a_removed_chapter_takes_its_province_page_along(tmp_path, use_snapshot):
    layout = _helper().make_small_book(tmp_path / "boek")
    book.generate(layout)
    (layout.chapter_dir / "GM0034.ipynb").unlink()
    result = book.generate(layout)
    page = layout.generated_dir / "provincie-flevoland.md"
    assert not page.exists() and page in result.removed
    assert "provincie-flevoland" not in layout.toc_path.read_text(encoding="utf-8")
    assert "Almere" not in (layout.generated_dir / "gemeenten.md").read_text(encoding="utf-8")
    # a province that keeps a chapter keeps its page
    assert (layout.generated_dir / "provincie-zuid-holland.md").exists()
    (layout.chapter_dir / "GM0546.ipynb").unlink()
    book.generate(layout)
    zh = (layout.generated_dir / "provincie-zuid-holland.md").read_text(encoding="utf-8")
    assert "Leiden" not in zh and "s-Gravenhage" in zh


def test_without_chapters_the_index_says_how_to_make_one(tmp_path, use_snapshot):
    layout = _helper().make_small_book(tmp_path / "boek", codes=[])
    book.generate(layout)
    index = (layout.generated_dir / "gemeenten.md").read_text(encoding="utf-8")
    assert "nog geen hoofdstukken" in index and "samenspel-tabel" not in index
    assert _toc(layout)["parts"][1]["chapters"] == [{"file": "book/generated/gemeenten"}]


def test_the_case_study_part_is_left_out_without_case_studies(tmp_path, use_snapshot):
    layout = _helper().make_small_book(tmp_path / "boek", case_study=False)
    result = book.generate(layout)
    assert [p["caption"] for p in _toc(layout)["parts"]] == ["Over Samenspel", "Gemeenten"]
    assert result.casestudy_docs is None
    assert not (layout.generated_dir / "casestudies").exists()
    assert any("Leren van anderen" in note for note in result.notes)


def test_the_indicator_glossary_lists_every_indicator(use_snapshot):
    from samenspel.data import indicators

    catalogue = indicators.load_catalogue()
    text = book.render_indicatoren(catalogue)
    for ind in catalogue:
        assert f"(indicator-{book.slugify(ind.id)})=\n### {book.md_escape(ind.label)}\n" in text
        assert book.md_escape(ind.computation()) in text
    for theme in {ind.theme_label for ind in catalogue}:
        assert f"\n## {theme}\n" in text
    participation = text.split("### Nettoarbeidsparticipatie")[-1] if "### Nettoarbeidsparticipatie" in text else text
    assert "Een hogere waarde is gunstiger." in participation
    assert "Geen vaste richting" in text
    assert sum(1 for ind in catalogue if ind.definition) == text.count("Definitie van het CBS\n: ") - text.count(
        "Definitie van het CBS\n: (niet gevonden"
    )


def test_the_sources_page_lists_every_table_with_dutch_dates(use_snapshot):
    rows = [
        {
            "table_id": "85984NED",
            "statistic": "Kerncijfers wijken en buurten",
            "year": 2024,
            "title": "Kerncijfers wijken en buurten 2024",
            "period": "2024*",
            "modified": "2025-03-27",
            "retrieved": "2025-11-26",
            "origin": "cache",
            "url": "https://opendata.cbs.nl/statline/#/CBS/nl/dataset/85984NED/table",
        },
        {
            "table_id": "86165NED",
            "statistic": "Kerncijfers wijken en buurten",
            "year": 2025,
            "title": None,
            "period": "2025",
            "modified": None,
            "retrieved": None,
            "origin": None,
        },
    ]
    text = book.render_bronnen(rows)
    assert (
        "| [85984NED](https://opendata.cbs.nl/statline/#/CBS/nl/dataset/85984NED/table) "
        "| Kerncijfers wijken en buurten 2024 | 2024 (voorlopig) | 27-03-2025 | 26-11-2025 "
        "| opgehaald bij het CBS |"
    ) in text
    assert "| 86165NED | Kerncijfers wijken en buurten | 2025 | – | – | niet beschikbaar |" in text

    from samenspel.data import cbs

    real = book.render_bronnen(cbs.table_overview())
    for row in cbs.table_overview():
        assert row["table_id"] in real
    assert "meegeleverde momentopname" in real


# --------------------------------------------------------------------------- the build


def test_the_build_is_strict_and_incremental(tmp_path, use_snapshot):
    layout, _, proc = _helper().build_small_book(tmp_path / "boek")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    html = layout.html_dir
    for page in [
        "index.html",
        "search.html",
        "book/intro.html",
        "book/gemeenten/GM0034.html",
        "book/generated/gemeenten.html",
        "book/generated/indicatoren.html",
        "book/generated/bronnen.html",
        "book/generated/casestudies/index.html",
        "book/generated/casestudies/almere-monitor.html",
    ]:
        assert (html / page).is_file(), page
    chapter = (html / "book/gemeenten/GM0034.html").read_text(encoding="utf-8")
    intro = (html / "book/intro.html").read_text(encoding="utf-8")
    assert "_static/plotly.min.js" in chapter and "plotly" not in intro
    assert "fig.show()" not in chapter  # code is hidden
    assert 'lang="nl"' in intro
    # The front page says how recent the data is: the newest CBS table in use, and the build date.
    from samenspel import fmt
    from samenspel.data import freshness

    current = freshness.state()
    assert f"gewijzigd op <strong>{fmt.date_nl(current['data_date'])}</strong>" in intro
    assert f"Dit boek is gebouwd op {fmt.date_nl(current['built'])}" in intro
    # The chapter's definitions link to the indicator's entry (with CBS's definition) in the glossary.
    import re

    glossary = (html / "book/generated/indicatoren.html").read_text(encoding="utf-8")
    anchors = re.findall(r'href="\.\./generated/indicatoren\.html#([^"]+)"', chapter)
    assert len(anchors) >= 10
    assert all(f'id="{a}"' in glossary for a in anchors), [a for a in anchors if f'id="{a}"' not in glossary]
    for page in (chapter, intro):
        assert "cdn" not in page.lower() and "unpkg" not in page and "mathjax" not in page.lower()

    # Nothing changed: nothing is generated or reread.
    assert book.generate(layout).written == []
    again = book.build_html(layout, capture=True)
    assert again.returncode == 0
    assert _sources_read(again.stdout) == set()

    # A changed style sheet reaches the built book, even when no page is rebuilt.
    css = layout.static_dir / "samenspel.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* test */\n", encoding="utf-8")
    styled = book.build_html(layout, capture=True)
    assert styled.returncode == 0 and _sources_read(styled.stdout) == set()
    assert (html / "_static" / "samenspel.css").read_bytes() == css.read_bytes()

    # One case study changed: only its page is reread.
    source = next(layout.casestudies.glob("*.md"))
    source.write_text(source.read_text(encoding="utf-8").replace("Begin klein", "Begin heel klein"), encoding="utf-8")
    result = book.generate(layout)
    assert result.written == []  # its page is written by samenspel.casestudies
    third = book.build_html(layout, capture=True)
    assert third.returncode == 0
    assert _sources_read(third.stdout) == {"book/generated/casestudies/almere-monitor"}
    assert "Begin heel klein" in (html / "book/generated/casestudies/almere-monitor.html").read_text(encoding="utf-8")

    # A warning fails the build.
    page = layout.root / "book" / "leeswijzer.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nZie {doc}`/book/bestaat-niet`.\n", encoding="utf-8")
    broken = book.build_html(layout, capture=True)
    assert broken.returncode != 0
    assert "bestaat-niet" in broken.stdout + broken.stderr


# --------------------------------------------------------------------------- the command


@pytest.fixture
def fake_chapters(monkeypatch, tmp_path):
    """A stand-in for samenspel.chapter.runner that writes fixture chapters into the test book."""
    layout = _helper().copy_sources(tmp_path / "boek")
    calls = []

    def run_chapters(codes, jobs):
        calls.append((codes, jobs))
        wanted = list(_helper().CODES) if codes == "alle" else list(codes)
        _helper().write_chapters(layout.chapter_dir, wanted)

    monkeypatch.setitem(sys.modules, "samenspel.chapter.runner", types.SimpleNamespace(run_chapters=run_chapters))
    monkeypatch.setattr(book, "Layout", lambda *a, **k: layout)
    return layout, calls


def test_boek_makes_default_chapters_first_then_builds(fake_chapters, use_snapshot, capfd):
    layout, calls = fake_chapters
    assert cli.main(["boek", "--jobs", "2"]) == 0
    assert calls == [(["GM0034", "GM0546", "GM0363"], 2)]
    out = capfd.readouterr().out
    assert "nog geen hoofdstukken" in out
    assert (layout.html_dir / "index.html").as_uri() in out
    assert (layout.html_dir / "book/gemeenten/GM0363.html").is_file()

    calls.clear()
    assert cli.main(["boek"]) == 0  # chapters exist: none are made
    assert calls == []
    assert cli.main(["boek", "--alle", "-j", "3"]) == 0
    assert calls == [("alle", 3)]


def test_boek_reports_a_failed_build_in_dutch(fake_chapters, use_snapshot, capfd):
    layout, _ = fake_chapters
    page = layout.root / "book" / "methode.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n{doc}`/book/bestaat-niet`\n", encoding="utf-8")
    code = cli.main(["boek"])
    assert code != 0
    assert "Het boek kon niet worden gebouwd" in capfd.readouterr().err


def test_theme_labels_are_dutch_in_the_built_pages(tmp_path):
    page = tmp_path / "html" / "p.html"
    page.parent.mkdir()
    page.write_text(
        '<a href="#main-content">x</a><div>Skip to main content</div>'
        '<a class="skip-link">x</a><div>>Skip to main content<</div>'
        '<button title="Toggle primary sidebar" aria-label="Toggle primary sidebar"></button>'
        '<button>Back to top</button><a class="headerlink" title="Link to this heading">#</a>',
        encoding="utf-8",
    )
    assert book.translate_theme(tmp_path / "html") == 1
    text = page.read_text(encoding="utf-8")
    assert "Toggle" not in text and "Back to top" not in text and "Link to this heading" not in text
    assert 'aria-label="Navigatie tonen of verbergen"' in text and "Terug naar boven" in text
    assert ">Direct naar de inhoud<" in text
    assert book.translate_theme(tmp_path / "html") == 0  # idempotent
