"""Plugin-level differential check: the model's plugins against upstream's on the same inputs.

Each case is a (profile, cluster, pod) drawn by the strategies that drive the signature pairs;
every plugin both sides run is compared point by point (:mod:`.compare`), and so is the
framework's aggregated signature. Each disagreement is written as a reproducer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from batchproof.model.framework.evaluate import evaluate_plugin
from batchproof.model.framework.interfaces import PluginContext
from batchproof.model.objects import Pod
from batchproof.model.plugins.registry import DEFAULT_REGISTRY
from batchproof.model.profiles import Profile
from batchproof.properties.upstream.compare import Disagreement, compare_plugin, compare_signature
from batchproof.properties.world import Cluster
from batchproof.upstream.client import Oracle
from batchproof.upstream.evaluate import UpstreamEvaluation, evaluate


@dataclass(frozen=True, slots=True)
class CaseResult:
    """One case: the plugins compared and what disagreed."""

    plugins: tuple[str, ...]
    disagreements: tuple[Disagreement, ...]
    upstream: UpstreamEvaluation


def plugin_answer(oracle: Oracle, profile: Profile, cluster: Cluster, pod: Pod, plugin: str) -> dict[str, Any]:
    """Upstream's answer for one plugin of ``profile`` on one pod and cluster.

    Raises:
        OracleError: the oracle failed or rejected the input.

    """
    result = evaluate(
        oracle,
        profile=profile,
        nodes=cluster.nodes,
        existing=cluster.existing,
        objects=cluster.objects,
        pod=pod,
        plugins=[plugin],
    )
    return result.plugins[plugin]


def diff_case(
    oracle: Oracle, profile: Profile, cluster: Cluster, pod: Pod, *, plugins: Sequence[str] | None = None
) -> CaseResult:
    """Compare every plugin of ``profile`` on one pod and cluster.

    Raises:
        OracleError: the oracle failed.
        PluginFailure: a model plugin raised.

    """
    upstream = evaluate(
        oracle, profile=profile, nodes=cluster.nodes, existing=cluster.existing, objects=cluster.objects, pod=pod
    )
    snapshot = cluster.snapshot(profile.features)
    context = PluginContext(features=profile.features, signers=profile.signers)
    nodes = [n.name for n in cluster.nodes]
    compared: list[str] = []
    found: list[Disagreement] = []
    for name in profile.plugin_names():
        if plugins and name not in plugins:
            continue
        answer = upstream.plugins.get(name)
        if answer is None:
            continue
        instance = DEFAULT_REGISTRY.create(name, profile.plugin_args.get(name), context)
        model = evaluate_plugin(instance, pod, snapshot)
        compared.append(name)
        found.extend(compare_plugin(model, answer, nodes))
    for name in upstream.plugins:
        if name not in profile.plugin_names() and (not plugins or name in plugins):
            found.append(Disagreement(name, "plugin", "", "absent from the model", "runs"))
    if not plugins:
        found.extend(compare_signature(profile.build().sign_pod(pod), upstream.signature))
    return CaseResult(tuple(compared), tuple(found), upstream)


@dataclass(slots=True)
class DiffReport:
    """Cases compared per plugin and every disagreement with its reproducer."""

    cases: Counter[str] = field(default_factory=Counter)
    disagreements: list[dict[str, Any]] = field(default_factory=list)
    examples: int = 0

    def to_json(self) -> dict[str, Any]:
        """The ``upstream diff --format json`` document."""
        by_plugin: dict[str, list[dict[str, Any]]] = {}
        for item in self.disagreements:
            by_plugin.setdefault(item["plugin"], []).append(item)
        plugins = sorted(set(self.cases) | set(by_plugin))
        return {
            "level": "plugin",
            "examples": self.examples,
            "plugins": {
                name: {"cases": self.cases.get(name, 0), "disagreements": by_plugin.get(name, [])} for name in plugins
            },
            "disagreements": len(self.disagreements),
        }


Writer = Callable[[Profile, Cluster, Pod, Disagreement], Path]


def record(
    report: DiffReport, result: CaseResult, *, write: Writer | None, profile: Profile, cluster: Cluster, pod: Pod
) -> None:
    """Add one case to the report, writing a reproducer for each new kind of disagreement."""
    report.examples += 1
    for name in result.plugins:
        report.cases[name] += 1
    seen = {(d["plugin"], d["aspect"]) for d in report.disagreements}
    for item in result.disagreements:
        if (item.plugin, item.aspect) in seen:
            continue
        seen.add((item.plugin, item.aspect))
        entry = item.to_json()
        if write is not None:
            entry["reproducer"] = str(write(profile, cluster, pod, item))
        report.disagreements.append(entry)
