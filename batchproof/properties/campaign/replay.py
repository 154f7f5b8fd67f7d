"""Replay a finding from its saved manifests through the real plugins and schedulers.

A pair finding re-signs both pods with the plugin and compares every extension point on the
saved cluster; a lockstep finding loads the scenario (manifests, profile, timing and events
from ``scenario.json``) and runs both schedulers again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deepdiff import DeepDiff

from batchproof.model.config import load_config
from batchproof.model.errors import BatchproofError
from batchproof.model.framework.evaluate import evaluate_plugin
from batchproof.model.manifests.load import load_files, load_objects
from batchproof.model.objects import Node, Pod
from batchproof.properties.campaign.artifacts import plain, read_finding
from batchproof.properties.campaign.evidence import Subject, check_pair
from batchproof.properties.campaign.findings import Finding
from batchproof.properties.campaign.loader import plugin_info, registered
from batchproof.properties.classify import classify, decision_view
from batchproof.properties.events import ClockJump, Event, NodeAddition, NodeRemoval, NodeUpdate, PodDeletion
from batchproof.properties.inputs import load_cluster, load_pods
from batchproof.properties.lockstep import BatchingOptions, Scenario, run_lockstep
from batchproof.properties.signatures import PairCase
from batchproof.properties.world import Cluster


@dataclass(frozen=True, slots=True)
class ReplayResult:
    """What replaying a finding showed: both sides, their diff, and whether it still reproduces."""

    finding: Finding
    directory: Path
    reproduces: bool
    first_label: str
    second_label: str
    first: dict[str, Any]
    second: dict[str, Any]
    diff: dict[str, Any]
    lines: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The ``replay --format json`` document."""
        return {
            "finding": self.finding.id,
            "class": self.finding.key.cls,
            "plugin": self.finding.key.plugin,
            "field": self.finding.key.field,
            "directory": str(self.directory),
            "reproduces": self.reproduces,
            "labels": [self.first_label, self.second_label],
            "first": self.first,
            "second": self.second,
            "diff": self.diff,
            "lines": list(self.lines),
            **self.extra,
        }


def finding_pod(path: Path) -> Pod:
    """The one pod of a reproducer manifest.

    Raises:
        BatchproofError: the file does not hold exactly one pod.

    """
    loaded = load_files([path]).pods
    if len(loaded) != 1:
        raise BatchproofError(f"{path}: expected exactly one Pod, found {len(loaded)}")
    return loaded[0]


def finding_cluster(directory: Path) -> Cluster:
    """The nodes, bound pods and objects a reproducer directory holds."""
    existing = directory / "existing.yaml"
    objects = directory / "objects.yaml"
    return load_cluster(
        str(directory / "nodes.yaml"),
        [str(existing)] if existing.exists() else [],
        [str(objects)] if objects.exists() else [],
    )


def _subject(finding: Finding) -> Subject | None:
    data = finding.details.get("plugin_under_test")
    return Subject.from_json(data) if isinstance(data, dict) else None


@contextmanager
def _plugin_registered(subject: Subject | None) -> Iterator[None]:
    if subject is None or subject.ref is None:
        with nullcontext():
            yield
        return
    with registered(plugin_info(subject.ref)):
        yield


def _replay_pair(finding: Finding, directory: Path) -> ReplayResult:
    subject = _subject(finding)
    if subject is None:
        raise BatchproofError(f"{directory}: finding.json names no plugin_under_test")
    signers = finding.details.get("signers", "upstream")
    case = PairCase(
        finding_pod(directory / "first.yaml"), finding_pod(directory / "second.yaml"), (), finding_cluster(directory)
    )
    equal, differences = check_pair(subject, signers, case)
    plugin = subject.build(signers)
    snapshot = case.cluster.snapshot()
    first = plain(evaluate_plugin(plugin, case.first, snapshot).to_json())
    second = plain(evaluate_plugin(plugin, case.second, snapshot).to_json())
    lines = [d.describe() for d in differences] if equal else ["the two pods no longer sign equally"]
    return ReplayResult(
        finding,
        directory,
        equal and bool(differences),
        "first pod",
        "second pod",
        first,
        second,
        plain(DeepDiff(first, second, verbose_level=2).to_dict()),
        tuple(lines),
        {"equal_signature": equal},
    )


