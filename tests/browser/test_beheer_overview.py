"""The staff page's overview of every open case, in a real browser against the local stack:
a scheduled and a decided case found from the overview, by filter and by reference; and the
printed agenda of a house without a weekly rhythm shows the cases it says it shows."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, Route, expect

from devstack.stack import LocalSystem
from tests.browser import test_beheer
from tests.browser.accessibility import assert_accessible
from tests.browser.test_beheer import COUNT_PRINTS, StaffVisit, new_case
from tests.factories import PERSONAL_VALUES
from tests.integration.test_admin_api import BODIES, REFERENCE_ROUTE

pytestmark = pytest.mark.browser
staff = test_beheer.staff  # the fixture: one browser context on /beheer/


def decided_case(system: LocalSystem, token: str) -> str:
    reference = new_case(system)
    response = requests.post(
        f"{system.url}{REFERENCE_ROUTE.format(reference=reference)}/decision",
        json=BODIES["decision"],
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return reference


def group_table(page: Page, label: str) -> Any:
    return page.get_by_role("table", name=re.compile(f"^{re.escape(label)} \\(\\d+\\)$"))


def test_a_scheduled_and_a_decided_case_are_found_from_the_overview_and_by_reference(
    staff: StaffVisit,
    local_system: LocalSystem,
    staff_tokens: Callable[[str], dict[str, Any]],
) -> None:
    token = str(staff_tokens("triage")["id_token"])
    scheduled = new_case(local_system)
    decided = decided_case(local_system, token)
    page = staff.page
    staff.sign_in("triage")

    # Every open case, grouped by status, each group with its count.
    overview = page.locator("#vh-open")
    expect(overview).to_contain_text("Open in totaal")
    expect(group_table(page, "Geagendeerd voor triage")).to_contain_text(scheduled)
    expect(group_table(page, "Besluit genomen")).to_contain_text(decided)
    row = (
        group_table(page, "Geagendeerd voor triage")
        .get_by_role("row")
        .filter(has=page.get_by_role("link", name=scheduled))
    )
    expect(row.get_by_role("cell").nth(2)).to_have_text(re.compile(r"^Nog \d+ werkdag"))
    expect(
        group_table(page, "Besluit genomen")
        .get_by_role("row")
        .filter(has=page.get_by_role("link", name=decided))
        .get_by_role("cell")
        .nth(2)
    ).to_have_text("Nagekomen")
    for value in PERSONAL_VALUES.values():
        assert value not in page.content()
    assert_accessible(page)

    # A filter: only the decided cases.
    page.get_by_label("Status").select_option(label="Besluit genomen")
    page.get_by_role("button", name="Filteren").click()
    expect(group_table(page, "Geagendeerd voor triage")).to_have_count(0)
    expect(group_table(page, "Besluit genomen")).to_contain_text(decided)
    expect(page.get_by_role("status")).to_contain_text("gevonden")
    assert_accessible(page)

    # Search by reference, then open the case from the result.
    search = page.get_by_role("search", name="Zoeken op kenmerk")
    search.get_by_label("Kenmerk").fill(scheduled.lower())
    search.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_label("Status")).to_have_value("")
    expect(group_table(page, "Besluit genomen")).to_have_count(0)
    result = group_table(page, "Geagendeerd voor triage")
    expect(result.get_by_role("row")).to_have_count(2)  # the header and the case
    result.get_by_role("link", name=scheduled).click()
    expect(page.get_by_role("heading", name=f"Aanmelding {scheduled}")).to_be_focused()

    # Back on the overview, a reference that does not exist says so.
    page.get_by_role("link", name="Terug naar de agenda").click()
    search.get_by_label("Kenmerk").fill("VH-0000-0000")
    search.get_by_role("button", name="Zoeken").click()
    expect(overview).to_contain_text("Geen aanmelding gevonden met kenmerk VH-0000-0000.")
    assert_accessible(page)


def without_weekly_rhythm(route: Route) -> None:
    """/me as a house that plans each triage by hand (Sittard) answers it."""
    answer = route.fetch()
    me = answer.json() | {"upcoming_triage": "te-plannen"}
    route.fulfill(response=answer, body=json.dumps(me))


def test_a_house_without_a_weekly_rhythm_prints_its_scheduled_cases(
    staff: StaffVisit, local_system: LocalSystem
) -> None:
    reference = new_case(local_system)
    page = staff.page
    page.route("**/api/admin/me", without_weekly_rhythm)
    page.add_init_script(COUNT_PRINTS)
    staff.sign_in("procesregie")
    expect(page.locator("#vh-agenda-fixed")).to_contain_text("plant de triage per aanmelding")
    agenda = page.get_by_role("table", name="Geagendeerde aanmeldingen, op datum van de triage")
    row = agenda.get_by_role("row").filter(has=page.get_by_role("link", name=reference))
    expect(row).to_have_count(1)
    expect(agenda.get_by_role("columnheader", name="Triage")).to_be_visible()

    page.emulate_media(media="print")
    expect(agenda).to_be_visible()
    expect(page.get_by_role("heading", name="Alle open aanmeldingen")).to_be_hidden()
    page.emulate_media(media="screen")

    # With names: each case on it is read for the print's purpose, and its name printed.
    page.get_by_label("Namen op de afdruk").check()
    print_button = page.get_by_role("button", name="Agenda afdrukken")
    print_button.click()
    rows = agenda.locator("tbody tr")
    expect(print_button).to_be_enabled(timeout=5_000 + 3_000 * rows.count())
    first_name, last_name = PERSONAL_VALUES["first_name"], PERSONAL_VALUES["last_name"]
    expect(row).to_contain_text(f"{first_name} {last_name}")
    assert page.evaluate("window.vhPrinted") == 1
    assert_accessible(page)
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert last_name not in page.content()
