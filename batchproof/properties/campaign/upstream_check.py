"""Each finding's upstream verdict: whether the real scheduler code reproduces it.

Pair (signature-gap) findings are replayed from their manifests through the oracle's real
plugins (:func:`batchproof.properties.upstream.confirm.confirm_pair`); lockstep findings through
the oracle's real scheduling cycle, once with batching off and once on. Findings are ``not
checked`` when the oracle is not built and for out-of-tree Python plugins.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from batchproof.model.errors import BatchproofError
from batchproof.properties.campaign.evidence import Subject
from batchproof.properties.campaign.findings import Finding
from batchproof.properties.campaign.replay import finding_cluster, finding_pod, load_scenario
from batchproof.properties.upstream.confirm import (
    DOES_NOT,
    ORACLE_MISSING,
    REPRODUCES,
    UpstreamVerdict,
    confirm_pair,
    not_checked,
    open_oracle,
)
from batchproof.upstream.client import Oracle
from batchproof.upstream.protocol import OracleError


def verdict_for(finding: Finding, directory: Path, oracle: Oracle | None) -> UpstreamVerdict:
    """The upstream verdict for one finding written under ``directory``."""
    if oracle is None:
        return not_checked(ORACLE_MISSING)
    if finding.kind != "pair":
        return _lockstep_verdict(finding, directory, oracle)
    data = finding.details.get("plugin_under_test")
    if not isinstance(data, dict):
        return not_checked("finding.json names no plugin_under_test")
    subject = Subject.from_json(data)
    if subject.ref is not None:
        return not_checked(f"{subject.name} is an out-of-tree plugin upstream does not have")
    try:
        first = finding_pod(directory / "first.yaml")
        second = finding_pod(directory / "second.yaml")
        cluster = finding_cluster(directory)
        return confirm_pair(oracle, plugin=subject.name, args=subject.args, first=first, second=second, cluster=cluster)
    except (OracleError, BatchproofError) as error:
        return not_checked(f"the oracle could not replay it: {error}")


def _lockstep_verdict(finding: Finding, directory: Path, oracle: Oracle) -> UpstreamVerdict:
    """Replay the scenario through upstream's real cycle with batching off and on.

    Upstream reproduces the finding when its batched cycle places the finding's pod on another
    node than its own full cycle does (for the ``tie`` class: on another node of equal score).
    """
    from batchproof.properties.upstream.scheduler_diff import run_upstream  # noqa: PLC0415

    try:
        scenario = load_scenario(directory)
        full = run_upstream(oracle, scenario, batching=False)
        batched = run_upstream(oracle, scenario, batching=True)
    except (OracleError, BatchproofError) as error:
        return not_checked(f"the oracle could not replay the scenario: {error}")
    index = int(finding.details.get("index", 0))
    if index >= min(len(full.placements), len(batched.placements)):
        return not_checked(f"upstream scheduled fewer than {index + 1} pods")
    plain, hinted = full.placements[index], batched.placements[index]
    where = f"pod {plain.pod}: full cycle {plain.node or 'unplaced'}, batched cycle {hinted.node or 'unplaced'}"
    where += (
        f" ({'hint' if hinted.hinted else 'full'}{', flush ' + hinted.flush_reason if hinted.flush_reason else ''})"
    )
    if plain.node == hinted.node:
        return UpstreamVerdict(DOES_NOT, f"{where}: the real cycle places the pod alike")
    tied = plain.tied is not None and hinted.node in plain.tied
    if tied and finding.key.cls != "tie":
        return UpstreamVerdict(DOES_NOT, f"{where}: equal scores upstream, so only a tie")
    return UpstreamVerdict(REPRODUCES, where)


def with_upstream_verdicts(findings: tuple[Finding, ...], report_dir: Path) -> tuple[Finding, ...]:
    """Every finding with ``details["upstream"]`` set, replaying pair findings on one oracle process."""
    oracle = open_oracle()
    try:
        return tuple(
            replace(f, details={**f.details, "upstream": verdict_for(f, report_dir / f.directory, oracle).to_json()})
            for f in findings
        )
    finally:
        if oracle is not None:
            oracle.stop()
