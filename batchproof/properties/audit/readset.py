"""The read-set audit: which pod fields a plugin's Filter and Score read that its SignPod never reads.

Over generated pods and clusters, each extension point (PreFilter, Filter, PreScore, Score,
NormalizeScore) runs on a traced view of the pod (:mod:`batchproof.properties.audit.trace`) and
SignPod on another; a field read by a point and not covered by anything SignPod read is
*read but never signed* — named at once, before any counterexample exists. It is a lead, not a
verdict: a field that never changes a result needs no fragment, and the pair check (whose
mutator is steered to exactly these fields) decides. Pods SignPod refuses are left out: they never
batch, so what the plugin reads of them cannot break batching.

Coverage: container and list indexes are generalised to ``[*]``; SignPod reading a value whole
covers everything below it; a keys read covers key presence and counts; a count covers counts.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import implements
from batchproof.model.framework.status import Code
from batchproof.model.objects import Pod
from batchproof.properties.audit.trace import Read, ReadKind, Tracer
from batchproof.properties.mutate import Path, api_path
from batchproof.properties.upstream.seeded import seeded
from batchproof.properties.world import Cluster

WITNESSES = 4
POINTS = ("pre_filter", "filter", "pre_score", "score", "normalize_score")
_COVERS: dict[ReadKind, frozenset[ReadKind]] = {
    "value": frozenset({"value", "keys", "len"}),
    "keys": frozenset({"keys", "len"}),
    "len": frozenset({"len"}),
}


def generalise(path: Path) -> Path:
    """``path`` with every list index replaced by ``*``."""
    return tuple(("index", "*") if kind == "index" else (kind, step) for kind, step in path)


def covered(read: Read, signed: Iterable[Read]) -> bool:
    """Whether something SignPod read determines ``read``."""
    path, kind = read
    for signed_path, signed_kind in signed:
        if len(signed_path) < len(path) and path[: len(signed_path)] == signed_path and signed_kind == "value":
            return True
        if signed_path == path and kind in _COVERS[signed_kind]:
            return True
    return False


def describe(read: Read) -> str:
    """``spec.containers[*].requests["cpu"]``, with ``(keys)`` or ``(count)`` for partial reads."""
    path, kind = read
    suffix = {"value": "", "keys": " (keys)", "len": " (count)"}[kind]
    return api_path(path) + suffix


@dataclass(frozen=True, slots=True)
class PluginRaised:
    """A plugin that raised while audited: where, on which pod and node."""

    point: str
    pod: str
    node: str
    error: str

    def describe(self, plugin: str) -> str:
        """One line naming the plugin, point, pod and node."""
        on = f" on node {self.node}" if self.node else ""
        return f"{plugin} raised in {self.point} for pod {self.pod}{on}: {self.error}"


@dataclass(slots=True)
class ReadSetAudit:
    """What each point read, what SignPod read, and the difference."""

    plugin: str
    examples: int = 0
    refused: int = 0
    reads: dict[str, Counter[Read]] = field(default_factory=lambda: defaultdict(Counter))
    signed: Counter[Read] = field(default_factory=Counter)
    raised: list[PluginRaised] = field(default_factory=list)
    witnesses: dict[Read, list[Pod]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def read(self) -> set[Read]:
        """Every (generalised) read of every point."""
        return {r for counts in self.reads.values() for r in counts}

    @property
    def unsigned(self) -> list[Read]:
        """Reads SignPod does not cover, most specific paths first within each field."""
        signed = set(self.signed)
        return sorted((r for r in self.read if not covered(r, signed)), key=describe)

    def unsigned_paths(self) -> tuple[Path, ...]:
        """The unsigned reads' paths, for steering the mutator."""
        return tuple(dict.fromkeys(path for path, _ in self.unsigned))

    def witness_pods(self) -> tuple[Pod, ...]:
        """Pods on which an unsigned read happened: a read on a branch is reached again from them."""
        return tuple(dict.fromkeys(pod for read in self.unsigned for pod in self.witnesses.get(read, ())))

    def points_reading(self, read: Read) -> list[str]:
        """The extension points that made ``read``."""
        return [point for point in POINTS if read in self.reads.get(point, ())]

    def to_json(self) -> dict[str, Any]:
        """The audit in ``check-plugin --format json``."""
        return {
            "plugin": self.plugin,
            "examples": self.examples,
            "refused_to_sign": self.refused,
            "read": {point: sorted(describe(r) for r in counts) for point, counts in self.reads.items()},
            "signed": sorted(describe(r) for r in self.signed),
            "read_but_never_signed": [{"field": describe(r), "points": self.points_reading(r)} for r in self.unsigned],
            "raised": [vars_of(r) for r in self.raised[:20]],
            "seconds": round(self.seconds, 2),
        }


