"""Upstream's hint rate beside the model's: the small catalogue scenarios on the real cycle.

The pinned release (v1.37.2) batches as the ``g3`` variant does (a still-feasible last node is
rescored), so its rate stands beside the model's ``g3`` row; ``g1`` is v1.35 behaviour, which
the oracle's release no longer has, and gets no upstream figure. Only the ``small`` size runs:
the full scheduler_perf sizes take minutes per scenario through a fake API server.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from batchproof.model.profiles import Profile
from batchproof.properties.compare.catalogue import scenarios_of
from batchproof.properties.compare.run import Plan, Row
from batchproof.properties.lockstep import BatchingOptions
from batchproof.properties.upstream.scheduler_diff import run_upstream
from batchproof.upstream.client import Oracle
from batchproof.upstream.protocol import OracleError

UPSTREAM_VARIANT = "g3"


@dataclass(frozen=True, slots=True)
class UpstreamRate:
    """Pods upstream scheduled with batching on, and how many took a hint."""

    pods: int
    hinted: int

    @property
    def rate(self) -> float:
        """Hinted over scheduled (0 for no pod)."""
        return round(self.hinted / self.pods, 4) if self.pods else 0.0


def upstream_hint_rates(oracle: Oracle, plan: Plan, profile: Profile) -> tuple[dict[str, UpstreamRate], dict[str, str]]:
    """Per workload family, upstream's batched cycle over the same scenarios the plan builds.

    Returns the rates, and for each family upstream could not run, the oracle's one-line reason
    (e.g. generated pods naming a second profile the family's single profile lacks).
    """
    rates: dict[str, UpstreamRate] = {}
    skipped: dict[str, str] = {}
    for family in plan.families:
        pods = hinted = 0
        try:
            for seed in range(plan.seeds):
                for scenario in scenarios_of(family, plan.size, seed, profile):
                    result = run_upstream(oracle, replace(scenario, options=BatchingOptions()), batching=True)
                    pods += len(result.placements)
                    hinted += sum(1 for p in result.placements if p.hinted)
        except OracleError as error:
            skipped[family.name] = str(error)
            continue
        rates[family.name] = UpstreamRate(pods, hinted)
    return rates, skipped


def with_upstream_rates(rows: list[Row], rates: dict[str, UpstreamRate]) -> list[Row]:
    """The rows with ``upstream_hint_rate`` set on each workload's ``g3`` row."""
    return [
        replace(r, upstream_hint_rate=rates[r.workload].rate)
        if r.variant == UPSTREAM_VARIANT and r.workload in rates
        else r
        for r in rows
    ]
