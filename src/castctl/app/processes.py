"""Independent computations side by side, each in a process of its own (fork, on Linux).

``assign`` solves its two stages this way: they do not depend on each other, and the solver
holds Python's global interpreter lock while it runs, so threads would take turns where
processes use two cores. A forked child starts with everything already loaded and needs no
arguments sent to it; only its result comes back, pickled, through a pipe.

Only where that is safe and useful, else one after the other in this process: on Linux (a
macOS process may not use some system libraries after a fork), with more than one CPU to run
on, and with no other thread running (a forked child has none of the parent's threads, and a
lock one of them held stays held in the child). What is to run while the items are computed,
such as the spinner that ``castctl`` shows on a terminal (a thread), is given as ``around``
and starts after the fork.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def can_fork() -> bool:
    """Whether :func:`side_by_side` will run its items in processes of their own."""
    return (
        sys.platform == "linux"
        and threading.active_count() == 1
        and len(os.sched_getaffinity(0)) > 1
    )


def side_by_side(
    fn: Callable[[T], R],
    items: Sequence[T],
    *,
    around: Callable[[], AbstractContextManager[object]] = contextlib.nullcontext,
) -> list[R]:
    """``[fn(item) for item in items]``, the first item in this process and each other one in
    a forked child at the same time. As the list comprehension does, returns the results in
    order or raises the error of the first item that fails (a child's error comes back as it
    was raised; one that cannot be pickled is raised again by calling ``fn`` here).

    ``around()`` is entered once the children run (it may start a thread: they have forked)
    and left when every result is in.

    ``fn`` must not write to files, the terminal or a database: a child's output is lost, and
    it must leave its parent's open connections alone."""
    if len(items) < 2 or not can_fork():
        with around():
            return [fn(item) for item in items]
    children: list[_Child] = []
    try:
        children.extend(_Child(fn, item) for item in items[1:])
        with around():
            results = [fn(items[0])]
            results.extend(child.result() for child in children)
    finally:
        for child in children:
            child.stop()
    return results


_OK, _FAILED, _AGAIN = 0, 1, 2  # the child's outcome; _AGAIN: compute it here


class _Child:
    """A forked process computing ``fn(item)``; it writes the outcome to a pipe and exits."""

    def __init__(self, fn: Callable[[T], Any], item: T) -> None:
        self.fn, self.item = fn, item
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            os.close(read_end)
            _run_child(fn, item, write_end)
        os.close(write_end)
        self.pid: int | None = pid  # None once reaped
        self.pipe = os.fdopen(read_end, "rb")

    def result(self) -> Any:
        with self.pipe:
            data = self.pipe.read()
        assert self.pid is not None
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        if data and os.waitstatus_to_exitcode(status) == 0:
            kind, value = pickle.loads(data)
        else:  # the child died (killed, out of memory)
            kind, value = _AGAIN, None
        if kind == _OK:
            return value
        if kind == _FAILED:
            raise value
        return self.fn(self.item)  # died, or its error could not be pickled: compute it here

    def stop(self) -> None:
        """After an error here the child may still run: end it and reap it."""
        self.pipe.close()
        if self.pid is not None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = None


def _run_child(fn: Callable[[T], Any], item: T, write_end: int) -> None:
    # No collections in a child that lives for one computation: one would touch every object
    # the parent made, and each page it touches is copied (they are shared until written).
    gc.disable()
    status = 1
    try:
        try:
            outcome: tuple[int, Any] = (_OK, fn(item))
        except BaseException as exc:  # its error, raised again by the parent
            outcome = (_FAILED, exc)
        try:
            data = pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL)
        except Exception:
            data = pickle.dumps((_AGAIN, None))
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(data)
        status = 0
    finally:
        # None of the parent's clean-up (stdio buffers, atexit, open connections): exit now.
        os._exit(status)
