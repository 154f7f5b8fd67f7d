"""Parsed pod (anti-)affinity terms and namespace resolution.

Mirrors pkg/scheduler/framework/types.go (PodInfo.Update, newAffinityTerm, AffinityTerm.Matches,
getNamespacesFromPodAffinityTerm) and interpodaffinity/plugin.go
(mergeAffinityTermNamespacesIfNotEmpty, GetNamespaceLabelsSnapshot).

Namespace rules:

* a term with no ``namespaces`` and no ``namespaceSelector`` means the owning pod's namespace;
* ``namespaceSelector: {}`` means every namespace;
* the incoming pod's terms get their namespaceSelector resolved into the namespace set using the
  snapshot's Namespace objects (:func:`merge_namespaces`), after which the selector matches nothing;
* existing pods' terms keep their namespaceSelector, which is matched against the labels of the
  *incoming* pod's Namespace object (:func:`namespace_labels`; no object means no labels).

``matchLabelKeys``/``mismatchLabelKeys`` are merged into the term's labelSelector as
``key In/NotIn (owning pod's value)`` for the keys the owning pod has, as kube-apiserver does at pod
creation while MatchLabelKeysInPodAffinity is on (pkg/registry/core/pod/strategy.go); a nil
labelSelector stays nil.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TypeVar

from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import (
    LabelSelector,
    LabelSelectorRequirement,
    Pod,
    PodAffinity,
    PodAffinityTerm,
    WeightedPodAffinityTerm,
)
from batchproof.model.plugins.interpodaffinity.selectors import (
    NOTHING,
    Selector,
    SelectorError,
    aggregate_message,
    label_selector_as_selector,
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class AffinityTerm:
    """framework.AffinityTerm: namespaces, label selector, topology key and namespace selector."""

    namespaces: frozenset[str]
    selector: Selector
    topology_key: str
    namespace_selector: Selector

    def matches(self, pod: Pod, ns_labels: Mapping[str, str]) -> bool:
        """AffinityTerm.Matches: the pod's namespace is selected and its labels match."""
        if pod.namespace in self.namespaces or self.namespace_selector.matches(ns_labels):
            return self.selector.matches(pod.labels)
        return False


@dataclass(frozen=True, slots=True)
class WeightedAffinityTerm:
    """framework.WeightedAffinityTerm."""

    term: AffinityTerm
    weight: int


@dataclass(frozen=True, slots=True)
class PodTerms:
    """The parsed terms of framework.PodInfo; a list whose parsing failed is empty."""

    required_affinity: tuple[AffinityTerm, ...] = ()
    required_anti_affinity: tuple[AffinityTerm, ...] = ()
    preferred_affinity: tuple[WeightedAffinityTerm, ...] = ()
    preferred_anti_affinity: tuple[WeightedAffinityTerm, ...] = ()
    errors: tuple[str, ...] = field(default=())

    @property
    def error(self) -> str | None:
        """The aggregated parse error (utilerrors.NewAggregate), or None."""
        return aggregate_message(list(self.errors)) if self.errors else None


def with_label_keys(term: PodAffinityTerm, labels: Mapping[str, str]) -> PodAffinityTerm:
    """Merge matchLabelKeys (In) and mismatchLabelKeys (NotIn) into the labelSelector."""
    selector = term.label_selector
    if selector is None or not (term.match_label_keys or term.mismatch_label_keys):
        return term
    added = [LabelSelectorRequirement(k, "In", (labels[k],)) for k in term.match_label_keys if k in labels]
    added += [LabelSelectorRequirement(k, "NotIn", (labels[k],)) for k in term.mismatch_label_keys if k in labels]
    merged = LabelSelector(selector.match_labels, selector.match_expressions + tuple(added))
    return replace(term, label_selector=merged)


