"""Rights on the staff page: beheer checks and does not handle cases, so its page neither
shows nor asks for them; the page's help shows the rights table the API checks."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from devstack.stack import LocalSystem
from tests.browser.accessibility import assert_accessible
from tests.browser.test_beheer import StaffVisit, staff
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

    page.get_by_text("Wat mag elke rol?", exact=True).click()
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
