"""Running a compiled pattern over a sentence view in time linear in the text, whatever the pattern.

A pattern is a sequence of keywords with bounded gaps between them (see
:mod:`simulator.patterns`).  As a backtracking regular expression it can take
exponential time: eight keywords that each match almost everywhere with gaps of
up to 20 give 21^7 ways to place the gaps from every start, and Python's ``re``
tries them all before giving up (minutes for a 200-character reply).

:class:`Program` runs the same pattern with the same answer, the match that
Python's leftmost, greedy, first-alternative-first search finds, in
O(text × keywords × log text) (times the words of a keyword, in C):

1. every occurrence of every keyword is listed (one regex pass per keyword
   finds where its longest word starts; a number ``#`` as runs of digits);
2. right to left, keyword by keyword, the *feasible* occurrence starts are
   kept: those from which the rest of the pattern can still match (its gap
   reaches a feasible start of the next keyword, checked by bisection);
3. a match is then walked from the leftmost feasible start making the choices
   the backtracking search would make first (the longest word, the longest gap,
   the longest number) among the feasible ones only, so it never backtracks.

:class:`CompiledPattern` keeps Python's regex as well and uses it when the
pattern's worst case per start position is small (``BACKTRACK_LIMIT``; all but
16 of the 287 shipped patterns), which is faster on short replies.  Both give
the same matches: a property test compares them on random patterns and texts.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

NUMBER_CHARS = "0123456789零〇一二两三四五六七八九十百千万"
_NUMBER_RUN = re.compile(f"[{NUMBER_CHARS}]+")
# Worst-case choices per start position up to which the backtracking regex runs a
# pattern.  Then an adversarial 2,000-character reply costs it tens of milliseconds,
# about what the linear engine costs, while the common case keeps C speed.
BACKTRACK_LIMIT = 2_000


class PatternMatch(NamedTuple):
    """A match in a view: ``[start, end)`` as a whole (``^``'s gap and ``$``'s particles included),
    ``[first, last)`` from the first keyword to the end of the last."""

    start: int
    end: int
    first: int
    last: int


class Keyword:
    """One keyword element: its words, longest first (none: it never matches), or a number."""

    __slots__ = ("_finder", "_prefixes", "number", "words")

    def __init__(self, words: tuple[str, ...] = (), number: bool = False):
        self.words = words
        self.number = number
        # One pass of the regex engine finds where some word starts (the longest
        # there, as alternatives are longest first); the shorter words matching
        # at the same place are that word's prefixes among the words.
        self._finder = re.compile("(?=(" + "|".join(map(re.escape, words)) + "))") if words else None
        self._prefixes = {w: tuple(len(v) for v in words if w.startswith(v)) for w in words}

    # A compiled phrasebook comes back from the user cache without its regexes (compiling
    # ~1,600 of them costs more than the rest of the load): each is compiled on first use.
    def __getstate__(self) -> tuple[tuple[str, ...], bool, dict[str, tuple[int, ...]]]:
        return self.words, self.number, self._prefixes

    def __setstate__(self, state: tuple[tuple[str, ...], bool, dict[str, tuple[int, ...]]]) -> None:
        self.words, self.number, self._prefixes = state

    def __getattr__(self, name: str) -> object:
        if name == "_finder":  # left unset by __setstate__
            words = self.words
            finder = self._finder = re.compile("(?=(" + "|".join(map(re.escape, words)) + "))") if words else None
            return finder
        raise AttributeError(name)

    def __repr__(self) -> str:
        return "Keyword(#)" if self.number else f"Keyword({self.words!r})"

    def occurs_in(self, view: str) -> bool:
        if self.number:
            return _NUMBER_RUN.search(view) is not None
        return self._finder is not None and self._finder.search(view) is not None

    def occurrences(self, view: str) -> dict[int, list[int]]:
        """Start -> ends of the words found there, longest first."""
        if self._finder is None:
            return {}
        prefixes = self._prefixes
        return {
            found.start(): [found.start() + length for length in prefixes[found.group(1)]]
            for found in self._finder.finditer(view)
        }


@dataclass(frozen=True, slots=True)
class Program:
    """A pattern as the linear-time engine runs it."""

    keywords: tuple[Keyword, ...]
    gaps: tuple[int, ...]  # the largest gap after each keyword but the last
    within_clause: bool  # gaps may not cross a ``|``
    start_anchor: bool  # ``^``: the match starts a clause, then up to ``lead_gap`` units before the first keyword
    lead_gap: int
    end_anchor: bool  # ``$``: the last keyword ends a clause, but for up to two particles
    particles: frozenset[str]

    def worst_case(self, number_run: int = 1) -> int:
        """An upper bound on the choices a backtracking search makes from one start position.

        A number can be cut anywhere in its digit run: ``number_run`` is the
        longest run of the text the pattern runs over.
        """
        steps = 1
        for keyword in self.keywords:
            steps *= number_run if keyword.number else len({len(word) for word in keyword.words})
        for gap in (*self.gaps, *((self.lead_gap,) if self.start_anchor else ())):
            steps *= gap + 1
        return steps * (3 if self.end_anchor else 1)

    def max_span(self) -> int | None:
        """The longest a match can be (``^``'s gap and ``$``'s particles included); None with a number."""
        if any(keyword.number for keyword in self.keywords):
            return None
        longest = sum(max(map(len, keyword.words), default=0) for keyword in self.keywords)
        return longest + sum(self.gaps) + (self.lead_gap if self.start_anchor else 0) + (2 if self.end_anchor else 0)

    def scan(self, view: str) -> ViewScan:
        return ViewScan(self, view)

    def finditer(self, view: str) -> Iterator[PatternMatch]:
        # Most patterns meet a sentence lacking one of their keywords: nothing to build then.
        if not all(keyword.occurs_in(view) for keyword in self.keywords):
            return iter(())
        return ViewScan(self, view).finditer()


class ViewScan:
    """One program's feasible keyword starts over one view, ready for ``finditer`` and ``match``."""

    def __init__(self, program: Program, view: str):
        self.program = program
        self.view = view
        self.n = len(view)
        self._bars: list[int] = []  # positions of the clause marks, when gaps or ``^`` need them
        if (program.within_clause or program.start_anchor) and "|" in view:
            at = view.find("|")
            while at >= 0:
                self._bars.append(at)
                at = view.find("|", at + 1)
        count = len(program.keywords)
        # Per keyword: occurrence start -> ends, longest first (words) or start -> digit-run end (numbers).
        self._ends: list[dict[int, list[int]]] = [{} for _ in range(count)]
        self._runs: list[dict[int, int]] = [{} for _ in range(count)]
        self._feasible: list[list[int]] = [[] for _ in range(count)]
        for index in range(count - 1, -1, -1):
            self._feasible[index] = self._feasible_starts(index)
            if not self._feasible[index]:
                break  # nothing can match: the earlier keywords stay infeasible

    # -- building --------------------------------------------------------------------------

    def _feasible_starts(self, index: int) -> list[int]:
        keyword = self.program.keywords[index]
        view = self.view
        if keyword.number:
            runs = self._runs[index]
            starts: list[int] = []
            for found in _NUMBER_RUN.finditer(view):
                begin, run_end = found.span()
                reach = self._number_reach(index, run_end)
                for start in range(begin, min(run_end, reach)):
                    runs[start] = run_end
                    starts.append(start)
            return starts
        ends = self._ends[index] = keyword.occurrences(view)
        return sorted(
            start for start, found in ends.items() if any(self._after(index, end) is not None for end in found)
        )

    def _number_reach(self, index: int, run_end: int) -> int:
        """Starts in a digit run before this are feasible: the run, cut at most there, can go on."""
        if index == len(self.program.keywords) - 1:
            # The greedy number takes the whole run; only a ``$`` can refuse it.
            return run_end if self._end_after(run_end) is not None else -1
        # The furthest next-keyword start the gap after the whole run reaches; a
        # shorter cut of the run reaches nothing further (see ``_walk``).
        target = self._gap_target(index, run_end, floor=0)
        return -1 if target is None else min(run_end, target)

    def _limit(self, position: int, gap: int) -> int:
        limit = min(position + gap, self.n)
        if self.program.within_clause and self._bars:
            at = bisect_left(self._bars, position)
            if at < len(self._bars):
                limit = min(limit, self._bars[at])
        return limit

    def _gap_target(self, index: int, position: int, floor: int | None = None) -> int | None:
        """The start of keyword ``index + 1`` that the greedy gap after ``position`` reaches, or None."""
        feasible = self._feasible[index + 1]
        at = bisect_right(feasible, self._limit(position, self.program.gaps[index])) - 1
        if at >= 0 and feasible[at] >= (position if floor is None else floor):
            return feasible[at]
        return None

    def _end_after(self, position: int) -> int | None:
        """Where the match ends after the last keyword ends at ``position`` (None: ``$`` refuses)."""
        if not self.program.end_anchor:
            return position
        view, n, particles = self.view, self.n, self.program.particles
        run = 0
        while run < 2 and position + run < n and view[position + run] in particles:
            run += 1
        for taken in range(run, -1, -1):
            after = position + taken
            if after == n or view[after] == "|":
                return after
        return None

    def _after(self, index: int, end: int) -> int | None:
        """Keyword ``index`` ended at ``end``: the next keyword's start (or the match end), or None."""
        if index == len(self.program.keywords) - 1:
            return self._end_after(end)
        return self._gap_target(index, end)

    # -- matching ----------------------------------------------------------------------------

    def match(self, position: int) -> PatternMatch | None:
        """The match starting exactly at ``position`` (as ``re.Pattern.match(view, position)``)."""
        program, feasible = self.program, self._feasible[0]
        if program.start_anchor:
            if position > 0 and self.view[position - 1] != "|":
                return None
            at = bisect_right(feasible, self._limit(position, program.lead_gap)) - 1
            if at < 0 or feasible[at] < position:
                return None
            start = feasible[at]
        else:
            at = bisect_left(feasible, position)
            if at == len(feasible) or feasible[at] != position:
                return None
            start = position
        return self._walk(position, start)

    def _walk(self, origin: int, start: int) -> PatternMatch:
        last_index = len(self.program.keywords) - 1
        position = start
        end: int | None
        after: int | None
        for index, keyword in enumerate(self.program.keywords):
            if keyword.number:
                run_end = self._runs[index][position]
                if index == last_index:
                    end, after = run_end, self._end_after(run_end)
                else:
                    after = self._gap_target(index, run_end, floor=position + 1)
                    end = run_end if after is not None and after >= run_end else after
            else:
                for end in self._ends[index][position]:
                    after = self._after(index, end)
                    if after is not None:
                        break
            assert after is not None and end is not None  # position was feasible
            if index == last_index:
                return PatternMatch(origin, after, start, end)
            position = after
        raise AssertionError("unreachable")  # pragma: no cover

    def finditer(self) -> Iterator[PatternMatch]:
        """Non-overlapping matches, leftmost first (as ``re.Pattern.finditer``)."""
        feasible = self._feasible[0]
        if not feasible:
            return
        if self.program.start_anchor:
            anchors = [0, *(bar + 1 for bar in self._bars)]
            index, position = 0, 0
            while index < len(anchors):
                anchor = anchors[index]
                index += 1
                if anchor < position:
                    continue
                found = self.match(anchor)
                if found is not None:
                    yield found
                    position = found.end
            return
        position = 0
        while True:
            at = bisect_left(feasible, position)
            if at == len(feasible):
                return
            found = self._walk(feasible[at], feasible[at])
            yield found
            position = found.end


