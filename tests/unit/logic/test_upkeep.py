"""The upkeep the deploy runs: what an earlier version stored in clear is sealed by the store,
with the cipher the rules give it (bound to each case)."""

from __future__ import annotations

import dataclasses

from vhcore.dal.memory import MemoryCipher, MemoryStore, memory_services
from vhcore.logic import upkeep


class _OldStore(MemoryStore):
    """A store holding two texts an earlier version kept in clear."""

    def seal_legacy_text(self, seal: object) -> int:
        assert callable(seal)
        self.sealed = [seal("case-1", "Oude notitie"), seal("case-2", "Oud doel")]
        return len(self.sealed)


def test_the_upkeep_seals_old_clear_text_with_the_data_key_bound_to_each_case() -> None:
    # Given a store with two old clear texts
    store = _OldStore()
    services = dataclasses.replace(memory_services(), store=store)

    # When the upkeep runs
    sealed = upkeep.seal_legacy_text(services)

    # Then both are sealed, each for its own case, with the key for personal data
    assert sealed == 2
    cipher = MemoryCipher()
    assert cipher.decrypt(store.sealed[0], "case-1", "personal") == "Oude notitie"
    assert cipher.decrypt(store.sealed[1], "case-2", "personal") == "Oud doel"


def test_with_nothing_old_the_upkeep_changes_nothing() -> None:
    assert upkeep.seal_legacy_text(memory_services()) == 0
