"""The ``vh1`` format without KMS (docs/encryption.md): what one data key seals opens only
with that key, the same header and the same registration."""

from __future__ import annotations

import base64
import os

import pytest

from vhcore.dal.crypto import PREFIX, Tampered, _parse, open_sealed, seal, wrapped_key_of

KEY = bytes(range(32))
WRAPPED = b"kms-wrapped-data-key"
CONTEXT = {"registration_id": "r-1"}


def opened(ciphertext: str, key: bytes = KEY, context: dict[str, str] = CONTEXT) -> str:
    return open_sealed(key, _parse(ciphertext), context)


def flip(ciphertext: str, index: int) -> str:
    blob = bytearray(base64.urlsafe_b64decode(ciphertext.removeprefix(PREFIX)))
    blob[index] ^= 1
    return PREFIX + base64.urlsafe_b64encode(bytes(blob)).decode()


def test_a_sealed_text_opens_with_its_key_and_context() -> None:
    text = '{"naam": "Jan de Vries", "omschrijving": "é ü 🙂"}'
    sealed = seal(KEY, WRAPPED, text, CONTEXT)
    assert sealed.startswith(PREFIX)
    assert "Jan" not in sealed
    assert wrapped_key_of(sealed) == WRAPPED
    assert opened(sealed) == text


def test_the_same_text_seals_differently_each_time() -> None:
    assert seal(KEY, WRAPPED, "x", CONTEXT) != seal(KEY, WRAPPED, "x", CONTEXT)


def test_another_registration_another_key_or_a_changed_byte_is_refused() -> None:
    sealed = seal(KEY, WRAPPED, "geheim", CONTEXT)
    with pytest.raises(Tampered, match="authentication"):
        opened(sealed, context={"registration_id": "r-2"})
    with pytest.raises(Tampered, match="commitment"):
        opened(sealed, key=os.urandom(32))
    size = len(base64.urlsafe_b64decode(sealed.removeprefix(PREFIX)))
    # salt or commitment: the commitment check; nonce, the wrapped key or the body: the tag.
    for index, reason in (
        (1, "commitment"),
        (40, "commitment"),
        (70, "authentication"),
        (80, "authentication"),
        (size - 1, "authentication"),
    ):
        with pytest.raises(Tampered, match=reason):
            opened(flip(sealed, index))


@pytest.mark.parametrize("text", ["vh1.", "vh1.AAAA", "vh1.!!", "vh1." + "A" * 200])
def test_what_is_not_a_vh1_ciphertext_is_refused(text: str) -> None:
    with pytest.raises(Tampered):
        _parse(text)
