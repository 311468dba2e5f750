"""Browser fixtures: the system Chromium through Playwright. Never downloads a browser."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

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
