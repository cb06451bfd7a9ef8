"""Text made safe to show: on a terminal (no escape sequences) and in a spreadsheet (no formulas).

Stored data is never changed; only what is printed or exported.
"""

from __future__ import annotations

import re


def _control_table(newlines: bool) -> dict[int, str]:
    table = {c: chr(0x2400 + c) for c in range(0x20)}  # C0 controls as their ␛-style pictures
    table[0x7F] = "\u2421"  # ␡
    table.update({c: "\ufffd" for c in range(0x80, 0xA0)})  # C1 controls (0x9B is a one-byte CSI)
    # Bidirectional overrides and isolates would let a name display as something else.
    table.update({c: "\ufffd" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F)})
    table[0x09] = " "
    if newlines:
        del table[0x0A]
    else:
        table[0x0A] = " "
        table[0x0D] = " "
    return table


_ONE_LINE = _control_table(newlines=False)
_MULTI_LINE = _control_table(newlines=True)


def printable(text: str, *, newlines: bool = False) -> str:
    """``text`` safe to print on a terminal: no escape sequences, nothing that rewrites the screen.

    Control characters become visible stand-ins (ESC shows as ␛), one for one,
    so hit spans computed on the original text still point at the same places.
    A stored reply or name is never changed; only what is printed.
    """
    return text.translate(_MULTI_LINE if newlines else _ONE_LINE)


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def csv_cell(value: object) -> object:
    """A value safe to open in a spreadsheet (OWASP's advice on CSV injection).

    Text that starts like a formula (= + - @, tab or carriage return) gets a
    leading apostrophe, so Excel shows it instead of running it; numbers,
    negative ones included, stay numbers.  Control characters are made visible.
    """
    if not isinstance(value, str):
        return value
    text = printable(value)
    if value[:1] in ("=", "+", "-", "@", "\t", "\r") and not _NUMBER.match(value):
        return "'" + text
    return text
