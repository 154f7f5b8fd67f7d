"""InterPodAffinity for signable pods (no pod affinity of their own) over existing pods' terms.

For such a pod the plugin reads its labels and namespace (and, through the snapshot, the
namespace's labels) and the existing pods' terms. Whether a term matches the pod, a term's
topology key, a node's value for a key and whether a node has labels at all are uninterpreted;
the counting is the plugin's:

* Filter: existing pods' required anti-affinity terms matching the pod count at
  (key, value of the existing pod's node); PreFilter Skips when nothing is counted; a node sharing
  a counted (key, value) is Unschedulable;
* Score (unless ``ignorePreferredTermsOfExistingPods``, then PreScore Skips): existing pods'
  required affinity (+hardPodAffinityWeight 1), preferred affinity (+w) and preferred
  anti-affinity (-w) terms matching the pod, summed per node over shared (key, value); PreScore
  Skips when nothing matched;
* NormalizeScore: min-max, the float step ``int(100 * (s - min) / (max - min))`` uninterpreted.

Shape: two nodes; two existing pods with two terms each (any kind); pod labels and namespace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import z3

from batchproof.model.cluster.node_info import has_pod_affinity
from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.frozen import FrozenDict
from batchproof.model.manifests.load import ClusterObjects
from batchproof.model.objects import (
    Affinity,
    Container,
    LabelSelector,
    LabelSelectorRequirement,
    Namespace,
    Node,
    Pod,
    PodAffinity,
    PodAffinityTerm,
    WeightedPodAffinityTerm,
)
from batchproof.model.plugins.helpers.signers import canonical_json
from batchproof.model.plugins.interpodaffinity.terms import AffinityTerm, namespace_labels, new_affinity_term, pod_terms
from batchproof.properties.symbolic.encoder import (
    SKIP,
    SUCCESS,
    UNSCHEDULABLE,
    Domain,
    Encoder,
    Expr,
    OutOfModel,
    any_of,
    total,
    z_max,
    z_min,
)
from batchproof.properties.symbolic.model import ClusterVars, Part, Property, SymbolicModel
from batchproof.properties.world import Cluster

HOSTNAME, ZONE = "kubernetes.io/hostname", "topology.kubernetes.io/zone"
REQUIRED_AFFINITY, REQUIRED_ANTI, PREFERRED_AFFINITY, PREFERRED_ANTI = 0, 1, 2, 3
HARD_WEIGHT = 1
OWNER = Pod(name="owner", namespace="default")
NAMESPACES_OBJECTS = (
    Namespace("default", FrozenDict({"team": "a"})),
    Namespace("ns1", FrozenDict({"team": "a"})),
    Namespace("ns2", FrozenDict({"team": "b"})),
)
TERM_SOURCES = (
    PodAffinityTerm(HOSTNAME, LabelSelector(FrozenDict({"app": "a"}))),
    PodAffinityTerm(ZONE, LabelSelector(FrozenDict({"app": "a"})), namespaces=("ns1",)),
    PodAffinityTerm(
        HOSTNAME,
        LabelSelector(match_expressions=(LabelSelectorRequirement("tier", "Exists"),)),
        namespace_selector=LabelSelector(),
    ),
    PodAffinityTerm(
        ZONE, LabelSelector(FrozenDict({"app": "b"})), namespace_selector=LabelSelector(FrozenDict({"team": "a"}))
    ),
    PodAffinityTerm("rack", LabelSelector(FrozenDict({"app": "a"}))),
    PodAffinityTerm(HOSTNAME, LabelSelector(FrozenDict({"app": "a"})), namespaces=("ns2",)),
)
TERMS = Domain("affinity_term", tuple(new_affinity_term(OWNER, t, match_label_keys=True) for t in TERM_SOURCES))
CATALOG_NODES = (
    Node("node-0", labels=FrozenDict({HOSTNAME: "node-0", ZONE: "zone-a"})),
    Node("node-1", labels=FrozenDict({HOSTNAME: "node-1", ZONE: "zone-a"})),
    Node("node-2", labels=FrozenDict({HOSTNAME: "node-2", ZONE: "zone-b"})),
    Node("node-3"),
)
NODES = Domain("ipa_node", CATALOG_NODES)
TOPOLOGY_KEYS = Domain("topology_key", (HOSTNAME, ZONE, "rack"))
LABEL_VALUES = Domain("label_value", (None, "node-0", "node-1", "node-2", "node-3", "zone-a", "zone-b"))
POD_LABELS = Domain(
    "pod_labels",
    (
        FrozenDict(),
        FrozenDict({"app": "a"}),
        FrozenDict({"app": "b"}),
        FrozenDict({"tier": "a"}),
        FrozenDict({"app": "a", "tier": "b"}),
    ),
    lambda m: canonical_json(dict(m)),
)
NAMESPACES = Domain("namespace", ("default", "ns1", "ns2"))
SHAPE = "pod labels and namespace; 2 nodes; 2 existing pods x 2 terms of any kind"


@dataclass(frozen=True, slots=True)
class PodVars:
    """The incoming pod's labels and namespace."""

    labels: Expr
    namespace: Expr


