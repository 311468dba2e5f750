"""The partner's side after the form (issue #16), in a real browser against the local stack:
texts that say their limits, a copy to keep, and (without JavaScript) answers the server
renders itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from devstack.stack import LocalSystem
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import Visit
from tests.browser.test_registration_form import (
    DUTCH_DATE,
    REFERENCE,
    SECOND_PERSON,
    fill_minimal,
    fill_person,
    group,
)
from tests.factories import PERSONAL_VALUES
from vhcore.messages import DATE_EXAMPLE

pytestmark = pytest.mark.browser


def test_a_long_paste_is_kept_whole_and_the_counter_says_how_much_is_too_many(
    visit: Visit,
) -> None:
    page = visit.page
    description = page.get_by_label("Beschrijf de problemen", exact=True)
    counter = page.locator("[id='description-count']")
    expect(counter).to_have_text("Nog 4000 tekens (hoogstens 4000).")
    description.fill("Zorgen over de woning. " * 435)  # 10,005 characters, pasted at once

    assert len(description.input_value()) == 10_005  # not cut off at 4,000 without a word
    expect(counter).to_have_text("U heeft 6005 tekens te veel (hoogstens 4000).")
    expect(page.locator("#vh-announce")).to_have_text(
        "U heeft 6005 tekens te veel (hoogstens 4000)."
    )
    page.get_by_role("button", name="Controleer uw antwoorden").click()
    expect(page.locator("[id='description-error']")).to_contain_text(
        "Gebruik voor de beschrijving van de problemen hoogstens 4000 tekens."
    )
    assert_accessible(page)


def test_the_error_summary_scrolls_into_view_below_the_sticky_header(visit: Visit) -> None:
    page = visit.page
    page.set_viewport_size({"width": 1024, "height": 600})
    page.get_by_role("button", name="Controleer uw antwoorden").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    header = page.locator("header.md-header").bounding_box()
    box = summary.bounding_box()
    assert header is not None and box is not None
    assert box["y"] >= header["y"] + header["height"]  # the title is not under the header


def test_the_date_hint_gives_the_one_date_example_of_the_errors(no_js: Visit) -> None:
    page = no_js.page
    expect(page.get_by_text(f"Bijvoorbeeld {DATE_EXAMPLE}.").first).to_be_visible()


def test_the_check_step_offers_a_copy_to_print_without_buttons(visit: Visit) -> None:
    page = visit.page
    fill_minimal(page)
    page.get_by_role("button", name="Controleer uw antwoorden").click()
    copy = page.get_by_role("button", name="Afdrukken of opslaan als PDF")
    expect(copy).to_be_visible()
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    copy.click()
    assert page.evaluate("() => window.printed") == 1

    page.emulate_media(media="print")
    expect(page.get_by_role("heading", name="Controleer uw antwoorden")).to_be_visible()
    expect(page.locator("#vh-check-list")).to_contain_text("Politie")
    expect(copy).to_be_hidden()
    expect(page.get_by_role("button", name="Aanmelding versturen")).to_be_hidden()
    expect(page.locator("header.md-header")).to_be_hidden()


# ---- JavaScript off: the server renders the answers -------------------------------------------


def send_with_a_phone_only_the_server_refuses(page: Page) -> None:
    """The whole form with two persons and an organisation, and a phone number the browser
    lets through but the API refuses."""
    fill_minimal(page)
    page.get_by_text("Meer betrokkenen invullen").click()
    fill_person(page, 2, "Partner", SECOND_PERSON["first_name"], SECOND_PERSON["last_name"])
    organisation = group(page, "Organisatie 1")
    organisation.get_by_label("Naam van de organisatie").fill(PERSONAL_VALUES["involved"])
    page.get_by_label("Uw telefoonnummer", exact=True).fill("12345")
    page.get_by_role("button", name="Aanmelding versturen").click()


def assert_filled_in(page: Page) -> None:
    expect(page.get_by_label("Uw organisatie", exact=True)).to_have_value("politie")
    expect(page.get_by_label("Uw naam", exact=True)).to_have_value(PERSONAL_VALUES["name"])
    first = group(page, "Betrokkene 1")
    expect(first.get_by_label("Voornaam", exact=True)).to_have_value(PERSONAL_VALUES["first_name"])
    expect(first.get_by_label("Geboortedatum", exact=True)).to_have_value("1984-03-15")
    expect(first.get_by_label("Woonplaats", exact=True)).to_have_value(PERSONAL_VALUES["residence"])
    second = group(page, "Betrokkene 2")
    expect(second.get_by_label("Relatie", exact=True)).to_have_value("partner")
    expect(second.get_by_label("Achternaam", exact=True)).to_have_value(SECOND_PERSON["last_name"])
    expect(group(page, "Organisatie 1").get_by_label("Naam van de organisatie")).to_have_value(
        PERSONAL_VALUES["involved"]
    )
    expect(page.get_by_label("Beschrijf de problemen", exact=True)).to_have_value(
        PERSONAL_VALUES["description"]
    )
    expect(page.get_by_label("Huisvesting", exact=True)).to_be_checked()
    expect(page.get_by_label("Ik deel alleen de gegevens die nodig zijn")).to_be_checked()


def test_without_javascript_a_server_side_error_brings_the_form_back_filled_in(
    no_js: Visit,
) -> None:
    page = no_js.page
    send_with_a_phone_only_the_server_refuses(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Controleer uw aanmelding")
    assert "?" not in page.url  # nothing typed in an address
    summary = page.get_by_role("alert")
    link = summary.get_by_role("link", name="Vul een Nederlands telefoonnummer in")
    expect(link).to_have_attribute("href", "#registrant.phone")
    phone = page.get_by_label("Uw telefoonnummer", exact=True)
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(page.locator("[id='registrant.phone-error']")).to_contain_text("telefoonnummer")
    assert_filled_in(page)
    # Styled as the site: Material's header, and the skip link hidden until it has focus.
    expect(page.locator("header.md-header")).to_be_visible()
    skip = page.get_by_role("link", name="Ga naar inhoud")
    expect(skip).to_have_css("opacity", "0")

    phone.fill(PERSONAL_VALUES["phone"])
    page.get_by_role("button", name="Aanmelding versturen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw aanmelding is ontvangen")


def test_without_javascript_back_after_a_server_side_error_loses_nothing(no_js: Visit) -> None:
    page = no_js.page
    send_with_a_phone_only_the_server_refuses(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Controleer uw aanmelding")
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Casus aanmelden")
    page.get_by_text("Meer betrokkenen invullen").click()
    assert_filled_in(page)


def test_without_javascript_the_confirmation_shows_the_reference_of_the_receipt_and_both_dates(
    no_js: Visit,
) -> None:
    page = no_js.page
    fill_minimal(page)
    page.get_by_role("button", name="Aanmelding versturen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Uw aanmelding is ontvangen")
    assert page.url == f"{no_js.system.url}/api/registrations"  # no reference, no name in it
    reference = page.locator("#vh-reference").inner_text()
    assert REFERENCE.match(reference)
    expect(page.locator("#vh-contact-date")).to_have_text(DUTCH_DATE)
    expect(page.locator("#vh-triage-date")).to_have_text(DUTCH_DATE)
    expect(page.get_by_text("Druk de pagina af of sla hem op als PDF")).to_be_visible()
    no_js.system.pump.drain(timeout=20)
    receipts = [m for m in no_js.system.outbox() if m.subject.startswith("Ontvangst")]
    assert any(reference in m.subject and reference in m.body for m in receipts)


def test_the_pages_the_server_renders_are_accessible(
    page: Page, built_site: Path, local_system: LocalSystem
) -> None:
    """axe-core needs JavaScript itself: the form's script is blocked instead, so the form
    posts as it does without JavaScript and the server's pages are checked."""
    page.route("**/assets/form/form.js", lambda route: route.abort())
    page.goto(f"{local_system.url}/casus-aanmelden/")
    send_with_a_phone_only_the_server_refuses(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Controleer uw aanmelding")
    assert_accessible(page)
    page.get_by_label("Uw telefoonnummer", exact=True).fill(PERSONAL_VALUES["phone"])
    page.get_by_role("button", name="Aanmelding versturen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw aanmelding is ontvangen")
    assert_accessible(page)
