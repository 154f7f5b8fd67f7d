"""The plan's (workload, seed, variant) tasks, run in this process or spread over worker processes.

A task builds its own schedulers and snapshots from its family's scenarios of its seed, so its
tallies are the same wherever it runs and in whatever order; the caller merges them in plan
order. Workers are spawned (fresh interpreters: nothing inherited from the parent's state).
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from batchproof.model.profiles import Profile
from batchproof.properties.compare.catalogue import scenarios_of
from batchproof.properties.compare.pair import ReferenceMemo, Tally, run_pair
from batchproof.properties.lockstep import BatchingOptions, Scenario

if TYPE_CHECKING:
    from batchproof.properties.compare.run import Plan


@dataclass(frozen=True, slots=True)
class Task:
    """One variant on one family's scenarios of one seed, by position in the plan."""

    family: int
    seed: int
    variant: int


@dataclass(frozen=True, slots=True)
class TaskResult:
    """A finished task: the variant's tally, the reference's beside it, and its wall seconds."""

    task: Task
    batched: Tally
    reference: Tally
    seconds: float


def tasks_of(plan: Plan) -> list[Task]:
    """Every task of the plan: family by family, seed by seed, every variant of that seed."""
    return [
        Task(family, seed, variant)
        for family in range(len(plan.families))
        for seed in range(plan.seeds)
        for variant in range(len(plan.variants))
    ]


class TaskRunner:
    """Runs a plan's tasks, building each (family, seed)'s scenarios once for its run of variants."""

    def __init__(self, plan: Plan, profile: Profile) -> None:
        self.plan = plan
        self.profile = profile
        # The last (family, seed) only, to bound memory: its scenarios and their reference memos.
        self._built: tuple[tuple[int, int], list[Scenario], list[ReferenceMemo]] | None = None

    def scenarios(self, family: int, seed: int) -> list[Scenario]:
        """The family's scenarios of ``seed`` with the default batching options."""
        return self._scenarios(family, seed)[0]

    def _scenarios(self, family: int, seed: int) -> tuple[list[Scenario], list[ReferenceMemo]]:
        if self._built is None or self._built[0] != (family, seed):
            built = scenarios_of(self.plan.families[family], self.plan.size, seed, self.profile)
            self._built = ((family, seed), [replace(s, options=BatchingOptions()) for s in built], [{} for _ in built])
        return self._built[1], self._built[2]

    def run(self, task: Task) -> TaskResult:
        """Run every scenario of the task's family and seed under its variant.

        Only the first variant's reference is reported, so the others reuse the reference
        decisions an earlier task in this process made with the same batched placements.
        """
        started = time.perf_counter()
        batched, reference = Tally(), Tally()
        variant = self.plan.variants[task.variant]
        for scenario, memo in zip(*self._scenarios(task.family, task.seed), strict=True):
            run_pair(
                scenario,
                variant,
                batched,
                reference,
                reference_every=self.plan.reference_every,
                memo=memo,
                reuse=task.variant != 0,
            )
        return TaskResult(task, batched, reference, time.perf_counter() - started)


_WORKER: dict[str, TaskRunner] = {}  # this worker process's runner, set once by the pool initializer


def _start_worker(plan: Plan, profile: Profile) -> None:
    _WORKER["runner"] = TaskRunner(plan, profile)


def _run_in_worker(task: Task) -> TaskResult:
    return _WORKER["runner"].run(task)


def run_tasks(plan: Plan, profile: Profile, tasks: Sequence[Task], jobs: int = 1) -> Iterator[TaskResult]:
    """Each task's result as it finishes: in this process for one job, else over ``jobs`` workers.

    Tasks are handed out in the order given; a failing task stops the run (the pending ones are
    cancelled) and its exception is raised here.
    """
    if jobs <= 1 or len(tasks) <= 1:
        runner = TaskRunner(plan, profile)
        for task in tasks:
            yield runner.run(task)
        return
    pool = ProcessPoolExecutor(
        max_workers=min(jobs, len(tasks)),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(plan, profile),
    )
    try:
        futures = [pool.submit(_run_in_worker, task) for task in tasks]
        for future in as_completed(futures):
            yield future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
