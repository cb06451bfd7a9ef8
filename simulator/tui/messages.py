"""Messages between the screens and the app.

Screens never import one another: they post a navigation request
(``Open*``), which bubbles to :class:`app.SimulatorApp`, the one place that
builds screens.  The app tells open screens that start-up work finished with
``ContentReady`` and ``EngineReady``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from ..dialogue import Dialogue
    from ..record import SessionRecord
    from ..scenario import Scenario


class ContentReady(Message, bubble=False):
    """Scenarios are loaded and the store is open."""


class EngineReady(Message, bubble=False):
    """The phrasebook is compiled and the learned stage attached: replies can be judged."""


@dataclass
class OpenPicker(Message):
    trainee: str


@dataclass
class OpenPlay(Message):
    """Start (or resume) a scenario; ``replace`` swaps it for the current screen (a retry)."""

    trainee: str
    scenario: Scenario
    exam: bool = False
    resume: SessionRecord | None = None
    replace: bool = False


@dataclass
class OpenDebrief(Message):
    trainee: str
    scenario: Scenario
    dialogue: Dialogue
    session_id: int | None
    exam: bool


@dataclass
class OpenProgress(Message):
    trainee: str


class OpenTeam(Message):
    """The team lead's view of every trainee."""


class OpenAssignments(Message):
    """Assignments and their completion (from the team view)."""


@dataclass
class OpenTraineeSessions(Message):
    trainee: str


@dataclass
class OpenTranscript(Message):
    session_id: int


@dataclass
class OpenReview(Message):
    """The trainer's review queue (复核)."""

    reviewer: str
