"""Rights and checks on the staff page: beheer checks and does not handle cases, so its page
neither shows nor asks for them; the page's help shows the rights table the API checks; the
audit trail (beheer) and the figures (procesregie, beheer) with their charts and CSV."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from devstack.stack import LocalSystem
from tests.browser.accessibility import assert_accessible
from tests.browser.test_beheer import StaffVisit, new_case, staff
from vhcore import clock
from vhcore.staff import DUTCH, RIGHTS_TABLE, Group

pytestmark = pytest.mark.browser
__all__ = ["staff"]  # the fixture, shared with the staff page's other tests


def test_beheer_sees_no_cases_and_the_help_shows_every_groups_rights(
    staff: StaffVisit, local_system: LocalSystem
) -> None:
    staff.sign_in("beheer")
    page = staff.page
    expect(page.get_by_text("Met uw rol werkt u niet met aanmeldingen.")).to_be_visible()
    expect(page.get_by_role("heading", name="Agenda van de triage")).to_be_hidden()
    page.wait_for_load_state("networkidle")
    asked = {r.url.split("/api/admin/", 1)[1] for r in staff.requests if "/api/admin/" in r.url}
    assert not {"queue", "cases"} & {a.split("?")[0] for a in asked}
    assert not [a for a in asked if a.startswith(("agenda", "registrations"))]

    assert_accessible(page)
    page.get_by_role("link", name="Wat mag elke rol?").click()
    page.wait_for_url(f"{staff.origin}/beheer/rechten/")
    table = page.get_by_role("table", name="Rechten per rol: elke rol mag alleen wat nodig is")
    expect(table).to_be_visible()
    headers = table.get_by_role("columnheader").all_inner_texts()
    assert headers == ["Wat", *(DUTCH[g].capitalize() for g in Group)]
    rows = table.get_by_role("row").all()[1:]
    assert len(rows) == len(RIGHTS_TABLE)
    for row, right in zip(rows, RIGHTS_TABLE.values(), strict=True):
        cells = row.get_by_role("cell").all_inner_texts()
        assert row.get_by_role("rowheader").inner_text() == right.dutch
        assert cells == ["Ja" if g in right.groups else "Nee" for g in Group]
    assert_accessible(page)


def test_beheer_finds_who_read_a_case_in_the_audit_trail_and_downloads_it(
    staff: StaffVisit, local_system: LocalSystem, staff_tokens: Callable[[str], dict[str, Any]]
) -> None:
    reference = new_case(local_system)
    token = staff_tokens("triage")["id_token"]
    read = requests.post(
        f"{local_system.url}/api/admin/registrations/{reference}/read",
        headers={"Authorization": f"Bearer {token}"},
        json={"purpose_category": "triage", "purpose": "Voorbereiding overleg"},
        timeout=30,
    )
    assert read.status_code == 200
    staff.sign_in("beheer")
    page = staff.page
    expect(page.get_by_role("heading", name="Audittrail", exact=True)).to_be_visible()
    triage_user = local_system.staff_users["triage"][0]

    # Across cases: this month, one person, one action (typed text is not shown there).
    page.get_by_label("Persoon (e-mailadres; leeg: iedereen)").fill(triage_user)
    page.get_by_label("Actie").select_option("inzien")
    page.get_by_role("button", name="Audittrail tonen").click()
    trail = page.get_by_role("table", name=re.compile("^Audittrail van 20"))
    row = trail.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text(triage_user)
    expect(row).to_contain_text("Ingezien")
    assert "Voorbereiding overleg" not in trail.inner_text()
    assert_accessible(page)

    # One case: its whole trail, with what was typed, and as CSV.
    page.get_by_label("Persoon (e-mailadres; leeg: iedereen)").fill("")
    page.get_by_label("Kenmerk van één aanmelding (leeg: alle aanmeldingen)").fill(reference)
    page.get_by_role("button", name="Audittrail tonen").click()
    one = page.get_by_role("table", name=f"Audittrail van {reference}")
    expect(one).to_contain_text("Voorbereiding overleg")
    assert_accessible(page)  # before the link is clicked: never mid-way through its hover
    with page.expect_download() as download:
        page.get_by_role("link", name="Download de audittrail (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "moment;kenmerk;wie;wie_id;actie;doel;toelichting"
    assert f";{reference};{triage_user};" in text and "Voorbereiding overleg" in text

    # A wrong period is explained before anything is asked.
    page.get_by_label("Van maand").fill("2026-12")
    page.get_by_label("Tot en met maand").fill("2026-01")
    page.get_by_role("button", name="Audittrail tonen").click()
    expect(page.get_by_role("alert")).to_contain_text("Kies een periode van 1 tot 12 maanden")
    assert_accessible(page)


def test_the_figures_show_a_chart_beside_each_table_and_download_as_csv(
    staff: StaffVisit, local_system: LocalSystem
) -> None:
    new_case(local_system, urgency="spoed", urgency_reason="Dreigende uitzetting.")
    staff.sign_in("procesregie")
    page = staff.page
    year = str(clock.now().year)
    page.get_by_label("Jaar", exact=True).fill(year)
    page.get_by_role("button", name="Cijfers tonen").click()
    expect(page.get_by_role("heading", name=f"Cijfers over {year}")).to_be_visible()
    totals = page.get_by_role("table", name=f"Totalen over {year}")
    expect(totals.get_by_role("row", name=re.compile("^Aanmeldingen"))).to_be_visible()
    for title in ("Aanmeldingen per soort organisatie", "Aanmeldingen per urgentie"):
        chart = page.get_by_role(
            "img", name=f"Staafdiagram: {title}. De getallen staan in de tabel ernaast."
        )
        expect(chart).to_be_visible()
        data = page.get_by_role("table", name=title)
        expect(data).to_be_visible()
        assert chart.locator("rect").count() == data.get_by_role("row").count() - 1
    assert_accessible(page)  # before the link is clicked: never mid-way through its hover
    urgency = page.get_by_role("table", name="Aanmeldingen per urgentie")
    expect(urgency.get_by_role("row", name=re.compile("^Spoed"))).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download de cijfers (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "onderdeel;soort;waarde"
    assert "urgentie;spoed;" in text
    assert "@" not in text  # no e-mail address, no personal data

    # A quarter of the year.
    page.get_by_label("Periode").select_option("Q4")
    page.get_by_role("button", name="Cijfers tonen").click()
    expect(page.get_by_role("heading", name=f"Cijfers over 4e kwartaal {year}")).to_be_visible()
    # procesregie has the figures, not the audit trail.
    expect(page.get_by_role("heading", name="Audittrail", exact=True)).to_be_hidden()


def test_beheer_erases_a_case_by_its_reference_without_opening_it(
    staff: StaffVisit, local_system: LocalSystem, staff_tokens: Callable[[str], dict[str, Any]]
) -> None:
    reference = new_case(local_system)
    staff.sign_in("beheer")
    page = staff.page
    section = page.get_by_role("region", name="Een aanmelding verwijderen")
    expect(section).to_be_visible()

    # Given a reference that is not one, the page says what a reference looks like.
    section.get_by_label("Kenmerk van de aanmelding").fill("VH-123")
    section.get_by_label("Spam of misbruik van het formulier").check()
    section.get_by_label("Ja, verwijder deze aanmelding").check()
    section.get_by_role("button", name="Aanmelding verwijderen").click()
    expect(section.get_by_role("alert").or_(section.locator(".vh-error-summary"))).to_contain_text(
        "Een kenmerk ziet eruit als VH-7K3M-Q9TX."
    )
    assert_accessible(page)

    # When beheer gives the right reference (in lower case), the case is erased: triage no
    # longer finds it, and the page never asked to open it.
    section.get_by_label("Kenmerk van de aanmelding").fill(reference.lower())
    section.get_by_role("button", name="Aanmelding verwijderen").click()
    expect(page.get_by_text(f"Aanmelding {reference} is verwijderd.")).to_be_attached()
    asked = [r.url for r in staff.requests if "/api/admin/registrations/" in r.url]
    assert asked == [f"{local_system.url}/api/admin/registrations/{reference}/erase"]
    token = staff_tokens("triage")["id_token"]
    read = requests.post(
        f"{local_system.url}/api/admin/registrations/{reference}/read",
        headers={"Authorization": f"Bearer {token}"},
        json={"purpose_category": "triage", "purpose": "Controle na verwijderen"},
        timeout=30,
    )
    assert read.status_code == 404
