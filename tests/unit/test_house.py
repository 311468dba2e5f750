"""House files: every shipped house loads; a broken one says which file, field and problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from vhcore.house import HouseConfigError, house_path, load_house_file, shipped_houses

SHIPPED = [
    "hollands-midden",
    "noord-holland-noord",
    "sittard",
    "voorbeeldregio",
    "zuid-holland-zuid",
]


def test_the_default_and_the_four_seeded_regions_are_shipped() -> None:
    assert shipped_houses() == SHIPPED


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_house_is_valid_and_takes_cases_on(name: str) -> None:
    house = load_house_file(house_path(name))
    assert house.id == name
    assert any(o.taken_on for o in house.outcomes)
    assert house.response_term.promise


def test_noord_holland_noord_triages_on_tuesday_with_a_monday_noon_cutoff() -> None:
    house = load_house_file(house_path("noord-holland-noord"))
    assert house.triage.weekly is not None and house.triage.weekly.dutch == "dinsdag"
    assert house.triage.cutoff is not None
    assert house.triage.cutoff.weekday.dutch == "maandag"
    assert house.triage.cutoff.time.strftime("%H:%M") == "12:00"
    assert {o.id for o in house.outcomes} == {"ico", "advies"}


def test_sittard_has_four_outcomes_a_two_week_term_and_no_fixed_triage_day() -> None:
    house = load_house_file(house_path("sittard"))
    assert len(house.outcomes) == 4
    assert house.response_term.dutch == "2 weken"
    assert house.triage.weekly is None


def test_the_default_house_promises_a_call_within_five_working_days() -> None:
    house = load_house_file(house_path("voorbeeldregio"))
    assert house.response_term.dutch == "5 werkdagen"
    assert all(p.domains for p in house.partners)
    assert all(d.endswith("example.org") for p in house.partners for d in p.domains)


def _broken(tmp_path: Path, text: str, name: str = "kapot") -> Path:
    path = tmp_path / f"{name}.yaml"
    original = house_path("voorbeeldregio").read_text(encoding="utf-8")
    path.write_text(original + text, encoding="utf-8")
    return path


def test_an_invalid_field_is_reported_with_file_field_and_problem(tmp_path: Path) -> None:
    path = _broken(tmp_path, "\nresponse_term: {amount: 0, unit: fortnights, promise: x}\n")
    with pytest.raises(HouseConfigError) as caught:
        load_house_file(path)
    message = str(caught.value)
    assert f"{path}: response_term.amount: Input should be greater than or equal to 1" in message
    assert f"{path}: response_term.unit: Input should be 'working_days'" in message


def test_an_unknown_field_is_refused(tmp_path: Path) -> None:
    path = _broken(tmp_path, "\ntriage_dag: dinsdag\n")
    with pytest.raises(HouseConfigError, match=r"kapot\.yaml: triage_dag: Extra inputs"):
        load_house_file(path)


def test_a_weekly_triage_without_cutoff_is_refused(tmp_path: Path) -> None:
    path = _broken(tmp_path, "\ntriage: {weekly: tuesday}\n")
    with pytest.raises(HouseConfigError, match=r"triage: Value error, weekly and cutoff"):
        load_house_file(path)


def test_the_id_must_match_the_file_name(tmp_path: Path) -> None:
    path = _broken(tmp_path, "\nid: iets-anders\n")
    with pytest.raises(HouseConfigError, match=r"id: 'iets-anders' must equal the file name"):
        load_house_file(path)


def test_yaml_that_does_not_parse_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "stuk.yaml"
    path.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(HouseConfigError, match=r"stuk\.yaml: not valid YAML"):
        load_house_file(path)


def test_a_house_name_with_path_characters_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VH_HOUSE_FILE", raising=False)
    with pytest.raises(HouseConfigError, match="not a house name"):
        house_path("../etc/passwd")


def test_make_build_ships_every_house_as_json_that_reads_back_the_same(tmp_path: Path) -> None:
    from deploy.bundle import bundle

    written = bundle(tmp_path)
    assert sorted(p.name for p in written) == [f"{name}.json" for name in SHIPPED]
    for name in SHIPPED:
        assert load_house_file(tmp_path / f"{name}.json") == load_house_file(house_path(name))


def test_a_bundled_folder_is_read_as_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from deploy.bundle import bundle

    bundle(tmp_path)
    monkeypatch.setattr("vhcore.house.houses_dir", lambda: tmp_path)
    monkeypatch.delenv("VH_HOUSE_FILE", raising=False)
    assert house_path("sittard") == tmp_path / "sittard.json"
    assert shipped_houses() == SHIPPED


def test_a_house_that_does_not_validate_stops_the_build(tmp_path: Path) -> None:
    from deploy.bundle import bundle

    source = tmp_path / "bron"
    source.mkdir()
    _broken(source, "\nresponse_term: {amount: 0, unit: weeks, promise: x}\n")
    with pytest.raises(HouseConfigError, match=r"kapot\.yaml: response_term\.amount"):
        bundle(tmp_path / "uit", source=source)


def test_json_that_does_not_parse_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "stuk.json"
    path.write_text('{"name": ', encoding="utf-8")
    with pytest.raises(HouseConfigError, match=r"stuk\.json: not valid JSON"):
        load_house_file(path)


def test_a_receipt_address_must_belong_to_the_organisation_chosen() -> None:
    house = load_house_file(house_path("voorbeeldregio"))
    assert house.address_of("politie", "a.b@politie.example.org")
    assert house.address_of("politie", "a.b@eenheid.politie.example.org")  # a subdomain
    assert not house.address_of("politie", "a.b@gmail.com")
    # Another partner's address, an unknown organisation, "anders": no receipt.
    assert not house.address_of("ggz", "a.b@politie.example.org")
    assert not house.address_of("anders", "a.b@politie.example.org")
    assert not house.address_of("politie", "a.b@politie.example.org.evil.test")


def test_zuid_holland_zuid_is_shipped_from_its_seed_with_what_it_does_not_give_unconfirmed() -> (
    None
):
    house = load_house_file(house_path("zuid-holland-zuid"))
    assert house.response_term.dutch == "5 werkdagen"
    assert "telefonisch" in house.response_term.promise
    assert [o.taken_on for o in house.outcomes] == [False, True]
    assert set(house.unconfirmed) == {"partners", "contact", "retention", "privacy"}
    assert "PLACEHOLDER" in house_path("zuid-holland-zuid").read_text(encoding="utf-8")
    # What it gives stays a promise: a date, and the outcomes as the list
    assert house.promises_a_date
    assert house.public_promise == house.response_term.promise
    assert house.outcomes_intro == "Er zijn twee mogelijke uitkomsten:"


def test_an_unconfirmed_term_and_outcomes_are_published_without_a_promise() -> None:
    midden = load_house_file(house_path("hollands-midden"))
    assert {"response_term", "outcomes"} <= set(midden.unconfirmed)
    assert not midden.promises_a_date
    assert midden.public_promise == (
        "Wij streven ernaar binnen 5 werkdagen na ontvangst contact met u op te nemen. "
        "Een vaste termijn is nog niet afgesproken."
    )
    assert midden.outcomes_intro == "Mogelijke uitkomsten zijn bijvoorbeeld:"


def test_an_unknown_or_repeated_unconfirmed_value_is_refused(tmp_path: Path) -> None:
    for text, problem in (
        ("\nunconfirmed: [response_term, response_term]\n", "named twice"),
        ("\nunconfirmed: [reactietermijn]\n", "unconfirmed.0"),
    ):
        with pytest.raises(HouseConfigError) as caught:
            load_house_file(_broken(tmp_path, text))
        assert problem in str(caught.value)