def new_affinity_term(pod: Pod, term: PodAffinityTerm, *, match_label_keys: bool) -> AffinityTerm:
    """Parse one term as newAffinityTerm (types.go) does.

    Raises:
        SelectorError: the labelSelector or namespaceSelector is invalid.

    """
    if match_label_keys:
        term = with_label_keys(term, pod.labels)
    selector = label_selector_as_selector(term.label_selector)
    if not term.namespaces and term.namespace_selector is None:
        namespaces = frozenset({pod.namespace})
    else:
        namespaces = frozenset(term.namespaces)
    namespace_selector = label_selector_as_selector(term.namespace_selector)
    return AffinityTerm(namespaces, selector, term.topology_key, namespace_selector)


def _required(pod: Pod, affinity: PodAffinity | None, *, match_label_keys: bool) -> tuple[AffinityTerm, ...]:
    if affinity is None:
        return ()
    return tuple(new_affinity_term(pod, t, match_label_keys=match_label_keys) for t in affinity.required)


def _preferred(
    pod: Pod, terms: tuple[WeightedPodAffinityTerm, ...], *, match_label_keys: bool
) -> tuple[WeightedAffinityTerm, ...]:
    return tuple(
        WeightedAffinityTerm(new_affinity_term(pod, t.term, match_label_keys=match_label_keys), t.weight) for t in terms
    )


def _attempt(name: str, parse: Callable[[], tuple[T, ...]], errors: list[str]) -> tuple[T, ...]:
    """One list of PodInfo.Update: the parsed terms, or () with ``name: error`` recorded."""
    try:
        return parse()
    except SelectorError as problem:
        errors.append(f"{name}: {problem}")
        return ()


def pod_terms(pod: Pod, *, match_label_keys: bool) -> PodTerms:
    """PodInfo.Update: parse the four term lists; errors are collected per list, as upstream."""
    affinity = pod.affinity
    pod_affinity = affinity.pod_affinity if affinity else None
    anti_affinity = affinity.pod_anti_affinity if affinity else None
    keys = match_label_keys
    errors: list[str] = []
    required = _attempt("requiredAffinityTerms", lambda: _required(pod, pod_affinity, match_label_keys=keys), errors)
    required_anti = _attempt(
        "requiredAntiAffinityTerms", lambda: _required(pod, anti_affinity, match_label_keys=keys), errors
    )
    preferred = _attempt(
        "preferredAffinityTerms",
        lambda: _preferred(pod, pod_affinity.preferred if pod_affinity else (), match_label_keys=keys),
        errors,
    )
    preferred_anti = _attempt(
        "preferredAntiAffinityTerms",
        lambda: _preferred(pod, anti_affinity.preferred if anti_affinity else (), match_label_keys=keys),
        errors,
    )
    return PodTerms(required, required_anti, preferred, preferred_anti, tuple(errors))


def merge_namespaces(term: AffinityTerm, snapshot: Snapshot) -> AffinityTerm:
    """mergeAffinityTermNamespacesIfNotEmpty: resolve a non-empty namespaceSelector into names."""
    if term.namespace_selector.empty:
        return term
    selected = {ns.name for ns in snapshot.objects.namespaces if term.namespace_selector.matches(ns.labels)}
    return replace(term, namespaces=term.namespaces | selected, namespace_selector=NOTHING)


def merge_weighted_namespaces(
    terms: tuple[WeightedAffinityTerm, ...], snapshot: Snapshot
) -> tuple[WeightedAffinityTerm, ...]:
    """:func:`merge_namespaces` over weighted terms."""
    return tuple(WeightedAffinityTerm(merge_namespaces(t.term, snapshot), t.weight) for t in terms)


def namespace_labels(snapshot: Snapshot, name: str) -> Mapping[str, str]:
    """GetNamespaceLabelsSnapshot: the Namespace object's labels, empty when there is none."""
    namespace = snapshot.namespace(name)
    return namespace.labels if namespace is not None else FrozenDict()


def matches_all(terms: tuple[AffinityTerm, ...], pod: Pod) -> bool:
    """podMatchesAllAffinityTerms: false for no terms; nsLabels nil (incoming terms are merged)."""
    empty: Mapping[str, str] = FrozenDict()
    return bool(terms) and all(t.matches(pod, empty) for t in terms)
