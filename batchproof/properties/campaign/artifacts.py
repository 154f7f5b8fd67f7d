"""Write a finding as manifests next to the report, and read it back to replay it.

Every finding directory holds ``finding.json`` (written last: a directory without it is
incomplete and ignored) and the manifests of the minimal example:

- a pair: ``first.yaml`` and ``second.yaml`` (the two pods), ``nodes.yaml``, ``existing.yaml``,
  ``objects.yaml``;
- a lockstep run: the reproducer of :func:`batchproof.properties.reproducer.write_reproducer`
  (``nodes.yaml``, ``pods.yaml``, ``existing.yaml``, ``objects.yaml``, ``config.yaml`` and
  ``scenario.json`` with the events).
"""

from __future__ import annotations

import json
import shlex
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from deepdiff import DeepDiff

from batchproof.model.errors import BatchproofError
from batchproof.model.framework.evaluate import evaluate_plugin
from batchproof.model.manifests import encode
from batchproof.model.manifests.encode import ModelObject, dump_manifests
from batchproof.model.objects import (
    Affinity,
    Container,
    LabelSelector,
    NodeAffinity,
    NodeSelectorTerm,
    PodAffinity,
    PodAffinityTerm,
    Taint,
    Toleration,
    TopologySpreadConstraint,
    Volume,
)
from batchproof.properties.campaign.evidence import CROSS_POD, Candidate, LockstepEvidence, PairEvidence
from batchproof.properties.campaign.findings import Finding, spec_reference
from batchproof.properties.classify import decision_view
from batchproof.properties.lockstep import run_lockstep
from batchproof.properties.mutate import MISSING, api_path, get
from batchproof.properties.mutate import Path as Path_
from batchproof.properties.reproducer import write_reproducer
from batchproof.properties.world import Cluster

FINDING_FILE = "finding.json"


def _encoders() -> dict[type, Callable[[Any], Any]]:
    """Sub-objects as they are written in a manifest (a container as ``{name, image, resources, ...}``)."""
    return {
        Container: encode.container,
        Toleration: encode.toleration,
        Affinity: encode.affinity,
        NodeAffinity: encode.node_affinity,
        PodAffinity: encode.pod_affinity,
        PodAffinityTerm: encode.pod_affinity_term,
        NodeSelectorTerm: encode.node_selector_term,
        LabelSelector: encode.label_selector,
        TopologySpreadConstraint: encode.spread_constraint,
        Volume: encode.volume,
        Taint: encode.taint,
    }


