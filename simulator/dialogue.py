"""The dialogue engine: a scenario played turn by turn (pure, no I/O).

Each reply is judged against the phrasebook and the node's expectations, the
customer's mood moves, a transition picks the next node, and the customer's
next line is drawn with a seeded RNG, so a session is reproducible from its
seed and its replies.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from .judge import Judgement, judge
from .matcher import Matcher
from .moment import Moment
from .record import HitRecord, ScoreLine, SessionEnd, TurnRecord
from .scenario import TIMEOUT_REPLY, Ending, Node, Scenario, Transition
from .scoring import session_score
from .text import normalize

EXAM_SEED = 20071  # exam mode: the same customer lines for everyone, so results compare
REPEAT_SIMILARITY = 90  # rapidfuzz ratio of the normalised texts
REPEAT_MIN_LENGTH = 6  # short replies (好的、谢谢您) may well recur
REPEAT_REACTION = "你刚才不是说过了吗？"


@dataclass(frozen=True, slots=True)
class Turn:
    """Everything about one played turn; the store records it as it is."""

    n: int
    node: str
    customer: str  # the line the trainee answered
    reply: str  # exactly as typed ("" for a timeout)
    timed_out: bool
    judgement: Judgement
    outcome: str  # prohibited / met / partial / missed / timeout
    mood_before: int
    mood: int  # after this turn
    score: int
    next_node: str  # a node id or an ending id
    next_customer: str  # the customer's next line, or the ending's last line
    seconds: float | None = None

    def record(self) -> TurnRecord:
        """The turn as stored and shown: plain typed values, the live judgement flattened."""
        judgement = self.judgement
        missed = list(judgement.missed)
        if judgement.missed_any:
            missed.append("|".join(judgement.missed_any))
        return TurnRecord(
            n=self.n,
            node=self.node,
            customer=self.customer,
            reply=self.reply,
            timed_out=self.timed_out,
            outcome=self.outcome,
            mood_before=self.mood_before,
            mood=self.mood,
            score=self.score,
            next_node=self.next_node,
            next_customer=self.next_customer,
            seconds=self.seconds,
            prohibited=tuple(HitRecord.of(h) for h in judgement.prohibited),
            standard=tuple(HitRecord.of(h) for h in judgement.standard),
            possible=tuple(HitRecord.of(h) for h in judgement.possible),
            uncredited=tuple(HitRecord.of(h) for h in judgement.uncredited),
            missed=tuple(missed),
            score_lines=tuple(ScoreLine(i.reason, i.delta, i.category) for i in judgement.score.items),
            repeated=judgement.repeated,
        )


@dataclass
class Dialogue:
    """One run of a scenario."""

    scenario: Scenario
    matcher: Matcher
    seed: int = 1
    node_id: str = ""
    mood: int = 0
    turns: list[Turn] = field(default_factory=list)
    ending_id: str | None = None
    customer_line: str = ""
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self.node_id = self.scenario.start
        self.mood = self.scenario.mood.start
        self.customer_line = self._line(self.node_id)

    @classmethod
    def resumed(cls, scenario: Scenario, matcher: Matcher, seed: int, replies: list[tuple[str, bool]]) -> Dialogue:
        """The dialogue an unfinished session had reached: its replies played again, same seed.

        ``replies`` are (reply, timed_out) in turn order.  The judge and the
        customer's lines are deterministic for a seed, so the conversation
        stands where it stopped (if the content has changed since, it stands
        where the same replies lead now).
        """
        dialogue = cls(scenario, matcher, seed=seed)
        for text, timed_out in replies:
            if dialogue.finished:
                break
            if timed_out:
                dialogue.timeout()
            else:
                dialogue.reply(text)
        return dialogue

    # -- state ---------------------------------------------------------------

    @property
    def node(self) -> Node:
        return self.scenario.nodes[self.node_id]

    @property
    def moment(self) -> Moment:
        """What the current reply answers: the node and the customer's line."""
        return self.scenario.moment(self.node_id, self.customer_line)

    @property
    def finished(self) -> bool:
        return self.ending_id is not None

    @property
    def ending(self) -> Ending | None:
        return self.scenario.endings[self.ending_id] if self.ending_id else None

    @property
    def path(self) -> list[str]:
        return [t.node for t in self.turns]

    @property
    def score(self) -> int:
        ending = self.ending
        return session_score(
            [t.score for t in self.turns],
            bad_ending=bool(ending and ending.outcome == "bad"),
            rule=self.scenario.model.scoring.rule(),
        )

    def _line(self, node_id: str) -> str:
        return self._rng.choice(self.scenario.nodes[node_id].customer)

    # -- play ----------------------------------------------------------------

    def reply(self, text: str, seconds: float | None = None) -> Turn:
        """Play one reply (``TIMEOUT_REPLY`` or ``timeout()`` for no reply)."""
        if self.finished:
            raise RuntimeError("scenario already finished")
        if text == TIMEOUT_REPLY:
            return self.timeout(seconds)
        node = self.node
        verdict = judge(self.matcher, text, moment=self.moment, repeated=self._is_repeat(text))
        outcome = self._outcome(node, verdict)
        return self._advance(text, False, verdict, outcome, seconds)

    def _is_repeat(self, text: str) -> bool:
        """Nearly the same as a reply the trainee already gave in this session."""
        chars = normalize(text).chars
        earlier = [normalize(t.reply).chars for t in self.turns if not t.timed_out]
        return len(chars) >= REPEAT_MIN_LENGTH and any(
            fuzz.ratio(chars, before) >= REPEAT_SIMILARITY for before in earlier
        )

    def timeout(self, seconds: float | None = None) -> Turn:
        """The trainee did not answer in time."""
        verdict = judge(self.matcher, "", moment=self.moment, timed_out=True)
        return self._advance("", True, verdict, "timeout", seconds)

    @staticmethod
    def _outcome(node: Node, verdict: Judgement) -> str:
        if verdict.prohibited:
            return "prohibited"
        if verdict.repeated:  # saying the same thing again answers nothing new
            return "missed"
        demands = len(dict.fromkeys(node.expects.required)) + bool(node.expects.any_of)
        if not demands:
            return "met"
        done = demands - len(verdict.missed) - bool(verdict.missed_any)
        if done == demands:
            return "met"
        return "partial" if done > 0 else "missed"

    def _mood_delta(self, node: Node, verdict: Judgement, outcome: str) -> int:
        defaults = self.scenario.mood
        override = getattr(node.mood, outcome, None)
        if override is not None:
            return override
        if outcome == "prohibited":
            worst = min(
                (getattr(defaults, h.severity or "major") for h in verdict.prohibited),
                default=defaults.major,
            )
            return worst
        return int(getattr(defaults, outcome))

    def _choose(self, node: Node, verdict: Judgement, outcome: str) -> Transition | None:
        hit_categories = {h.category for h in verdict.prohibited}
        severities = {h.severity or "major" for h in verdict.prohibited}
        for transition in node.transitions:
            when = transition.when
            if when == "always":
                return transition
            if when == "mood_below" and transition.value is not None and self.mood < transition.value:
                return transition
            if when == "mood_above" and transition.value is not None and self.mood > transition.value:
                return transition
            if when != outcome:
                continue
            if when == "prohibited":
                if transition.category and transition.category not in hit_categories:
                    continue
                if transition.severity and not severities & set(transition.severity):
                    continue
            return transition
        return None

    def _advance(self, text: str, timed_out: bool, verdict: Judgement, outcome: str, seconds: float | None) -> Turn:
        node = self.node
        before = self.mood
        self.mood = max(0, min(100, before + self._mood_delta(node, verdict, outcome)))
        transition = self._choose(node, verdict, outcome)
        target = transition.goto if transition else self.node_id  # no match: the customer repeats himself
        if target not in self.scenario.endings and len(self.turns) + 1 >= self.scenario.max_turns:
            target = self.scenario.max_turns_ending
        if target in self.scenario.endings:
            self.ending_id = target
            next_line = self.scenario.endings[target].customer
        else:
            next_line = self._line(target)
        if verdict.repeated:  # the customer notices
            next_line = REPEAT_REACTION + next_line
        turn = Turn(
            n=len(self.turns) + 1,
            node=self.node_id,
            customer=self.customer_line,
            reply=text,
            timed_out=timed_out,
            judgement=verdict,
            outcome=outcome,
            mood_before=before,
            mood=self.mood,
            score=verdict.score.value,
            next_node=target,
            next_customer=next_line,
            seconds=seconds,
        )
        self.turns.append(turn)
        if not self.finished:
            self.node_id = target
            self.customer_line = next_line
        return turn

    def end(self) -> SessionEnd | None:
        """How the session ended, or None while it goes on."""
        ending = self.ending
        if self.ending_id is None or ending is None:
            return None
        score = self.score
        passed = ending.outcome != "bad" and score >= self.scenario.model.scoring.pass_mark
        return SessionEnd(
            ending=self.ending_id, outcome=ending.outcome, score=score, turns=len(self.turns), passed=passed
        )

    def result(self) -> dict[str, Any]:
        ending = self.ending
        return {
            "scenario": self.scenario.id,
            "finished": self.finished,
            "ending": self.ending_id,
            "outcome": ending.outcome if ending else None,
            "ending_title": ending.title if ending else None,
            "score": self.score,
            "turns": len(self.turns),
            "path": self.path,
            "mood": self.mood,
        }
