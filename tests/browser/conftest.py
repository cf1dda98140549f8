"""Real-browser fixtures: the app under gunicorn (two workers, like production) and Debian's
headless Chromium driven by Playwright. A failing test leaves a screenshot in tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.harness import CHROMIUM, ROOT, free_port, launch_chromium, start_server, stop_server

ARTIFACTS = ROOT / "tests" / "artifacts"
BROWSER_SONGS = 6_000  # small enough that even the exact Ward tree builds in about a second


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[str]:
    """The app under gunicorn on a free loopback port, with its own cache directory."""
    port = free_port()
    env = {"PORT": str(port), "CACHE_DIR": str(tmp_path_factory.mktemp("cache")), "DEMO_SONGS": str(BROWSER_SONGS),
           "WEB_CONCURRENCY": "2", "SONGS_CSV": ""}
    log = tmp_path_factory.mktemp("log") / "server.log"
    process = start_server(port, env, log)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(process)
        server_log = log.read_text()
        if "Traceback" in server_log:
            print(server_log[-5000:])


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (bash scripts/test installs it when run as root)")
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


@pytest.fixture()
def page(browser, server, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.console_log = ConsoleLog()
    page.on("console", lambda message: page.console_log.append((message.type, message.text)))
    page.on("pageerror", lambda error: page.console_log.append(("pageerror", str(error))))
    page.set_default_timeout(30_000)
    yield page
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
