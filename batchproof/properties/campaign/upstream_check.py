"""Each finding's upstream verdict: whether the real scheduler code reproduces it.

Pair (signature-gap) findings are replayed from their manifests through the oracle's real
plugins (:func:`batchproof.properties.upstream.confirm.confirm_pair`). Lockstep findings need
the real scheduling cycle and stay ``not checked`` here; so does every finding when the oracle is
not built, and every out-of-tree plugin's.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from batchproof.model.errors import BatchproofError
from batchproof.model.manifests.load import load_files
from batchproof.properties.campaign.evidence import Subject
from batchproof.properties.campaign.findings import Finding
from batchproof.properties.inputs import load_cluster
from batchproof.properties.upstream.confirm import (
    ORACLE_MISSING,
    UpstreamVerdict,
    confirm_pair,
    not_checked,
    open_oracle,
)
from batchproof.properties.world import Cluster
from batchproof.upstream.client import Oracle
from batchproof.upstream.protocol import OracleError


def _cluster(directory: Path) -> Cluster:
    existing = directory / "existing.yaml"
    objects = directory / "objects.yaml"
    return load_cluster(
        str(directory / "nodes.yaml"),
        [str(existing)] if existing.exists() else [],
        [str(objects)] if objects.exists() else [],
    )


def verdict_for(finding: Finding, directory: Path, oracle: Oracle | None) -> UpstreamVerdict:
    """The upstream verdict for one finding written under ``directory``."""
    if oracle is None:
        return not_checked(ORACLE_MISSING)
    if finding.kind != "pair":
        return not_checked("scheduler-level findings need the oracle's schedule request")
    data = finding.details.get("plugin_under_test")
    if not isinstance(data, dict):
        return not_checked("finding.json names no plugin_under_test")
    subject = Subject.from_json(data)
    if subject.ref is not None:
        return not_checked(f"{subject.name} is an out-of-tree plugin upstream does not have")
    try:
        first = load_files([directory / "first.yaml"]).pods[0]
        second = load_files([directory / "second.yaml"]).pods[0]
        cluster = _cluster(directory)
        return confirm_pair(oracle, plugin=subject.name, args=subject.args, first=first, second=second, cluster=cluster)
    except (OracleError, BatchproofError, IndexError) as error:
        return not_checked(f"the oracle could not replay it: {error}")


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
