"""What every screen of the app shares: typed access to the services, a title bar."""

from __future__ import annotations

from typing import Protocol, cast

from textual.screen import Screen

from ..services import Services


class _HasServices(Protocol):
    services: Services
    startup_error: str | None


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
