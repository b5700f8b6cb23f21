"""An installed package writes its chapters and book into a work folder, never into itself:
the book's sources are copied there, only when they differ, and what is generated there stays."""

from __future__ import annotations

import os

from samenspel import paths
from samenspel.book import workspace


def _source(root):
    (root / "book" / "generated").mkdir(parents=True)
    (root / "book" / "gemeenten").mkdir()
    (root / "_static").mkdir()
    (root / "_config.yml").write_text("title: Samenspel\n", "utf-8")
    (root / "book" / "intro.md").write_text("# Intro\n", "utf-8")
    (root / "book" / "generated" / "bronnen.md").write_text("from the package\n", "utf-8")
    (root / "book" / "gemeenten" / "GM0034.ipynb").write_text("{}", "utf-8")
    (root / "book" / ".draft.md").write_text("hidden\n", "utf-8")
    (root / "_static" / "samenspel.css").write_text("body{}\n", "utf-8")
    (root / "_toc.yml").write_text("root: book/intro\n", "utf-8")


def test_sync_copies_the_sources_and_leaves_what_is_generated(tmp_path):
    source, work = tmp_path / "pkg", tmp_path / "work"
    _source(source)
    (work / "book" / "generated").mkdir(parents=True)
    (work / "book" / "generated" / "bronnen.md").write_text("generated in the work folder\n", "utf-8")

    written = workspace.sync(source, work)
    assert sorted(written) == ["_config.yml", "_static/samenspel.css", "book/intro.md"]
    assert (work / "book" / "intro.md").read_text("utf-8") == "# Intro\n"
    assert (work / "book" / "generated" / "bronnen.md").read_text("utf-8") == "generated in the work folder\n"
    assert not (work / "book" / "gemeenten").exists() and not (work / "_toc.yml").exists()
    assert not (work / "book" / ".draft.md").exists()


def test_a_second_sync_writes_nothing_and_keeps_modification_times(tmp_path):
    source, work = tmp_path / "pkg", tmp_path / "work"
    _source(source)
    workspace.sync(source, work)
    os.utime(work / "book" / "intro.md", (1_000_000, 1_000_000))
    assert workspace.sync(source, work) == []
    assert (work / "book" / "intro.md").stat().st_mtime == 1_000_000

    (source / "book" / "intro.md").write_text("# Intro, herzien\n", "utf-8")
    assert workspace.sync(source, work) == ["book/intro.md"]
    assert (work / "book" / "intro.md").read_text("utf-8") == "# Intro, herzien\n"


def test_sync_into_the_source_itself_does_nothing(tmp_path):
    _source(tmp_path)
    assert workspace.sync(tmp_path, tmp_path) == []


def test_the_work_folder_of_an_installed_package_is_in_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(paths.WORK_ENV, raising=False)
    monkeypatch.delenv(paths.CHAPTER_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(paths, "INSTALLED", False)
    assert paths.work_root() == paths.ROOT
    assert paths.chapter_dir() == paths.ROOT / "book" / "gemeenten"
    monkeypatch.setattr(paths, "INSTALLED", True)
    assert paths.work_root() == tmp_path / "samenspel-boek"
    assert paths.chapter_dir() == tmp_path / "samenspel-boek" / "book" / "gemeenten"
    monkeypatch.setenv(paths.WORK_ENV, str(tmp_path / "elders"))
    assert paths.chapter_dir() == tmp_path / "elders" / "book" / "gemeenten"
