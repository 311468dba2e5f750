"""The registration form in a real browser (system Chromium), against the local stack."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from devstack.stack import LocalSystem
from tests.browser.accessibility import assert_accessible
from tests.factories import PERSONAL_VALUES

pytestmark = pytest.mark.browser
REFERENCE = re.compile(r"^VH-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$")


@pytest.fixture
def form_page(page: Page, built_site: Path, local_system: LocalSystem) -> Page:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{local_system.url}/casus-aanmelden/")
    page.requests_seen = requests  # type: ignore[attr-defined]
    return page


def fill_minimal(page: Page) -> None:
    page.get_by_label("Uw organisatie", exact=True).select_option("politie")
    page.get_by_label("Uw naam", exact=True).fill(PERSONAL_VALUES["name"])
    page.get_by_label("Uw functie", exact=True).fill("Wijkagent")
    page.get_by_label("Uw e-mailadres op het werk", exact=True).fill(PERSONAL_VALUES["email"])
    page.get_by_label("Uw telefoonnummer", exact=True).fill(PERSONAL_VALUES["phone"])
    page.get_by_label("Voornaam", exact=True).fill(PERSONAL_VALUES["first_name"])
    page.get_by_label("Achternaam", exact=True).fill(PERSONAL_VALUES["last_name"])
    page.get_by_label("Geboortedatum", exact=True).fill("1984-03-15")
    page.get_by_label("Woonplaats", exact=True).fill(PERSONAL_VALUES["residence"])
    page.get_by_label("Beschrijf de problemen").fill(PERSONAL_VALUES["description"])


def test_the_empty_form_is_accessible(form_page: Page) -> None:
    expect(form_page.get_by_role("button", name="Aanmelding versturen")).to_be_visible()
    assert_accessible(form_page)


def test_a_partner_sends_the_minimal_form_and_sees_the_reference(
    form_page: Page, local_system: LocalSystem
) -> None:
    fill_minimal(form_page)
    form_page.get_by_role("button", name="Aanmelding versturen").click()
    form_page.wait_for_url("**/casus-aanmelden/bevestiging/?kenmerk=*")
    reference = form_page.locator("#vh-reference")
    expect(reference).to_have_text(REFERENCE)
    expect(form_page.get_by_role("heading", level=1)).to_have_text("Uw aanmelding is ontvangen")
    assert_accessible(form_page)
    origins = {url.split("/")[2] for url in form_page.requests_seen}  # type: ignore[attr-defined]
    assert origins == {local_system.url.split("/")[2]}


def test_an_invalid_form_shows_every_problem_in_dutch_with_focus_on_the_summary(
    form_page: Page,
) -> None:
    fill_minimal(form_page)
    form_page.get_by_label("Uw e-mailadres op het werk", exact=True).fill("geen-adres")
    form_page.get_by_label("Beschrijf de problemen").fill("te kort")
    form_page.get_by_role("button", name="Aanmelding versturen").click()

    summary = form_page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Er is een probleem")
    expect(summary.get_by_role("link", name="Vul een geldig e-mailadres in")).to_be_visible()
    expect(summary).to_contain_text("minstens 20 tekens")

    email = form_page.get_by_label("Uw e-mailadres op het werk", exact=True)
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(form_page.locator("#registrant\\.email-error")).to_contain_text("geldig e-mailadres")
    assert_accessible(form_page)

    summary.get_by_role("link", name="Vul een geldig e-mailadres in").click()
    expect(email).to_be_focused()


def test_the_form_can_be_sent_with_the_keyboard_only(form_page: Page) -> None:
    fill_minimal(form_page)
    form_page.get_by_label("Beschrijf de problemen").focus()
    form_page.keyboard.press("Tab")
    expect(form_page.get_by_role("button", name="Aanmelding versturen")).to_be_focused()
    form_page.keyboard.press("Enter")
    form_page.wait_for_url("**/casus-aanmelden/bevestiging/?kenmerk=*")
