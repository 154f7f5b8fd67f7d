"""Drive the plugin-level diff over generated cases with an explicit seed (the CLI's engine)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from hypothesis import given

from batchproof.model.objects import Pod
from batchproof.model.profiles import Profile
from batchproof.properties.strategies.clusters import clusters
from batchproof.properties.strategies.objects import pods
from batchproof.properties.strategies.profiles import profiles
from batchproof.properties.upstream.compare import Disagreement
from batchproof.properties.upstream.plugin_diff import DiffReport, diff_case, record
from batchproof.properties.upstream.reproducer import write_reproducer
from batchproof.properties.upstream.seeded import seeded
from batchproof.properties.world import Cluster
from batchproof.upstream.client import Oracle


def run_plugin_diff(
    oracle: Oracle,
    *,
    examples: int,
    seed_value: int,
    plugins: Sequence[str] = (),
    out: Path | None = None,
    progress: Callable[[DiffReport], None] | None = None,
) -> DiffReport:
    """Compare ``examples`` generated cases; the same seed draws the same cases.

    Raises:
        OracleError: the oracle failed.

    """
    report = DiffReport()

    def writer(profile: Profile, cluster: Cluster, pod: Pod, item: Disagreement) -> Path:
        assert out is not None
        return write_reproducer(out, profile, cluster, pod, item)

    @seeded(examples, seed_value)
    @given(profiles(signers="upstream"), clusters(), pods())
    def one(profile: Profile, cluster: Cluster, pod: Pod) -> None:
        result = diff_case(oracle, profile, cluster, pod, plugins=plugins)
        record(report, result, write=writer if out is not None else None, profile=profile, cluster=cluster, pod=pod)
        if progress is not None:
            progress(report)

    one()
    return report