def vars_of(raised: PluginRaised) -> dict[str, str]:
    """A PluginRaised as plain data."""
    return {"point": raised.point, "pod": raised.pod, "node": raised.node, "error": raised.error}


def _generalised(tracer: Tracer) -> set[Read]:
    return {(generalise(path), kind) for path, kind in tracer.reads}


def _signs(plugin: Any, pod: Pod, audit: ReadSetAudit) -> set[Read] | None:
    """SignPod's reads of ``pod``, or None when it refuses (or raises)."""
    if not implements(plugin, "sign_pod"):
        return None
    tracer = Tracer()
    try:
        fragments, status = plugin.sign_pod(tracer.view(pod))
    except Exception as error:  # an author's plugin may raise anything: report it and go on
        audit.raised.append(PluginRaised("sign_pod", pod.key, "", f"{type(error).__name__}: {error}"))
        return None
    if status.code is not Code.SUCCESS or fragments is None:
        return None
    return _generalised(tracer)


def _exercise(plugin: Any, pod: Pod, cluster: Cluster, audit: ReadSetAudit) -> None:
    """Run every point on traced views of ``pod``, logging reads per point and what raised."""
    snapshot = cluster.snapshot()
    nodes: list[NodeInfo] = list(snapshot.node_infos())
    state = CycleState(snapshot)

    def call(point: str, node: str, args: Callable[[Any], tuple[Any, ...]]) -> Any:
        tracer = Tracer()
        try:
            return getattr(plugin, point)(*args(tracer.view(pod)))
        except Exception as error:  # an author's plugin may raise anything: report it and go on
            audit.raised.append(PluginRaised(point, pod.key, node, f"{type(error).__name__}: {error}"))
            return None
        finally:
            reads = _generalised(tracer)
            audit.reads[point].update(reads)
            for read in reads:
                kept = audit.witnesses.setdefault(read, [])
                if len(kept) < WITNESSES and pod not in kept:
                    kept.append(pod)

    if implements(plugin, "pre_filter"):
        call("pre_filter", "", lambda view: (state, view, nodes))
    if implements(plugin, "filter"):
        for info in nodes:
            call("filter", info.name, lambda view, info=info: (state, view, info))  # type: ignore[misc]
    if implements(plugin, "pre_score"):
        call("pre_score", "", lambda view: (state, view, nodes))
    scores: dict[str, int] = {}
    if implements(plugin, "score"):
        for info in nodes:
            result = call("score", info.name, lambda view, info=info: (state, view, info))  # type: ignore[misc]
            if isinstance(result, tuple) and result and isinstance(result[0], int):
                scores[info.name] = result[0]
    if implements(plugin, "normalize_score") and scores:
        call("normalize_score", "", lambda view: (state, view, dict(scores)))


def audit_plugin(
    plugin: Any,
    pairs: st.SearchStrategy[tuple[Cluster, Pod]],
    *,
    examples: int = 200,
    seed_value: int = 0,
    clock: Callable[[], float] = time.monotonic,
) -> ReadSetAudit:
    """Audit ``plugin`` over ``examples`` generated (cluster, pod) cases drawn from ``seed_value``."""
    audit = ReadSetAudit(str(getattr(plugin, "name", type(plugin).__name__)))
    started = clock()

    @seeded(examples, seed_value)
    @given(pairs)
    def one(case: tuple[Cluster, Pod]) -> None:
        cluster, pod = case
        audit.examples += 1
        signed = _signs(plugin, pod, audit)
        if signed is None:
            audit.refused += 1
            return
        audit.signed.update(signed)
        _exercise(plugin, pod, cluster, audit)

    one()
    audit.seconds = clock() - started
    return audit


def render_audit(audit: ReadSetAudit) -> list[str]:
    """Lines for ``check-plugin``'s text output (printed before the check's verdict)."""
    lines = [
        f"  read-set audit over {audit.examples} pods ({audit.refused} refused a signature, {audit.seconds:.1f}s):"
    ]
    if audit.examples and audit.refused == audit.examples:
        lines.append("    SignPod refused every pod: this plugin never batches")
        return lines
    unsigned = audit.unsigned
    if not unsigned:
        lines.append(f"    every pod field read ({len(audit.read)}) is covered by what SignPod reads")
    for read in unsigned:
        points = ", ".join(audit.points_reading(read))
        lines.append(f"    read but never signed: {describe(read)} (by {points})")
    for raised in audit.raised[:5]:
        lines.append(f"    {raised.describe(audit.plugin)}")
    if len(audit.raised) > 5:
        lines.append(f"    ... and {len(audit.raised) - 5} more exceptions")
    return lines
