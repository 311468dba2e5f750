"""schemathesis 4 builds its test items without a parametrization, so under pytest 9 every
operation's item gets the same node id (the label is only in the name). pytest-xdist reports
results by node id, which folded 15 of the 16 results into one: give each item the
operation as its parameter id."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        label = getattr(item, "operation_label", None)
        node_id = getattr(item, "_id", None)
        if label and node_id is not None and node_id.params is None:
            item._id = node_id.with_params(label)
