"""The package: one source of truth for the version and the dependencies, the console script,
the repository folders shipped inside an installed package, and the Pages workflow."""

import os
import re
import shutil
import subprocess
import sys
import tomllib

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import samenspel
from tests.conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))


def _requirements_txt() -> list[Requirement]:
    lines = (ROOT / "requirements.txt").read_text("utf-8").splitlines()
    return [Requirement(line) for line in (x.split("#")[0].strip() for x in lines) if line]


def test_the_version_comes_from_the_package():
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "samenspel.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", samenspel.__version__)
    assert PYPROJECT["project"]["requires-python"] == ">=3.11"


def test_requirements_pin_exactly_the_dependencies_within_their_ranges():
    ranges = {
        canonicalize_name(r.name): r
        for r in map(
            Requirement, PYPROJECT["project"]["dependencies"] + PYPROJECT["project"]["optional-dependencies"]["test"]
        )
    }
    pins = {canonicalize_name(r.name): r for r in _requirements_txt()}
    assert sorted(pins) == sorted(ranges), "requirements.txt and pyproject.toml name different packages"
    for name, pin in pins.items():
        spec = list(pin.specifier)
        assert len(spec) == 1 and spec[0].operator == "==", f"{name}: requirements.txt pins one version"
        assert ranges[name].specifier.contains(spec[0].version, prereleases=True), (
            f"{name}=={spec[0].version} is outside pyproject.toml's {ranges[name].specifier}"
        )


def test_the_console_script_is_the_cli():
    assert PYPROJECT["project"]["scripts"] == {"samenspel": "samenspel.cli:main"}
    from samenspel.cli import main

    assert callable(main)


def _shared():
    sys.path.insert(0, str(ROOT))
    try:
        import setup as setup_py  # setup() runs only as a script
    finally:
        sys.path.remove(str(ROOT))
    return {rel for _, rel in setup_py.shared_files(ROOT)}


def test_the_repository_folders_are_shipped_and_local_files_are_not():
    shared = _shared()
    for rel in (
        "data/tables.yml",
        "data/indicators.yml",
        "data/herindelingen.yml",
        "data/momentopname/MANIFEST.json",
        "data/momentopname/85984NED/TypedDataSet.json.gz",
        "notebooks/gemeente.ipynb",
        "book/intro.md",
        "_config.yml",
        "_toc.yml",
        "casestudies/README.md",
    ):
        assert rel in shared, rel
    assert not any(r.startswith(("data/cbs/", "book/generated/", "_build/")) or "__pycache__" in r for r in shared)
    assert "_static/plotly.min.js" not in shared


def test_an_installed_package_reads_its_own_copy_not_the_working_directory(tmp_path):
    """As pip lays it out: samenspel/ with the repository folders in samenspel/_share/, run
    from another folder with no variable; the CBS tables come from the embedded snapshot."""
    site = tmp_path / "site-packages"
    shutil.copytree(ROOT / "samenspel", site / "samenspel", ignore=shutil.ignore_patterns("__pycache__", "_share"))
    for rel in _shared():
        (site / "samenspel" / "_share" / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, site / "samenspel" / "_share" / rel)
    elsewhere = tmp_path / "ergens"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMENSPEL_")}
    env.update(PYTHONPATH=str(site), XDG_CACHE_HOME=str(tmp_path / "cache"))
    probe = (
        "from samenspel import paths\n"
        "from samenspel.data import cbs\n"
        "assert paths.INSTALLED and paths.ROOT == paths.PACKAGE_DIR / '_share', paths.ROOT\n"
        "assert paths.cache_dir() == __import__('pathlib').Path(r'%s') / 'samenspel' / 'cbs'\n"
        "t = cbs.load_table('85984NED', download=False)\n"
        "assert t.path.parent == paths.MOMENTOPNAME_DIR, t.path\n"
        "print(cbs.data_origin().sentence)\n"
    ) % (tmp_path / "cache")
    run = subprocess.run([sys.executable, "-c", probe], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "meegeleverde CBS-momentopname" in run.stdout
    run = subprocess.run(
        [sys.executable, "-m", "samenspel", "casestudies"], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0 and "geen problemen" in run.stdout, run.stdout + run.stderr


def test_the_pages_workflow_rebuilds_weekly_only_when_cbs_has_something_new():
    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "book.yml").read_text("utf-8"))
    assert flow[True]["schedule"]  # `on:` reads as True in YAML 1.1
    steps = flow["jobs"]["build"]["steps"]
    decide = next(s for s in steps if s.get("id") == "decide")
    assert "samenspel actueel --vorige" in decide["run"]
    after = steps[steps.index(decide) + 1 :]
    assert all(s.get("if") == "steps.decide.outputs.build == 'true'" for s in after)
    assert any("actueel --schrijf _build/html/gegevens.json" in s.get("run", "") for s in after)
    assert flow["jobs"]["deploy"]["if"] == "needs.build.outputs.build == 'true'"
