"""`python -m samenspel actueel [--vorige FILE]`: has CBS published anything newer than the last
published book? Exit 0: yes (rebuild), 1: no, 2: CBS is unreachable.

With --schrijf FILE and/or --pagina FILE it asks CBS nothing: it writes the state of the data
in use (for the next comparison; the workflow puts it next to the book as gegevens.json) and
the data date for the book's front page.
"""

from __future__ import annotations

import json
from pathlib import Path

from samenspel.data import freshness
from samenspel.files import write_if_changed


def add_arguments(parser) -> None:
    parser.add_argument(
        "--vorige",
        metavar="BESTAND",
        help="de gegevens.json van de vorige publicatie (ontbreekt die, dan is alles nieuw)",
    )
    parser.add_argument(
        "--schrijf",
        metavar="BESTAND",
        help="schrijf de stand van de gebruikte gegevens naar BESTAND (vraagt het CBS niets)",
    )
    parser.add_argument(
        "--pagina",
        metavar="BESTAND",
        help="schrijf de datum van de gegevens als Markdown voor de voorpagina naar BESTAND",
    )


def run(args) -> int:
    if args.schrijf or args.pagina:
        current = freshness.state()
        if args.schrijf:
            write_if_changed(Path(args.schrijf), json.dumps(current, indent=2, ensure_ascii=False) + "\n")
            print(f"Stand van de gegevens geschreven naar {args.schrijf}.")
        if args.pagina:
            write_if_changed(Path(args.pagina), freshness.front_page_markdown(current))
            print(f"Datum van de gegevens voor de voorpagina geschreven naar {args.pagina}.")
        print(current["sentence"])
        return 0
    previous = freshness.read_previous(args.vorige)
    if args.vorige and previous is None:
        print(f"Geen (leesbare) vorige stand in {args.vorige}: alles telt als nieuw.")
    decision = freshness.check(previous)
    print(decision.reason)
    return decision.exit_code
