"""Browser fixtures: the system Chromium through Playwright. Never downloads a browser."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    Request,
    sync_playwright,
)

from devstack.chromium import CHROMIUM, CHROMIUM_FLAGS
from devstack.stack import LocalSystem
from vhcore.house import shipped_houses

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "site" / "mkdocs.yml"
HOUSES = shipped_houses()


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does this)")
    browser = playwright_instance.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True
    )
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


class Visit:
    """A page on the form, with every request the browser made."""

    def __init__(self, page: Page, system: LocalSystem) -> None:
        self.page = page
        self.system = system
        self.requests: list[Request] = []
        page.on("request", self._seen)

    def _seen(self, request: Request) -> None:
        self.requests.append(request)

    def origins(self) -> set[str]:
        return {request.url.split("/")[2] for request in self.requests}

    @property
    def own_origin(self) -> str:
        return self.system.url.split("/")[2]

    def posts(self) -> list[Request]:
        return [r for r in self.requests if r.method == "POST"]


@pytest.fixture
def visit(page: Page, built_site: Path, local_system: LocalSystem) -> Visit:
    visit = Visit(page, local_system)
    page.goto(f"{local_system.url}/casus-aanmelden/")
    return visit


@pytest.fixture
def no_js(browser: Browser, built_site: Path, local_system: LocalSystem) -> Iterator[Visit]:
    context: BrowserContext = browser.new_context(
        java_script_enabled=False, locale="nl-NL", timezone_id="Europe/Amsterdam"
    )
    page = context.new_page()
    visit = Visit(page, local_system)
    page.goto(f"{local_system.url}/casus-aanmelden/")
    yield visit
    context.close()


# ---- the public site of every shipped house, built and served (test_site and others) ----


@pytest.fixture(scope="session")
def built_sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``mkdocs build --strict`` for every shipped house, the builds running side by side."""
    root = tmp_path_factory.mktemp("sites")
    builds = {}
    for house in HOUSES:
        env = os.environ | {"VH_HOUSE": house, "NO_MKDOCS_2_WARNING": "1"}
        env.pop("VH_HOUSE_FILE", None)
        command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"]
        command += ["-f", str(CONFIG), "-d", str(root / house)]
        builds[house] = subprocess.Popen(
            command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
    failed = []
    for house, process in builds.items():
        output, _ = process.communicate(timeout=120)
        if process.returncode != 0:
            failed.append(f"--- {house} ---\n{output}")
    assert not failed, "mkdocs build --strict failed:\n" + "\n".join(failed)
    return {house: root / house for house in HOUSES}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def origins(built_sites: dict[str, Path]) -> Iterator[dict[str, str]]:
    """One loopback-only HTTP server per house, each on its own free port (its own origin)."""
    servers = []
    urls = {}
    for house, directory in built_sites.items():
        handler = functools.partial(_QuietHandler, directory=str(directory))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        urls[house] = f"http://127.0.0.1:{server.server_address[1]}"
    yield urls
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_context(browser: Browser) -> Iterator[BrowserContext]:
    """One browser context for all page visits: a new context per page costs more than axe."""
    context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
    yield context
    context.close()


@pytest.fixture
def site_page(site_context: BrowserContext) -> Iterator[Page]:
    page = site_context.new_page()
    yield page
    page.close()
