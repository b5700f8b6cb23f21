"""`python -m samenspel casestudies [PAD ...]`: check case studies (messages in Dutch)."""

from __future__ import annotations

import argparse
from pathlib import Path

from samenspel import casestudies, paths
from samenspel.cli import report_check


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PAD",
        help="casestudies of mappen om te controleren (standaard: alle casestudies in casestudies/)",
    )
    parser.add_argument(
        "--bijwerken",
        action="store_true",
        help="maak eerst casestudies/TEMPLATE.md en de veldentabel in casestudies/README.md "
        "opnieuw uit het schema (samenspel/casestudies/schema.json)",
    )


def _files(arguments: list[str]) -> list[Path]:
    if not arguments:
        return casestudies.case_study_files(paths.CASESTUDY_DIR)
    files: list[Path] = []
    for arg in arguments:
        path = Path(arg)
        # A folder means every case study in it; a file is checked even when it does not
        # exist, so that the user gets a clear message about it.
        files.extend(casestudies.case_study_files(path) if path.is_dir() else [path])
    return files


def run(args: argparse.Namespace) -> int:
    if getattr(args, "bijwerken", False):
        for changed in casestudies.write_generated_docs(paths.CASESTUDY_DIR):
            print(f"Bijgewerkt: {changed}")
    files = _files(list(getattr(args, "paths", None) or []))
    if not files:
        where = ", ".join(args.paths) if getattr(args, "paths", None) else str(paths.CASESTUDY_DIR)
        print(f"Geen casestudies gevonden in {where}.")
        return 1
    problems = casestudies.validate_files(files)
    return report_check(problems, len(files), "casestudie", "casestudies", failed=1)
