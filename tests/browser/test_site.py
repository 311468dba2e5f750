"""The public site, built for every shipped house and visited in the system Chromium.

Every page of every house: axe-core finds no WCAG 2.0/2.1 A/AA violation, every request goes to
the page's own origin, nothing is missing (no 4xx) and no script fails. Switching the house
switches the terms, outcomes and contact details, and no page of one house mentions another
house or its arrangements.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    ConsoleMessage,
    Page,
    Request,
    Response,
    expect,
)

from tests.browser.accessibility import violations
from vhcore.house import House, house_path, load_house_file, shipped_houses

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "site" / "mkdocs.yml"
DOCS = REPO / "site" / "docs"
HOUSES = shipped_houses()


def page_paths() -> list[str]:
    """The URL path of every Markdown page (directory URLs), plus the 404 page."""
    paths = []
    for source in sorted(DOCS.rglob("*.md")):
        relative = source.relative_to(DOCS).with_suffix("")
        parts = list(relative.parts)
        if parts[-1] == "index":
            parts.pop()
        paths.append("/" + "".join(f"{part}/" for part in parts))
    return [*paths, "/404.html"]


PAGES = page_paths()


# ---- building and serving ---------------------------------------------------------------------


# ---- every page, every house ------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("house", HOUSES)
def test_page_is_accessible_and_loads_only_from_its_own_origin(
    house: str, path: str, origins: dict[str, str], site_page: Page
) -> None:
    page = site_page
    origin = origins[house]
    foreign: list[str] = []
    broken: list[str] = []
    errors: list[str] = []

    def on_request(request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if f"{parts.scheme}://{parts.netloc}" != origin:
            foreign.append(request.url)

    def on_response(response: Response) -> None:
        # This static server has no API: the staff page's calls to it are tested with the
        # local stack in test_beheer.py; here only the page itself counts.
        if response.status >= 400 and not urlsplit(response.url).path.startswith("/api/"):
            broken.append(f"{response.status} {response.url}")

    def on_console(message: ConsoleMessage) -> None:
        source = urlsplit(str(message.location.get("url", ""))).path
        if message.type == "error" and not source.startswith("/api/"):
            errors.append(message.text)

    page.on("request", on_request)
    page.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    response = page.goto(origin + path, wait_until="load")
    assert response is not None and response.ok, f"{path}: {response and response.status}"
    found = violations(page)

    assert not found, f"{house} {path}: axe-core WCAG A/AA violations:\n" + "\n".join(found)
    assert not foreign, f"{house} {path}: requests to another origin: {foreign}"
    assert not broken, f"{house} {path}: failed requests: {broken}"
    assert not errors, f"{house} {path}: script errors: {errors}"


def test_skip_link_moves_to_the_content(origins: dict[str, str], page: Page) -> None:
    page.goto(origins[HOUSES[0]] + "/privacy/")
    page.keyboard.press("Tab")
    skip = page.locator(".md-skip")
    assert skip.evaluate("el => el === document.activeElement"), (
        "first Tab must reach the skip link"
    )
    assert skip.is_visible(), "the skip link must be visible when it has focus"
    page.keyboard.press("Enter")
    heading = page.locator("article h1")
    # The address changes after the key press: wait for it rather than read it at once.
    expect(page).to_have_url(re.compile(f"#{re.escape(heading.get_attribute('id') or '')}$"))
    # The next Tab continues from the content, not from the top of the page.
    page.keyboard.press("Tab")
    in_article = page.evaluate("document.activeElement.closest('article') !== null")
    assert in_article, "after the skip link, Tab must continue inside the content"


def test_print_shows_the_text_without_menus(origins: dict[str, str], page: Page) -> None:
    page.goto(origins[HOUSES[0]] + "/criteria/")
    page.emulate_media(media="print")
    assert page.locator("article h1").is_visible()
    assert page.locator(".vh-rule").is_visible()
    assert page.locator(".vh-print-only").is_visible(), "the house's name must be on paper"
    for chrome in (".md-header", ".md-sidebar--primary", ".md-footer"):
        assert not page.locator(chrome).first.is_visible(), f"{chrome} must not be printed"


# ---- one configuration per house --------------------------------------------------------------


def _text(path: Path) -> str:
    """All text of a built page, including attribute values (titles, meta description)."""
    raw = path.read_text(encoding="utf-8")
    raw = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", raw, flags=re.DOTALL)
    raw = re.sub(r"<[^>]*?\bcontent=\"([^\"]*)\"[^>]*>", r" \1 ", raw)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", raw)).split())


def _site_text(site: Path) -> dict[str, str]:
    return {
        "/" + str(p.relative_to(site).parent).replace(".", "").strip("/"): _text(p)
        for p in site.rglob("*.html")
    }


def _house(name: str) -> House:
    return load_house_file(house_path(name))


def _arrangements(house: House) -> set[str]:
    """The strings that belong to this house: names, contact details, terms and outcomes."""
    contact = house.contact
    values: list[str | None] = [
        house.name,
        house.short_name,
        house.region,
        house.public_promise,
        house.triage.participants,
        house.privacy.covenant,
        house.privacy.controller,
        contact.phone,
        str(contact.email) if contact.email else None,
        contact.website.host if contact.website else None,
        contact.visiting_address.street if contact.visiting_address else None,
        contact.visiting_address.city if contact.visiting_address else None,
        contact.postal_address.po_box if contact.postal_address else None,
        contact.office_hours,
        *(outcome.label for outcome in house.outcomes),
        *(partner.name for partner in house.partners),
    ]
    return {" ".join(value.split()) for value in values if value}


@pytest.mark.parametrize("house", HOUSES)
def test_no_page_mentions_another_house(house: str, built_sites: dict[str, Path]) -> None:
    own = _arrangements(_house(house))
    foreign = {
        value
        for other in HOUSES
        if other != house
        for value in _arrangements(_house(other))
        if not any(value in mine for mine in own)
    }
    found = [
        f"{path}: {value!r}"
        for path, text in _site_text(built_sites[house]).items()
        for value in sorted(foreign)
        if value in text
    ]
    assert not found, f"pages of {house} mention other houses' arrangements:\n" + "\n".join(found)


@pytest.mark.parametrize("house", HOUSES)
def test_pages_show_this_houses_terms_outcomes_and_contact(
    house: str, built_sites: dict[str, Path]
) -> None:
    config = _house(house)
    pages = _site_text(built_sites[house])
    after = pages["/na-uw-aanmelding"]

    assert config.name in pages["/"]
    assert " ".join(config.public_promise.split()) in after
    for outcome in config.outcomes:
        assert outcome.label in after
    assert config.outcomes_intro in after
    if not config.promises_a_date:
        # An unconfirmed term: no page promises a date or the file's own words
        for path, text in pages.items():
            assert "uiterlijk" not in text, f"{path} promises a date"
            assert " ".join(config.response_term.promise.split()) not in text, path
    if config.triage.weekly and config.triage.cutoff:
        assert f"elke {config.triage.weekly.dutch}" in after
        assert config.triage.cutoff.weekday.dutch in after
    else:
        assert "ingepland" in after
    assert config.privacy.covenant in pages["/privacy"]
    for value in (config.contact.phone, config.contact.email):
        if value:
            assert str(value) in pages["/contact"]
    for path, text in pages.items():
        assert config.name in text, f"{path} does not name the house"
        assert "{{" not in text and "{%" not in text, f"{path}: unrendered template code"


def test_switching_the_house_switches_what_is_shown(built_sites: dict[str, Path]) -> None:
    shown = {house: _site_text(site)["/na-uw-aanmelding"] for house, site in built_sites.items()}
    assert len(set(shown.values())) == len(HOUSES), "two houses show the same 'na uw aanmelding'"
    for house, text in shown.items():
        for other in HOUSES:
            if other != house:
                promise = " ".join(_house(other).public_promise.split())
                if promise != " ".join(_house(house).public_promise.split()):
                    assert promise not in text, f"{house} shows the promise of {other}"
