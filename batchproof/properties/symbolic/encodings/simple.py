"""NodeName, and the two plugins whose completeness is trivial: PodTopologySpread and DynamicResources.

NodeName passes a node when ``spec.nodeName`` is empty or names it.

PodTopologySpread (List defaulting, no default constraints) and DynamicResources sign only pods
they do nothing for: a pod with topology spread constraints, or with resource claims, is refused
(a nil signature never matches), and for every signable pod PreFilter (and PreScore) return Skip
on every cluster. Their models say exactly that; the proofs are trivial and reported as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import z3

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Container, Node, Pod, PodResourceClaim, TopologySpreadConstraint
from batchproof.properties.symbolic.encoder import SKIP, SUCCESS, UNRESOLVABLE, Domain, Encoder, Expr, OutOfModel
from batchproof.properties.symbolic.model import ClusterVars, Part, Property, SymbolicModel
from batchproof.properties.world import Cluster

NODE_NAMES = Domain("node_name", ("", "node-0", "node-1", "node-2"))


def _node(name: str) -> Node:
    return Node(
        name,
        labels=FrozenDict({"kubernetes.io/hostname": name}),
        allocatable=FrozenDict({"cpu": 4000, "memory": 8 << 30, "pods": 110}),
    )


@dataclass(frozen=True, slots=True)
class NodeNameVars:
    """spec.nodeName of a pod, or a node's name."""

    name: Expr


class NodeNameModel(SymbolicModel):
    """NodeName: Filter on spec.nodeName."""

    title = plugin = "NodeName"
    properties: tuple[Property, ...] = ("filter",)
    nodes = 1
    shape = "spec.nodeName from a name catalog; one node"

    def fresh_pod(self, enc: Encoder, prefix: str) -> NodeNameVars:
        """An opaque spec.nodeName (possibly empty)."""
        return NodeNameVars(enc.opaque(NODE_NAMES, f"{prefix}.nodeName"))

    def fresh_cluster(self, enc: Encoder) -> ClusterVars:
        """One node with a non-empty name."""
        name = enc.opaque(NODE_NAMES, "n0.name")
        enc.side.append(name != enc.const(NODE_NAMES, ""))
        return ClusterVars((NodeNameVars(name),))

    def pod_of(self, enc: Encoder, pod: Pod) -> NodeNameVars:
        """spec.nodeName."""
        return NodeNameVars(enc.const(NODE_NAMES, pod.node_name))

    def cluster_of(self, enc: Encoder, cluster: Cluster) -> ClusterVars:
        """The node names."""
        return ClusterVars(tuple(NodeNameVars(enc.const(NODE_NAMES, n.name)) for n in cluster.snapshot().node_infos()))

    def fragment(self, enc: Encoder, a: NodeNameVars, b: NodeNameVars, mode: str) -> list[Part]:
        """NodeNameSigner in both modes."""
        return [Part("NodeName", a.name == b.name)]

    def result(
        self, enc: Encoder, pod: NodeNameVars, cluster: ClusterVars, prop: Property, node: int
    ) -> tuple[Expr, ...]:
        """Success for an empty or matching nodeName, else UnschedulableAndUnresolvable."""
        target: NodeNameVars = cluster.nodes[node]
        ok = z3.Or(pod.name == enc.const(NODE_NAMES, ""), pod.name == target.name)
        return (z3.If(ok, SUCCESS, UNRESOLVABLE),)

    def decode_pod(self, enc: Encoder, model: Any, pod: NodeNameVars, name: str) -> Pod:
        """A pod with that nodeName."""
        return Pod(name=name, node_name=enc.read_opaque(model, NODE_NAMES, pod.name), containers=(Container("c0"),))

    def decode_cluster(self, enc: Encoder, model: Any, cluster: ClusterVars) -> Cluster:
        """The node."""
        return Cluster((_node(enc.read_opaque(model, NODE_NAMES, cluster.nodes[0].name)),))


@dataclass(frozen=True, slots=True)
class RefusalVars:
    """Whether the pod has what makes the plugin refuse to sign it."""

    refused: Expr


