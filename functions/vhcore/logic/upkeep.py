"""Upkeep the deploy runs: what an earlier version stored in clear is sealed now."""

from __future__ import annotations

from vhcore.log import logger
from vhcore.ports import Services


def seal_legacy_text(services: Services) -> int:
    """Seal every staff text an earlier version kept in clear (history reasons, audit
    purposes), each bound to its case. How many items were rewritten; safe to repeat."""
    rewritten = services.store.seal_legacy_text(
        lambda registration_id, text: services.cipher.encrypt(text, registration_id, "personal")
    )
    logger.info("legacy text sealed", extra={"items": rewritten})
    return rewritten