def _event(entry: Any, where: str) -> Event:
    if not isinstance(entry, dict) or not isinstance(entry.get("event"), str):
        raise BatchproofError(f"{where}: expected an object with an 'event' string")
    text: str = entry["event"]

    def node() -> Node:
        nodes = load_objects([entry.get("node")], source=where).nodes
        if len(nodes) != 1:
            raise BatchproofError(f"{where}: node: expected a Node manifest")
        return nodes[0]

    if text.startswith("clock +") and text.endswith("ms"):
        return ClockJump(float(text[len("clock +") : -2]) / 1000)
    if text.startswith("update node "):
        return NodeUpdate(node())
    if text.startswith("add node "):
        return NodeAddition(node())
    if text.startswith("remove node "):
        return NodeRemoval(text[len("remove node ") :])
    if text.startswith("delete pod "):
        return PodDeletion(text[len("delete pod ") :])
    raise BatchproofError(f"{where}: unknown event {text!r}")


def load_scenario(directory: Path) -> Scenario:
    """The scenario a reproducer directory describes.

    Raises:
        BatchproofError: a file or field is missing or malformed (the message names it).

    """
    meta_path = directory / "scenario.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BatchproofError(f"{meta_path}: missing (not a lockstep reproducer)") from None
    except (OSError, json.JSONDecodeError) as error:
        raise BatchproofError(f"{meta_path}: cannot read: {error}") from None
    cluster = finding_cluster(directory)
    queue = load_pods([str(directory / "pods.yaml")])
    cluster = Cluster(cluster.nodes, cluster.existing, cluster.objects.merged(queue.objects()))
    signers = meta.get("signers", "upstream")
    profiles = tuple(
        p.with_signers(signers) for p in load_config(directory / "config.yaml", out_of_tree=_plugin_names(directory))
    )
    try:
        options = BatchingOptions(
            meta.get("variant", "g3"), float(meta["max_batch_age_ms"]) / 1000, float(meta["pod_interval_ms"]) / 1000
        )
    except (KeyError, TypeError, ValueError) as error:
        raise BatchproofError(f"{meta_path}: bad timing field: {error}") from None
    events = tuple(
        (int(entry.get("before_pod", 0)), _event(entry, f"{meta_path}: events[{i}]"))
        for i, entry in enumerate(meta.get("events", []))
    )
    return Scenario(cluster, tuple(queue.pods), profiles, events, options)


def _plugin_names(directory: Path) -> tuple[str, ...]:
    """The out-of-tree plugin a plugin-author finding's config names (none for other findings)."""
    try:
        data = json.loads((directory / "finding.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return ()
    subject = data.get("plugin_under_test") if isinstance(data, dict) else None
    return (str(subject["name"]),) if isinstance(subject, dict) and subject.get("name") else ()


def _replay_lockstep(finding: Finding, directory: Path) -> ReplayResult:
    scenario = load_scenario(directory)
    index = int(finding.details.get("index", 0))
    with _plugin_registered(_subject(finding)):
        run = run_lockstep(scenario)
        if finding.key.cls == "unsafe":
            reproduces = bool(run.unsafe)
            lines = tuple(run.unsafe) or ("every placement passes the full Filter set",)
            now = "unsafe" if reproduces else ""
        else:
            comparison = run.comparisons[index] if index < len(run.comparisons) else None
            reproduces = comparison is not None and comparison.diverged
            now = classify(scenario, comparison) if comparison is not None and reproduces else ""
            lines = (
                (
                    f"{comparison.pod}: reference {comparison.reference_node}, batched {comparison.batched_node} "
                    f"({comparison.path}); class now {now or '-'}",
                )
                if comparison is not None
                else (f"no pod at index {index}",)
            )
    reference = plain(decision_view(run.reference[index])) if index < len(run.reference) else {}
    batched = plain(decision_view(run.batched[index])) if index < len(run.batched) else {}
    return ReplayResult(
        finding,
        directory,
        reproduces,
        "reference",
        "batched",
        reference,
        batched,
        plain(DeepDiff(reference, batched, verbose_level=2).to_dict()),
        lines,
        {"class_now": now, "pod": scenario.pods[index].key if index < len(scenario.pods) else None},
    )


def replay_directory(finding: Finding, directory: Path) -> ReplayResult:
    """Replay a finding already read from ``directory``."""
    if finding.kind == "pair":
        return _replay_pair(finding, directory)
    return _replay_lockstep(finding, directory)


def replay(path: str | Path) -> ReplayResult:
    """Replay the finding at ``path`` (its directory or its finding.json).

    Raises:
        BatchproofError: the finding or its manifests cannot be read.

    """
    finding, directory = read_finding(path)
    return replay_directory(finding, directory)


def reproduces(finding: Finding, directory: Path) -> bool:
    """Whether the written manifests replay the finding (stored with each finding)."""
    try:
        return replay_directory(finding, directory).reproduces
    except BatchproofError:
        return False
