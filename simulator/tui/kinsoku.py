"""Line breaking for Chinese text in the TUI: break between any two characters, with 禁则.

Rich (which Textual's wrapping calls) breaks only at spaces: a run of Chinese
between two spaces is one "word", so ``你最近 2 次练习中有 1 次在“征得同意”上失分``
went down whole after the ``1`` and left a short line above.
:func:`cjk_divide_line` is rich's algorithm with each Chinese character a word
of its own, so a line fills up to the width.

Then line-start and line-end prohibition: a line may not start with 。 or ，
nor end with 「 or （.  :func:`make_divider` moves such a break one or more
characters earlier (the previous character goes down with the punctuation),
then wraps the rest afresh.  Only breaks inside a run of text are moved (never
to an empty line), so a line never grows past the width.  :func:`install`
makes Textual's text wrapping use both.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rich._loop import loop_last
from rich.cells import cell_len, chop_cells

# A "word" for wrapping: one CJK character (ideographs, kana, hangul, CJK and full-width
# punctuation, Chinese quotes), or a run of anything else; with the spaces after it.
_CJK = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u2018\u2019\u201c\u201d\u2026\u2014"
_WORD = re.compile(f"\\s*(?:[{_CJK}]|[^\\s{_CJK}]+)\\s*")


def cjk_divide_line(text: str, width: int, fold: bool = True) -> list[int]:
    """Offsets where wrapped lines start: ``rich._wrap.divide_line`` with each CJK character a word."""
    breaks: list[int] = []
    offset = 0  # cells used on the current line
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group(0)
        length = cell_len(word.rstrip())
        if width - offset >= length:
            offset += cell_len(word)
        elif length > width:  # longer than a line: folded (or cropped)
            if fold:
                for last, line in loop_last(chop_cells(word, width)):
                    if start:
                        breaks.append(start)
                    if last:
                        offset = cell_len(line)
                    else:
                        start += len(line)
            else:
                if start:
                    breaks.append(start)
                offset = cell_len(word)
        elif offset and start:
            breaks.append(start)
            offset = cell_len(word)
    return breaks


# May not start a line: closing punctuation and marks that lean on what precedes them.
NO_LINE_START = frozenset("。，、；：？！）」』】》〉〕”’…—～·%‰,.;:?!)]}>％")
# May not end a line: opening brackets and quotes.
NO_LINE_END = frozenset("（「『【《〈〔“‘([{<")

Divider = Callable[..., list[int]]


def _forbidden(text: str, cut: int) -> bool:
    return text[cut] in NO_LINE_START or text[cut - 1] in NO_LINE_END


def adjust(text: str, breaks: list[int], rewrap: Callable[[str], list[int]]) -> list[int]:
    """``breaks`` (offsets where lines start) with no line starting or ending on a forbidden character.

    A break moves back while that keeps at least one character on the line above; when no
    place on the line is allowed (nothing but punctuation), the break stays where it was.

    ``rewrap(rest)`` gives the breaks of ``rest`` wrapped on its own, for the text after a moved break.
    """
    out: list[int] = []
    start = 0
    pending = list(breaks)
    while pending:
        cut = pending.pop(0)
        moved = cut
        while moved - 1 > start and _forbidden(text, moved) and not text[moved - 1].isspace():
            moved -= 1
        if _forbidden(text, moved):  # no better place on this line: break where it was
            moved = cut
        out.append(moved)
        if moved != cut:  # the next line grew: wrap what follows afresh from here
            pending = [moved + offset for offset in rewrap(text[moved:])]
        start = moved
    return out


def make_divider(original: Divider) -> Divider:
    """Wrap ``original`` (rich's ``divide_line``) with the prohibition rules."""

    def divide_line(text: str, width: int, fold: bool = True) -> list[int]:
        breaks = original(text, width, fold=fold)
        if not any(_forbidden(text, b) for b in breaks if 0 < b < len(text)):
            return breaks
        return adjust(text, breaks, lambda rest: original(rest, width, fold=fold))

    divide_line.kinsoku = True  # type: ignore[attr-defined]
    return divide_line


def install() -> None:
    """Make Textual's text wrapping break Chinese anywhere and keep punctuation with its text (idempotent)."""
    import textual.content

    if not getattr(textual.content.divide_line, "kinsoku", False):
        textual.content.divide_line = make_divider(cjk_divide_line)
