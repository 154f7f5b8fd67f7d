"""Quality: the safety property and the stateful lockstep test catch broken batched schedulers.

The *same* property the suite runs (``safety_property``, ``LockstepMachine``), under the ``ci``
profile's budget (derandomised, its example count; shrinking off, since the first counterexample
is proof enough), must fail against a batched scheduler that trusts its hint without re-running
the Filter plugins, and against one that serves a batch past its age.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from batchproof.batched import VARIANTS, BatchedScheduler, Variant
from batchproof.properties.statistics import PathCounter
from tests.properties.test_lockstep_properties import safety_property
from tests.properties.test_stateful_lockstep import LockstepMachine
from tests.quality.test_broken_components_are_caught import NeverExpiringBatchedScheduler, NoRefilterBatchedScheduler

BROKEN: dict[str, type[BatchedScheduler]] = {
    "skips the hint re-filter": NoRefilterBatchedScheduler,
    "keeps a stale cache past its age": NeverExpiringBatchedScheduler,
}


def _ci_without_shrinking(current: settings) -> settings:
    return settings(current, phases=[Phase.explicit, Phase.generate])


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("bug", list(BROKEN))
def test_the_safety_property_fails_against_a_broken_scheduler(bug: str, variant: Variant) -> None:
    check, counter = safety_property(variant, batched_cls=BROKEN[bug])
    budget = settings.get_profile("ci").max_examples
    started = time.perf_counter()
    with pytest.raises(AssertionError):
        _ci_without_shrinking(settings.get_profile("ci"))(check)()
    examples = counter.counts["example"]
    assert 0 < examples <= budget, f"caught after {examples} examples"
    print(f"safety/{variant} catches a scheduler that {bug}: {examples} examples, {time.perf_counter() - started:.2f}s")


@pytest.mark.parametrize("bug", list(BROKEN))
def test_the_stateful_lockstep_test_fails_against_a_broken_scheduler(bug: str) -> None:
    class BrokenMachine(LockstepMachine):
        batched_cls = BROKEN[bug]
        paths = PathCounter(f"stateful/{bug}")

    started = time.perf_counter()
    with pytest.raises(AssertionError):
        run_state_machine_as_test(BrokenMachine, settings=_ci_without_shrinking(LockstepMachine.TestCase.settings))
    print(f"stateful lockstep catches a scheduler that {bug}: {time.perf_counter() - started:.2f}s")


def test_the_real_scheduler_passes_the_same_stateful_budget() -> None:
    """Control: the machine as the suite runs it passes with the real scheduler."""

    class RealMachine(LockstepMachine):
        paths = PathCounter("stateful/control")

    run_state_machine_as_test(RealMachine, settings=_ci_without_shrinking(LockstepMachine.TestCase.settings))
    RealMachine.paths.require("placed via hint")
