"""The consumers' batch loop (vhcore.batch): one bad record never holds up the others, and
each failure is reported by the identifier Lambda's event source mapping expects."""

from __future__ import annotations

from typing import Any

import pytest

from vhcore.batch import Record, message_id, partial_batch, sequence_number


def sqs(*ids: str) -> dict[str, Any]:
    return {"Records": [{"messageId": i, "body": i} for i in ids]}


def test_each_failed_message_is_reported_and_the_others_are_handled(
    caplog: pytest.LogCaptureFixture,
) -> None:
    handled: list[str] = []

    def handle(record: Record) -> None:
        if record["body"].startswith("bad"):
            raise ValueError("Jan de Vries")  # an exception's text may hold personal data
        handled.append(record["body"])

    consume = partial_batch(message_id, handle)
    answer = consume(sqs("a", "bad-1", "b", "bad-2"), None)
    assert handled == ["a", "b"]
    logged = [
        (r.getMessage(), r.__dict__.get("error"), r.__dict__.get("record")) for r in caplog.records
    ]
    assert logged == [
        ("record failed", "ValueError", "bad-1"),
        ("record failed", "ValueError", "bad-2"),
    ]
    assert "Jan de Vries" not in caplog.text
    assert answer == {
        "batchItemFailures": [{"itemIdentifier": "bad-1"}, {"itemIdentifier": "bad-2"}]
    }


def test_a_batch_where_every_record_fails_is_reported_not_raised() -> None:
    def fail(record: Record) -> None:
        raise RuntimeError

    stream = {"Records": [{"dynamodb": {"SequenceNumber": n}} for n in ("101", "102")]}
    answer = partial_batch(sequence_number, fail)(stream, None)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "101"}, {"itemIdentifier": "102"}]}


def test_a_good_batch_reports_no_failure_and_an_event_without_records_is_refused() -> None:
    consume = partial_batch(message_id, lambda record: None)
    assert consume(sqs("a"), None) == {"batchItemFailures": []}
    with pytest.raises(ValueError, match="not a batch"):
        consume({}, None)
