"""The local origin answers with the distribution's security headers (from the template),
and the pages work under that strict CSP: no inline script runs unless its hash is listed."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from playwright.sync_api import ConsoleMessage, Page

from devstack.stack import LocalSystem
from vhtools.csp import inline_script_hashes

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/criteria/",
    "/casus-aanmelden/",
    "/casus-aanmelden/bevestiging/?kenmerk=VH-7K3M-Q9TX",
]


def test_site_and_api_carry_the_templates_security_headers(
    built_site: Path, local_system: LocalSystem
) -> None:
    for path in ("/casus-aanmelden/", "/api/bestaat-niet"):
        headers = requests.get(f"{local_system.url}{path}", timeout=10).headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp
        assert "'unsafe-inline'" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
    page_csp = requests.get(f"{local_system.url}/", timeout=10).headers["Content-Security-Policy"]
    for digest in inline_script_hashes(built_site):
        assert digest in page_csp


@pytest.mark.parametrize("path", PAGES)
def test_pages_run_under_the_strict_csp_without_violations(
    page: Page, built_site: Path, local_system: LocalSystem, path: str
) -> None:
    problems: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    page.on("console", watch)
    page.goto(f"{local_system.url}{path}")
    page.wait_for_load_state("networkidle")
    assert problems == []
