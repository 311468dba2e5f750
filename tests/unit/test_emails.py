"""E-mails: plain Dutch, the reference and the next step, never data of a betrokkene."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from vhcore.emails import SUBJECTS, render
from vhcore.house import House, current_house

ITEM = {
    "reference": "VH-7K3M-Q9TX",
    "received_at": "2026-11-23T10:15:00Z",
    "respond_by": "2026-11-30T16:00:00Z",
    "triage_date": "2026-11-26",
}


@pytest.fixture(autouse=True)
def site(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITE_URL", "https://vh.example.org")


def test_the_receipt_gives_reference_dates_in_dutch_and_the_houses_promise() -> None:
    email = render("receipt", **ITEM)
    assert email.subject == "Ontvangstbevestiging van uw aanmelding VH-7K3M-Q9TX"
    for part in (email.text, email.html):
        assert "VH-7K3M-Q9TX" in part
        assert "maandag 23 november 2026 om 11.15 uur" in part
        assert "uiterlijk maandag 30 november 2026." in part  # a date, never a minute
        assert "17.00" not in part
        assert "donderdag 26 november 2026" in part
        assert current_house().response_term.promise in part
        assert "geen gegevens over de betrokkene" in part


def test_without_a_triage_date_the_receipt_says_it_will_be_planned() -> None:
    email = render("receipt", **(ITEM | {"triage_date": None}))
    assert "plannen wij de bespreking in de triage in" in email.text


def test_the_decision_notice_names_the_houses_outcome() -> None:
    outcome = current_house().outcomes[1]
    email = render("decision", outcome=outcome, **ITEM)
    assert outcome.label in email.text and outcome.description in email.html


def test_the_reminder_comes_before_the_promise_and_the_escalation_after_it() -> None:
    staff_url = "https://vh.example.org/beheer/#VH-7K3M-Q9TX"
    before = render("reminder", staff_url=staff_url, about="contact", **ITEM)
    after = render("escalation", staff_url=staff_url, about="contact", **ITEM)
    assert before.subject == (
        "Herinnering: contact uiterlijk maandag 30 november 2026 bij aanmelding VH-7K3M-Q9TX"
    )
    assert "Dat moet uiterlijk maandag 30 november 2026." in before.text
    assert after.subject == "Termijn verlopen: nog geen contact bij aanmelding VH-7K3M-Q9TX"
    assert "is verlopen op maandag 30 november 2026" in after.text
    assert "is verlopen op maandag 30 november 2026" in after.html
    for email in (before, after):
        assert staff_url in email.text and staff_url in email.html


def test_the_agenda_mail_has_a_count_and_a_link_only() -> None:
    email = render("agenda", triage_date="2026-11-26", count=3)
    assert email.subject == "Agenda triage donderdag 26 november 2026: 3 aanmelding(en)"
    assert "Er staan 3 aanmeldingen op." in email.text
    assert "https://vh.example.org/beheer/" in email.html


def test_html_mails_escape_what_they_insert() -> None:
    email = render("receipt", **(ITEM | {"reference": "<script>x</script>"}))
    assert "<script>x</script>" not in email.html
    assert "&lt;script&gt;" in email.html


def test_every_kind_has_a_subject_and_renders() -> None:
    outcome = current_house().outcomes[0]
    for kind in SUBJECTS:
        if kind == "agenda":
            email = render(kind, triage_date="2026-11-26", count=1)
        elif kind == "digest":
            email = render(kind, day="2026-11-26", references=["VH-7K3M-Q9TX"])
        else:
            base, _, about = kind.partition("-")
            specific = about in {"contact", "decision", "information"}
            email = render(
                base if specific else kind,
                about=about if specific else None,
                outcome=outcome,
                organisation="Politie",
                staff_url="https://x.example/",
                **ITEM,
            )
        assert email.subject and email.text.strip() and '<html lang="nl">' in email.html


@pytest.mark.parametrize("kind", ["reminder", "escalation", "agenda", "urgent", "announce"])
def test_a_staff_mail_ends_with_what_to_do_not_with_contact_us(kind: str) -> None:
    context = (
        {"triage_date": "2026-12-10", "count": 2}
        if kind == "agenda"
        else {
            "reference": "VH-7K3M-Q9TX",
            "received_at": "2026-12-01T09:00:00+00:00",
            "respond_by": "2026-12-08T16:00:00+00:00",
            "triage_date": None,
            "organisation": "Politie",
        }
    )
    email = render(kind, **context)
    assert "Vragen? Neem contact op" not in email.html + email.text
    assert "Wat er te doen is, staat hierboven." in email.html


def test_a_registrant_mail_ends_with_how_to_reach_the_house() -> None:
    email = render(
        "receipt",
        reference="VH-7K3M-Q9TX",
        received_at="2026-12-01T09:00:00+00:00",
        respond_by="2026-12-08T16:00:00+00:00",
        triage_date=None,
    )
    assert "Neem contact op met" in email.html and "Neem contact op met" in email.text


def test_the_registrant_hears_of_the_placement_with_its_date_and_of_the_closing() -> None:
    placed = render("scheduled", **ITEM)
    assert placed.subject == "Uw aanmelding VH-7K3M-Q9TX staat op de agenda van de triage"
    assert "de triage van donderdag 26 november 2026" in placed.text
    closed = render("closed", **ITEM)
    assert closed.subject == "Uw aanmelding VH-7K3M-Q9TX is afgesloten"
    assert "afgesloten. U hoeft niets meer te doen." in closed.text
    for email in (placed, closed):
        assert "Noem altijd het kenmerk VH-7K3M-Q9TX" in email.text


def test_a_house_with_an_unconfirmed_term_aims_at_it_in_the_receipt_and_promises_no_date(
    use_house: Callable[[str], House],
) -> None:
    # Given Hollands Midden, whose response term its public page does not give
    midden = use_house("hollands-midden")
    # When a receipt is written
    email = render("receipt", **ITEM)
    # Then it names the term as an aim, with no date and not the file's promise
    for part in (email.text, email.html):
        assert (
            "Wij streven ernaar binnen 5 werkdagen na ontvangst contact met u op te nemen. "
            "Een vaste termijn is nog niet afgesproken." in part
        )
        assert "uiterlijk" not in part
        assert "30 november" not in part
        assert midden.response_term.promise not in part
