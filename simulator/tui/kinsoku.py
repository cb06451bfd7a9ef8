"""Line-start and line-end prohibition (禁则) for wrapped Chinese text in the TUI.

Textual wraps Chinese text wherever the cells run out, so a line may start
with 。 or ， and one may end with 「 or （.  :func:`divide_line` moves such a
break one or more characters earlier (the previous character goes down with
the punctuation), then wraps the rest afresh; :func:`install` makes Textual's
text wrapping use it.  Only breaks inside a run of text are moved (never to an
empty line), so a line never grows past the width.
"""

from __future__ import annotations

from collections.abc import Callable

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
    """Make Textual's text wrapping keep punctuation with its text (idempotent)."""
    import textual.content

    current = textual.content.divide_line
    if not getattr(current, "kinsoku", False):
        textual.content.divide_line = make_divider(current)
