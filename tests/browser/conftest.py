"""Real-browser fixtures: the app under gunicorn (two workers, like production) and Debian's
headless Chromium driven by Playwright.

After every browser test, automatically: no console error in the page and no traceback in the
server's log (as plotly/dash's own ``dash_duo.get_logs() == []``). A failing test leaves a
screenshot in tests/artifacts/. With ``CI`` set, a missing Chromium fails the run.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.harness import CHROMIUM, ROOT, free_port, launch_chromium, start_server, stop_server
from tests.conftest import skip_or_fail

ARTIFACTS = ROOT / "tests" / "artifacts"
BROWSER_SONGS = 6_000  # small enough that even the exact Ward tree builds in well under a second


@dataclass
class Server:
    """A running ``gunicorn app:server`` and its log, read from an offset per test."""

    url: str
    log: Path
    process: object
    cache_dir: Path
    env: dict
    unprivileged: bool = False

    def restart(self) -> None:
        """Stop the server and start it again on the same port, log and settings (a deploy, a crash)."""
        stop_server(self.process)
        port = int(self.env["PORT"])
        self.process = start_server(port, self.env, self.log, unprivileged=self.unprivileged)

    def log_size(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    def log_since(self, offset: int) -> str:
        with self.log.open("rb") as handle:
            handle.seek(offset)
            return handle.read().decode("utf-8", "replace")


def _start(tmp_path_factory, unprivileged: bool = False, **env: str) -> Server:
    port = free_port()
    cache = tmp_path_factory.mktemp("cache")
    if unprivileged:  # the unprivileged account must reach and write its cache directory
        cache = Path(tempfile.mkdtemp(prefix="amc-cache-"))
        cache.chmod(0o777)
    settings = {"PORT": str(port), "CACHE_DIR": str(cache), "DEMO_SONGS": str(BROWSER_SONGS),
                "WEB_CONCURRENCY": "2", "SONGS_CSV": "", **env}
    log = tmp_path_factory.mktemp("log") / "server.log"
    process = start_server(port, settings, log, unprivileged=unprivileged)
    return Server(f"http://127.0.0.1:{port}", log, process, Path(settings["CACHE_DIR"]), settings, unprivileged)


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[Server]:
    """The app under gunicorn on a free loopback port, with its own cache directory."""
    running = _start(tmp_path_factory)
    try:
        yield running
    finally:
        stop_server(running.process)


@pytest.fixture()
def fresh_server(tmp_path_factory, request) -> Iterator[Callable[..., Server]]:
    """Start a server of the test's own (cold cache, other settings); stopped after the test."""
    started: list[Server] = []

    def start(unprivileged: bool = False, **env: str) -> Server:
        running = _start(tmp_path_factory, unprivileged, **env)
        started.append(running)
        request.node.__dict__.setdefault("servers", []).append(running)
        return running

    yield start
    for running in started:
        stop_server(running.process)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        skip_or_fail("Debian chromium is not installed (bash scripts/test installs it when run as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = launch_chromium(playwright)
        yield instance
        instance.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


class ConsoleLog(list):
    def errors(self) -> list[str]:
        return [text for kind, text in self if kind in {"error", "pageerror"}]


def new_page(browser, width: int = 1400, height: int = 1000):
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    page = context.new_page()
    page.console_log = ConsoleLog()
    page.on("console", lambda message: page.console_log.append((message.type, message.text)))
    page.on("pageerror", lambda error: page.console_log.append(("pageerror", str(error))))
    page.set_default_timeout(30_000)
    return page


@pytest.fixture()
def page_at(browser, request):
    """Pages of other sizes (``page_at(390, 844)``), closed after the test, their console checked."""
    opened = []

    def open_at(width: int, height: int):
        opened.append(new_page(browser, width, height))
        return opened[-1]

    yield open_at
    for extra in opened:
        errors = extra.console_log.errors()
        extra.context.close()
        assert errors == [], f"browser console errors: {errors}"


@pytest.fixture()
def page(browser, server, fresh_server, request):
    """A new browser page; set up after ``fresh_server`` so that it closes before those servers stop."""
    request.node.__dict__.setdefault("servers", []).append(server)
    offsets = {id(server): server.log_size()}
    page = new_page(browser)
    yield page
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    errors = page.console_log.errors()
    page.context.close()
    logs = {s.url: s.log_since(offsets.get(id(s), 0)) for s in request.node.servers}
    assert errors == [], f"browser console errors: {errors}"
    for url, text in logs.items():
        assert "Traceback" not in text, f"server {url} logged a traceback:\n{text[-4000:]}"
