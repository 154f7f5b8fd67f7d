"""Parsed spread constraints, their selectors, node inclusion and pod counting.

pkg/scheduler/framework/plugins/podtopologyspread/common.go (topologySpreadConstraint,
filterTopologySpreadConstraints, mergeLabelSetWithSelector, matchNodeInclusionPolicies,
nodeLabelsMatchSpreadConstraints, countPodsMatchSelector).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from batchproof.model.objects import LabelSelector, LabelSelectorRequirement, Node, Pod, TopologySpreadConstraint
from batchproof.model.plugins.helpers.labels import labels_match_map, requirement_matches, validate_selector
from batchproof.model.plugins.helpers.node_selectors import terms_match
from batchproof.model.plugins.helpers.taints import find_untolerated_taint

DO_NOT_SCHEDULE = "DoNotSchedule"
SCHEDULE_ANYWAY = "ScheduleAnyway"
HONOR = "Honor"
IGNORE = "Ignore"
LABEL_HOSTNAME = "kubernetes.io/hostname"
LABEL_TOPOLOGY_ZONE = "topology.kubernetes.io/zone"
_DO_NOT_SCHEDULE_EFFECTS = ("NoSchedule", "NoExecute")


@dataclass(frozen=True, slots=True)
class Selector:
    """A parsed labels.Selector: ``requirements`` None is labels.Nothing(), () is Everything().

    matchLabels entries become single-value ``In`` requirements, which match exactly like the
    ``=`` requirements apimachinery builds from them.
    """

    requirements: tuple[LabelSelectorRequirement, ...] | None

    @classmethod
    def from_label_selector(cls, selector: LabelSelector | None) -> Selector:
        """metav1.LabelSelectorAsSelector: nil is Nothing, ``{}`` is Everything.

        Raises:
            InvalidSelector: an invalid key, value or operator.

        """
        if selector is None:
            return NOTHING
        validate_selector(selector)
        return cls(_set_requirements(selector.match_labels) + tuple(selector.match_expressions))

    @classmethod
    def from_set(cls, labels: Mapping[str, str]) -> Selector:
        """labels.SelectorFromSet: one equality requirement per key."""
        return cls(_set_requirements(labels))

    @property
    def empty(self) -> bool:
        """labels.Selector.Empty(): true for a selector without requirements, false for Nothing."""
        return self.requirements == ()

    def add(self, requirements: Iterable[LabelSelectorRequirement]) -> Selector:
        """labels.Selector.Add (Nothing stays Nothing)."""
        if self.requirements is None:
            return self
        return Selector(self.requirements + tuple(requirements))

    def matches(self, labels: Mapping[str, str]) -> bool:
        """labels.Selector.Matches: every requirement holds; Nothing matches no label set."""
        if self.requirements is None:
            return False
        return all(requirement_matches(r, labels) for r in self.requirements)

    def requirement_set(self) -> frozenset[LabelSelectorRequirement] | None:
        """Return the requirements as a set (None for Nothing), for order-insensitive comparison."""
        return None if self.requirements is None else frozenset(self.requirements)


NOTHING = Selector(None)


def _set_requirements(labels: Mapping[str, str]) -> tuple[LabelSelectorRequirement, ...]:
    return tuple(LabelSelectorRequirement(key, "In", (labels[key],)) for key in sorted(labels))


@dataclass(frozen=True, slots=True)
class SpreadConstraint:
    """topologySpreadConstraint: a constraint with its selector parsed and policies defaulted."""

    max_skew: int
    topology_key: str
    selector: Selector
    min_domains: int = 1
    node_affinity_policy: str = HONOR
    node_taints_policy: str = IGNORE

    def with_selector(self, selector: Selector) -> SpreadConstraint:
        """Return this constraint with another selector (default constraints get the pod's)."""
        return SpreadConstraint(
            self.max_skew,
            self.topology_key,
            selector,
            self.min_domains,
            self.node_affinity_policy,
            self.node_taints_policy,
        )


@dataclass(frozen=True, slots=True)
class Gates:
    """The plugin feature flags that change how constraints are read."""

    node_inclusion_policy: bool = True
    match_label_keys: bool = True


def filter_constraints(
    constraints: Iterable[TopologySpreadConstraint], pod_labels: Mapping[str, str], action: str, gates: Gates
) -> tuple[SpreadConstraint, ...]:
    """filterTopologySpreadConstraints: the constraints with ``whenUnsatisfiable == action``, parsed.

    With the matchLabelKeys gate, each listed key the pod carries is ANDed into the selector as
    ``key=value`` (a nil selector stays Nothing). minDomains defaults to 1; the inclusion
    policies default to Honor (affinity) and Ignore (taints) and are read only with their gate.

    Raises:
        InvalidSelector: a labelSelector is invalid.

    """
    result: list[SpreadConstraint] = []
    for constraint in constraints:
        if constraint.when_unsatisfiable != action:
            continue
        selector = Selector.from_label_selector(constraint.label_selector)
        if gates.match_label_keys and constraint.match_label_keys:
            keys = {k: pod_labels[k] for k in constraint.match_label_keys if k in pod_labels}
            if keys and selector.requirements is not None:
                selector = Selector.from_set(keys).add(selector.requirements)
        affinity_policy, taints_policy = HONOR, IGNORE
        if gates.node_inclusion_policy:
            affinity_policy = constraint.node_affinity_policy or HONOR
            taints_policy = constraint.node_taints_policy or IGNORE
        min_domains = 1 if constraint.min_domains is None else constraint.min_domains
        result.append(
            SpreadConstraint(
                constraint.max_skew, constraint.topology_key, selector, min_domains, affinity_policy, taints_policy
            )
        )
    return tuple(result)


class RequiredNodeAffinity:
    """nodeaffinity.GetRequiredNodeAffinity(pod): spec.nodeSelector AND required node affinity."""

    __slots__ = ("_node_selector", "_terms")

    def __init__(self, pod: Pod) -> None:
        self._node_selector = pod.node_selector
        affinity = pod.affinity.node_affinity if pod.affinity else None
        self._terms = affinity.required if affinity is not None else None

    def match(self, node: Node) -> bool:
        """RequiredNodeAffinity.Match (parsing errors make a term not match)."""
        if not labels_match_map(self._node_selector, node.labels):
            return False
        return self._terms is None or terms_match(self._terms, node)


def match_node_inclusion_policies(
    constraint: SpreadConstraint, pod: Pod, node: Node, required: RequiredNodeAffinity
) -> bool:
    """matchNodeInclusionPolicies: Honor affinity needs a match; Honor taints needs tolerations."""
    if constraint.node_affinity_policy == HONOR and not required.match(node):
        return False
    if constraint.node_taints_policy == HONOR:
        untolerated = find_untolerated_taint(
            node.taints, pod.tolerations, lambda taint: taint.effect in _DO_NOT_SCHEDULE_EFFECTS
        )
        if untolerated is not None:
            return False
    return True


def label_value(labels: Mapping[str, str], key: str) -> str:
    """``labels[key]`` with Go's zero value "" for a missing key."""
    return labels.get(key, "")  # typed through Mapping.get: FrozenDict.get is loosely typed


def domain_count(counts: Mapping[str, int], value: str) -> int:
    """``counts[value]`` with Go's zero value 0 for a missing domain."""
    return counts.get(value, 0)


def node_labels_match(labels: Mapping[str, str], constraints: Sequence[SpreadConstraint]) -> bool:
    """nodeLabelsMatchSpreadConstraints: the node has every constraint's topology key."""
    return all(c.topology_key in labels for c in constraints)


def count_pods_match(pods: Iterable[Pod], selector: Selector, namespace: str) -> int:
    """countPodsMatchSelector: matching pods of ``namespace`` that are not terminating.

    An empty selector counts 0 (upstream's ``selector.Empty()`` short-circuit).
    """
    if selector.empty:
        return 0
    return sum(
        1
        for pod in pods
        if pod.deletion_timestamp is None and pod.namespace == namespace and selector.matches(pod.labels)
    )
