"""The picker's own section: the trainee's assignments (due, passed, overdue) and what to practise next.

A widget of its own so the picker needs only to place it and reload it; it
reads the store through its screen's worker (``AppScreen.read_store``).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.widgets import Static

from ..assignments import AssignmentProgress, build_progress, order_for_trainee
from ..recommend import Recommendation, losses_from_rows, recommend
from ..terminal import printable

if TYPE_CHECKING:
    from ..scenario import Scenario
    from ..store import Store
    from .screens.base import AppScreen
    from .services import Services

SHOWN = 3  # assignments listed; the rest are counted
STATE_STYLE = {"overdue": "bold red", "due": "bold yellow", "passed": "green"}
STATE_MARK = {"overdue": "⚠ 已逾期", "due": "● 待完成", "passed": "✓ 已通过"}


class TasksPanel(Static):
    """我的任务 at the top of the picker (hidden when there is nothing to show)."""

    def __init__(self, trainee: str, **kwargs: object):
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.trainee = trainee
        self.assignments: list[AssignmentProgress] = []
        self.recommendations: list[Recommendation] = []
        self.display = False

    def reload(self) -> None:
        today = date.today().isoformat()
        trainee = self.trainee
        screen = cast("AppScreen", self.screen)
        services = screen.services
        scenarios = list(services.scenarios.values())

        def read(store: Store) -> tuple[list[AssignmentProgress], list[Recommendation]]:
            assignments = order_for_trainee(build_progress(store.assignment_rows(trainee), today))
            return assignments, next_scenarios(store, services, trainee, scenarios)

        screen.read_store(read, self.show)

    def show(self, found: tuple[list[AssignmentProgress], list[Recommendation]]) -> None:
        assignments, self.recommendations = found
        self.assignments = assignments
        self.display = bool(assignments or self.recommendations)
        text = Text()
        for p in assignments[:SHOWN]:
            state = p.standings[0].state if p.standings else "due"
            if text:
                text.append("\n")
            text.append(STATE_MARK[state], style=STATE_STYLE[state])
            text.append(" " + printable(p.assignment.describe()))
            best = p.standings[0].best if p.standings else None
            if best is not None and state != "passed":
                text.append(f"  最好 {best} 分", style="dim")
        if len(assignments) > SHOWN:
            text.append(f"\n……还有 {len(assignments) - SHOWN} 项任务", style="dim")
        shown = Text("我的任务：", style="bold") + Text("\n") + text if text else Text()
        if self.recommendations:
            if shown:
                shown.append("\n")
            shown.append("下一步练什么：", style="bold")
            shown.append(printable(self.recommendations[0].reason), style="cyan")
        self.update(shown)


_LABELS: dict[str, str] = {}


def category_labels(services: Services) -> dict[str, str]:
    """Category id -> Chinese label: from the engine once it is ready, else read from the phrasebook once."""
    labels = services.labels()
    if labels:
        return labels
    if not _LABELS:
        from .. import locations
        from ..errors import ContentError
        from ..phrasebook import load_phrasebook

        try:
            _LABELS.update(load_phrasebook(locations.phrasebook_sources()).labels())
        except ContentError:
            pass  # the ids are shown instead
    return _LABELS


def next_scenarios(store: Store, services: Services, trainee: str, scenarios: list[Scenario]) -> list[Recommendation]:
    """What ``trainee`` should practise next (run in a store worker)."""
    return recommend(losses_from_rows(store.recent_losses(trainee)), scenarios, category_labels(services))
