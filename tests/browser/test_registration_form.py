"""The registration form in a real browser (system Chromium), against the local stack with the
real intake API: as a partner fills it in, with JavaScript on and off."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, Route, expect

from devstack.stack import LocalSystem
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import Visit
from tests.factories import PERSONAL_VALUES
from vhcore.house import current_house

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"^VH-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$")
CONFIRMATION = re.compile(r"/casus-aanmelden/bevestiging/\?kenmerk=VH-[A-Z0-9]{4}-[A-Z0-9]{4}")
DUTCH_DATE = re.compile(
    r"^(maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag) \d{1,2} "
    r"(januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december)"
    r" 20\d\d$"
)
SECOND_PERSON = {"first_name": "Tweedje", "last_name": "Vandertestenborgh-Partner"}


def group(page: Page, name: str) -> Locator:
    return page.get_by_role("group", name=name)


def fill_registrant(page: Page) -> None:
    page.get_by_label("Uw organisatie", exact=True).select_option("politie")
    page.get_by_label("Uw naam", exact=True).fill(PERSONAL_VALUES["name"])
    page.get_by_label("Uw functie", exact=True).fill("Wijkagent")
    page.get_by_label("Uw e-mailadres op het werk", exact=True).fill(PERSONAL_VALUES["email"])
    page.get_by_label("Uw telefoonnummer", exact=True).fill(PERSONAL_VALUES["phone"])


def fill_person(page: Page, number: int, relation: str, first: str, last: str) -> None:
    person = group(page, f"Betrokkene {number}")
    person.get_by_label("Relatie", exact=True).select_option(label=relation)
    person.get_by_label("Voornaam", exact=True).fill(first)
    person.get_by_label("Achternaam", exact=True).fill(last)
    person.get_by_label("Geboortedatum", exact=True).fill("1984-03-15")
    person.get_by_label("Woonplaats", exact=True).fill(PERSONAL_VALUES["residence"])


def fill_texts(page: Page) -> None:
    page.get_by_label("Beschrijf de problemen", exact=True).fill(PERSONAL_VALUES["description"])
    page.get_by_label("Wat is er al geprobeerd, en waar loopt het vast?").fill(
        PERSONAL_VALUES["tried"]
    )
    page.get_by_label("Wat is uw hulpvraag aan het").fill(PERSONAL_VALUES["question"])


def fill_minimal(page: Page) -> None:
    """Every required answer, no conditional ones (criteria met, informed)."""
    fill_registrant(page)
    person = group(page, "Betrokkene 1")
    person.get_by_label("Voornaam", exact=True).fill(PERSONAL_VALUES["first_name"])
    person.get_by_label("Achternaam", exact=True).fill(PERSONAL_VALUES["last_name"])
    person.get_by_label("Geboortedatum", exact=True).fill("1984-03-15")
    person.get_by_label("Woonplaats", exact=True).fill(PERSONAL_VALUES["residence"])
    group(page, "Op welke leefgebieden").get_by_label("Huisvesting", exact=True).check()
    fill_texts(page)
    group(page, "Heeft de aanmelding spoed?").get_by_label("Normaal", exact=True).check()
    criteria = group(page, "Welke criteria zijn volgens u van toepassing?")
    for number in ("1.", "2.", "3."):
        criteria.get_by_label(number).check()
    group(page, "Is de betrokkene geïnformeerd").get_by_label("Ja", exact=True).check()
    page.get_by_label("Ik deel alleen de gegevens die nodig zijn").check()


def fill_as_a_partner(page: Page) -> None:
    """The whole form as a partner fills it in, with every conditional question asked."""
    fill_registrant(page)
    page.get_by_label("Wanneer bent u het best bereikbaar?").fill("Maandag tot donderdag")
    fill_person(
        page, 1, "Hoofdbetrokkene", PERSONAL_VALUES["first_name"], PERSONAL_VALUES["last_name"]
    )
    page.get_by_role("button", name="Betrokkene toevoegen").click()
    fill_person(page, 2, "Partner", SECOND_PERSON["first_name"], SECOND_PERSON["last_name"])
    domains = group(page, "Op welke leefgebieden")
    domains.get_by_label("Financiën en schulden", exact=True).check()
    domains.get_by_label("Veiligheid thuis of huiselijk geweld", exact=True).check()
    fill_texts(page)
    group(page, "Is er sprake van overlast").get_by_label("Overlast", exact=True).check()
    page.get_by_label("Zijn er veiligheidsrisico's?").fill(PERSONAL_VALUES["safety_risks"])
    reason = page.get_by_label("Waarom heeft de aanmelding spoed?")
    expect(reason).to_be_hidden()
    group(page, "Heeft de aanmelding spoed?").get_by_label("Spoed", exact=True).check()
    reason.fill("Dreigende huisuitzetting volgende week.")
    page.get_by_role("button", name="Organisatie toevoegen").click()
    organisation = group(page, "Organisatie 1")
    # The role's name is the accessible name: the no-script note is not part of it.
    organisation.get_by_role("textbox", name="Naam van de organisatie", exact=True).fill(
        PERSONAL_VALUES["involved"]
    )
    organisation.get_by_label("Rol in de casus").fill("Schuldhulpverlening")
    criteria = group(page, "Welke criteria zijn volgens u van toepassing?")
    criteria.get_by_label("1.").check()
    status = page.locator("#vh-criteria-status")
    expect(status).to_contain_text("klopt dit niet: criterium 2; criterium 3 of 4.")
    page.get_by_label("Waarom meldt u de casus toch aan?").fill("Regionale afspraak.")
    group(page, "Is de betrokkene geïnformeerd").get_by_label("Nee", exact=True).check()
    group(page, "Waarom is de betrokkene niet geïnformeerd?").get_by_label(
        "Lopend strafrechtelijk onderzoek"
    ).check()
    expect(page.get_by_label("Leg uit waarom de betrokkene niet is geïnformeerd")).to_be_hidden()
    page.get_by_label("Ik deel alleen de gegevens die nodig zijn").check()


def assert_nothing_stored(page: Page, context: BrowserContext) -> None:
    stored = page.evaluate("() => [localStorage.length, sessionStorage.length, document.cookie]")
    assert stored == [0, 0, ""]
    assert context.cookies() == []


# ---- JavaScript on ------------------------------------------------------------------------------


def test_the_empty_form_is_accessible_and_reflows_at_320_px(visit: Visit) -> None:
    page = visit.page
    expect(page.get_by_role("button", name="Controleer uw antwoorden")).to_be_visible()
    expect(page.get_by_text("Vul geen burgerservicenummer (BSN)")).to_be_visible()
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320


def test_a_partner_fills_in_everything_checks_the_answers_and_sends(
    visit: Visit, context: BrowserContext
) -> None:
    page = visit.page
    fill_as_a_partner(page)
    page.get_by_role("button", name="Controleer uw antwoorden").click()

    check = page.locator("#vh-check")
    expect(page.get_by_role("heading", name="Controleer uw antwoorden")).to_be_focused()
    for shown in (
        "Financiën en schulden",
        "Spoed",
        "Dreigende huisuitzetting volgende week.",
        "Lopend strafrechtelijk onderzoek",
        SECOND_PERSON["first_name"],
        PERSONAL_VALUES["involved"],
        "15 maart 1984",
        "Politie",
    ):
        expect(check).to_contain_text(shown)
    expect(check).not_to_contain_text("financien-schulden")
    expect(check.get_by_role("term").filter(has_text="Voldoet de casus")).to_be_visible()
    assert_accessible(page)

    # "Wijzigen" goes back to that section; the answers are still there.
    check.get_by_role("link", name="Wijzigen 3. De situatie").click()
    expect(
        group(page, "Op welke leefgebieden").get_by_label("Financiën en schulden")
    ).to_be_focused()
    page.get_by_role("button", name="Controleer uw antwoorden").click()

    page.get_by_role("button", name="Aanmelding versturen").click()
    page.wait_for_url(CONFIRMATION)
    expect(page.locator("#vh-reference")).to_have_text(REFERENCE)
    expect(page.locator("#vh-contact-date")).to_have_text(DUTCH_DATE)
    expect(page.locator("#vh-triage-date")).to_have_text(DUTCH_DATE)
    house = current_house()
    expect(page.get_by_text(house.response_term.promise)).to_be_visible()
    for outcome in house.outcomes:
        expect(page.get_by_text(outcome.label, exact=True)).to_be_visible()
    assert_accessible(page)

    sent = json.loads(visit.posts()[0].post_data or "{}")
    assert [p["relation"] for p in sent["persons"]] == ["hoofdbetrokkene", "partner"]
    assert sent["not_informed_reason"] == "lopend-strafrechtelijk-onderzoek"
    assert "not_informed_explanation" not in sent and "website" not in sent
    assert len(visit.posts()) == 1
    assert visit.origins() == {visit.own_origin}
    assert_nothing_stored(page, context)


def test_each_kind_of_problem_is_explained_inline_and_in_the_summary(visit: Visit) -> None:
    page = visit.page
    page.get_by_role("button", name="Controleer uw antwoorden").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    for missing in (
        "Kies uw organisatie.",
        "Vul uw naam in.",
        "Vul de voornaam van betrokkene 1 in.",
        "Kies minstens één leefgebied.",
        "Kies of de aanmelding spoed heeft.",
        "Vink de verklaring aan.",
    ):
        expect(summary.get_by_role("link", name=missing)).to_be_visible()

    page.get_by_label("Uw e-mailadres op het werk", exact=True).fill("geen-adres")
    page.get_by_label("Uw telefoonnummer", exact=True).fill("12345")
    page.get_by_label("Beschrijf de problemen", exact=True).fill("te kort")
    group(page, "Heeft de aanmelding spoed?").get_by_label("Spoed", exact=True).check()
    group(page, "Is de betrokkene geïnformeerd").get_by_label("Nee", exact=True).check()
    page.get_by_role("button", name="Controleer uw antwoorden").click()

    expect(summary).to_be_focused()
    expected = {
        "registrant.email": "Vul een geldig e-mailadres in, zoals naam@organisatie.nl.",
        "registrant.phone": "Vul een Nederlands telefoonnummer in van 10 cijfers",
        "description": "Schrijf voor de beschrijving van de problemen minstens 20 tekens.",
        "urgency_reason": "Leg uit waarom de aanmelding spoed heeft.",
        "not_informed_reason": "Kies waarom de betrokkene niet is geïnformeerd.",
        "criteria_explanation": "Leg uit waarom u de casus toch aanmeldt.",
    }
    for field, text in expected.items():
        expect(summary).to_contain_text(text)
        expect(page.locator(f"[id='{field}-error']")).to_contain_text(text)
    email = page.get_by_label("Uw e-mailadres op het werk", exact=True)
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_attribute("aria-describedby", re.compile(r"registrant\.email-error"))
    assert_accessible(page)

    summary.get_by_role("link", name="Vul een geldig e-mailadres in").click()
    expect(email).to_be_focused()


def send_a_description_only_the_api_refuses(page: Page) -> Locator:
    """Fill in the form, with a description too short for the API, and send it."""
    fill_minimal(page)
    description = page.get_by_label("Beschrijf de problemen", exact=True)
    description.evaluate("field => field.removeAttribute('minlength')")  # as an old page would
    description.fill("Te kort.")
    page.get_by_role("button", name="Controleer uw antwoorden").click()
    page.get_by_role("button", name="Aanmelding versturen").click()
    return description


def test_a_problem_only_the_api_finds_is_shown_the_same_way(visit: Visit) -> None:
    page = visit.page
    send_a_description_only_the_api_refuses(page)

    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("minstens 20 tekens")
    expect(page.locator("#description-error")).to_contain_text("minstens 20 tekens")
    expect(page.get_by_role("button", name="Controleer uw antwoorden")).to_be_visible()


def test_persons_and_organisations_are_added_and_removed(visit: Visit) -> None:
    page = visit.page
    add = page.get_by_role("button", name="Betrokkene toevoegen")
    add.click()
    expect(group(page, "Betrokkene 2").get_by_label("Relatie", exact=True)).to_be_focused()
    expect(page.locator("#vh-announce")).to_have_text("Betrokkene 2 is toegevoegd.")
    add.click()
    group(page, "Betrokkene 3").get_by_label("Voornaam", exact=True).fill("Derde")

    page.get_by_role("button", name="Betrokkene 2 verwijderen").click()
    expect(add).to_be_focused()
    expect(page.locator("#vh-announce")).to_have_text("Betrokkene 2 is verwijderd.")
    renumbered = group(page, "Betrokkene 2").get_by_label("Voornaam", exact=True)
    expect(renumbered).to_have_value("Derde")
    expect(renumbered).to_have_attribute("name", "persons.1.first_name")
    expect(page.get_by_role("group", name="Betrokkene 3")).to_have_count(0)
    expect(page.get_by_role("button", name="Betrokkene 1 verwijderen")).to_be_visible()

    for _ in range(6):
        add.click()
    expect(page.get_by_role("group", name=re.compile(r"^Betrokkene \d$"))).to_have_count(8)
    expect(add).to_be_hidden()

    page.get_by_role("button", name="Betrokkene 8 verwijderen").click()
    expect(add).to_be_visible()

    # Organisations: none at first (0 to 15).
    expect(page.get_by_role("group", name="Organisatie 1")).to_have_count(0)
    page.get_by_role("button", name="Organisatie toevoegen").click()
    expect(group(page, "Organisatie 1").get_by_label("Naam van de organisatie")).to_be_focused()
    page.get_by_role("button", name="Organisatie 1 verwijderen").click()
    expect(page.get_by_role("group", name="Organisatie 1")).to_have_count(0)


def test_exactly_one_main_person_is_asked_for(visit: Visit) -> None:
    page = visit.page
    fill_minimal(page)
    page.get_by_role("button", name="Betrokkene toevoegen").click()
    fill_person(page, 2, "Hoofdbetrokkene", "Tweede", "Hoofdpersoon")
    page.get_by_role("button", name="Controleer uw antwoorden").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Kies bij precies één betrokkene 'hoofdbetrokkene'."
    )


def test_the_form_can_be_sent_with_the_keyboard_only(visit: Visit) -> None:
    page = visit.page
    fill_minimal(page)
    page.get_by_label("Ik deel alleen de gegevens die nodig zijn").uncheck()
    page.get_by_label("Ik deel alleen de gegevens die nodig zijn").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Controleer uw antwoorden")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Controleer uw antwoorden")).to_be_focused()
    send = page.get_by_role("button", name="Aanmelding versturen")
    for _ in range(40):
        page.keyboard.press("Tab")
        if send.evaluate("button => button === document.activeElement"):
            break
    expect(send).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(CONFIRMATION)


def test_a_retry_after_a_network_error_and_a_double_click_send_one_registration(
    visit: Visit,
) -> None:
    page = visit.page
    fill_minimal(page)
    page.get_by_role("button", name="Controleer uw antwoorden").click()

    def fail(route: Route) -> None:
        route.abort("internetdisconnected")

    page.route("**/api/registrations", fail)
    send = page.get_by_role("button", name="Aanmelding versturen")
    send.click()
    expect(page.get_by_role("alert")).to_contain_text("Er is geen verbinding")
    page.unroute("**/api/registrations", fail)
    expect(send).to_be_enabled()
    send.dblclick()
    page.wait_for_url(CONFIRMATION)

    ids = {json.loads(r.post_data or "{}")["submission_id"] for r in visit.posts()}
    assert len(ids) == 1
    assert len(visit.posts()) == 2  # the failed one and one retry; the double click sent once


def test_answers_changed_after_sending_are_sent_with_a_new_submission_id(visit: Visit) -> None:
    """The API refuses a submission id it saw with other answers (409); the form makes a new
    id when the answers change, and keeps it when they do not (see the retry above)."""
    page = visit.page
    description = send_a_description_only_the_api_refuses(page)
    expect(page.get_by_role("alert")).to_contain_text("minstens 20 tekens")
    description.fill(PERSONAL_VALUES["description"])
    page.get_by_role("button", name="Controleer uw antwoorden").click()
    page.get_by_role("button", name="Aanmelding versturen").click()
    page.wait_for_url(CONFIRMATION)

    ids = [json.loads(r.post_data or "{}")["submission_id"] for r in visit.posts()]
    assert len(ids) == 2
    assert ids[0] != ids[1]


# ---- JavaScript off -----------------------------------------------------------------------------


def test_without_javascript_the_whole_form_is_there_and_posts(no_js: Visit) -> None:
    page = no_js.page
    expect(page.get_by_label("Naam van uw organisatie", exact=False)).to_be_visible()
    expect(page.get_by_label("Waarom heeft de aanmelding spoed?", exact=False)).to_be_visible()
    expect(page.get_by_text("(alleen invullen als u 'Spoed' kiest)")).to_be_visible()
    # The honeypot: off-screen, out of the tab order and out of the accessibility tree.
    expect(page.locator("#website")).to_have_attribute("tabindex", "-1")
    expect(page.get_by_role("textbox", name="Website")).to_have_count(0)

    fill_minimal(page)
    page.get_by_text("Meer betrokkenen invullen").click()
    fill_person(page, 2, "Partner", SECOND_PERSON["first_name"], SECOND_PERSON["last_name"])
    page.get_by_role("button", name="Aanmelding versturen").click()
    # The server renders the confirmation with the reference (tests/browser/test_partner_side.py).
    expect(page.locator("#vh-reference")).to_have_text(REFERENCE)
    assert no_js.origins() == {no_js.own_origin}
    assert page.context.cookies() == []


def test_the_form_without_its_script_is_accessible(
    page: Page, built_site: Path, local_system: LocalSystem
) -> None:
    """axe-core needs JavaScript itself: it checks the page as it is without the form's
    script (every conditional question and the extra rows shown)."""
    page.route("**/assets/form/form.js", lambda route: route.abort())
    page.goto(f"{local_system.url}/casus-aanmelden/")
    expect(page.get_by_role("button", name="Aanmelding versturen")).to_be_visible()
    page.get_by_text("Meer betrokkenen invullen").click()
    page.get_by_text("Meer organisaties invullen").click()
    assert_accessible(page)


def test_without_javascript_an_invalid_post_shows_the_form_again_with_the_problems(
    no_js: Visit,
) -> None:
    page = no_js.page
    fill_minimal(page)
    page.get_by_label("Uw telefoonnummer", exact=True).fill("12345")
    group(page, "Heeft de aanmelding spoed?").get_by_label("Spoed", exact=True).check()
    page.get_by_role("button", name="Aanmelding versturen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Controleer uw aanmelding")
    errors = page.get_by_role("alert")
    expect(errors).to_contain_text("Vul een Nederlands telefoonnummer in van 10 cijfers")
    expect(errors).to_contain_text("Leg uit waarom de aanmelding spoed heeft.")
    expect(page.get_by_role("button", name="Aanmelding versturen")).to_be_visible()
