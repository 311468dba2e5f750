"""The partner's side after the form (issue #16), in a real browser against the local stack:
texts that say their limits, a copy to keep, and (without JavaScript) answers the server
renders itself."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import Visit
from tests.browser.test_registration_form import fill_minimal
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
