"""What the screens share: content, the compiled matcher, the store, settings.

Heavy set-up (the compiled phrasebook, the learned stage, the segmenter) happens in a
worker thread via :meth:`Services.load_engine`; the app tells the screens
when it is done (``messages.EngineReady``).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import locations
from ..errors import ContentError, Problem

if TYPE_CHECKING:  # imported lazily below: pydantic and rapidfuzz cost ~0.2 s, after the first frame
    from ..matcher import Matcher
    from ..scenario import Scenario
    from ..store import Store


class Services:
    def __init__(
        self, db_url: str | None = None, scenarios: list[Path] | None = None, phrasebook: list[Path] | None = None
    ):
        self.db_url = db_url or locations.default_database()
        self.extra_scenarios = list(scenarios or [])  # ``simulator --scenarios``
        self.extra_phrasebook = list(phrasebook or [])  # ``simulator --phrasebook``
        self.skipped: list[Problem] = []  # problems of the content files left out (shown in a banner)
        self._skipped_lock = threading.Lock()
        self.matcher: Matcher | None = None
        self.scenarios: dict[str, Scenario] = {}
        self.store: Store | None = None
        self.warning: str | None = None  # shown once the engine is ready (e.g. the learned stage is off)
        self.scenarios_loaded = threading.Event()  # set even when loading failed, so nobody waits forever
        self._settings: dict[str, Any] | None = None
        self._labels: dict[str, str] = {}

    # -- loading (called from worker threads) ---------------------------------

    def load_scenarios(self) -> None:
        """Every scenario file that loads; a broken or duplicate one is left out (see ``skipped``)."""
        from ..sources import load_scenarios_skipping

        try:
            loaded, problems = load_scenarios_skipping(locations.scenario_sources(self.extra_scenarios))
            self.scenarios = {s.id: s for s in loaded}
            self._skip(problems)
        finally:
            self.scenarios_loaded.set()

    def open_store(self) -> None:
        from ..store import open_store

        self.store = open_store(self.db_url)

    def load_engine(self) -> None:
        if self.matcher is not None:  # already compiled (tests share one)
            self.scenarios_loaded.wait(timeout=60)
            self._check_categories(self.matcher)
            return
        from ..engine import attach_learned
        from ..sources import load_matcher_skipping

        sources = locations.phrasebook_sources(self.extra_phrasebook)
        matcher, problems = load_matcher_skipping(sources[:1], sources[1:])  # a broken bundled phrasebook raises
        self._skip(problems)
        # The scenarios (their node answers teach the learned stage) are being
        # parsed by the content worker at the same time; wait rather than parse twice.
        self.scenarios_loaded.wait(timeout=60)
        self._check_categories(matcher)
        try:
            attach_learned(  # cached, keyed by the files' bytes as the CLI keys it
                matcher,
                locations.corpus_sources(),
                list(self.scenarios.values()),
                scenario_sources=locations.scenario_sources(self.extra_scenarios),
            )
        except ContentError as exc:
            # A broken corpus file (a trainer's own, say) must not stop practice: the rules still judge.
            self.warning = "第二阶段判别模型没有加载，只用话术库规则评判：" + "；".join(map(str, exc.problems[:3]))
        matcher.warm_up()  # the negation window's segmenter, from the user cache
        self.matcher = matcher

    def _check_categories(self, matcher: Matcher) -> None:
        """Now that the phrasebook is known: leave out scenarios naming a category it lacks."""
        from ..scenario import check_graph

        kinds = matcher.book.kinds()
        kept, problems = {}, []
        for scenario_id, scenario in self.scenarios.items():
            found = check_graph(scenario, kinds)
            if found:
                problems.extend(found)
            else:
                kept[scenario_id] = scenario
        if problems:
            self.scenarios = kept
            self._skip(problems)

    def _skip(self, problems: list[Problem]) -> None:
        with self._skipped_lock:
            self.skipped = [*self.skipped, *problems]

    def load_labels(self) -> None:
        """The categories' Chinese names, read before the engine is ready (the review screens need only them).

        Straight from the files, cached by their bytes (no validation, no compile); a broken file of the
        user's hides only its own categories' names.
        """
        from ..labels import category_labels

        self._labels = category_labels(locations.phrasebook_sources(self.extra_phrasebook))

    def labels(self) -> dict[str, str]:
        """Category id -> Chinese label: the engine's, or the ones read at start-up."""
        return self.matcher.book.labels() if self.matcher is not None else dict(self._labels)

    # -- settings --------------------------------------------------------------

    @property
    def settings(self) -> dict[str, Any]:
        if self._settings is None:
            try:
                self._settings = json.loads(locations.settings_file().read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self._settings = {}
        return self._settings

    def remember(self, **values: Any) -> None:
        self.settings.update(values)
        path = locations.settings_file()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(self.settings, ensure_ascii=False), encoding="utf-8")
        except OSError:
            pass  # settings are a convenience; never fail the app over them

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
