"""The docs site as a reader sees it: built with mkdocs, served on 127.0.0.1, and opened
in headless Chromium (Debian's ``chromium``, installed by the setup) at 1280 and 420 px.

Through the DevTools protocol each page is loaded while every request it makes is
recorded: no page may ask another host (no font CDN, no script from elsewhere). Tables
fit the page at 1280 px, no page shows a Markdown escape (``\\|``) as text, and no page
is wider than a 420 px screen. Screenshots go to ``.cache/docs-screenshots/``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

import pytest
import websocket

from runicorn_api._local_viewer import free_port

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["", "guides/cli/", "guides/plots/", "guides/assistants/", "guides/many-runs/",
         "reference/client/", "zh/", "zh/guides/cli/"]  # fmt: skip
WIDTHS = (1280, 420)
SHOTS = ROOT / ".cache" / "docs-screenshots"


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("headless Chromium is missing: the setup installs Debian's chromium")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site, built and served on a free loopback port."""
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d",
                    str(out)], cwd=ROOT, env=env, check=True, timeout=900)  # fmt: skip
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
         "--directory", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for(f"http://127.0.0.1:{port}/")
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Headless Chromium with its DevTools endpoint; its base URL."""
    profile = tmp_path_factory.mktemp("chromium")
    process = subprocess.Popen(
        [_chromium(), "--headless=new", "--no-sandbox", "--disable-gpu",
         "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
         f"--user-data-dir={profile}", "--no-first-run", "--disable-sync",
         "--disable-background-networking", "--disable-component-update",
         "--disable-default-apps", "--disable-extensions", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not port_file.exists() or not port_file.read_text().strip():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("headless Chromium did not start")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port_file.read_text().split()[0]}"
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait_for(url: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


class Page:
    """One browser tab over the DevTools protocol."""

    def __init__(self, browser: str) -> None:
        new = Request(f"{browser}/json/new?about:blank", method="PUT")
        with urlopen(new, timeout=10) as answer:
            target = json.load(answer)
        self.id = target["id"]
        self.browser = browser
        self.socket = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=60)
        self.next_id = 0
        self.requests: list[str] = []
        self.events: list[str] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self._event(message)

    def _event(self, message: dict[str, Any]) -> None:
        method = message.get("method", "")
        self.events.append(method)
        if method == "Network.requestWillBeSent":
            self.requests.append(message["params"]["request"]["url"])

    def open(self, url: str, width: int) -> None:
        self.call("Network.enable")
        self.call("Page.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=900,
                  deviceScaleFactor=1, mobile=width < 600)  # fmt: skip
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + 60
        while "Page.loadEventFired" not in self.events:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not load")
            self._event(json.loads(self.socket.recv()))
        self.call("Runtime.evaluate", expression="document.fonts.ready", awaitPromise=True)
        time.sleep(0.3)  # late requests (search index, images) are recorded as they come
        self.call("Runtime.evaluate", expression="1")

    def value(self, expression: str) -> Any:
        answer = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return answer["result"].get("value")

    def screenshot(self, path: Path) -> None:
        import base64

        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=False)
        path.write_bytes(base64.b64decode(data["data"]))

    def close(self) -> None:
        self.socket.close()
        with urlopen(f"{self.browser}/json/close/{self.id}", timeout=10):
            pass


TABLES_OVERFLOW = """
[...document.querySelectorAll('.md-typeset table')]
  .filter(t => t.scrollWidth > t.clientWidth + 1
    || t.getBoundingClientRect().right > document.documentElement.clientWidth)
  .map(t => t.querySelector('tr').innerText.slice(0, 60))
"""


@pytest.mark.parametrize("width", WIDTHS)
def test_pages_ask_no_other_host_and_fit_the_screen(site: str, browser: str, width: int) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for page_path in PAGES:
        page = Page(browser)
        try:
            page.open(site + page_path, width)
            name = (page_path.strip("/").replace("/", "-") or "index") + f"-{width}.png"
            page.screenshot(SHOTS / name)
            hosts = {urlsplit(u).hostname for u in page.requests if u.startswith("http")}
            assert hosts == {"127.0.0.1"}, (page_path, sorted(page.requests))
            assert page.value("document.title"), page_path
            text = page.value("document.body.innerText")
            assert "\\|" not in text, page_path  # a Markdown escape shown as text
            wide = page.value("document.documentElement.scrollWidth")
            assert wide <= width, (page_path, wide)
            assert page.value(TABLES_OVERFLOW) == [], page_path
        finally:
            page.close()