class _RegexScan:
    """The backtracking regex over one view, with the engine's interface."""

    __slots__ = ("_regex", "_view")

    def __init__(self, regex: re.Pattern[str], view: str):
        self._regex = regex
        self._view = view

    def finditer(self) -> Iterator[PatternMatch]:
        for found in self._regex.finditer(self._view):
            yield regex_match(found)

    def match(self, position: int) -> PatternMatch | None:
        found = self._regex.match(self._view, position)
        return regex_match(found) if found is not None else None


def regex_match(found: re.Match[str]) -> PatternMatch:
    """A regex match of a compiled pattern (groups ``only`` or ``first``/``last``) as a PatternMatch."""
    if "only" in found.re.groupindex:
        first, last = found.span("only")
    else:
        first, last = found.start("first"), found.end("last")
    return PatternMatch(found.start(), found.end(), first, last)


Scan = ViewScan | _RegexScan  # a pattern prepared over one view: ``finditer()``, ``match(position)``


class CompiledPattern:
    """A pattern ready to run: the backtracking regex where its worst case is small, else the linear engine."""

    __slots__ = ("_numbers", "_source", "_steps", "backtrack", "linear", "program", "regex", "span")

    def __init__(self, program: Program, regex: re.Pattern[str]):
        self.program = program
        self.regex = regex
        self._source = regex.pattern
        self._steps = program.worst_case()
        self._numbers = sum(keyword.number for keyword in program.keywords)
        # Always the linear engine: the backtracking worst case is too large whatever the text.
        self.linear = self._steps > BACKTRACK_LIMIT
        # The regex, when it is safe on any text: callers in hot loops run it directly
        # (``regex_match`` on each match), saving a call per (pattern, sentence).
        self.backtrack = regex if not self.linear and not self._numbers else None
        self.span = program.max_span()

    # Pickled without the compiled regex (see Keyword): ``regex`` and ``backtrack`` are set on first use.
    def __getstate__(self) -> tuple[Program, str, int, int, bool, int | None]:
        return self.program, self._source, self._steps, self._numbers, self.linear, self.span

    def __setstate__(self, state: tuple[Program, str, int, int, bool, int | None]) -> None:
        self.program, self._source, self._steps, self._numbers, self.linear, self.span = state

    def __getattr__(self, name: str) -> object:
        if name in ("regex", "backtrack"):  # left unset by __setstate__
            regex = self.regex = re.compile(self._source)
            self.backtrack = regex if not self.linear and not self._numbers else None
            return regex if name == "regex" else self.backtrack
        raise AttributeError(name)

    def _linear_for(self, view: str) -> bool:
        if self.linear:
            return True
        if not self._numbers:
            return False
        # With a number the worst case grows with the text's longest digit run.
        run = max(map(len, _NUMBER_RUN.findall(view)), default=1)
        return self._steps * run**self._numbers > BACKTRACK_LIMIT

    def scan(self, view: str) -> Scan:
        """Prepare ``view`` for several ``.match(position)`` calls (and ``.finditer()``) sharing the work."""
        return self.program.scan(view) if self._linear_for(view) else _RegexScan(self.regex, view)

    def finditer(self, view: str) -> Iterator[PatternMatch]:
        """Non-overlapping matches in ``view``, leftmost first."""
        if self._linear_for(view):
            return self.program.finditer(view)
        # Most (pattern, view) pairs match nothing: no object per pair on this path.
        return map(regex_match, self.regex.finditer(view))
