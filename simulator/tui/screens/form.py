"""A small modal form: a question, a few labelled text fields, OK / cancel."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static


class FormScreen(ModalScreen[dict[str, str] | None]):
    """Ask for a few values; dismisses with {field: text} or None (cancelled)."""

    BINDINGS = [Binding("escape", "cancel", "取消", id="form.cancel", tooltip="不填了")]

    def __init__(
        self,
        question: str,
        fields: list[tuple[str, str, str]],
        ok: str = "提交",
        check: Callable[[dict[str, str]], tuple[str, str] | None] | None = None,
    ):
        """``fields``: (key, label, initial value). ``check(values)``: None when they will do, else
        (field key, what is wrong): the form stays open with everything typed, that field focused."""
        super().__init__()
        self.question = question
        self.fields = fields
        self.ok = ok
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.question, id="question")
            for key, label, value in self.fields:
                yield Static(label, classes="label")
                yield Input(value=value, id=f"field-{key}")
            with Horizontal(id="buttons"):
                yield Button(f"{self.ok}（回车）", variant="primary", id="ok")
                yield Button("取消（Esc）", id="cancel")

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def values(self) -> dict[str, str]:
        return {key: self.query_one(f"#field-{key}", Input).value.strip() for key, _, _ in self.fields}

    def on_input_submitted(self, event: Input.Submitted) -> None:
        inputs = list(self.query(Input))
        position = inputs.index(event.input)
        if position + 1 < len(inputs):
            inputs[position + 1].focus()
        else:
            self.submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self.submit()
        else:
            self.dismiss(None)

    def submit(self) -> None:
        values = self.values()
        wrong = self.check(values) if self.check is not None else None
        if wrong is None:
            self.dismiss(values)
            return
        key, message = wrong
        self.notify(message, severity="error")
        self.query_one(f"#field-{key}", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
