"""SQS queues, as Lambda's poller runs them: receive up to ``BatchSize`` messages, call the
handler with an SQS event, delete what succeeded. With ``ReportBatchItemFailures`` the
``batchItemFailures`` in the response are kept, everything else is deleted; an exception (or
an invalid response) fails the whole batch. Failed messages are made visible again at once
(AWS waits for the queue's visibility timeout), so moto's redrive moves them to the
dead-letter queue after ``maxReceiveCount`` receives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from devstack.events.core import Invocation, Pump, failed_ids, lambda_json
from vhtools.template import REGION


@dataclass
class SqsSource:
    name: str
    function: str
    queue_arn: str
    queue_url: str
    batch_size: int = 10
    report_failures: bool = True

    def poll(self, pump: Pump) -> int:
        sqs = pump.client("sqs")
        messages = sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=max(1, min(self.batch_size, 10)),
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
        ).get("Messages", [])
        if not messages:
            return 0
        records = [self._record(m) for m in messages]
        failed: set[str]
        error: str | None = None
        try:
            response = pump.invoke(self.function, {"Records": records})
        except Exception as exc:
            pump.log_failure(self.function, self.name, exc)
            failed, error = {m["MessageId"] for m in messages}, type(exc).__name__
        else:
            ids = {m["MessageId"] for m in messages}
            reported = failed_ids(response, ids) if self.report_failures else set()
            if reported is None:
                failed, error = ids, "InvalidBatchItemFailures"
            else:
                failed = reported
        pump.record(Invocation(self.function, self.name, len(records), len(failed), error))
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            chunk = done[start : start + 10]
            sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)
                ],
            )
        for message in messages:
            if message["MessageId"] in failed:
                sqs.change_message_visibility(
                    QueueUrl=self.queue_url,
                    ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=0,
                )
        return len(messages)

    def _record(self, message: Mapping[str, Any]) -> dict[str, Any]:
        attributes = {
            key: value
            for key, value in message.get("Attributes", {}).items()
            if key
            in {
                "ApproximateReceiveCount",
                "SentTimestamp",
                "SenderId",
                "ApproximateFirstReceiveTimestamp",
                "SequenceNumber",
                "MessageGroupId",
                "MessageDeduplicationId",
                "AWSTraceHeader",
                "DeadLetterQueueSourceArn",
            }
        }
        message_attributes = {
            name: {
                "stringValue": value.get("StringValue"),
                "binaryValue": lambda_json(value.get("BinaryValue")),
                "stringListValues": value.get("StringListValues", []),
                "binaryListValues": lambda_json(value.get("BinaryListValues", [])),
                "dataType": value.get("DataType"),
            }
            for name, value in message.get("MessageAttributes", {}).items()
        }
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": attributes,
            "messageAttributes": message_attributes,
            "md5OfBody": message.get("MD5OfBody"),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": REGION,
        }

    def pending(self, pump: Pump) -> int:
        attributes = pump.client("sqs").get_queue_attributes(
            QueueUrl=self.queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes.get("ApproximateNumberOfMessages", 0)) + int(
            attributes.get("ApproximateNumberOfMessagesNotVisible", 0)
        )
