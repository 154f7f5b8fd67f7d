"""TaintToleration and NodeUnschedulable over opaque tolerations and taints.

Whether a toleration tolerates a taint, and each side's effect, are uninterpreted functions (the
real ``ToleratesTaint`` when concrete). Filter: an untolerated NoSchedule/NoExecute taint is
UnschedulableAndUnresolvable; Score: the count of PreferNoSchedule taints not tolerated by a
toleration with an empty or PreferNoSchedule effect; NormalizeScore: DefaultNormalizeScore
reversed. NodeUnschedulable: a cordoned node unless a toleration tolerates
``node.kubernetes.io/unschedulable:NoSchedule``.

Shape: two tolerations per pod; two taints per node; two nodes for the normalised score.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import z3

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Node, Pod, Taint, Toleration
from batchproof.model.plugins.helpers.signers import canonical_json, tolerations_fragment
from batchproof.model.plugins.helpers.taints import tolerates
from batchproof.model.plugins.node_unschedulable import UNSCHEDULABLE_TAINT
from batchproof.properties.symbolic.encoder import (
    SUCCESS,
    UNRESOLVABLE,
    Domain,
    Encoder,
    Expr,
    any_of,
    total,
)
from batchproof.properties.symbolic.model import (
    ClusterVars,
    Part,
    Property,
    Slot,
    SymbolicModel,
    default_normalize,
    multiset_equal,
    set_equal,
)
from batchproof.properties.world import Cluster


def _toleration_key(toleration: Toleration) -> str:
    return canonical_json(tolerations_fragment(Pod(tolerations=(toleration,)), "strict")[0])


TOLERATIONS = Domain(
    "toleration",
    (
        Toleration(key="dedicated", operator="Exists"),
        Toleration(key="dedicated", operator="Equal", value="x", effect="NoSchedule"),
        Toleration(key="gpu", operator="Exists", effect="PreferNoSchedule"),
        Toleration(key="gpu", operator="Equal", value="true"),
        Toleration(key="spot", value="true", effect="NoExecute"),
        Toleration(key="node.kubernetes.io/unschedulable", operator="Exists", effect="NoSchedule"),
        Toleration(operator="Exists"),
    ),
    _toleration_key,
)
TAINTS = Domain(
    "taint",
    (
        Taint("dedicated", "x", "NoSchedule"),
        Taint("gpu", "true", "PreferNoSchedule"),
        Taint("spot", "true", "NoExecute"),
        Taint("gpu", "", "PreferNoSchedule"),
        Taint("dedicated", "", "NoExecute"),
        Taint("spot", "x", "PreferNoSchedule"),
    ),
)
EFFECTS = {"NoSchedule": 0, "PreferNoSchedule": 1, "NoExecute": 2, "": 3}
OTHER_EFFECT = 4
SHAPE = "2 tolerations per pod; 2 taints and the unschedulable flag per node; 2 nodes"


def _effect(effect: str) -> int:
    return EFFECTS.get(effect, OTHER_EFFECT)


@dataclass(frozen=True, slots=True)
class PodVars:
    """Toleration slots."""

    tolerations: tuple[Slot, ...]


@dataclass(frozen=True, slots=True)
class NodeVars:
    """Taint slots and spec.unschedulable."""

    taints: tuple[Slot, ...]
    unschedulable: Expr


class _TaintsBase(SymbolicModel):
    shape = SHAPE
    slots = 2

    def fresh_pod(self, enc: Encoder, prefix: str) -> PodVars:
        """Two optional tolerations."""
        return PodVars(
            tuple(
                Slot(enc.flag(f"{prefix}.t{i}.present"), (enc.opaque(TOLERATIONS, f"{prefix}.t{i}"),))
                for i in range(self.slots)
            )
        )

    def fresh_cluster(self, enc: Encoder) -> ClusterVars:
        """Nodes with two optional taints each."""
        nodes = []
        for n in range(self.nodes):
            taints = tuple(
                Slot(enc.flag(f"n{n}.x{i}.present"), (enc.opaque(TAINTS, f"n{n}.x{i}"),)) for i in range(self.slots)
            )
            nodes.append(NodeVars(taints, enc.flag(f"n{n}.unschedulable")))
        return ClusterVars(tuple(nodes))

    def pod_of(self, enc: Encoder, pod: Pod) -> PodVars:
        """A concrete pod's tolerations."""
        return PodVars(tuple(Slot(z3.BoolVal(True), (enc.const(TOLERATIONS, t),)) for t in pod.tolerations))

    def cluster_of(self, enc: Encoder, cluster: Cluster) -> ClusterVars:
        """Concrete nodes' taints."""
        nodes = []
        for info in cluster.snapshot().node_infos():
            taints = tuple(Slot(z3.BoolVal(True), (enc.const(TAINTS, t),)) for t in info.node.taints)
            nodes.append(NodeVars(taints, z3.BoolVal(info.node.unschedulable)))
        return ClusterVars(tuple(nodes))

    def fragment(self, enc: Encoder, a: PodVars, b: PodVars, mode: str) -> list[Part]:
        """TolerationsSigner: upstream a multiset (its order-dependence only loses batching), strict a set."""
        same = set_equal if mode == "strict" else multiset_equal
        return [Part("Tolerations", same(a.tolerations, b.tolerations))]

    def decode_pod(self, enc: Encoder, model: Any, pod: PodVars, name: str) -> Pod:
        """The pod in a model."""
        tolerations = tuple(
            enc.read_opaque(model, TOLERATIONS, s.key[0]) for s in pod.tolerations if enc.read_bool(model, s.present)
        )
        return Pod(name=name, tolerations=tolerations)

    def decode_cluster(self, enc: Encoder, model: Any, cluster: ClusterVars) -> Cluster:
        """The nodes in a model."""
        nodes = []
        for index, node in enumerate(cluster.nodes):
            taints = tuple(
                enc.read_opaque(model, TAINTS, s.key[0]) for s in node.taints if enc.read_bool(model, s.present)
            )
            name = f"node-{index}"
            nodes.append(
                Node(
                    name,
                    labels=FrozenDict({"kubernetes.io/hostname": name}),
                    allocatable=FrozenDict({"cpu": 4000, "memory": 8 << 30, "pods": 110}),
                    taints=taints,
                    unschedulable=enc.read_bool(model, node.unschedulable),
                )
            )
        return Cluster(tuple(nodes))

    @staticmethod
    def _functions(enc: Encoder) -> tuple[Any, Any, Any]:
        tolerated = enc.fn("tolerates", tolerates, [TOLERATIONS, TAINTS], "bool")
        taint_effect = enc.fn("taint_effect", lambda t: _effect(t.effect), [TAINTS], "int")
        toleration_effect = enc.fn("toleration_effect", lambda t: _effect(t.effect), [TOLERATIONS], "int")
        return tolerated, taint_effect, toleration_effect


