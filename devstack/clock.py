"""The simulated clock of the local stack: one offset, seen by the domain and by moto.

``vhcore.clock`` holds the offset (the domain reads ``vhcore.clock.now()``). This module makes
moto's Step Functions interpreter read the same clock for ``Wait`` states, and moves it:
``advance()`` fires the schedules that fall due on the way (each at its own moment), then
wakes the executions that are waiting so a wait whose moment has passed continues at once,
then deletes the items whose TTL has expired.

moto's Wait states read the time in two places (moto 5.2): ``wait_function.py`` measures how
long it waited with ``time.time()`` while blocked on ``env.program_state_event.wait(n)``, and
``timestamp.py`` computes the seconds to wait with naive ``datetime.datetime.now()``. Both
module-level names are replaced by shims that add the offset; the datetime shim also answers
in UTC, where moto's own call answers in the machine's local time while the timestamps it
compares with are UTC (a wait would be off by the machine's UTC offset otherwise).

Task timeouts (``TimeoutSeconds``/``TimeoutSecondsPath``: the follow-up's parked task token
waits until the next timer) are counted by moto with ``threading.Event().wait(seconds)`` in
real seconds (``execute_state._evaluate_with_timeout``). That module's ``threading`` is
replaced by one whose ``Event`` counts on the simulated clock, so advancing the clock past a
timer times the task out at once, as AWS would at that moment (``_SimulatedEvent``).
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator
from typing import Any

from vhcore import clock as domain_clock
from vhtools.template import ACCOUNT, REGION


def _offset_seconds() -> float:
    return domain_clock.offset().total_seconds()


class _ShiftedTime:
    """Stands in for the ``time`` module inside moto's wait function."""

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    @staticmethod
    def time() -> float:
        return time.time() + _offset_seconds()


class _ShiftedDatetime(dt.datetime):
    """``datetime.datetime`` whose naive ``now()`` is simulated UTC (moto compares it with
    UTC timestamps)."""

    @classmethod
    def now(cls, tz: dt.tzinfo | None = None) -> _ShiftedDatetime:
        moment = dt.datetime.now(dt.UTC) + domain_clock.offset()
        moment = moment.astimezone(tz) if tz is not None else moment.replace(tzinfo=None)
        return cls(
            moment.year,
            moment.month,
            moment.day,
            moment.hour,
            moment.minute,
            moment.second,
            moment.microsecond,
            tzinfo=moment.tzinfo,
        )


class _SimulatedEvent(threading.Event):
    """``threading.Event`` whose ``wait(timeout)`` counts the timeout on the simulated clock.

    moto times a task (``TimeoutSeconds``/``TimeoutSecondsPath``, e.g. a parked task token)
    with ``threading.Event().wait(seconds)`` in ``execute_state``: in real seconds. This one
    waits until it is set or the simulated clock has passed the deadline; ``advance`` wakes
    every waiting one so it reads the clock again (``poke_timeouts``).

    A stopped execution ends its task at once, as in AWS (moto would wait for the timeout):
    the event keeps the execution's environment (the ``env`` of moto's
    ``_evaluate_with_timeout``, which creates it) and stops waiting when it no longer runs."""

    def __init__(self) -> None:
        super().__init__()
        env = sys._getframe(1).f_locals.get("env")
        self._env = env if callable(getattr(env, "is_running", None)) else None

    def _running(self) -> bool:
        return self._env is None or bool(self._env.is_running())

    def wait(self, timeout: float | None = None) -> bool:
        if timeout is None:
            return super().wait()
        deadline = _offset_seconds() + time.time() + timeout
        with self._cond:  # type: ignore[attr-defined]
            _timed_events.add(self)
            try:
                while not self.is_set():
                    remaining = deadline - (_offset_seconds() + time.time())
                    if remaining <= 0 or not self._running():
                        return False
                    self._cond.wait(remaining)  # type: ignore[attr-defined]
                return True
            finally:
                _timed_events.discard(self)


_timed_events: set[_SimulatedEvent] = set()


def poke_timeouts() -> int:
    """Wake every task timeout that is waiting, so it re-reads the simulated clock."""
    woken = 0
    for event in list(_timed_events):
        with event._cond:  # type: ignore[attr-defined]
            event._cond.notify_all()  # type: ignore[attr-defined]
        woken += 1
    return woken


def _poke_when_stopped() -> None:
    """A stopped execution is ABORTED at once, as in AWS, also while a task of it waits (moto
    would let the task run on, and the state after it then fails on the stopped program):
    its task timeout notices at once (``_SimulatedEvent``), and what the interpreter does
    after that no longer changes the status."""
    from moto.stepfunctions.parser.api import ExecutionStatus
    from moto.stepfunctions.parser.asl.eval.environment import Environment
    from moto.stepfunctions.parser.backend import execution as backend

    original_set_stop = Environment.set_stop
    original_stop = backend.Execution.stop
    original_reflect = backend.BaseExecutionWorkerCommunication._reflect_execution_status

    def set_stop(self: Any, *args: Any, **kwargs: Any) -> None:
        original_set_stop(self, *args, **kwargs)
        poke_timeouts()

    def stop(self: Any, stop_date: dt.datetime, error: str | None, cause: str | None) -> None:
        original_stop(self, stop_date, error, cause)
        if self.exec_status == ExecutionStatus.RUNNING:
            self.exec_status = ExecutionStatus.ABORTED
            self.stop_date = stop_date

    def reflect(self: Any) -> None:
        if self.execution.exec_status != ExecutionStatus.ABORTED:
            original_reflect(self)  # type: ignore[no-untyped-call]

    setattr(Environment, "set_stop", set_stop)  # noqa: B010
    setattr(backend.Execution, "stop", stop)  # noqa: B010
    setattr(backend.BaseExecutionWorkerCommunication, "_reflect_execution_status", reflect)  # noqa: B010


