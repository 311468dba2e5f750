"""The staff page (/beheer/) in a real browser (system Chromium), against the local stack with
the real admin function, the local hosted login and the JWT authorizer: sign in, this week's
agenda, a case opened for a purpose, a decision, the decision e-mail, the printed agenda, and
nothing personal left behind after signing out."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
    expect,
)

from devstack.stack import LocalSystem
from tests.browser.accessibility import assert_accessible
from tests.factories import PERSONAL_VALUES, registration
from tests.integration.test_admin_api import MATRIX, REFERENCE_ROUTE
from vhcore.house import current_house
from vhcore.staff import CASE_ACTIONS, RIGHTS
from vhcore.staff import DUTCH as GROUPS
from vhcore.status import ALLOWED, DUTCH, Status

pytestmark = pytest.mark.browser

PRINT_PURPOSE = "Afdrukken triage-agenda"
# Printing, counted instead of opening the browser's dialog.
COUNT_PRINTS = "window.print = () => { window.vhPrinted = (window.vhPrinted || 0) + 1; }"


class StaffVisit:
    """One browser context on /beheer/, with every request it made."""

    def __init__(self, context: BrowserContext, system: LocalSystem) -> None:
        self.context = context
        self.system = system
        self.page = context.new_page()
        self.requests: list[Request] = []
        self.failures: list[str] = []
        self.page.on("request", self._seen)
        self.page.on("response", self._answered)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.failures.append(f"script: {error}"))

    def _seen(self, request: Request) -> None:
        self.requests.append(request)

    def _console(self, message: ConsoleMessage) -> None:
        """A CSP violation or a script error is a failure of the page (answers with an error
        status are checked in ``_answered``)."""
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.failures.append(f"console: {message.text}")

    def _answered(self, response: Response) -> None:
        """API answers other than "not signed in" that the page did not ask for."""
        if "/api/admin/" in response.url and response.status >= 400 and response.status != 401:
            self.failures.append(f"{response.status} {response.url}: {response.text()[:300]}")

    @property
    def origin(self) -> str:
        return self.system.url

    def sign_in(self, group: str) -> None:
        page = self.page
        page.goto(f"{self.origin}/beheer/")
        page.get_by_role("link", name="Inloggen").click()
        expect(page.get_by_role("heading", name="Inloggen voor medewerkers")).to_be_visible()
        username, password = self.system.staff_users[group]
        page.get_by_label("E-mailadres").fill(username)
        page.get_by_label("Wachtwoord").fill(password)
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_url(f"{self.origin}/beheer/")
        expect(page.get_by_text(f"Ingelogd als {username}")).to_be_visible()

    def storage(self) -> dict[str, Any]:
        result: dict[str, Any] = self.page.evaluate(
            """async () => ({
                local: window.localStorage.length,
                session: window.sessionStorage.length,
                databases: indexedDB.databases ? (await indexedDB.databases()).length : 0,
            })"""
        )
        return result


@pytest.fixture
def staff(browser: Browser, built_site: Path, local_system: LocalSystem) -> Iterator[StaffVisit]:
    context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
    visit = StaffVisit(context, local_system)
    yield visit
    context.close()
    assert visit.failures == []


def new_case(system: LocalSystem, **overrides: Any) -> str:
    response = requests.post(
        f"{system.url}/api/registrations", json=registration(**overrides), timeout=30
    )
    assert response.status_code == 202, response.text
    system.pump.drain(timeout=20)
    return str(response.json()["reference"])


def agenda_row(page: Page, reference: str) -> Any:
    table = page.get_by_role("table", name=re.compile("^Aanmeldingen voor de triage van"))
    return table.get_by_role("row").filter(has=page.get_by_role("link", name=reference))


def test_signed_out_the_page_explains_and_offers_inloggen(staff: StaffVisit) -> None:
    page = staff.page
    response = page.goto(f"{staff.origin}/beheer/")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_role("heading", name="Inloggen voor medewerkers")).to_be_visible()
    login = page.get_by_role("link", name="Inloggen")
    expect(login).to_have_attribute("href", "/api/admin/auth/login")
    expect(page.get_by_role("heading", name=re.compile("Agenda"))).to_be_hidden()
    assert_accessible(page)
    # Nobody signed in on this browser: the API is not asked (its 401 would be an error in
    # the console of every visitor).
    assert not [r.url for r in staff.requests if "/api/" in r.url]


@pytest.mark.usefixtures("restore_clock")
def test_a_triage_member_opens_this_weeks_agenda_opens_a_case_and_decides(
    staff: StaffVisit,
    local_system: LocalSystem,
    staff_tokens: Callable[[str], dict[str, Any]],
) -> None:
    reference = new_case(local_system)
    urgent = new_case(local_system, urgency="spoed", urgency_reason="Dreigende uitzetting")
    page = staff.page

    # Sign in through the real flow: the hosted login's stand-in, then back to /beheer/.
    staff.sign_in("triage")
    expect(
        page.get_by_text("Ingelogd als triage@voorbeeldregio.example.org (triage)")
    ).to_be_visible()

    # This week's agenda: spoed first, sortable, with the clear fields only.
    row = agenda_row(page, reference)
    expect(row).to_have_count(1)
    cells = row.get_by_role("cell")
    expect(cells.nth(1)).to_have_text("Normaal")
    expect(cells.nth(2)).to_have_text("Geagendeerd voor triage")
    expect(cells.nth(6)).to_have_text("Politie")
    table = page.get_by_role("table", name=re.compile("^Aanmeldingen voor de triage van"))
    first = table.get_by_role("row").nth(1).get_by_role("cell").nth(1)
    expect(first).to_have_text("Spoed")
    assert urgent in table.inner_text()
    urgency_header = table.get_by_role("columnheader", name=re.compile("^Urgentie"))
    expect(urgency_header).to_have_attribute("aria-sort", "descending")
    table.get_by_role("button", name=re.compile("^Ontvangen")).click()
    received_header = table.get_by_role("columnheader", name=re.compile("^Ontvangen"))
    expect(received_header).to_have_attribute("aria-sort", "ascending")
    expect(urgency_header).not_to_have_attribute("aria-sort", re.compile("."))
    for value in PERSONAL_VALUES.values():
        assert value not in page.content()
    assert_accessible(page)

    # Open the case: the purpose is asked first, and nothing is read without it.
    agenda_row(page, reference).get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", name=f"Aanmelding {reference}")).to_be_focused()
    page.get_by_role("button", name="Aanmelding openen").click()
    summary = page.locator("#vh-purpose-form .vh-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Kies het doel.")).to_be_visible()
    assert not [r for r in staff.requests if "/api/admin/registrations/" in r.url]
    assert_accessible(page)
    purposes = page.get_by_role("group", name="Waarom opent u deze aanmelding?")
    purposes.get_by_label("Voorbereiding of uitvoering van de triage").check()
    page.get_by_label("Toelichting (niet verplicht)").fill("Voorbereiding triage")
    page.get_by_role("button", name="Aanmelding openen").click()
    case = page.locator("#vh-case-body")
    expect(case).to_contain_text(PERSONAL_VALUES["last_name"])
    expect(case).to_contain_text("Financiën en schulden")
    # The promise is a day, never a minute.
    promise = case.locator("dt", has_text="Reageren uiterlijk").locator(
        "xpath=following-sibling::dd[1]"
    )
    expect(promise).to_have_text(
        re.compile(r"^(maandag|dinsdag|woensdag|donderdag|vrijdag) \d{1,2} [a-z]+ \d{4}$")
    )
    expect(case).to_contain_text(PERSONAL_VALUES["email"])
    # Each criterion as it was asked, numbered as the form showed it, with the answer.
    asked = current_house().criteria.questions
    first = case.locator("dt", has_text=f"1. {asked[0].question}")
    expect(first.locator("xpath=following-sibling::dd[1]")).to_have_text("Ja")
    numbered = case.locator("dt").filter(has_text=re.compile(r"^\d\. "))
    expect(numbered).to_have_count(len(asked))
    expect(page.get_by_role("status")).to_contain_text("is geopend")
    expect(page.get_by_role("heading", name="Besluit vastleggen")).to_be_visible()
    expect(page.get_by_role("heading", name="Afsluiten")).to_be_hidden()  # not for triage
    assert_accessible(page)
    # 400 % zoom: at 320 CSS pixels nothing but a table needs sideways scrolling.
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.set_viewport_size({"width": 1280, "height": 720})

    # The decision: errors first (the GOV.UK error summary), then a real one.
    decision = page.locator("form[data-action=decision]")
    decision.get_by_role("button", name="Besluit vastleggen").click()
    errors = decision.locator(".vh-error-summary")
    expect(errors).to_be_focused()
    expect(errors.get_by_role("link")).to_have_text(
        ["Kies de uitkomst.", "Vul het advies in.", "Vul de naam van de procesregisseur in."]
    )
    expect(decision.get_by_label("Advies")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    decision.get_by_label("Wel voor het Veiligheidshuis").check()
    decision.get_by_label("Advies").fill("Casusoverleg met wijkteam en GGZ.")
    decision.get_by_label("Naam van de procesregisseur").fill("P. Regisseur")
    decision.get_by_role("button", name="Besluit vastleggen").click()
    expect(page.get_by_role("status")).to_have_text(
        "Het besluit is vastgelegd. De aanmelder krijgt een e-mail met de uitkomst."
    )
    expect(case).to_contain_text("Besluit genomen")
    expect(case).to_contain_text("Casusoverleg met wijkteam en GGZ.")
    expect(decision).to_be_hidden()  # decided: no second decision

    # Every read was audited with its purpose.
    trail = requests.get(
        f"{local_system.url}{REFERENCE_ROUTE.format(reference=reference)}/audit",
        headers={"Authorization": f"Bearer {staff_tokens('beheer')['id_token']}"},
        timeout=30,
    ).json()
    # Opened once: the page's refresh after the decision is the decision's own record.
    assert [r["action"] for r in trail].count("inzien") == 1
    assert [r["action"] for r in trail].count("decision") == 1
    assert {r["purpose"] for r in trail if r["action"] == "inzien"} == {"Voorbereiding triage"}
    assert {r["purpose_category"] for r in trail if r["action"] == "inzien"} == {"triage"}

    # The workflow sends the registrant the decision notice as soon as it is recorded,
    # without any time passing.
    local_system.pump.drain(timeout=20)
    subject = f"Besluit over uw aanmelding {reference}"
    notices = [m for m in local_system.outbox() if m.subject == subject]
    assert len(notices) == 1
    assert PERSONAL_VALUES["email"] in notices[0].to

    # Signing out leaves nothing personal behind.
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(f"{staff.origin}/beheer/")
    expect(page.get_by_role("link", name="Inloggen")).to_be_visible()
    html = page.content()
    for value in (*PERSONAL_VALUES.values(), "Casusoverleg met wijkteam", reference):
        assert value not in html
    assert staff.storage() == {"local": 0, "session": 0, "databases": 0}
    assert not [c for c in staff.context.cookies() if c["name"].startswith("__Host-vh-")]
    assert {r.url.split("/")[2] for r in staff.requests} == {staff.origin.split("/")[2]}


def test_the_printed_agenda_has_names_only_when_asked(
    staff: StaffVisit,
    local_system: LocalSystem,
    staff_tokens: Callable[[str], dict[str, Any]],
) -> None:
    reference = new_case(local_system)
    page = staff.page
    page.add_init_script(COUNT_PRINTS)
    staff.sign_in("procesregie")
    expect(agenda_row(page, reference)).to_have_count(1)

    page.emulate_media(media="print")
    expect(
        page.get_by_role("table", name=re.compile("^Aanmeldingen voor de triage"))
    ).to_be_visible()
    expect(page.get_by_role("button", name="Agenda afdrukken")).to_be_hidden()
    expect(page.get_by_role("heading", name="Alle open aanmeldingen")).to_be_hidden()
    assert_accessible(page)
    page.emulate_media(media="screen")

    # Without the box ticked: printed without names, and no case was read.
    page.get_by_role("button", name="Agenda afdrukken").click()
    assert page.evaluate("window.vhPrinted") == 1
    assert PERSONAL_VALUES["last_name"] not in page.content()
    assert not [r for r in staff.requests if "/api/admin/registrations/" in r.url]

    # Ticked: each case on the agenda is read for that purpose, and the name is printed.
    names = page.get_by_label("Namen op de afdruk")
    expect(names).to_have_accessible_description(re.compile("auditlog"))
    names.check()
    print_button = page.get_by_role("button", name="Agenda afdrukken")
    print_button.click()
    # Every case on this worker's agenda is read first; on a busy machine that takes a while.
    rows = page.get_by_role("table", name=re.compile("^Aanmeldingen voor de triage")).locator(
        "tbody tr"
    )
    expect(print_button).to_be_enabled(timeout=5_000 + 3_000 * rows.count())
    expect(page.get_by_role("columnheader", name="Hoofdbetrokkene")).to_be_visible()
    first_name, last_name = PERSONAL_VALUES["first_name"], PERSONAL_VALUES["last_name"]
    expect(agenda_row(page, reference)).to_contain_text(f"{first_name} {last_name}")
    assert page.evaluate("window.vhPrinted") == 2
    trail = requests.get(
        f"{local_system.url}{REFERENCE_ROUTE.format(reference=reference)}/audit",
        headers={"Authorization": f"Bearer {staff_tokens('beheer')['id_token']}"},
        timeout=30,
    ).json()
    assert [r["purpose"] for r in trail if r["action"] == "inzien"] == [PRINT_PURPOSE]

    # After printing the names leave the page again.
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    expect(page.get_by_role("columnheader", name="Hoofdbetrokkene")).to_have_count(0)
    assert last_name not in page.content()


class _Labels(HTMLParser):
    """The page's build-time label map and the data-* rules of its action forms."""

    def __init__(self) -> None:
        super().__init__()
        self.kind = ""
        self.value = ""
        self.labels: dict[str, dict[str, str]] = {}
        self.forms: dict[str, dict[str, str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if "data-kind" in found:
            self.kind = found["data-kind"]
            self.labels[self.kind] = {}
        if tag == "data":
            self.value = found["value"]
        if tag == "form" and "data-action" in found:
            self.forms[found["data-action"]] = found

    def handle_data(self, data: str) -> None:
        if self.value:
            self.labels[self.kind][self.value] = data
            self.value = ""


def test_the_page_says_what_the_api_allows(built_site: Path) -> None:
    """Status labels, transitions and roles are generated into the page at build time from
    vhcore (status, staff): they must say what the admin API's authorization does."""
    parsed = _Labels()
    parsed.feed((built_site / "beheer" / "index.html").read_text(encoding="utf-8"))
    assert parsed.labels["status"] == {status.value: label for status, label in DUTCH.items()}
    assert parsed.labels["group"] == {group.value: label for group, label in GROUPS.items()}
    assert set(parsed.forms) == {*CASE_ACTIONS, "erase"}
    for action, form in parsed.forms.items():
        target = form["data-to"]
        allowed_from = set(form["data-from"].split())
        if action == "erase":
            assert allowed_from == {s.value for s in Status}  # in any status
        elif target:
            assert allowed_from == {s.value for s in Status if Status(target) in ALLOWED[s]}
        groups = set(form["data-groups"].split())
        assert groups == MATRIX[("POST", f"{REFERENCE_ROUTE}/{action}")], action
        assert groups == {group.value for group in RIGHTS[action]}, action


def test_a_link_to_a_case_opens_that_case_after_signing_in(
    staff: StaffVisit, local_system: LocalSystem
) -> None:
    target = new_case(local_system)
    page = staff.page
    page.goto(f"{staff.origin}/beheer/#{target}")
    login = page.get_by_role("link", name="Inloggen")
    expect(login).to_have_attribute("href", f"/api/admin/auth/login?aanmelding={target}")
    login.click()
    username, password = local_system.staff_users["triage"]
    page.get_by_label("E-mailadres").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{staff.origin}/beheer/#{target}")
    expect(page.get_by_role("heading", name=f"Aanmelding {target}")).to_be_visible()
