"""``simulator serve`` in a real headless browser (issue 15, item 5).

Debian's ``chromium`` (installed by .ci/run) loads the page that
``simulator serve`` serves, over the Chrome DevTools protocol: the start
screen's Chinese title arrives, a name is typed, the picker opens, Enter opens
a scenario.  Screenshots of each step are kept in ``test-output/serve/``
(``SIMULATOR_TEST_OUTPUT`` to put them elsewhere).

The app draws on a canvas, so the text it shows is read from what the page
received over its websocket (a hook added to the page before it loads, by the
test only); the screenshots show the same screens.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = Path(os.environ.get("SIMULATOR_TEST_OUTPUT") or ROOT / "test-output") / "serve"

# Added to the page before its own scripts: keeps the text the app sends, for the test to read.
HOOK = """
(() => {
  const chunks = [];
  const decoder = new TextDecoder("utf-8");
  const Native = window.WebSocket;
  function Hooked(url, protocols) {
    const ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
    ws.addEventListener("message", (event) => {
      const data = event.data;
      if (typeof data === "string") { chunks.push(data); }
      else if (data instanceof ArrayBuffer) { chunks.push(decoder.decode(new Uint8Array(data))); }
      else if (data instanceof Blob) { data.arrayBuffer().then((b) => chunks.push(decoder.decode(new Uint8Array(b)))); }
    });
    return ws;
  }
  Hooked.prototype = Native.prototype;
  for (const key of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) { Hooked[key] = Native[key]; }
  window.WebSocket = Hooked;
  window.__simulatorText = () => chunks.join("");
})();
"""


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI must provide Debian's chromium for the browser test (installed by .ci/run)")
        pytest.skip("no chromium (apt-get install chromium, as .ci/run does)")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, proc: subprocess.Popen[str], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError("simulator serve exited: " + (proc.stderr.read() if proc.stderr else ""))
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


class Page:
    """One browser tab driven over the DevTools protocol."""

    def __init__(self, ws: Any):
        self.ws = ws
        self.ids = itertools.count(1)

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        message_id = next(self.ids)
        await self.ws.send_json({"id": message_id, "method": method, "params": params})
        while True:
            reply = json.loads((await self.ws.receive()).data)
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise AssertionError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))

    async def text(self) -> str:
        expression = "window.__simulatorText ? window.__simulatorText() : ''"
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return str(result.get("result", {}).get("value", ""))

    async def wait_for(self, needle: str, seconds: float = 60) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            text = await self.text()
            if needle in text:
                return text
            await asyncio.sleep(0.2)
        raise AssertionError(f"{needle!r} never appeared in the page")

    async def type(self, text: str) -> None:
        await self.send("Input.insertText", text=text)

    async def press_enter(self) -> None:
        for kind in ("keyDown", "keyUp"):
            await self.send(
                "Input.dispatchKeyEvent",
                type=kind,
                key="Enter",
                code="Enter",
                windowsVirtualKeyCode=13,
                nativeVirtualKeyCode=13,
                **({"text": "\r", "unmodifiedText": "\r"} if kind == "keyDown" else {}),
            )

    async def screenshot(self, name: str) -> Path:
        data = (await self.send("Page.captureScreenshot", format="png"))["data"]
        OUTPUT.mkdir(parents=True, exist_ok=True)
        path = OUTPUT / name
        path.write_bytes(base64.b64decode(data))
        return path


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[Page]:
    import aiohttp

    chromium = _chromium()
    profile = Path(tempfile.mkdtemp(prefix="simulator-chromium-"))
    proc = subprocess.Popen(
        [
            chromium,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            "--window-size=1100,760",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        active = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (active.exists() and active.read_text().strip()) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        port = int(active.read_text().split()[0])
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/json/list") as response:
                targets = await response.json()
            [page] = [t for t in targets if t["type"] == "page"]
            async with http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                yield Page(ws)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def served(tmp_path: Path) -> Any:
    port = _free_port()
    env = {**os.environ, "SIMULATOR_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT)}
    env.pop("SIMULATOR_DB", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulator", "--db", str(tmp_path / "served.sqlite3"), "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
        start_new_session=True,  # its own process group: the apps it starts for each tab end with it
    )
    try:
        _wait_for_port(port, proc)
        yield f"http://127.0.0.1:{port}/", proc, tmp_path
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # textual-serve stops gracefully on SIGTERM
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


async def test_the_app_in_a_real_browser(served: Any, browser: Page) -> None:  # the browser closes first
    url, proc, tmp_path = served
    await browser.send("Page.enable")
    await browser.send("Runtime.enable")
    await browser.send("Page.addScriptToEvaluateOnNewDocument", source=HOOK)
    await browser.send("Page.navigate", url=url)
    await browser.wait_for("售后服务情景陪练")  # the start screen's title, drawn by the app
    await browser.wait_for("你的姓名")
    shots = [await browser.screenshot("1-start.png")]
    await browser.send("Runtime.evaluate", expression="document.querySelector('.xterm-helper-textarea').focus()")
    await browser.type("王小明")
    await browser.wait_for("王小明")
    await browser.wait_for("已载入", seconds=120)  # the store is open (on a busy machine it takes a while)
    await browser.press_enter()
    await browser.wait_for("学员：王小明")  # the picker, for this trainee
    await browser.wait_for("难度")
    shots.append(await browser.screenshot("2-picker.png"))
    await browser.press_enter()  # the first scenario in the list
    await browser.wait_for("客户情绪", seconds=90)  # the play screen's mood meter
    await asyncio.sleep(0.5)
    shots.append(await browser.screenshot("3-play.png"))
    for shot in shots:  # real pictures, not blank pages
        assert shot.stat().st_size > 10_000, shot
    settings = json.loads((tmp_path / "home" / "settings.json").read_text(encoding="utf-8"))
    assert settings["trainee"] == "王小明"  # the app in the browser remembered the name typed there
    print("screenshots:", *shots)
    assert proc.poll() is None


def test_serve_says_in_chinese_when_it_listens_beyond_this_machine(tmp_path: Path) -> None:
    from simulator.cli.serve import _loopback

    assert _loopback("127.0.0.1") and _loopback("localhost") and _loopback("::1")
    assert not _loopback("0.0.0.0") and not _loopback("192.168.1.5") and not _loopback("example.com")
