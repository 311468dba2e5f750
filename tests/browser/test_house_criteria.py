"""Each seed house's own criteria (issue #15), as a partner meets them: on the criteria page and
in the form, where answers that fail the house's rule get that house's Dutch message.

The sites are the ones ``conftest`` builds and serves (one static server per house); the
form's script checks the answers before anything is sent, with the API's own words
(``tests/unit/test_criteria.py`` shows they are the API's)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.accessibility import assert_accessible
from vhcore.house import house_path, load_house_file

pytestmark = pytest.mark.browser

# Per seed house: which boxes (by number) are ticked, and what the house then says is not met.
FAILING = {
    "sittard": ([1, 2], "Volgens uw antwoorden klopt dit niet: criterium 3."),
    "hollands-midden": (
        [1],
        "Volgens uw antwoorden klopt dit niet: criteria 1 én 2, of criterium 3.",
    ),
    "noord-holland-noord": ([1, 2], "Volgens uw antwoorden klopt dit niet: criterium 3 of 4."),
    "zuid-holland-zuid": ([3], "Volgens uw antwoorden klopt dit niet: criterium 1; criterium 2."),
}


@pytest.mark.parametrize("house", sorted(FAILING))
def test_the_house_s_criteria_are_on_its_page_and_in_its_form_with_its_message(
    house: str, origins: dict[str, str], site_page: Page
) -> None:
    page = site_page
    criteria = load_house_file(house_path(house)).criteria
    ticked, message = FAILING[house]

    # The criteria page lists the house's own questions, in order, and its rule
    page.goto(origins[house] + "/criteria/")
    article = page.locator("article")
    for number, question in enumerate(criteria.questions, start=1):
        expect(article).to_contain_text(f"Criterium {number}. {question.label}.")
        expect(article).to_contain_text(" ".join(question.question.split()))
    if not isinstance(criteria.rule, str):
        expect(article.locator(".vh-rule")).to_contain_text(criteria.dutch_rule())

    # The form asks the same questions, numbered the same
    page.goto(origins[house] + "/casus-aanmelden/")
    boxes = page.get_by_role("group", name="Welke criteria zijn volgens u van toepassing?")
    labels = boxes.locator("label")
    expect(labels).to_have_count(len(criteria.questions))
    for number, question in enumerate(criteria.questions, start=1):
        expect(labels.nth(number - 1)).to_have_text(
            f"{number}. {' '.join(question.question.split())}"
        )

    # Answers that fail the house's rule: the status says what is not met, at once
    for number in ticked:
        boxes.get_by_role("checkbox").nth(number - 1).check()
    expect(page.locator("#vh-criteria-status")).to_contain_text(message)
    explanation = page.get_by_label("Waarom meldt u de casus toch aan?")
    expect(explanation).to_be_visible()

    # And checking the answers asks for the explanation in the house's words
    page.get_by_role("button", name="Controleer uw antwoorden").click()
    error = page.locator("[id='criteria_explanation-error']")
    expect(error).to_contain_text(f"{message} Leg uit waarom u de casus toch aanmeldt.")
    expect(page.locator("#vh-error-summary")).to_contain_text(message)
    assert_accessible(page)