def plain(value: Any) -> Any:
    """JSON-safe data: pod sub-objects as manifest fields, mappings and sequences as dicts and lists.

    Anything else becomes its repr.
    """
    encoder = _encoders().get(type(value))
    if encoder is not None:
        return encoder(value)
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (frozenset, set)):
        return sorted(plain(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


def write_cluster(cluster: Cluster, directory: Path) -> None:
    """``nodes.yaml``, ``existing.yaml`` and ``objects.yaml``."""
    dump_manifests(cluster.nodes, directory / "nodes.yaml")
    dump_manifests(cluster.existing, directory / "existing.yaml")
    objects: tuple[ModelObject, ...] = (
        *cluster.objects.namespaces,
        *cluster.objects.selecting,
        *cluster.objects.claims,
        *cluster.objects.volumes,
    )
    dump_manifests(objects, directory / "objects.yaml")


def fragment_hint(paths: list[str]) -> str:
    """What the plugin's SignPod would have to cover to make the pair sign apart."""
    return "a SignFragment whose value includes " + ", ".join(paths)


def _pair_details(evidence: PairEvidence, directory: Path) -> tuple[str, dict[str, Any]]:
    case = evidence.case
    dump_manifests((case.first,), directory / "first.yaml")
    dump_manifests((case.second,), directory / "second.yaml")
    write_cluster(case.cluster, directory)
    plugin = evidence.subject.build(evidence.signers)
    snapshot = case.cluster.snapshot()
    first = plain(evaluate_plugin(plugin, case.first, snapshot).to_json())
    second = plain(evaluate_plugin(plugin, case.second, snapshot).to_json())
    fields = [api_path(p) for p in evidence.paths]
    changes = {
        api_path(p): {"first": plain(_at(case.first, p)), "second": plain(_at(case.second, p))} for p in evidence.paths
    }
    differences = [
        {"plugin": d.plugin, "point": d.point, "node": d.node, "first": plain(d.first), "second": plain(d.second)}
        for d in evidence.differences
    ]
    head = evidence.differences[0].describe() if evidence.differences else ""
    summary = f"{evidence.subject.title}: pods differing only in {', '.join(fields)} sign equally; {head}"
    details = {
        "plugin_under_test": evidence.subject.to_json(),
        "signers": evidence.signers,
        "fields": fields,
        "field_values": changes,
        "differences": differences,
        "fragment": fragment_hint(fields),
        "diff": plain(DeepDiff(first, second, verbose_level=2).to_dict()),
    }
    return summary, details


def _at(value: Any, path: Path_) -> Any:
    found = get(value, path)
    return "<absent>" if found is MISSING else found


def _lockstep_details(evidence: LockstepEvidence, directory: Path) -> tuple[str, dict[str, Any]]:
    scenario = evidence.scenario
    reproducer = write_reproducer(scenario, directory)
    run = run_lockstep(scenario)
    index = evidence.index
    reference = decision_view(run.reference[index]) if index < len(run.reference) else {}
    batched = decision_view(run.batched[index]) if index < len(run.batched) else {}
    pod = scenario.pods[index].key if index < len(scenario.pods) else ""
    details: dict[str, Any] = {
        "index": index,
        "pod": pod,
        "reference_node": reference.get("node"),
        "batched_node": batched.get("node"),
        "batched_path": batched.get("path"),
        "signers": scenario.profiles[0].signers if scenario.profiles else "",
        "variant": scenario.options.variant,
        "events": len(scenario.events),
        "decisions": {"reference": plain(reference), "batched": plain(batched)},
        "diff": plain(DeepDiff(plain(reference), plain(batched), verbose_level=2).to_dict()),
    }
    if evidence.seed_paths:
        fields = [api_path(p) for p in evidence.seed_paths]
        details["fields"] = fields
        details["fragment"] = fragment_hint(fields)
    elif evidence.cls == CROSS_POD:
        details["cross_pod"] = (
            "identical pods are placed differently with batching: the plugin's results depend on other pods, "
            "so SignPod must refuse to sign (return None with an Unschedulable status) for the pods it judges by others"
        )
    if evidence.subject is not None:
        details["plugin_under_test"] = evidence.subject.to_json()
    if not scenario.events and evidence.subject is None:
        details["schedule_command"] = reproducer.command
    return evidence.detail, details


Verify = Callable[[Finding, Path], bool]


def write_finding(
    candidate: Candidate, report_dir: Path, *, replayed: bool = False, verify: Verify | None = None
) -> Finding:
    """Write the candidate's reproducer under ``report_dir/findings/<id>`` and return the finding.

    ``verify`` replays the written manifests; its verdict is stored as ``reproduces_from_manifests``.
    """
    key = candidate.key
    relative = f"findings/{key.slug()}"
    directory = report_dir / relative
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    evidence = candidate.evidence
    section, title = spec_reference(key.cls, key.plugin, key.field)
    kind = "pair" if isinstance(evidence, PairEvidence) else "lockstep"
    try:
        if isinstance(evidence, PairEvidence):
            summary, details = _pair_details(evidence, directory)
        else:
            summary, details = _lockstep_details(evidence, directory)
    except BatchproofError as error:
        summary, details = f"{key.plugin}: {key.cls} (manifests could not be written: {error})", {}
    details["title"] = title
    command = f"batchproof replay {shlex.quote(str(directory))}"
    finding = Finding(key, kind, summary, section, relative, command, details, replayed)
    if verify is not None:
        details["reproduces_from_manifests"] = verify(finding, directory)
    # finding.json last: its presence marks the directory complete.
    (directory / FINDING_FILE).write_text(json.dumps(finding.to_json(), indent=2, sort_keys=True) + "\n")
    return finding


def read_finding(path: str | Path) -> tuple[Finding, Path]:
    """A finding and its directory, from the directory or its ``finding.json``.

    Raises:
        BatchproofError: no readable finding there.

    """
    target = Path(path)
    directory = target.parent if target.name == FINDING_FILE else target
    file = directory / FINDING_FILE
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BatchproofError(f"{path}: no {FINDING_FILE} there (expected a finding directory of a report)") from None
    except (OSError, json.JSONDecodeError) as error:
        raise BatchproofError(f"{file}: cannot read the finding: {error}") from None
    try:
        return Finding.from_json(data), directory
    except (KeyError, TypeError) as error:
        raise BatchproofError(f"{file}: not a batchproof finding (missing {error})") from None


def read_findings(report_dir: Path) -> list[Finding]:
    """Every complete finding under ``report_dir/findings``, sorted by key."""
    root = report_dir / "findings"
    if not root.is_dir():
        return []
    out = [read_finding(d)[0] for d in sorted(root.iterdir()) if (d / FINDING_FILE).is_file()]
    return sorted(out, key=lambda f: f.key)