class _TrivialModel(SymbolicModel):
    nodes = 1
    field_name = ""

    def fresh_pod(self, enc: Encoder, prefix: str) -> RefusalVars:
        """Only whether the refusing field is set."""
        return RefusalVars(enc.flag(f"{prefix}.{self.field_name}"))

    def fresh_cluster(self, enc: Encoder) -> ClusterVars:
        """Any node (the plugin reads nothing of it for signable pods)."""
        return ClusterVars((None,))

    def cluster_of(self, enc: Encoder, cluster: Cluster) -> ClusterVars:
        """Nothing is read."""
        return ClusterVars(tuple(None for _ in cluster.nodes))

    def signable(self, enc: Encoder, pod: RefusalVars) -> Expr:
        """SignPod refuses pods with the field set."""
        return z3.Not(pod.refused)

    def fragment(self, enc: Encoder, a: RefusalVars, b: RefusalVars, mode: str) -> list[Part]:
        """No fragment in either mode."""
        return []

    def decode_cluster(self, enc: Encoder, model: Any, cluster: ClusterVars) -> Cluster:
        """A plain node."""
        return Cluster((_node("node-0"),))


class PodTopologySpreadModel(_TrivialModel):
    """PodTopologySpread with List defaulting and no default constraints."""

    title = plugin = "PodTopologySpread"
    args = FrozenDict({"defaultingType": "List", "defaultConstraints": []})
    properties: tuple[Property, ...] = ("filter", "score")
    field_name = "topologySpreadConstraints"
    shape = "signable pods only (no topologySpreadConstraints); any cluster"
    trivial = "trivial: signable only without own or default constraints, then PreFilter and PreScore Skip"

    def pod_of(self, enc: Encoder, pod: Pod) -> RefusalVars:
        """Signable pods only.

        Raises:
            OutOfModel: the pod has constraints (it is refused).

        """
        if pod.topology_spread_constraints:
            raise OutOfModel("pods with topology spread constraints are not signable")
        return RefusalVars(z3.BoolVal(False))

    def result(
        self, enc: Encoder, pod: RefusalVars, cluster: ClusterVars, prop: Property, node: int
    ) -> tuple[Expr, ...]:
        """Filter passes (PreFilter Skip); PreScore Skip."""
        return (z3.IntVal(SUCCESS),) if prop == "filter" else (z3.IntVal(SKIP), z3.IntVal(0))

    def decode_pod(self, enc: Encoder, model: Any, pod: RefusalVars, name: str) -> Pod:
        """A pod with or without a constraint."""
        constraints = (
            (TopologySpreadConstraint(1, "kubernetes.io/hostname", "DoNotSchedule"),)
            if enc.read_bool(model, pod.refused)
            else ()
        )
        return Pod(name=name, containers=(Container("c0"),), topology_spread_constraints=constraints)


class DynamicResourcesModel(_TrivialModel):
    """DynamicResources (allocation not modelled; claims make a pod unsignable)."""

    title = plugin = "DynamicResources"
    properties: tuple[Property, ...] = ("filter",)
    field_name = "resourceClaims"
    shape = "signable pods only (no resourceClaims); any cluster"
    trivial = "trivial: signable only without resourceClaims, then PreFilter Skip"

    def pod_of(self, enc: Encoder, pod: Pod) -> RefusalVars:
        """Signable pods only.

        Raises:
            OutOfModel: the pod has resource claims (it is refused).

        """
        if pod.resource_claims:
            raise OutOfModel("pods with resource claims are not signable")
        return RefusalVars(z3.BoolVal(False))

    def result(
        self, enc: Encoder, pod: RefusalVars, cluster: ClusterVars, prop: Property, node: int
    ) -> tuple[Expr, ...]:
        """Filter passes (PreFilter Skip)."""
        return (z3.IntVal(SUCCESS),)

    def decode_pod(self, enc: Encoder, model: Any, pod: RefusalVars, name: str) -> Pod:
        """A pod with or without a claim."""
        claims = (
            (PodResourceClaim("gpu", resource_claim_name="gpu-claim"),) if enc.read_bool(model, pod.refused) else ()
        )
        return Pod(name=name, containers=(Container("c0"),), resource_claims=claims)
