"""`python -m samenspel doelen GEMEENTE` writes a goals file to fill in;
`python -m samenspel doelen --controleer [PAD ...]` checks goals files (messages in Dutch);
`--bijwerken` remakes doelen/TEMPLATE.yml and the tables in doelen/README.md."""

from __future__ import annotations

import argparse
from pathlib import Path

from samenspel import goals, paths
from samenspel.casestudies.parse import display_path
from samenspel.cli import report_check
from samenspel.errors import SamenspelError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "namen",
        nargs="*",
        metavar="GEMEENTE of PAD",
        help="de gemeente waarvoor een doelenbestand wordt gemaakt (naam of code, bijvoorbeeld Almere "
        "of GM0034); met --controleer: doelenbestanden of mappen om te controleren (standaard: alle "
        "bestanden in doelen/)",
    )
    parser.add_argument(
        "--controleer",
        action="store_true",
        help="controleer de doelenbestanden en toon elk probleem",
    )
    parser.add_argument(
        "--bijwerken",
        action="store_true",
        help="maak doelen/TEMPLATE.yml en de tabellen in doelen/README.md opnieuw uit het schema "
        "(samenspel/goals/schema.json) en data/indicators.yml",
    )


def _files(arguments: list[str]) -> list[Path]:
    if not arguments:
        return goals.goal_files(paths.doelen_dir())
    files: list[Path] = []
    for arg in arguments:
        path = Path(arg)
        # A folder means every goals file in it; a file is checked even when it does not
        # exist, so that the user gets a clear message about it.
        files.extend(goals.goal_files(path) if path.is_dir() else [path])
    return files


def check(arguments: list[str]) -> int:
    files = _files(arguments)
    if not files:
        where = ", ".join(arguments) if arguments else str(paths.doelen_dir())
        print(f"Geen doelenbestanden gevonden in {where}.")
        return 2 if arguments else 0
    problems = goals.validate_files(files)
    return report_check(problems, len(files), "doelenbestand", "doelenbestanden", failed=2)


def write_template(arguments: list[str]) -> int:
    if not arguments:
        raise SamenspelError(
            "Noem de gemeente waarvoor u een doelenbestand wilt maken (bijvoorbeeld: python -m samenspel "
            "doelen Almere), of controleer de doelenbestanden met --controleer."
        )
    # 'doelen Bergen op Zoom' without quotes is one name.
    path = display_path(goals.write_template(" ".join(arguments)), paths.ROOT)
    print(f"Geschreven: {path}")
    print(
        "Vul de bron en de doelen in (zie de uitleg bovenaan het bestand) en controleer het daarna met: "
        f"python -m samenspel doelen --controleer {path}"
    )
    return 0


def run(args: argparse.Namespace) -> int:
    arguments = list(getattr(args, "namen", None) or [])
    if getattr(args, "bijwerken", False):
        for changed in goals.write_generated_docs(paths.DOELEN_DIR):
            print(f"Bijgewerkt: {changed}")
        if not args.controleer and not arguments:
            return 0
    if getattr(args, "controleer", False):
        return check(arguments)
    return write_template(arguments)
