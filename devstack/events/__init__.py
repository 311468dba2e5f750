"""The event sources of the template, run in-process: what Lambda's pollers, EventBridge
Scheduler and DynamoDB's TTL do in AWS, done here against the moto server so the real
handlers get real events.

Everything is read from the transformed template: every ``AWS::Lambda::EventSourceMapping``
(SQS queues and DynamoDB streams) and every ``AWS::Scheduler::Schedule``. Nothing is created
in moto for them (no Lambda functions, no mappings): moto cannot run Lambda without Docker.

One module per source, each with what AWS does that it simulates: ``sqs`` (queues with
dead-letter queues), ``streams`` (DynamoDB streams, with ``filters`` for ``FilterCriteria``),
``schedules`` (EventBridge Scheduler, timed by ``devstack.cron``) and ``ttl`` (moto has no TTL
reaper). ``core`` holds what they share; ``pump.EventPump`` runs them all.
"""

from devstack.events.core import Handler, Invocation
from devstack.events.filters import check_pattern, matches
from devstack.events.pump import EventPump
from devstack.events.ttl import TTL_IDENTITY

__all__ = ["TTL_IDENTITY", "EventPump", "Handler", "Invocation", "check_pattern", "matches"]
