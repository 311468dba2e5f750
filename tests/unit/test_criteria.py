"""Each house's criteria (issue #15): the questions and the rule in the house file, the national
rule as the default, and the Dutch message that names what is not met."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from tests.factories import registration
from vhcore.criteria import NATIONAL, Criteria
from vhcore.formview import FormView
from vhcore.house import House, HouseConfigError, house_path, load_house_file
from vhcore.messages import dutch_errors
from vhcore.registration import RegistrationRequest


def house(name: str) -> House:
    return load_house_file(house_path(name))


def criteria(**fields: Any) -> Criteria:
    questions = [{"id": i, "label": i.upper(), "question": f"Klopt {i}?"} for i in "abcd"]
    return Criteria.model_validate({"questions": questions, **fields})


def problems(body: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        RegistrationRequest.model_validate(body)
    errors = [{**e, "loc": ("body", *e["loc"])} for e in caught.value.errors()]
    return {p.field: p.message for p in dutch_errors(errors)}


# --- The model -------------------------------------------------------------------------------


def test_a_house_without_criteria_gets_the_national_rule() -> None:
    # Given the example house and Noord-Holland Noord, whose files state no criteria
    for name in ("voorbeeldregio", "noord-holland-noord", "zuid-holland-zuid"):
        # Then they ask the four national questions: (1 and 2) and (3 or 4)
        assert house(name).criteria == NATIONAL
    assert NATIONAL.dutch_rule() == "1 én 2 én (3 of 4)"
    ids = NATIONAL.ids
    assert NATIONAL.met({ids[0], ids[1], ids[2]})
    assert NATIONAL.met({ids[0], ids[1], ids[3]})
    assert not NATIONAL.met({ids[0], ids[1]})
    assert not NATIONAL.met({ids[1], ids[2], ids[3]})


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"rule": {"all": ["a", "b", "c", "x"]}}, "unknown question id(s) x"),
        ({"rule": {"all": ["a", "b", "c"]}}, "question(s) d not in the rule"),
        ({"rule": {"all": ["a", "b", "c", {"any": ["d", "a"]}]}}, "named more than once"),
        ({"rule": {"all": [{"any": [{"all": [{"any": ["a", "b", "c", "d"]}]}]}]}}, "deeper"),
        ({"rule": "most"}, "rule"),
        ({"retired": [{"id": "a", "label": "A", "question": "Oud?"}]}, "duplicate"),
    ],
)
def test_a_rule_must_name_each_question_of_the_house_once(
    fields: dict[str, Any], problem: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        criteria(**fields)
    assert problem in str(caught.value)


def test_a_house_must_ask_at_least_one_question(tmp_path: Path) -> None:
    path = tmp_path / "kapot.yaml"
    original = house_path("voorbeeldregio").read_text(encoding="utf-8")
    path.write_text(original + "\ncriteria: {questions: [], rule: all}\n", encoding="utf-8")
    with pytest.raises(HouseConfigError) as caught:
        load_house_file(path)
    assert "criteria.questions" in str(caught.value)


def test_a_question_can_count_no_as_meeting_it() -> None:
    rule = Criteria.model_validate(
        {
            "questions": [
                {"id": "a", "label": "A", "question": "Klopt a?"},
                {
                    "id": "al-geprobeerd",
                    "label": "B",
                    "question": "Kan één keten het?",
                    "meets": "nee",
                },
            ]
        }
    )
    assert rule.met({"a"})
    assert not rule.met({"a", "al-geprobeerd"})
    assert rule.unmet({"a", "al-geprobeerd"}) == (
        "Volgens uw antwoorden klopt dit niet: criterium 2 (met 'nee')."
    )


def test_retired_questions_still_read_on_old_cases_but_are_not_asked() -> None:
    rule = criteria(retired=[{"id": "oud", "label": "Oud", "question": "Een oude vraag?"}])
    assert "oud" not in rule.ids
    assert rule.question("oud").question == "Een oude vraag?"


# --- The seed houses -------------------------------------------------------------------------


def test_sittard_asks_its_own_three_questions_and_all_must_be_yes() -> None:
    sittard = house("sittard").criteria
    assert [q.question for q in sittard.questions][2] == (
        "Is regie door het Veiligheidshuis noodzakelijk?"
    )
    assert len(sittard.questions) == 3
    assert sittard.met(set(sittard.ids))
    assert not sittard.met(set(sittard.ids[:2]))
    assert (
        sittard.unmet(set(sittard.ids[:2])) == "Volgens uw antwoorden klopt dit niet: criterium 3."
    )


def test_hollands_midden_takes_multi_problem_with_chains_or_a_serious_local_safety_problem() -> (
    None
):
    midden = house("hollands-midden").criteria
    multi, chains, local = midden.ids
    assert midden.dutch_rule() == "(1 én 2) of 3"
    assert midden.met({multi, chains})
    assert midden.met({local})
    assert not midden.met({multi})
    assert midden.unmet({multi}) == (
        "Volgens uw antwoorden klopt dit niet: criteria 1 én 2, of criterium 3."
    )


@pytest.mark.parametrize(
    ("name", "ticked", "message"),
    [
        ("voorbeeldregio", [0, 1], "klopt dit niet: criterium 3 of 4."),
        ("voorbeeldregio", [2], "klopt dit niet: criterium 1; criterium 2."),
        ("sittard", [0], "klopt dit niet: criterium 2; criterium 3."),
        ("hollands-midden", [1], "klopt dit niet: criteria 1 én 2, of criterium 3."),
    ],
)
def test_the_api_names_what_is_not_met_by_the_house_s_own_rule(
    use_house: Callable[[str], House], name: str, ticked: list[int], message: str
) -> None:
    # Given a house and a registration whose answers do not meet its rule
    ids = use_house(name).criteria.ids
    body = registration(criteria=[ids[i] for i in ticked])
    # Then the explanation is asked for, naming what is not met
    found = problems(body)
    assert found["criteria_explanation"] == (
        f"Volgens uw antwoorden {message} Leg uit waarom u de casus toch aanmeldt."
    )
    # And with an explanation it is accepted, recorded as not meeting the criteria
    accepted = RegistrationRequest.model_validate(body | {"criteria_explanation": "Afspraak."})
    assert accepted.criteria_met is False


def test_a_question_of_another_house_is_refused(use_house: Callable[[str], House]) -> None:
    use_house("sittard")
    found = problems(registration(criteria=["meerdere-leefgebieden"]))
    assert found["criteria"] == "Kies alleen criteria uit de lijst, elk hoogstens één keer."


@pytest.mark.parametrize("name", ["voorbeeldregio", "sittard", "hollands-midden"])
def test_the_form_s_script_gets_the_api_s_words_for_every_combination(
    use_house: Callable[[str], House], name: str
) -> None:
    current = use_house(name)
    outcomes = current.criteria.outcomes()
    assert len(outcomes) == 2 ** len(current.criteria.questions)
    ids = current.criteria.ids
    for key, unmet in outcomes.items():
        ticked = [i for i, bit in zip(ids, key, strict=True) if bit == "1"]
        body = registration(criteria=ticked)
        if unmet:
            assert problems(body)["criteria_explanation"].startswith(unmet)
        else:
            assert RegistrationRequest.model_validate(body).criteria_met
    assert FormView(current).criteria_outcomes.startswith("{")


def test_the_request_schema_states_the_house_s_questions_and_rule(
    use_house: Callable[[str], House],
) -> None:
    current = use_house("sittard")
    schema = RegistrationRequest.model_json_schema()
    assert schema["properties"]["criteria"]["items"]["enum"] == current.criteria.ids
    condition = schema["allOf"][-1]
    assert condition["if"]["properties"]["criteria"] == {
        "allOf": [{"contains": {"const": i}} for i in current.criteria.ids]
    }
    assert condition["else"]["required"] == ["criteria_explanation"]
