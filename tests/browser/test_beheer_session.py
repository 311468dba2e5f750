"""The staff session in a real browser, on the simulated clock: it lasts past an hour while
someone works (the page renews the short ID token itself), ends after 30 minutes without a
request with a Dutch message, and signing out ends the refresh token too."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from devstack.stack import LocalSystem
from tests.browser.accessibility import assert_accessible
from tests.browser.test_beheer import StaffVisit, staff

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("restore_clock")]
__all__ = ["staff"]  # the fixture, shared with the staff page's other tests

RENEW = "/api/admin/auth/refresh"


def renewals(visit: StaffVisit) -> int:
    return len([r for r in visit.requests if r.url.endswith(RENEW)])


def test_a_working_session_lasts_past_an_hour_and_ends_when_idle(
    staff: StaffVisit, local_system: LocalSystem
) -> None:
    staff.sign_in("triage")
    page = staff.page
    page.wait_for_load_state("networkidle")
    username = local_system.staff_users["triage"][0]
    for _ in range(5):  # 70 minutes of work, a page opened every 14 minutes
        local_system.clock.advance(minutes=14)
        before = renewals(staff)
        page.reload()
        expect(page.get_by_text(f"Ingelogd als {username}")).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert renewals(staff) == before + 1  # the ID token ran out: renewed, not signed out

    # Then nobody touches the page for 40 minutes.
    local_system.clock.advance(minutes=40)
    page.reload()
    expect(page.get_by_role("link", name="Inloggen")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(
        "U was 30 minuten niet actief. Log opnieuw in om verder te werken."
    )
    assert_accessible(page)
    assert not [c for c in staff.context.cookies() if c["name"] != "__Host-vh-login"]


def test_signing_out_ends_the_refresh_token_too(
    staff: StaffVisit, local_system: LocalSystem
) -> None:
    staff.sign_in("procesregie")
    kept = {c["name"]: c["value"] for c in staff.context.cookies()}
    assert "__Host-vh-refresh" in kept
    staff.page.get_by_role("button", name="Uitloggen").click()
    staff.page.wait_for_url(f"{staff.origin}/beheer/")
    expect(staff.page.get_by_role("link", name="Inloggen")).to_be_visible()
    # A copy of the cookies from before signing out renews nothing any more.
    answer = requests.post(
        f"{local_system.url}{RENEW}",
        headers={"Cookie": "; ".join(f"{k}={v}" for k, v in kept.items())},
        timeout=30,
    )
    assert answer.status_code == 401
    assert answer.json()["message"] == "Uw sessie is beëindigd. Log opnieuw in."
