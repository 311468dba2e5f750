"""References: readable over the phone, no ambiguous characters, hard to guess."""

from __future__ import annotations

from vhcore.reference import ALPHABET, is_reference, new_reference


def test_a_reference_has_two_groups_of_four_after_the_prefix() -> None:
    reference = new_reference()
    assert is_reference(reference)
    prefix, first, second = reference.split("-")
    assert prefix == "VH" and len(first) == len(second) == 4


def test_the_alphabet_has_no_characters_that_are_confused_on_the_phone() -> None:
    assert not set("01OILU") & set(ALPHABET)
    assert len(set(ALPHABET)) == len(ALPHABET) == 30


def test_references_do_not_repeat_in_ten_thousand_draws() -> None:
    drawn = {new_reference() for _ in range(10_000)}
    assert len(drawn) == 10_000
    assert set("".join(drawn).replace("VH", "").replace("-", "")) == set(ALPHABET)


def test_malformed_references_are_recognised() -> None:
    assert not is_reference("VH-0000-1111")
    assert not is_reference("vh-7k3m-q9tx")
    assert not is_reference("VH-7K3M-Q9TX-AAAA")