def _simulated_threading_module() -> types.ModuleType:
    module = types.ModuleType("threading")
    module.__dict__.update(threading.__dict__)
    module.Event = _SimulatedEvent  # type: ignore[attr-defined]
    return module


def _shifted_datetime_module() -> types.ModuleType:
    module = types.ModuleType("datetime")
    module.__dict__.update(dt.__dict__)
    module.datetime = _ShiftedDatetime  # type: ignore[attr-defined]
    return module


_patched = False
_patch_lock = threading.Lock()


def patch_moto_wait_states() -> None:
    """Make moto's Wait states and task timeouts read the simulated clock (idempotent,
    process-wide)."""
    global _patched  # noqa: PLW0603 - one interpreter per process, patched once
    with _patch_lock:
        if _patched:
            return
        from moto.stepfunctions.parser.asl.component.state.exec import execute_state
        from moto.stepfunctions.parser.asl.component.state.wait.wait_function import (
            timestamp,
            wait_function,
        )

        setattr(wait_function, "time", _ShiftedTime())  # noqa: B010 - typed as a module
        setattr(timestamp, "datetime", _shifted_datetime_module())  # noqa: B010
        setattr(execute_state, "threading", _simulated_threading_module())  # noqa: B010
        _poke_when_stopped()
        _patched = True


def _executions() -> Iterator[Any]:
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    backend = stepfunctions_parser_backends[ACCOUNT][REGION]
    for machine in list(backend.state_machines):
        yield from list(machine.executions)


def wake_executions() -> int:
    """Interrupt every running execution's wait, so it re-reads the clock. A wait whose
    moment has not come yet simply waits on for the rest. Returns how many were woken."""
    woken = 0
    for execution in _executions():
        worker = getattr(execution, "exec_worker", None)
        env = getattr(worker, "env", None)
        event = getattr(env, "program_state_event", None)
        if isinstance(event, threading.Event):
            event.set()
            event.clear()
            woken += 1
    return woken


# A bound on the schedule fires one advance can cause (a weekly schedule over ten years is 522).
MAX_FIRES_PER_ADVANCE = 1000


class SimClock:
    """The simulated time of the local stack. ``advance`` only moves forward."""

    def __init__(self) -> None:
        patch_moto_wait_states()
        self._lock = threading.RLock()
        # Called with the target moment; returns the next due moment <= target, or None.
        self.next_due: Callable[[dt.datetime], dt.datetime | None] = lambda _target: None
        # Called at a due moment, with the clock standing at it: fires what is due.
        self.fire_due: Callable[[dt.datetime], object] = lambda _moment: None
        # Called at a due moment after firing: lets queues catch up while the clock stands
        # there (so the e-mail a schedule causes is sent at the schedule's moment).
        self.settle: Callable[[], object] = lambda: None
        # Called after every move (TTL sweep and the like).
        self.after_move: list[Callable[[], object]] = []
        # Called after ``reset`` (schedules recompute their next moment).
        self.after_reset: list[Callable[[], object]] = []

    @staticmethod
    def now() -> dt.datetime:
        return domain_clock.now()

    @staticmethod
    def offset() -> dt.timedelta:
        return domain_clock.offset()

    def _stand_at(self, moment: dt.datetime) -> None:
        wanted = moment - dt.datetime.now(dt.UTC)
        if wanted > domain_clock.offset():
            domain_clock.set_offset(wanted)

    def reset(self, offset: dt.timedelta = dt.timedelta(0)) -> None:
        """Tests only: put the clock back to ``offset`` ahead of the real time (e.g. where a
        test found it), so later tests see the time they expect."""
        with self._lock:
            domain_clock.set_offset(offset)
            for hook in self.after_reset:
                hook()

    def advance(self, delta: dt.timedelta | None = None, /, **parts: float) -> dt.datetime:
        """Move the clock forward by ``delta`` or by ``timedelta(**parts)`` (``days=4``).
        Schedules due on the way fire in order, each with the clock at its moment; then the
        waiting executions wake and expired items are deleted. Returns the new now."""
        step = (delta or dt.timedelta(0)) + dt.timedelta(**parts)
        if step < dt.timedelta(0):
            raise ValueError("the clock only moves forward")
        with self._lock:
            target = self.now() + step
            for _ in range(MAX_FIRES_PER_ADVANCE):
                due = self.next_due(target)
                if due is None or due > target:
                    break
                self._stand_at(due)
                self.fire_due(due)
                self.settle()
            self._stand_at(target)
            wake_executions()
            poke_timeouts()
            for hook in self.after_move:
                hook()
            return self.now()
