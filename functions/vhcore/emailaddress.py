"""An e-mail address field: a syntax check of our own instead of pydantic's ``EmailStr``.

``EmailStr`` needs the ``email_validator`` package, whose import compiles large regular
expressions: about 45 ms of every cold start of intake, which nearly every registration pays.
What we need is smaller: a plausible address on the internet, checked by its syntax (whether
the mailbox exists is never checked, not by ``EmailStr`` either):

- at most 254 characters in all (RFC 5321 path limit) and 64 before the ``@`` (RFC 5321);
- exactly one ``@``; no spaces or control characters anywhere;
- before the ``@``: a dot-atom (RFC 5322): letters, digits and ``!#$%&'*+-/=?^_`{|}~``,
  also non-ASCII letters (RFC 6531), dots only between characters. Quoted local parts
  (``"a b"@x.nl``) are refused, as ``EmailStr`` refuses them;
- after the ``@``: a domain name with at least one dot; each label 1-63 characters of letters,
  digits and hyphens, not starting or ending with a hyphen; the top-level label letters only
  (or an ``xn--`` IDN label). An international domain may be written in Unicode
  (``bücher.nl``) or as ASCII (``xn--bcher-kva.nl``); it is kept as written. No IP literals,
  and no special-use names that cannot receive mail (``.local``, ``.test``, ...).

The domain is lower-cased (it is case-insensitive); the part before the ``@`` is kept as typed
(a mail server may treat its case as significant). A refused address gives pydantic's
``value_error``, as ``EmailStr`` did, so the Dutch messages (``vhcore.messages``) and the
form's script are unchanged; the reason never repeats what was typed.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

MAX_LENGTH = 254
MAX_LOCAL_LENGTH = 64
MAX_LABEL_LENGTH = 63
# RFC 6761 and others: names that never receive internet mail (as email_validator refuses).
SPECIAL_USE = frozenset({"arpa", "invalid", "local", "localhost", "onion", "test"})

# RFC 5322 atext: what a dot-atom before the @ may hold besides non-ASCII letters.
_ATEXT = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-"
)
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
_TOP_LEVEL = re.compile(r"[a-z]{2,63}|xn--[a-z0-9-]{1,59}")


def _refuse(reason: str) -> PydanticCustomError:
    return PydanticCustomError(
        "value_error", "value is not a valid email address: {reason}", {"reason": reason}
    )


def _atom_char(char: str) -> bool:
    """atext, or a non-ASCII character that is no space, control, format or unassigned one."""
    if char.isascii():
        return char in _ATEXT
    return unicodedata.category(char)[0] not in {"C", "Z"}


def _ascii_label(label: str) -> str | None:
    """The label as ASCII (IDNA for a Unicode one), or None when it cannot be one."""
    if label.isascii():
        return label
    if not all(char == "-" or char.isalnum() for char in label):
        return None
    try:
        return label.encode("idna").decode("ascii")
    except UnicodeError:
        return None


def _ascii_domain(domain: str) -> str:
    """The (lower-case) domain in ASCII, as it travels in SMTP; refused when not valid."""
    labels = [_ascii_label(label) for label in domain.split(".")]
    if len(labels) < 2:
        raise _refuse("the part after the @-sign needs a dot")
    for label in labels:
        if not label or len(label) > MAX_LABEL_LENGTH or not _LABEL.fullmatch(label):
            raise _refuse("the part after the @-sign has an empty, long or invalid label")
    top = str(labels[-1])
    if not _TOP_LEVEL.fullmatch(top):
        raise _refuse("the part after the @-sign has no valid top-level domain")
    if top in SPECIAL_USE:
        raise _refuse("the part after the @-sign is a special-use name")
    return ".".join(str(label) for label in labels)


def normalise_email(value: str) -> str:
    """The address with its domain lower-cased; ``value_error`` when it is not valid."""
    if len(value) > MAX_LENGTH:
        raise _refuse("longer than 254 characters")
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    local, at, domain = value.rpartition("@")
    if not at:
        raise _refuse("no @-sign")
    if "@" in local:
        raise _refuse("more than one @-sign")
    local_length = len(local.encode("utf-8"))
    if local_length > MAX_LOCAL_LENGTH:
        raise _refuse("more than 64 characters before the @-sign")
    if not all(atom and all(_atom_char(c) for c in atom) for atom in local.split(".")):
        raise _refuse("the part before the @-sign has invalid characters or dots")
    domain = domain.lower()
    if local_length + 1 + len(_ascii_domain(domain)) > MAX_LENGTH:
        raise _refuse("longer than 254 characters")
    return f"{local}@{domain}"


def _any_case(word: str) -> str:
    return "".join(f"[{c}{c.upper()}]" for c in word)


# For the API document: ``format: email`` does not say that special-use names are refused.
# (A pattern without flags, as JSON Schema's ECMA-262 dialect has no case-insensitive flag.)
NOT_SPECIAL_USE = (
    r"^(?!.*\.(?:" + "|".join(_any_case(name) for name in sorted(SPECIAL_USE)) + r")$)"
)

EmailAddress = Annotated[
    str,
    AfterValidator(normalise_email),
    WithJsonSchema(
        {
            "type": "string",
            "format": "email",
            "maxLength": MAX_LENGTH,
            "pattern": NOT_SPECIAL_USE,
        }
    ),
]
"""A work e-mail address (``format: email``, at most 254 characters in the API document, and
no special-use top-level domain)."""