@dataclass(frozen=True, slots=True)
class TermVars:
    """One term of an existing pod: present, kind, the parsed term and its weight."""

    present: Expr
    kind: Expr
    term: Expr
    weight: Expr


@dataclass(frozen=True, slots=True)
class ExistingVars:
    """An existing pod: present, the index of its node, its terms."""

    present: Expr
    node: Expr
    terms: tuple[TermVars, ...]


def _matcher(world: Snapshot) -> Callable[[AffinityTerm, FrozenDict[str, str], str], bool]:
    def matches(term: AffinityTerm, labels: FrozenDict[str, str], namespace: str) -> bool:
        return term.matches(Pod(namespace=namespace, labels=labels), namespace_labels(world, namespace))

    return matches


def _min_max(delta: int, spread: int) -> int:
    """The float step of the min-max normalisation (0 where the encoding never asks: spread 0)."""
    return int(100.0 * (float(delta) / float(spread))) if spread else 0


class InterPodAffinityModel(SymbolicModel):
    """InterPodAffinity for signable pods, with or without ignorePreferredTermsOfExistingPods."""

    plugin = "InterPodAffinity"
    properties: tuple[Property, ...] = ("filter", "score", "normalized")
    nodes = 2
    shape = SHAPE

    def __init__(self, *, ignore_preferred: bool = False) -> None:
        self.ignore_preferred = ignore_preferred
        self.title = f"{self.plugin}/IgnorePreferred" if ignore_preferred else self.plugin
        self.args = {"ignorePreferredTermsOfExistingPods": True} if ignore_preferred else {}

    def fresh_pod(self, enc: Encoder, prefix: str) -> PodVars:
        """Labels and namespace."""
        return PodVars(enc.opaque(POD_LABELS, f"{prefix}.labels"), enc.opaque(NAMESPACES, f"{prefix}.namespace"))

    def fresh_cluster(self, enc: Encoder) -> ClusterVars:
        """Two distinct catalog nodes and two existing pods with two terms each."""
        nodes = tuple(enc.opaque(NODES, f"n{i}") for i in range(self.nodes))
        enc.side.append(z3.Distinct(*nodes))
        existing = tuple(
            ExistingVars(
                enc.flag(f"e{e}.present"),
                enc.integer(f"e{e}.node", 0, self.nodes - 1),
                tuple(
                    TermVars(
                        enc.flag(f"e{e}.t{t}.present"),
                        enc.integer(f"e{e}.t{t}.kind", REQUIRED_AFFINITY, PREFERRED_ANTI),
                        enc.opaque(TERMS, f"e{e}.t{t}"),
                        enc.integer(f"e{e}.t{t}.weight", 1, 100),
                    )
                    for t in range(2)
                ),
            )
            for e in range(2)
        )
        world = Snapshot(CATALOG_NODES, objects=ClusterObjects(namespaces=NAMESPACES_OBJECTS))
        return ClusterVars(nodes, existing, world)

    def pod_of(self, enc: Encoder, pod: Pod) -> PodVars:
        """Signable pods only.

        Raises:
            OutOfModel: the pod has pod (anti-)affinity (it is refused).

        """
        if has_pod_affinity(pod):
            raise OutOfModel("pods with pod (anti-)affinity are not signable")
        return PodVars(enc.const(POD_LABELS, pod.labels), enc.const(NAMESPACES, pod.namespace))

    def cluster_of(self, enc: Encoder, cluster: Cluster) -> ClusterVars:
        """Nodes in snapshot order and every bound pod's parsed terms."""
        snapshot = cluster.snapshot()
        infos = snapshot.node_infos()
        existing = []
        for index, info in enumerate(infos):
            for pod in info.pods:
                terms = pod_terms(pod, match_label_keys=True)
                parsed = [(REQUIRED_AFFINITY, t, HARD_WEIGHT) for t in terms.required_affinity]
                parsed += [(REQUIRED_ANTI, t, 0) for t in terms.required_anti_affinity]
                parsed += [(PREFERRED_AFFINITY, w.term, w.weight) for w in terms.preferred_affinity]
                parsed += [(PREFERRED_ANTI, w.term, w.weight) for w in terms.preferred_anti_affinity]
                slots = tuple(
                    TermVars(z3.BoolVal(True), z3.IntVal(kind), enc.const(TERMS, term), z3.IntVal(weight))
                    for kind, term, weight in parsed
                )
                existing.append(ExistingVars(z3.BoolVal(True), z3.IntVal(index), slots))
        nodes = tuple(enc.const(NODES, info.node) for info in infos)
        return ClusterVars(nodes, tuple(existing), snapshot)

    def fragment(self, enc: Encoder, a: PodVars, b: PodVars, mode: str) -> list[Part]:
        """Strict: labels and namespace; upstream: labels, or nothing with the ignore option."""
        if mode == "strict":
            return [Part("Labels", a.labels == b.labels), Part("Namespace", a.namespace == b.namespace)]
        return [] if self.ignore_preferred else [Part("Labels", a.labels == b.labels)]

    def _functions(self, enc: Encoder, world: Snapshot) -> dict[str, Any]:
        return {
            "match": enc.fn("term_matches_pod", _matcher(world), [TERMS, POD_LABELS, NAMESPACES], "bool"),
            "key": enc.fn("topology_key", lambda t: t.topology_key, [TERMS], TOPOLOGY_KEYS),
            "value": enc.fn("node_label", lambda n, k: n.labels.get(k), [NODES, TOPOLOGY_KEYS], LABEL_VALUES),
            "labelled": enc.fn("node_has_labels", lambda n: bool(n.labels), [NODES], "bool"),
            "min_max": enc.fn("min_max", _min_max, ["int", "int"], "int"),
        }

    def _node_of(self, cluster: ClusterVars, existing: ExistingVars) -> Expr:
        chosen = cluster.nodes[-1]
        for index in range(len(cluster.nodes) - 2, -1, -1):
            chosen = z3.If(existing.node == index, cluster.nodes[index], chosen)
        return chosen

    def _hits(
        self, enc: Encoder, pod: PodVars, cluster: ClusterVars, kinds: tuple[int, ...], *, labelled: bool
    ) -> list[tuple[Expr, Expr, Expr, TermVars]]:
        f = self._functions(enc, cluster.world)
        absent = enc.const(LABEL_VALUES, None)
        out = []
        for existing in cluster.extra:
            home = self._node_of(cluster, existing)
            for term in existing.terms:
                key = f["key"](term.term)
                value = f["value"](home, key)
                hit = z3.And(
                    existing.present,
                    term.present,
                    any_of(term.kind == k for k in kinds),
                    f["match"](term.term, pod.labels, pod.namespace),
                    value != absent,
                )
                if labelled:
                    hit = z3.And(hit, f["labelled"](home))
                out.append((hit, key, value, term))
        return out

    def _raws(self, enc: Encoder, pod: PodVars, cluster: ClusterVars) -> tuple[Expr, list[Expr]]:
        f = self._functions(enc, cluster.world)
        hits = self._hits(enc, pod, cluster, (REQUIRED_AFFINITY, PREFERRED_AFFINITY, PREFERRED_ANTI), labelled=True)
        raws = []
        for node in cluster.nodes:
            raws.append(
                total(
                    z3.If(
                        z3.And(hit, f["value"](node, key) == value),
                        z3.If(
                            term.kind == REQUIRED_AFFINITY,
                            HARD_WEIGHT,
                            z3.If(term.kind == PREFERRED_AFFINITY, term.weight, -term.weight),
                        ),
                        0,
                    )
                    for hit, key, value, term in hits
                )
            )
        status = z3.If(any_of(hit for hit, _, _, _ in hits), SUCCESS, SKIP)
        return status, raws

    def result(self, enc: Encoder, pod: PodVars, cluster: ClusterVars, prop: Property, node: int) -> tuple[Expr, ...]:
        """Effective filter code; (PreScore, raw); or (PreScore, min-max normalised scores)."""
        f = self._functions(enc, cluster.world)
        if prop == "filter":
            hits = self._hits(enc, pod, cluster, (REQUIRED_ANTI,), labelled=False)
            target = cluster.nodes[node]
            rejected = any_of(z3.And(hit, f["value"](target, key) == value) for hit, key, value, _ in hits)
            return (z3.If(rejected, UNSCHEDULABLE, SUCCESS),)
        if self.ignore_preferred:
            skipped = (z3.IntVal(SKIP), z3.IntVal(0))
            return skipped if prop == "score" else (z3.IntVal(SKIP), *(z3.IntVal(0) for _ in cluster.nodes))
        status, raws = self._raws(enc, pod, cluster)
        ok = status == SUCCESS
        if prop == "score":
            return (status, z3.If(ok, raws[node], 0))
        lowest, highest = raws[0], raws[0]
        for raw in raws[1:]:
            lowest, highest = z_min(lowest, raw), z_max(highest, raw)
        spread = highest - lowest
        normalized = [z3.If(spread > 0, f["min_max"](raw - lowest, spread), 0) for raw in raws]
        return (status, *(z3.If(ok, value, 0) for value in normalized))

    def decode_pod(self, enc: Encoder, model: Any, pod: PodVars, name: str) -> Pod:
        """The pod in a model."""
        return Pod(
            name=name,
            namespace=enc.read_opaque(model, NAMESPACES, pod.namespace),
            labels=enc.read_opaque(model, POD_LABELS, pod.labels),
            containers=(Container("c0"),),
        )

    def decode_cluster(self, enc: Encoder, model: Any, cluster: ClusterVars) -> Cluster:
        """The chosen catalog nodes, the existing pods with their terms, and the namespaces."""
        nodes = tuple(enc.read_opaque(model, NODES, n) for n in cluster.nodes)
        existing = []
        for index, pod in enumerate(cluster.extra):
            if not enc.read_bool(model, pod.present):
                continue
            lists: dict[int, list[Any]] = {
                k: [] for k in (REQUIRED_AFFINITY, REQUIRED_ANTI, PREFERRED_AFFINITY, PREFERRED_ANTI)
            }
            for term in pod.terms:
                if not enc.read_bool(model, term.present):
                    continue
                source = TERM_SOURCES[enc.read_int(model, term.term)]
                kind = enc.read_int(model, term.kind)
                weight = enc.read_int(model, term.weight)
                lists[kind].append(
                    source if kind in (REQUIRED_AFFINITY, REQUIRED_ANTI) else WeightedPodAffinityTerm(weight, source)
                )
            affinity = None
            if any(lists.values()):
                positive = PodAffinity(tuple(lists[REQUIRED_AFFINITY]), tuple(lists[PREFERRED_AFFINITY]))
                negative = PodAffinity(tuple(lists[REQUIRED_ANTI]), tuple(lists[PREFERRED_ANTI]))
                affinity = Affinity(
                    pod_affinity=positive if positive.required or positive.preferred else None,
                    pod_anti_affinity=negative if negative.required or negative.preferred else None,
                )
            node = nodes[enc.read_int(model, pod.node)].name
            existing.append(
                Pod(
                    name=f"existing-{index}",
                    namespace=OWNER.namespace,
                    node_name=node,
                    containers=(Container("c0"),),
                    affinity=affinity,
                )
            )
        return Cluster(nodes, tuple(existing), ClusterObjects(namespaces=NAMESPACES_OBJECTS))
