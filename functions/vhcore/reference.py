"""References (kenmerken): short, readable over the phone, unambiguous, not guessable."""

from __future__ import annotations

import re
import secrets

# Crockford-like: no 0/O, 1/I/L, and no U; 30 symbols.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUPS = 2
GROUP_SIZE = 4
PREFIX = "VH"
PATTERN = re.compile(rf"^{PREFIX}(-[{ALPHABET}]{{{GROUP_SIZE}}}){{{GROUPS}}}$")


def new_reference() -> str:
    """E.g. ``VH-7K3M-Q9TX``: 30^8 (about 6.6e11) possibilities, drawn with ``secrets``."""
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(GROUP_SIZE)) for _ in range(GROUPS))
    return "-".join((PREFIX, *groups))


def is_reference(text: str) -> bool:
    return bool(PATTERN.fullmatch(text))
