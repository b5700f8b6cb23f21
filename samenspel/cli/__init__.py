"""The one entry point, `python -m samenspel <opdracht> ...`, and one module per command.
May import everything below it in the flow; nothing imports the CLI (messages in Dutch)."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from samenspel import paths
from samenspel.errors import SamenspelError
from samenspel.paths import SNAPSHOT_ENV

# Each command lives in its own module, which provides `add_arguments(parser)` and
# `run(args) -> int`. Modules are imported only when their command runs.
COMMANDS = {
    "gemeenten": ("samenspel.cli.gemeenten", "Toon alle gemeenten van een jaar."),
    "hoofdstuk": ("samenspel.cli.hoofdstuk", "Maak het hoofdstuk van een of meer gemeenten."),
    "boek": ("samenspel.cli.boek", "Bouw het boek (met --alle eerst alle hoofdstukken)."),
    "casestudies": ("samenspel.cli.casestudies", "Controleer alle casestudies."),
    "doelen": ("samenspel.cli.doelen", "Maak een doelenbestand voor een gemeente, of controleer ze (--controleer)."),
    "download": ("samenspel.cli.download", "Haal CBS-tabellen op in de lokale cache."),
    "momentopname": (
        "samenspel.cli.momentopname",
        "Maak de meegeleverde momentopname data/momentopname/ uit een map met CBS-tabellen.",
    ),
    "actueel": (
        "samenspel.cli.actueel",
        "Vraag het CBS of er nieuwere tabellen zijn dan bij de vorige publicatie (0: ja, 1: nee, "
        "2: CBS niet bereikbaar).",
    ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m samenspel",
        description="Samenspel: vergelijk gemeenten in het sociaal domein met open data van het CBS.",
    )
    parser.add_argument(
        "--snapshot",
        metavar="MAP",
        help=f"lees CBS-tabellen uit deze map en maak geen verbinding met het CBS "
        f"(gelijk aan de omgevingsvariabele {SNAPSHOT_ENV})",
    )
    sub = parser.add_subparsers(dest="command", metavar="opdracht")
    for name, (module_name, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        importlib.import_module(module_name).add_arguments(p)
    return parser


def positive_jobs(value: int | None) -> int:
    """The worker count of -j/--jobs: 1 or more (default: the number of processor cores)."""
    if value is None:
        return os.cpu_count() or 1
    if value < 1:
        raise SamenspelError(f"Het aantal processen (-j/--jobs) moet 1 of meer zijn, niet {value}.")
    return value


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def report_check(problems: list, n_files: int, one: str, many: str, failed: int) -> int:
    """Print each problem of a validator run and a summary line; `failed` when there are
    problems, else 0. Shared by the case-study and the goals checks."""
    for problem in problems:
        print(problem)
    checked = plural(n_files, one, many)
    if problems:
        bad_files = len({p.file for p in problems})
        print(
            f"{checked} gecontroleerd: {plural(len(problems), 'probleem', 'problemen')} "
            f"in {plural(bad_files, 'bestand', 'bestanden')}."
        )
        return failed
    print(f"{checked} gecontroleerd, geen problemen.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.snapshot:
        os.environ[SNAPSHOT_ENV] = args.snapshot
    # The work folder is decided once, here: the chapter kernels run in another folder and
    # must write their CSVs next to the chapters.
    os.environ[paths.WORK_ENV] = str(paths.work_root())
    if not args.command:
        parser.print_help()
        return 2
    module = importlib.import_module(COMMANDS[args.command][0])
    try:
        return int(module.run(args) or 0)
    except SamenspelError as exc:
        print(f"Fout: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # e.g. `... | head`
        return 0
    except KeyboardInterrupt:
        print("Afgebroken.", file=sys.stderr)
        return 130
