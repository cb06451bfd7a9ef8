"""What the screens share: content, the compiled matcher, the store, settings.

Heavy set-up (the phrasebook compile and jieba's dictionary) happens in a
worker thread via :meth:`Services.load_engine`; the app tells the screens
when it is done (``messages.EngineReady``).
"""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any

from .. import locations
from ..errors import ContentError

if TYPE_CHECKING:  # imported lazily below: pydantic and rapidfuzz cost ~0.2 s, after the first frame
    from ..matcher import Matcher
    from ..scenario import Scenario
    from ..store import Store


class Services:
    def __init__(self, db_url: str | None = None):
        self.db_url = db_url or locations.default_database()
        self.matcher: Matcher | None = None
        self.scenarios: dict[str, Scenario] = {}
        self.store: Store | None = None
        self.warning: str | None = None  # shown once the engine is ready (e.g. the learned stage is off)
        self.scenarios_loaded = threading.Event()  # set even when loading failed, so nobody waits forever
        self._settings: dict[str, Any] | None = None

    # -- loading (called from worker threads) ---------------------------------

    def load_scenarios(self) -> None:
        from ..scenario import load_scenarios

        try:
            self.scenarios = {s.id: s for s in load_scenarios(locations.scenario_sources())}
        finally:
            self.scenarios_loaded.set()

    def open_store(self) -> None:
        from ..store import open_store

        self.store = open_store(self.db_url)

    def load_engine(self) -> None:
        if self.matcher is not None:  # already compiled (tests share one)
            return
        from ..engine import attach_learned
        from ..matcher import load_matcher
        from ..scenario import load_scenarios

        matcher = load_matcher(locations.phrasebook_sources())
        # The scenarios (their node answers teach the learned stage) are being
        # parsed by the content worker at the same time; wait rather than parse twice.
        self.scenarios_loaded.wait(timeout=60)
        try:
            scenarios = list(self.scenarios.values()) or load_scenarios(locations.scenario_sources())
            attach_learned(matcher, locations.corpus_sources(), scenarios)  # cached; trained on first run
        except ContentError as exc:
            # A broken corpus file (a trainer's own, say) must not stop practice: the rules still judge.
            self.warning = "第二阶段判别模型没有加载，只用话术库规则评判：" + "；".join(map(str, exc.problems[:3]))
        matcher.warm_up()  # jieba's dictionary: about 0.7 s
        self.matcher = matcher

    def labels(self) -> dict[str, str]:
        """Category id -> Chinese label, once the engine is loaded."""
        return self.matcher.book.labels() if self.matcher is not None else {}

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
