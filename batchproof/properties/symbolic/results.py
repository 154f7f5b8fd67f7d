"""Results of ``batchproof prove`` as data, and their text and JSON renderings.

Statuses:

* ``proved``: Z3 answered unsat: within the model, equal fragments imply equal results;
* ``counterexample``: a symbolic counterexample that the *real* plugin confirms (equal
  signatures, different results on the replayed pods and nodes);
* ``model-bug``: a symbolic counterexample the real plugin does not confirm: the encoding is wrong;
* ``unknown``: Z3 gave up (timeout, memory) or no catalog realises the abstract counterexample.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from batchproof.model.manifests.encode import ModelObject, encode_node, encode_object, encode_pod
from batchproof.model.objects import Pod
from batchproof.properties.world import Cluster

Status = Literal["proved", "counterexample", "model-bug", "unknown"]
STATUSES: tuple[Status, ...] = ("proved", "counterexample", "model-bug", "unknown")
NOT_CHECKED = {"verdict": "not checked", "reason": "not replayed on upstream"}


@dataclass(frozen=True, slots=True)
class Counterexample:
    """Two pods with equal fragments, the cluster, and what the real plugin said about each."""

    first: Pod
    second: Pod
    cluster: Cluster
    node: str
    first_result: tuple[int, ...]
    second_result: tuple[int, ...]
    equal_signatures: bool
    differing_fields: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Manifests of the pods, nodes and existing pods, plus both results."""
        objects = self.cluster.objects
        extra: tuple[ModelObject, ...] = (*objects.namespaces, *objects.claims, *objects.volumes)
        return {
            "pods": [encode_pod(self.first), encode_pod(self.second)],
            "nodes": [encode_node(n) for n in self.cluster.nodes],
            "existingPods": [encode_pod(p) for p in self.cluster.existing],
            "objects": [encode_object(o) for o in extra],
            "node": self.node,
            "results": {"first": list(self.first_result), "second": list(self.second_result)},
            "equalSignatures": self.equal_signatures,
            "differingFields": list(self.differing_fields),
        }


@dataclass(frozen=True, slots=True)
class ProofResult:
    """One plugin, signer mode and property: the verdict, time and evidence."""

    plugin: str
    signers: str
    property: str
    status: Status
    seconds: float
    core: tuple[str, ...] = ()
    detail: str = ""
    counterexample: Counterexample | None = None
    upstream: dict[str, str] | None = None  # {"verdict", "reason"} for a counterexample replayed on upstream

    def to_json(self) -> dict[str, Any]:
        """The ``results[]`` entry of ``prove --format json``."""
        out: dict[str, Any] = {
            "plugin": self.plugin,
            "signers": self.signers,
            "property": self.property,
            "status": self.status,
            "seconds": round(self.seconds, 4),
        }
        if self.core:
            out["core"] = list(self.core)
        if self.detail:
            out["detail"] = self.detail
        if self.counterexample is not None:
            out["counterexample"] = self.counterexample.to_json()
            out["upstream"] = dict(self.upstream or NOT_CHECKED)
        return out

    def describe(self) -> str:
        """One line."""
        text = f"{self.plugin} [{self.signers}] {self.property}: {self.status} ({self.seconds:.2f}s)"
        if self.core:
            text += f"; needs {', '.join(self.core)}"
        if self.counterexample is not None:
            fields = ", ".join(self.counterexample.differing_fields) or "?"
            text += f"; pods differ in {fields}"
        if self.detail:
            text += f"; {self.detail}"
        return text


@dataclass(frozen=True, slots=True)
class ProveReport:
    """Every result of one ``prove`` run, and the run's wall time."""

    results: tuple[ProofResult, ...]
    seconds: float = 0.0
    settings: dict[str, Any] = field(default_factory=dict)

    def count(self, status: Status) -> int:
        """How many results have ``status``."""
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> bool:
        """A confirmed counterexample or a model bug."""
        return any(r.status in ("counterexample", "model-bug") for r in self.results)

    def to_json(self) -> dict[str, Any]:
        """``{"results": [...], "summary": {...}, "seconds": ...}``."""
        return {
            "results": [r.to_json() for r in self.results],
            "summary": {status: self.count(status) for status in STATUSES},
            "seconds": round(self.seconds, 3),
            "settings": dict(self.settings),
        }


def render_json(report: ProveReport) -> str:
    """Stable JSON (sorted keys, two-space indent)."""
    return json.dumps(report.to_json(), indent=2, sort_keys=True)


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]


def render_text(report: ProveReport) -> str:
    """A table of verdicts, then one paragraph per counterexample or model bug."""
    rows = [["PLUGIN", "SIGNERS", "PROPERTY", "STATUS", "SECONDS", "NEEDS / DETAIL"]]
    for r in report.results:
        needs = ", ".join(r.core) if r.core else r.detail
        rows.append([r.plugin, r.signers, r.property, r.status, f"{r.seconds:.3f}", needs])
    lines = _table(rows)
    for r in report.results:
        example = r.counterexample
        if example is None:
            continue
        lines.append("")
        lines.append(f"{r.status}: {r.plugin} [{r.signers}] {r.property} on {example.node}")
        lines.append(f"  pods differ in: {', '.join(example.differing_fields) or '(nothing visible)'}")
        lines.append(f"  equal signatures: {example.equal_signatures}")
        lines.append(f"  results: {list(example.first_result)} vs {list(example.second_result)}")
        verdict = r.upstream or NOT_CHECKED
        lines.append(f"  upstream: {verdict['verdict']} ({verdict['reason']})")
        lines.append(f"  first:  {json.dumps(encode_pod(example.first), sort_keys=True)}")
        lines.append(f"  second: {json.dumps(encode_pod(example.second), sort_keys=True)}")
    summary = ", ".join(f"{report.count(s)} {s}" for s in STATUSES)
    lines.append("")
    lines.append(f"{summary} in {report.seconds:.2f}s")
    return "\n".join(lines)
