"""Side by side in forked processes (``castctl.app.processes``): what ``assign`` uses to solve
its two stages at once. The same results and the same errors as one after the other, whatever
happens to a child; and a plan solved side by side is the plan solved stage after stage.

Each check runs in a fresh interpreter: a process forks only when no other thread runs, and a
test worker may run threads of its own (the PostgreSQL fixture's, for one).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from castctl.app.placement import run_assignment
from castctl.app.processes import can_fork, side_by_side
from castctl.core.plan import TraineeInfo, TraineePlacement, one_by_one, plan_assignment
from castctl.core.solver import Place
from castctl.db.store import open_store
from castctl.errors import InfeasibleError
from tests.test_app_placement import INTAKE, add_cohort

ROOT = Path(__file__).resolve().parent.parent
CAN_FORK = sys.platform == "linux" and len(os.sched_getaffinity(0)) > 1


def in_a_fresh_interpreter(check: str) -> None:
    """Run this module's ``check`` function in a new single-threaded Python process."""
    done = subprocess.run(
        [sys.executable, "-c", f"import tests.test_processes as t; t.{check}()"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(not CAN_FORK, reason="side by side needs Linux and 2 CPUs")
@pytest.mark.parametrize(
    "check",
    [
        "check_results_come_in_order_and_the_others_are_computed_in_other_processes",
        "check_the_error_of_the_first_failing_item_is_raised_as_it_was_raised",
        "check_an_error_that_cannot_come_back_is_raised_again_here",
        "check_a_child_that_dies_has_its_item_computed_here",
        "check_an_error_here_ends_the_child_still_running",
        "check_with_another_thread_running_everything_runs_here",
        "check_a_thread_started_around_the_items_leaves_them_side_by_side",
        "check_assign_with_a_spinner_still_solves_a_stage_in_a_child",
        "check_a_plan_solved_side_by_side_is_the_plan_solved_stage_after_stage",
        "check_a_stage_with_no_placement_fails_side_by_side_as_it_does_alone",
    ],
)
def test_side_by_side(check: str) -> None:
    in_a_fresh_interpreter(check)


def test_one_item_or_none_run_here():
    assert side_by_side(twice_and_pid, [5]) == [(10, os.getpid())]
    assert side_by_side(twice_and_pid, []) == []


def twice_and_pid(n: int) -> tuple[int, int]:
    return 2 * n, os.getpid()


def check_results_come_in_order_and_the_others_are_computed_in_other_processes():
    assert can_fork()
    results = side_by_side(twice_and_pid, [1, 2])
    assert [r[0] for r in results] == [2, 4]
    assert results[0][1] == os.getpid()
    assert results[1][1] != os.getpid()  # a child computed it


def fail_on(bad: set[int]):
    def fn(n: int) -> int:
        if n in bad:
            raise InfeasibleError(f"item {n} has no placement")
        return n

    return fn


def check_the_error_of_the_first_failing_item_is_raised_as_it_was_raised():
    # Only the child's item fails: its error comes back whole (class, message, exit code).
    with pytest.raises(InfeasibleError, match="^item 2 has no placement$") as raised:
        side_by_side(fail_on({2}), [1, 2])
    assert raised.value.exit_code == 3
    # Both fail: the first one's error, as a loop would raise it.
    with pytest.raises(InfeasibleError, match="^item 1 "):
        side_by_side(fail_on({1, 2}), [1, 2])


class Unpicklable(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.callback = lambda: None  # a lambda cannot be pickled


def unpicklable_error(n: int) -> int:
    if n == 2:
        raise Unpicklable(f"item {n} raised in process {os.getpid()}")
    return n


def check_an_error_that_cannot_come_back_is_raised_again_here():
    with pytest.raises(Unpicklable, match=f"raised in process {os.getpid()}$"):
        side_by_side(unpicklable_error, [1, 2])


def check_a_child_that_dies_has_its_item_computed_here():
    parent = os.getpid()

    def dies_in_a_child(n: int) -> tuple[int, int]:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return n, os.getpid()

    assert side_by_side(dies_in_a_child, [1, 2]) == [(1, parent), (2, parent)]


def check_an_error_here_ends_the_child_still_running():
    pid_file = Path(tempfile.mkdtemp()) / "child.pid"
    deadline = time.monotonic() + 60

    def fn(n: int) -> int:
        if n == 2:  # the child: say who it is, then run "forever"
            pid_file.write_text(str(os.getpid()))
            time.sleep(120)
            return n
        while not pid_file.exists() or not pid_file.read_text():
            assert time.monotonic() < deadline, "the child never started"
            time.sleep(0.01)
        raise InfeasibleError("item 1 has no placement")

    with pytest.raises(InfeasibleError, match="item 1"):
        side_by_side(fn, [1, 2])
    with pytest.raises(ProcessLookupError):  # killed and reaped, not left behind
        os.kill(int(pid_file.read_text()), 0)


def check_with_another_thread_running_everything_runs_here():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not can_fork()
        assert side_by_side(twice_and_pid, [1, 2]) == [(2, os.getpid()), (4, os.getpid())]
    finally:
        stop.set()
        thread.join()
    assert can_fork()


class Spinner:
    """What ``castctl``'s spinner on a terminal is to side_by_side: a thread while it runs.
    Records the forked children of this process at that moment (Linux's /proc)."""

    def __init__(self) -> None:
        self.entered = 0
        self.children_seen: list[str] = []

    def __call__(self, *_: object, **__: object) -> Spinner:
        return self

    def __enter__(self) -> Spinner:
        self.entered += 1
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.stop.wait)
        self.thread.start()
        me = os.getpid()
        self.children_seen += Path(f"/proc/{me}/task/{me}/children").read_text().split()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join()


def count_threads(n: int) -> tuple[int, int]:
    return threading.active_count(), os.getpid()


def check_a_thread_started_around_the_items_leaves_them_side_by_side():
    spinner = Spinner()
    results = side_by_side(count_threads, [1, 2], around=spinner)
    assert spinner.entered == 1
    assert results[0] == (2, os.getpid())  # computed here, beside the spinner's thread
    assert results[1][1] != os.getpid()  # computed in a child forked before that thread
    assert results[1][0] == 1
    assert spinner.children_seen == [str(results[1][1])]
    assert can_fork()  # the thread has ended with the block


def check_assign_with_a_spinner_still_solves_a_stage_in_a_child():
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(str(Path(folder) / "castctl.db"))
        try:
            store.ensure_ready()
            add_cohort(store, 60)
            spinner = Spinner()
            run = run_assignment(store, INTAKE, working=spinner)
        finally:
            store.close()
    assert spinner.entered == 1
    assert len(spinner.children_seen) == 1  # the target stage, while the spinner ran
    assert run.plan.changed == 60


def random_cohort(rnd: random.Random, n: int):
    provinces = {f"{p}": f"R{int(p) % 4}" for p in range(10, 40)}
    districts = [(f"{p}{d:02d}", p) for p in provinces for d in range(1, 4)]
    pilots = [Place(code, p, provinces[p], 0) for code, p in rnd.sample(districts, 5)]
    targets = [Place(code, p, provinces[p], rnd.randint(0, 6)) for code, p in districts]
    trainees = []
    for i in range(n):
        home = rnd.choice(sorted(provinces))
        trainees.append(
            TraineeInfo(
                f"T{i:04d}",
                rnd.choice(("DOPA", "CDD", "DLA")),
                home,
                provinces[home],
                tuple(rnd.sample([p.code for p in pilots], rnd.randint(0, 3))),
                tuple(rnd.sample([code for code, _ in districts], rnd.randint(0, 4))),
            )
        )
    pilot_places = [p._replace(capacity=-(-n // len(pilots)) + 2) for p in pilots]
    return trainees, pilot_places, targets


def check_a_plan_solved_side_by_side_is_the_plan_solved_stage_after_stage():
    for seed in range(4):
        plans_are_the_same(random.Random(seed))


def plans_are_the_same(rnd: random.Random) -> None:
    trainees, pilots, targets = random_cohort(rnd, 150)
    # Some trainees already placed (they stay), on a later run.
    current = {
        t.trainee_id: TraineePlacement(pilots[0].code, None, 0, None)
        for t in rnd.sample(trainees, 20)
    }
    for stages in (("pilot", "target"), ("target",)):
        for placed in ({}, current):
            one = plan_assignment(
                trainees, pilots, targets, placed, stages=stages, map_stages=one_by_one
            )
            both = plan_assignment(
                trainees, pilots, targets, placed, stages=stages, map_stages=side_by_side
            )
            assert both.assignments == one.assignments
            assert both.changes == one.changes
            assert both.notes == one.notes and both.objective() == one.objective()


def check_a_stage_with_no_placement_fails_side_by_side_as_it_does_alone():
    rnd = random.Random(7)
    trainees, pilots, targets = random_cohort(rnd, 60)
    full = [p._replace(capacity=0) for p in targets]
    errors = []
    for map_stages in (one_by_one, side_by_side):
        with pytest.raises(InfeasibleError) as raised:
            plan_assignment(trainees, pilots, full, {}, map_stages=map_stages)
        errors.append(raised.value.message)
    assert errors[0] == errors[1] == "target capacity 0 < 60 active trainees"
