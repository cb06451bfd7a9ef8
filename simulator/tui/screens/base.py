"""What every screen of the app shares: typed access to the services, and store reads off the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from textual import on, work
from textual.message import Message
from textual.screen import Screen

from ..services import Services

if TYPE_CHECKING:
    from ...store import Store

T = TypeVar("T")


class _HasServices(Protocol):
    services: Services
    startup_error: str | None


@dataclass
class StoreRead(Message):
    """The result of a store query run by a worker, delivered on the UI thread."""

    then: Callable[[Any], None]
    result: Any = None
    error: str | None = None


class AppScreen(Screen[None]):
    """A screen of :class:`tui.app.SimulatorApp`."""

    @property
    def services(self) -> Services:
        return cast(_HasServices, self.app).services

    @property
    def startup_error(self) -> str | None:
        return cast(_HasServices, self.app).startup_error

    def labels(self) -> dict[str, str]:
        """Category id -> Chinese label (empty until the engine is ready)."""
        return self.services.labels()

    def read_store(self, query: Callable[[Store], T], then: Callable[[T], None]) -> None:
        """Run ``query`` against the store in a thread worker; ``then`` gets the result on the UI thread.

        The UI never waits on the database, however large the team's history.
        Nothing happens while the store is not open yet (screens also ask again
        on ``ContentReady``).
        """
        if self.services.store is not None:
            self._read(query, then)

    @work(thread=True, group="store-read")
    def _read(self, query: Callable[[Store], Any], then: Callable[[Any], None]) -> None:
        store = self.services.store
        if store is None:
            return
        try:
            result = query(store)
        except Exception as exc:  # noqa: BLE001 - shown to the user; the screen stays usable
            self.post_message(StoreRead(then, error=str(exc)))
            return
        self.post_message(StoreRead(then, result))

    @on(StoreRead)
    def _deliver(self, message: StoreRead) -> None:
        if message.error is not None:
            self.notify(f"读取进度数据库失败：{message.error}", severity="error", timeout=10, markup=False)
            return
        message.then(message.result)
