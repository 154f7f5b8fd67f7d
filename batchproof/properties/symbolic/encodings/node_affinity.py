"""NodeAffinity: nodeSelector, required and preferred node affinity over opaque selector terms.

What a term does to a node (matches, is empty, fails to parse, names nodes by ``metadata.name``)
is uninterpreted; the encoding keeps the plugin's structure: PreFilter Skip when nothing is
required, the node-name set (``None`` as soon as one term has no name requirement; empty:
UnschedulableAndUnresolvable), Filter = nodeSelector and some non-empty required term matches,
PreScore Skip without preferred terms and Error when one of them does not parse, Score = the
weights of matching non-empty, non-zero-weight preferred terms, DefaultNormalizeScore.

Terms are identified by their signed (canonical) form, so reordered requirements are one term.
Shape: nodeSelector, two required and two preferred terms; nodes with a name and labels; two nodes.
No addedAffinity (the default args).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import z3

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import (
    Affinity,
    Container,
    Node,
    NodeAffinity,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    Pod,
    PreferredSchedulingTerm,
)
from batchproof.model.plugins.helpers.signers import canonical_json, node_affinity_fragment
from batchproof.model.plugins.node_affinity import NAME_FIELD, parse_term, required_node_names
from batchproof.properties.symbolic.encoder import (
    ERROR,
    SKIP,
    SUCCESS,
    UNRESOLVABLE,
    Domain,
    Encoder,
    Expr,
    all_of,
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
)
from batchproof.properties.world import Cluster


def _term_key(term: NodeSelectorTerm) -> str:
    rendered = node_affinity_fragment(Pod(affinity=Affinity(node_affinity=NodeAffinity(required=(term,)))))
    assert rendered is not None
    return str(rendered["Required"][0])


def _req(key: str, operator: str, *values: str) -> NodeSelectorRequirement:
    return NodeSelectorRequirement(key, operator, values)


TERMS = Domain(
    "node_selector_term",
    (
        NodeSelectorTerm(match_expressions=(_req("app", "In", "a"),)),
        NodeSelectorTerm(match_expressions=(_req("tier", "Exists"),)),
        NodeSelectorTerm(match_expressions=(_req("tier", "Gt", "1"),)),
        NodeSelectorTerm(match_fields=(_req(NAME_FIELD, "In", "node-0"),)),
        NodeSelectorTerm(match_fields=(_req(NAME_FIELD, "In", "node-1"),)),
        NodeSelectorTerm(match_fields=(_req(NAME_FIELD, "In", "node-0"), _req(NAME_FIELD, "In", "node-1"))),
        NodeSelectorTerm(),
        NodeSelectorTerm(match_expressions=(_req("bad key!", "In", "a"),)),
    ),
    _term_key,
)
SELECTORS = Domain(
    "node_selector",
    (FrozenDict(), FrozenDict({"app": "a"}), FrozenDict({"tier": "2"})),
    lambda m: canonical_json(dict(m)),
)
NODE_NAMES = Domain("node_name", ("node-0", "node-1", "node-2"))
NODE_LABELS = Domain(
    "node_labels",
    (FrozenDict(), FrozenDict({"app": "a"}), FrozenDict({"app": "b", "tier": "2"}), FrozenDict({"tier": "1"})),
    lambda m: canonical_json(dict(m)),
)
SHAPE = "nodeSelector, 2 required and 2 preferred terms; nodes with name and labels; 2 nodes"


@dataclass(frozen=True, slots=True)
class PodVars:
    """nodeSelector; nodeAffinity present; required present; required and preferred term slots."""

    selector: Expr
    affinity: Expr
    required: Expr
    required_terms: tuple[Slot, ...]
    preferred_terms: tuple[Slot, ...]  # key: (weight, term)


@dataclass(frozen=True, slots=True)
class NodeVars:
    """A node's name and labels."""

    name: Expr
    labels: Expr


def _term_matches(term: NodeSelectorTerm, name: str, labels: FrozenDict[str, str]) -> bool:
    return parse_term(term, "").matches(Node(name, labels=labels))


def _names(term: NodeSelectorTerm) -> frozenset[str] | None:
    return required_node_names((term,))


