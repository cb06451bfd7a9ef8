"""Tables and CSV as the review commands print them (shared by ``review`` and ``assign``)."""

from __future__ import annotations

import csv
from typing import Any, TextIO

from ..terminal import csv_cell, printable

RICH_ROWS = 200  # beyond this a table is printed as aligned plain text: rich takes seconds for 10,000 rows


def _plain_table(out: TextIO, title: str, header: list[str], rows: list[list[str]], right: set[int]) -> None:
    """Columns aligned by display width (a Chinese character is two columns), one write per row."""
    from rich.cells import cell_len

    cells = [[printable(c) for c in header]] + [[printable(c) for c in row] for row in rows]
    widths = [max(cell_len(row[i]) for row in cells) for i in range(len(header))]

    def line(row: list[str]) -> str:
        padded = []
        for i, cell in enumerate(row):
            gap = " " * (widths[i] - cell_len(cell))
            padded.append(gap + cell if i in right else cell + gap)
        return "  ".join(padded).rstrip()

    out.write(printable(title) + f"（共 {len(rows)} 行）\n")
    out.write(line(cells[0]) + "\n")
    out.write("  ".join("─" * w for w in widths) + "\n")
    out.writelines(line(row) + "\n" for row in cells[1:])


def write_table(
    out: TextIO, title: str, header: list[str], rows: list[list[str]], justify_right: set[int] | None = None
) -> None:
    if len(rows) > RICH_ROWS:
        _plain_table(out, title, header, rows, justify_right or set())
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # Cells are Text, never markup: a name like "[bold]" or one carrying escape codes prints as typed.
    table = Table(title=Text(printable(title)), header_style="bold", show_lines=False)
    for index, name in enumerate(header):
        table.add_column(name, justify="right" if justify_right and index in justify_right else "left")
    for row in rows:
        table.add_row(*(Text(printable(cell)) for cell in row))
    tty = hasattr(out, "isatty") and out.isatty()
    # On a terminal rich fits the table to the window; piped output is not cut.
    Console(file=out, highlight=False, width=None if tty else 200).print(table)


def write_csv(out: TextIO, header: list[str], rows: list[list[Any]]) -> None:
    """CSV for Excel: a UTF-8 byte-order mark first, every cell safe to open (see ``csv_cell``)."""
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
