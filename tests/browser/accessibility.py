"""axe-core checks for WCAG 2.0/2.1 A and AA, with a readable report on failure."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_AXE = Axe()


def violations(page: Page) -> list[str]:
    """One line per violating element: rule id, impact and CSS target."""
    results = _AXE.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    return [
        f"{violation['id']} ({violation.get('impact')}): {node['target']}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]


def assert_accessible(page: Page) -> None:
    found = violations(page)
    assert not found, "axe-core found WCAG A/AA violations:\n" + "\n".join(found)
