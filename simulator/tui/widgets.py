"""Small widgets used by several screens."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import Static, TextArea

from ..mood import mood_label

BLOCKS = " ▁▂▃▄▅▆▇█"


def mood_bar(mood: int, width: int = 10) -> Text:
    """▇▇▇▇▆░░░░ with the label, coloured by mood."""
    filled = mood * width / 100
    full = int(filled)
    bar = "▇" * full
    if full < width:
        remainder = filled - full
        bar += BLOCKS[int(remainder * (len(BLOCKS) - 1))] if remainder > 0.05 else ""
    bar = bar.ljust(width, "░")
    colour = "red" if mood < 40 else "yellow" if mood < 60 else "green"
    text = Text("客户情绪 ")
    text.append(bar, style=colour)
    text.append(f" {mood_label(mood)}", style=f"bold {colour}")
    return text


def stars(difficulty: int) -> str:
    return "★" * difficulty + "☆" * (3 - difficulty)


class TitleBar(Static):
    """The one-line bar at the top of a screen: where you are, and the figures that matter there."""


class MoodMeter(Static):
    """The customer's mood as a meter."""

    def show(self, mood: int) -> None:
        self.update(mood_bar(mood))


class ReplyArea(TextArea):
    """Multi-line reply box: Enter sends, Ctrl+J or Alt+Enter starts a new line."""

    class Submitted(Message):
        def __init__(self, area: ReplyArea, value: str) -> None:
            self.area = area
            self.value = value
            super().__init__()

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.post_message(self.Submitted(self, self.text))
            return
        if event.key in ("ctrl+j", "alt+enter", "shift+enter"):
            event.stop()
            event.prevent_default()
            start, end = self.selection
            self._replace_via_keyboard("\n", start, end)
            return
        await super()._on_key(event)