class TaintTolerationModel(_TaintsBase):
    """TaintToleration: Filter, Score and reversed DefaultNormalizeScore."""

    title = plugin = "TaintToleration"
    properties: tuple[Property, ...] = ("filter", "score", "normalized")
    nodes = 2

    def _raw(self, enc: Encoder, pod: PodVars, node: NodeVars) -> Expr:
        tolerated, taint_effect, toleration_effect = self._functions(enc)
        counted = []
        for taint in node.taints:
            excused = any_of(
                z3.And(
                    t.present,
                    z3.Or(toleration_effect(t.key[0]) == EFFECTS[""], toleration_effect(t.key[0]) == 1),
                    tolerated(t.key[0], taint.key[0]),
                )
                for t in pod.tolerations
            )
            counted.append(z3.If(z3.And(taint.present, taint_effect(taint.key[0]) == 1, z3.Not(excused)), 1, 0))
        return total(counted)

    def result(self, enc: Encoder, pod: PodVars, cluster: ClusterVars, prop: Property, node: int) -> tuple[Expr, ...]:
        """Filter code; (Success, raw count); or (Success, normalised scores)."""
        tolerated, taint_effect, _ = self._functions(enc)
        target: NodeVars = cluster.nodes[node]
        if prop == "filter":
            rejected = any_of(
                z3.And(
                    taint.present,
                    z3.Or(taint_effect(taint.key[0]) == 0, taint_effect(taint.key[0]) == 2),
                    z3.Not(any_of(z3.And(t.present, tolerated(t.key[0], taint.key[0])) for t in pod.tolerations)),
                )
                for taint in target.taints
            )
            return (z3.If(rejected, UNRESOLVABLE, SUCCESS),)
        if prop == "score":
            return (z3.IntVal(SUCCESS), self._raw(enc, pod, target))
        raws = [self._raw(enc, pod, n) for n in cluster.nodes]
        return (z3.IntVal(SUCCESS), *default_normalize(raws, reverse=True))


class NodeUnschedulableModel(_TaintsBase):
    """NodeUnschedulable: Filter only."""

    title = plugin = "NodeUnschedulable"
    properties: tuple[Property, ...] = ("filter",)
    nodes = 1

    def result(self, enc: Encoder, pod: PodVars, cluster: ClusterVars, prop: Property, node: int) -> tuple[Expr, ...]:
        """UnschedulableAndUnresolvable on a cordoned node unless the pod tolerates the taint."""
        tolerates_cordon = enc.fn(
            "tolerates_unschedulable", lambda t: tolerates(t, UNSCHEDULABLE_TAINT), [TOLERATIONS], "bool"
        )
        target: NodeVars = cluster.nodes[node]
        excused = any_of(z3.And(t.present, tolerates_cordon(t.key[0])) for t in pod.tolerations)
        return (z3.If(z3.And(target.unschedulable, z3.Not(excused)), UNRESOLVABLE, SUCCESS),)