class NodeAffinityModel(SymbolicModel):
    """NodeAffinity with default args."""

    title = plugin = "NodeAffinity"
    properties: tuple[Property, ...] = ("filter", "score", "normalized")
    nodes = 2
    shape = SHAPE

    def fresh_pod(self, enc: Encoder, prefix: str) -> PodVars:
        """A symbolic pod."""
        required = tuple(
            Slot(enc.flag(f"{prefix}.req{i}.present"), (enc.opaque(TERMS, f"{prefix}.req{i}"),)) for i in range(2)
        )
        preferred = tuple(
            Slot(
                enc.flag(f"{prefix}.pref{i}.present"),
                (enc.integer(f"{prefix}.pref{i}.weight", 0, 100), enc.opaque(TERMS, f"{prefix}.pref{i}")),
            )
            for i in range(2)
        )
        return PodVars(
            enc.opaque(SELECTORS, f"{prefix}.nodeSelector"),
            enc.flag(f"{prefix}.nodeAffinity"),
            enc.flag(f"{prefix}.required"),
            required,
            preferred,
        )

    def fresh_cluster(self, enc: Encoder) -> ClusterVars:
        """Nodes with distinct names."""
        nodes = tuple(
            NodeVars(enc.opaque(NODE_NAMES, f"n{i}.name"), enc.opaque(NODE_LABELS, f"n{i}.labels"))
            for i in range(self.nodes)
        )
        enc.side.append(z3.Distinct(*[n.name for n in nodes]) if len(nodes) > 1 else z3.BoolVal(True))
        return ClusterVars(nodes)

    def pod_of(self, enc: Encoder, pod: Pod) -> PodVars:
        """A concrete pod's node affinity fields."""
        affinity = pod.affinity.node_affinity if pod.affinity else None
        true = z3.BoolVal(True)
        required = affinity.required if affinity and affinity.required is not None else ()
        preferred = affinity.preferred if affinity else ()
        return PodVars(
            enc.const(SELECTORS, pod.node_selector),
            z3.BoolVal(affinity is not None),
            z3.BoolVal(affinity is not None and affinity.required is not None),
            tuple(Slot(true, (enc.const(TERMS, t),)) for t in required),
            tuple(Slot(true, (z3.IntVal(p.weight), enc.const(TERMS, p.preference))) for p in preferred),
        )

    def cluster_of(self, enc: Encoder, cluster: Cluster) -> ClusterVars:
        """Node names and labels."""
        return ClusterVars(
            tuple(
                NodeVars(enc.const(NODE_NAMES, i.name), enc.const(NODE_LABELS, i.node.labels))
                for i in cluster.snapshot().node_infos()
            )
        )

    def fragment(self, enc: Encoder, a: PodVars, b: PodVars, mode: str) -> list[Part]:
        """NodeAffinitySigner (nil-ness, required and preferred term multisets), nodeSelector; strict: HasRequired."""

        def required(p: PodVars) -> list[Slot]:
            return [Slot(z3.And(p.required, s.present), s.key) for s in p.required_terms]

        both = z3.And(a.affinity, b.affinity)
        parts = [
            Part("NodeAffinity.nil", a.affinity == b.affinity),
            Part("NodeAffinity.Required", z3.Implies(both, multiset_equal(required(a), required(b)))),
            Part("NodeAffinity.Preferred", z3.Implies(both, multiset_equal(a.preferred_terms, b.preferred_terms))),
            Part("NodeSelector", a.selector == b.selector),
        ]
        if mode == "strict":
            parts.append(
                Part("NodeAffinity.HasRequired", z3.And(a.affinity, a.required) == z3.And(b.affinity, b.required))
            )
        return parts

    def _functions(self, enc: Encoder) -> dict[str, Any]:
        return {
            "match": enc.fn("term_matches", _term_matches, [TERMS, NODE_NAMES, NODE_LABELS], "bool"),
            "empty": enc.fn("term_empty", lambda t: not t.match_expressions and not t.match_fields, [TERMS], "bool"),
            "broken": enc.fn("term_broken", lambda t: bool(parse_term(t, "").errors), [TERMS], "bool"),
            "named": enc.fn("term_has_names", lambda t: _names(t) is not None, [TERMS], "bool"),
            "no_names": enc.fn("term_names_empty", lambda t: _names(t) == frozenset(), [TERMS], "bool"),
            "name_in": enc.fn("term_names_node", lambda t, n: n in (_names(t) or ()), [TERMS, NODE_NAMES], "bool"),
            "selects": enc.fn(
                "selector_matches",
                lambda s, labels: all(labels.get(k) == v for k, v in s.items()),
                [SELECTORS, NODE_LABELS],
                "bool",
            ),
        }

    def _filter(self, enc: Encoder, pod: PodVars, node: NodeVars) -> Expr:
        f = self._functions(enc)
        required = z3.And(pod.affinity, pod.required)
        terms = [(z3.And(required, s.present), s.key[0]) for s in pod.required_terms]
        empty_selector = pod.selector == enc.const(SELECTORS, FrozenDict())
        listed = any_of(present for present, _ in terms)
        all_named = all_of(z3.Implies(present, f["named"](t)) for present, t in terms)
        restricted = z3.And(listed, all_named)
        conflict = z3.And(restricted, all_of(z3.Implies(present, f["no_names"](t)) for present, t in terms))
        in_names = any_of(z3.And(present, f["name_in"](t, node.name)) for present, t in terms)
        selector_ok = z3.Or(empty_selector, f["selects"](pod.selector, node.labels))
        terms_ok = z3.Or(
            z3.Not(required),
            any_of(z3.And(p, z3.Not(f["empty"](t)), f["match"](t, node.name, node.labels)) for p, t in terms),
        )
        verdict = z3.If(z3.And(selector_ok, terms_ok), SUCCESS, UNRESOLVABLE)
        return z3.If(
            z3.And(z3.Not(required), empty_selector),
            SUCCESS,
            z3.If(conflict, UNRESOLVABLE, z3.If(z3.And(restricted, z3.Not(in_names)), UNRESOLVABLE, verdict)),
        )

    def _pre_score(self, enc: Encoder, pod: PodVars) -> Expr:
        f = self._functions(enc)
        listed = z3.And(pod.affinity, any_of(s.present for s in pod.preferred_terms))
        broken = any_of(
            z3.And(s.present, s.key[0] != 0, z3.Not(f["empty"](s.key[1])), f["broken"](s.key[1]))
            for s in pod.preferred_terms
        )
        return z3.If(z3.Not(listed), SKIP, z3.If(broken, ERROR, SUCCESS))

    def _raw(self, enc: Encoder, pod: PodVars, node: NodeVars) -> Expr:
        f = self._functions(enc)
        return total(
            z3.If(
                z3.And(
                    pod.affinity,
                    s.present,
                    s.key[0] != 0,
                    z3.Not(f["empty"](s.key[1])),
                    f["match"](s.key[1], node.name, node.labels),
                ),
                s.key[0],
                0,
            )
            for s in pod.preferred_terms
        )

    def result(self, enc: Encoder, pod: PodVars, cluster: ClusterVars, prop: Property, node: int) -> tuple[Expr, ...]:
        """Effective filter code; (PreScore, raw); or (PreScore, normalised scores)."""
        target: NodeVars = cluster.nodes[node]
        if prop == "filter":
            return (self._filter(enc, pod, target),)
        status = self._pre_score(enc, pod)
        ok = status == SUCCESS
        if prop == "score":
            return (status, z3.If(ok, self._raw(enc, pod, target), 0))
        normalized = default_normalize([self._raw(enc, pod, n) for n in cluster.nodes], reverse=False)
        return (status, *(z3.If(ok, value, 0) for value in normalized))

    def assumptions(self, enc: Encoder, pod: PodVars) -> Expr:
        """Only pods the API server accepts (pkg/apis/core/validation/validation.go).

        A required node selector has a term (ValidateNodeSelector); a preferred term's weight is
        1-100 (ValidatePreferredSchedulingTerms).
        """
        has_term = z3.Or(*[s.present for s in pod.required_terms])
        weights = [z3.Implies(s.present, s.key[0] >= 1) for s in pod.preferred_terms]
        return z3.And(z3.Implies(z3.And(pod.affinity, pod.required), has_term), *weights)

    def decode_pod(self, enc: Encoder, model: Any, pod: PodVars, name: str) -> Pod:
        """The pod in a model."""
        affinity = None
        if enc.read_bool(model, pod.affinity):
            required = None
            if enc.read_bool(model, pod.required):
                required = tuple(
                    enc.read_opaque(model, TERMS, s.key[0])
                    for s in pod.required_terms
                    if enc.read_bool(model, s.present)
                )
            preferred = tuple(
                PreferredSchedulingTerm(enc.read_int(model, s.key[0]), enc.read_opaque(model, TERMS, s.key[1]))
                for s in pod.preferred_terms
                if enc.read_bool(model, s.present)
            )
            affinity = Affinity(node_affinity=NodeAffinity(required=required, preferred=preferred))
        return Pod(
            name=name,
            containers=(Container("c0"),),
            node_selector=enc.read_opaque(model, SELECTORS, pod.selector),
            affinity=affinity,
        )

    def decode_cluster(self, enc: Encoder, model: Any, cluster: ClusterVars) -> Cluster:
        """The nodes in a model."""
        nodes = []
        for node in cluster.nodes:
            labels = enc.read_opaque(model, NODE_LABELS, node.labels)
            nodes.append(
                Node(
                    enc.read_opaque(model, NODE_NAMES, node.name),
                    labels=labels,
                    allocatable=FrozenDict({"cpu": 4000, "memory": 8 << 30, "pods": 110}),
                )
            )
        return Cluster(tuple(nodes))
