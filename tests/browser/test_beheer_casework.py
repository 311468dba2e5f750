"""The work after triage on the staff page, in a real browser against the local stack: the
plan after triage (procesregie) and the export for the chain's case file (triage)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import requests
from playwright.sync_api import Locator, expect

from devstack.openapi import EXPORT_SCHEMA
from devstack.stack import LocalSystem
from tests.browser import test_beheer
from tests.browser.accessibility import assert_accessible
from tests.browser.test_beheer import COUNT_PRINTS, StaffVisit, new_case
from tests.browser.test_beheer_overview import decided_case
from tests.factories import PERSONAL_VALUES
from tests.integration.test_admin_api import MATRIX, REFERENCE_ROUTE
from vhcore import clock
from vhcore.calendar import to_local

pytestmark = pytest.mark.browser
staff = test_beheer.staff  # the fixture: one browser context on /beheer/

GOAL = "De huur wordt weer betaald en de overlast stopt."


def trail(system: LocalSystem, tokens: Callable[[str], dict[str, Any]], reference: str) -> Any:
    return requests.get(
        f"{system.url}{REFERENCE_ROUTE.format(reference=reference)}/audit",
        headers={"Authorization": f"Bearer {tokens('beheer')['id_token']}"},
        timeout=30,
    ).json()


def expect_errors(form: Locator, button: str, messages: list[str]) -> None:
    """Sent as it is, the form's error summary takes the focus and lists ``messages``."""
    form.get_by_role("button", name=button).click()
    errors = form.locator(".vh-error-summary")
    expect(errors).to_be_focused()
    expect(errors.get_by_role("link")).to_have_text(messages)


def open_case(visit: StaffVisit, reference: str, group: str) -> None:
    page = visit.page
    visit.sign_in(group)
    page.goto(f"{visit.origin}/beheer/#{reference}")
    page.get_by_label("Uitvoering van het besluit of het plan van aanpak").check()
    page.get_by_role("button", name="Aanmelding openen").click()
    expect(page.get_by_role("status")).to_contain_text("is geopend")


def test_procesregie_records_the_plan_after_triage_and_its_due_action_shows_on_the_overview(
    staff: StaffVisit,
    local_system: LocalSystem,
    staff_tokens: Callable[[str], dict[str, Any]],
) -> None:
    reference = decided_case(local_system, str(staff_tokens("triage")["id_token"]))
    page = staff.page
    open_case(staff, reference, "procesregie")
    plan = page.locator("#vh-plan-form")
    expect(plan.get_by_role("heading", name="Plan van aanpak")).to_be_visible()

    # Nothing filled in: the error summary says what is missing.
    expect_errors(
        plan,
        "Plan opslaan",
        ["Vul het doel van het plan in.", "Vul de naam van de casusregisseur in."],
    )
    assert_accessible(page)

    plan.get_by_label("Doel van het plan").fill(GOAL)
    plan.get_by_label("Casusregisseur").fill("C. Kersen, wijkteam")
    plan.get_by_role("button", name="Actie toevoegen").click()
    action = plan.get_by_role("group", name="Actie 1")
    expect(action.get_by_label("Wat moet er gebeuren?")).to_be_focused()
    action.get_by_label("Wat moet er gebeuren?").fill("Budgetcoach regelen")
    action.get_by_label("Wie doet het?").fill("Wijkteam")
    due = to_local(clock.now()).date() + dt.timedelta(days=1)  # the stack's (simulated) day
    action.get_by_label("Uiterlijk").fill(due.isoformat())
    assert_accessible(page)
    plan.get_by_role("button", name="Plan opslaan").click()
    expect(page.get_by_role("status")).to_have_text("Het plan van aanpak is vastgelegd.")

    # Shown on the case, and the form holds it for the next change.
    case = page.locator("#vh-case-body")
    expect(case).to_contain_text(GOAL)
    actions = page.get_by_role("table", name="Acties van het plan")
    expect(actions.get_by_role("row").nth(1)).to_contain_text("Budgetcoach regelen")
    expect(case).to_contain_text("Plan van aanpak vastgelegd")
    expect(plan.get_by_label("Doel van het plan")).to_have_value(GOAL)
    assert_accessible(page)

    # One audit record for opening, one for the plan: the page's refresh is no read.
    actions_audited = [r["action"] for r in trail(local_system, staff_tokens, reference)]
    assert actions_audited.count("inzien") == 1
    assert actions_audited.count("plan") == 1

    # The overview lists the action due, with a link to the case; not its text.
    page.get_by_role("link", name="Terug naar de agenda").click()
    due_list = page.locator("#vh-due")
    expect(due_list.get_by_role("link", name=reference)).to_be_visible()
    expect(due_list).to_contain_text("1 open actie")
    assert "Budgetcoach" not in page.content()


