"""`python -m samenspel download [TABEL ...]`: fetch CBS tables into the local cache."""

from __future__ import annotations

import sys

from samenspel import cbs
from samenspel.errors import SamenspelError


def add_arguments(parser) -> None:
    parser.add_argument("tabellen", nargs="*", metavar="TABEL",
                        help="CBS-tabelcodes (standaard: alle tabellen uit data/tables.yml)")


def run(args) -> int:
    ids = args.tabellen or sorted(cbs.table_ids().values())
    failures = 0
    for table_id in ids:
        try:
            folder, warning = cbs.refresh(table_id)
        except SamenspelError as exc:
            print(f"Fout bij {table_id}: {exc.message}", file=sys.stderr)
            failures += 1
            continue
        print(warning or f"Tabel {table_id} opgehaald in {folder}.")
    return 1 if failures else 0
