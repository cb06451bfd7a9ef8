"""The moment a reply answers: what the customer just said and what the node expects.

Judging uses it: fee figures in a node that asks for a fee explanation are an
explanation, the same figures when the customer asks about a new model are
price talk.  Phrasebook patterns may be limited to moments (``if_expected``,
``unless_expected``, ``if_customer``).  A reply judged with no moment (plain
``simulator score``) is judged as in an unknown moment.
"""

from __future__ import annotations

from dataclasses import dataclass

from .scoring import DEFAULT_RULE, ScoringRule


@dataclass(frozen=True, slots=True)
class Moment:
    scenario: str = ""
    node: str = ""
    customer: str = ""
    required: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    prohibited: tuple[str, ...] = ()  # standard categories forbidden at this moment
    rule: ScoringRule = DEFAULT_RULE  # the scenario's scoring rule

    @property
    def expected(self) -> frozenset[str]:
        """Every standard category the node asks for or welcomes."""
        return frozenset(self.required) | frozenset(self.any_of) | frozenset(self.optional)


NO_MOMENT = Moment()