def test_the_page_offers_the_plan_to_the_groups_the_api_allows(built_site: Path) -> None:
    html = (built_site / "beheer" / "index.html").read_text(encoding="utf-8")
    found = re.search(r'id="vh-plan-form" data-groups="([^"]*)"', html)
    assert found is not None
    assert set(found.group(1).split()) == MATRIX[("POST", f"{REFERENCE_ROUTE}/plan")]


def test_a_case_not_taken_on_offers_no_plan(staff: StaffVisit, local_system: LocalSystem) -> None:
    reference = new_case(local_system)
    open_case(staff, reference, "procesregie")
    expect(staff.page.locator("#vh-plan-form")).to_be_hidden()


def test_triage_exports_a_case_with_a_typed_purpose_as_a_file_and_a_printed_summary(
    staff: StaffVisit,
    local_system: LocalSystem,
    staff_tokens: Callable[[str], dict[str, Any]],
) -> None:
    reference = new_case(local_system)
    page = staff.page
    page.add_init_script(COUNT_PRINTS)
    open_case(staff, reference, "triage")
    export = page.locator("#vh-export")
    expect(export.get_by_role("heading", name="Exporteren voor het ketendossier")).to_be_visible()

    # The purpose is typed, never assumed.
    expect_errors(export, "Exporteren", ["Vul waarvoor u exporteert in."])
    assert not [r for r in staff.requests if r.url.endswith("/export")]
    assert_accessible(page)

    purpose = "Overdracht aan het ketendossier van de procesregisseur"
    export.get_by_label("Waarvoor exporteert u deze aanmelding?").fill(purpose)
    export.get_by_role("button", name="Exporteren").click()
    download_link = export.get_by_role("link", name="JSON-bestand downloaden")
    expect(download_link).to_be_focused()
    expect(page.get_by_role("status")).to_contain_text("De export is klaar")
    assert_accessible(page)

    # The file: the documented JSON of this case.
    with page.expect_download() as downloaded:
        download_link.click()
    path = downloaded.value.path()
    assert downloaded.value.suggested_filename == f"{reference}-export.json"
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    jsonschema.validate(document, json.loads(EXPORT_SCHEMA.read_text(encoding="utf-8")))
    assert document["case"]["entry"]["reference"] == reference
    assert PERSONAL_VALUES["last_name"] in json.dumps(document)

    # The printed summary: the case only, without the forms around it.
    export.get_by_role("button", name="Samenvatting afdrukken").click()
    assert page.evaluate("window.vhPrinted") == 1
    page.emulate_media(media="print")
    expect(page.locator("#vh-case-body")).to_be_visible()
    expect(page.locator("#vh-case-body")).to_contain_text(PERSONAL_VALUES["last_name"])
    expect(page.get_by_role("heading", name="Wat wilt u vastleggen?")).to_be_hidden()
    expect(page.get_by_role("heading", name="Exporteren voor het ketendossier")).to_be_hidden()
    page.emulate_media(media="screen")
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")

    # Audited once, with the purpose as typed.
    exports = [
        r for r in trail(local_system, staff_tokens, reference) if r["action"] == "exporteren"
    ]
    assert [r["purpose"] for r in exports] == [purpose]
