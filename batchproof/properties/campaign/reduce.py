"""Make a finding small: a greedy, domain-aware reduction of its scenario or pod pair.

Hypothesis's shrinker redraws the whole example for every attempt, which costs more than the
check itself for scenarios; these reducers edit the example directly and keep an edit only when
the check still yields a finding with the same key. A lockstep scenario loses the pods after the
divergence, then events, bound pods, nodes, earlier pods, preferred terms and fields of pods and
nodes; a pair loses nodes, bound pods, and the fields and containers both pods share. Both are
bounded by a number of checks, so they are deterministic.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Container, Node, Pod, PreferredSchedulingTerm
from batchproof.model.validation import validate_node, validate_pod
from batchproof.properties.campaign.evidence import Candidate, LockstepEvidence, PairEvidence
from batchproof.properties.lockstep import Scenario
from batchproof.properties.signatures import PairCase

Check = Callable[[Scenario, Counter[str]], list[Candidate]]
POD_FIELDS = ("labels", "annotations", "tolerations", "node_selector", "overhead", "init_containers", "priority")
NODE_FIELDS = ("images", "annotations", "taints")
KEPT_NODE_LABELS = ("kubernetes.io/hostname", "topology.kubernetes.io/zone")


def _stored(pods: tuple[Pod, ...], nodes: tuple[Node, ...]) -> bool:
    """Every pod and node is one the API server accepts: a reduction never makes one it rejects."""
    return not any(validate_pod(p) for p in pods) and not any(validate_node(n) for n in nodes)


def _truncated(scenario: Scenario, count: int) -> Scenario:
    events = tuple((p, e) for p, e in scenario.events if p < count)
    return replace(scenario, pods=scenario.pods[:count], events=events)


def _without_pod(scenario: Scenario, index: int) -> Scenario:
    pods = scenario.pods[:index] + scenario.pods[index + 1 :]
    events = tuple((p - 1 if p > index else p, e) for p, e in scenario.events)
    return replace(scenario, pods=pods, events=events)


def _without_node(scenario: Scenario, name: str) -> Scenario:
    cluster = scenario.cluster
    nodes = tuple(n for n in cluster.nodes if n.name != name)
    existing = tuple(p for p in cluster.existing if p.node_name != name)
    return replace(scenario, cluster=replace(cluster, nodes=nodes, existing=existing))


def _without_preferred(pod: Pod, term: PreferredSchedulingTerm) -> Pod:
    if pod.affinity is None or pod.affinity.node_affinity is None:
        return pod
    node_affinity = pod.affinity.node_affinity
    kept = tuple(t for t in node_affinity.preferred if t != term)
    return replace(pod, affinity=replace(pod.affinity, node_affinity=replace(node_affinity, preferred=kept)))


def _edits(scenario: Scenario, index: int) -> Iterator[Scenario]:
    """Candidate simplifications, biggest first."""
    for position in range(len(scenario.events)):
        yield replace(scenario, events=scenario.events[:position] + scenario.events[position + 1 :])
    cluster = scenario.cluster
    for position in range(len(cluster.existing)):
        existing = cluster.existing[:position] + cluster.existing[position + 1 :]
        yield replace(scenario, cluster=replace(cluster, existing=existing))
    for node in cluster.nodes:
        yield _without_node(scenario, node.name)
    for position in range(index):
        yield _without_pod(scenario, position)
    first = scenario.pods[0]
    affinity = first.affinity.node_affinity if first.affinity is not None else None
    for term in affinity.preferred if affinity is not None else ():
        yield replace(scenario, pods=tuple(_without_preferred(p, term) for p in scenario.pods))
    for name in POD_FIELDS:
        default = getattr(type(scenario.pods[0])(), name)
        yield replace(scenario, pods=tuple(replace(p, **{name: default}) for p in scenario.pods))
    for name in NODE_FIELDS:
        nodes = tuple(replace(n, **{name: getattr(type(n)(n.name), name)}) for n in cluster.nodes)
        yield replace(scenario, cluster=replace(cluster, nodes=nodes))
    labels = tuple(
        replace(n, labels=FrozenDict({k: v for k, v in n.labels.items() if k in KEPT_NODE_LABELS}))
        for n in cluster.nodes
    )
    yield replace(scenario, cluster=replace(cluster, nodes=labels))


def reduce_lockstep(candidate: Candidate, check: Check, *, max_runs: int = 40) -> Candidate:
    """The smallest scenario found, within ``max_runs`` runs, that still gives ``candidate``'s key."""
    evidence = candidate.evidence
    if not isinstance(evidence, LockstepEvidence):
        return candidate
    key = candidate.key
    runs = 0

    def attempt(scenario: Scenario) -> Candidate | None:
        nonlocal runs
        runs += 1
        return next((c for c in check(scenario, Counter()) if c.key == key), None)

    best = candidate
    truncated = _truncated(evidence.scenario, evidence.index + 1)
    if truncated != evidence.scenario:
        best = attempt(truncated) or best
    progress = True
    while progress and runs < max_runs:
        progress = False
        current = best.evidence
        assert isinstance(current, LockstepEvidence)
        for trial in _edits(current.scenario, current.index):
            if runs >= max_runs:
                break
            if trial == current.scenario or not trial.pods or not trial.cluster.nodes:
                continue
            if not _stored((*trial.pods, *trial.cluster.existing), trial.cluster.nodes):
                continue
            found = attempt(trial)
            if found is not None:
                best, progress = found, True
                break
    return best


PairCheck = Callable[[PairCase, Counter[str]], list[Candidate]]


def _pod_edits(first: Pod, second: Pod) -> Iterator[tuple[Pod, Pod]]:
    """Simplifications applied to both pods alike, where they agree (their differences stay)."""
    blank = Pod()
    for f in dataclasses.fields(Pod):
        value = getattr(first, f.name)
        if f.name in ("name", "containers") or value != getattr(second, f.name) or value == getattr(blank, f.name):
            continue
        yield replace(first, **{f.name: getattr(blank, f.name)}), replace(second, **{f.name: getattr(blank, f.name)})
    if len(first.containers) == len(second.containers) and len(first.containers) > 1:
        for index, container in enumerate(first.containers):
            if container == second.containers[index]:
                yield _drop_container(first, index), _drop_container(second, index)
    blank_container = Container()
    for index, container in enumerate(first.containers):
        if index >= len(second.containers):
            break
        other = second.containers[index]
        for f in dataclasses.fields(Container):
            value = getattr(container, f.name)
            if value != getattr(other, f.name) or value == getattr(blank_container, f.name):
                continue
            new = {f.name: getattr(blank_container, f.name)}
            yield (
                _with_container(first, index, replace(container, **new)),
                _with_container(second, index, replace(other, **new)),
            )


def _drop_container(pod: Pod, index: int) -> Pod:
    return replace(pod, containers=pod.containers[:index] + pod.containers[index + 1 :])


def _with_container(pod: Pod, index: int, container: Container) -> Pod:
    return replace(pod, containers=(*pod.containers[:index], container, *pod.containers[index + 1 :]))


def _pair_edits(case: PairCase) -> Iterator[PairCase]:
    cluster = case.cluster
    for node in cluster.nodes:
        if len(cluster.nodes) > 1:
            nodes = tuple(n for n in cluster.nodes if n.name != node.name)
            existing = tuple(p for p in cluster.existing if p.node_name != node.name)
            yield replace(case, cluster=replace(cluster, nodes=nodes, existing=existing))
    for position in range(len(cluster.existing)):
        existing = cluster.existing[:position] + cluster.existing[position + 1 :]
        yield replace(case, cluster=replace(cluster, existing=existing))
    for first, second in _pod_edits(case.first, case.second):
        yield replace(case, first=first, second=second)
    for name in NODE_FIELDS:
        nodes = tuple(replace(n, **{name: getattr(type(n)(n.name), name)}) for n in cluster.nodes)
        yield replace(case, cluster=replace(cluster, nodes=nodes))
    labels = tuple(
        replace(n, labels=FrozenDict({k: v for k, v in n.labels.items() if k in KEPT_NODE_LABELS}))
        for n in cluster.nodes
    )
    yield replace(case, cluster=replace(cluster, nodes=labels))


def reduce_pair(candidate: Candidate, check: PairCheck, *, max_runs: int = 200) -> Candidate:
    """The smallest pair and cluster found, within ``max_runs`` checks, that keep ``candidate``'s key."""
    if not isinstance(candidate.evidence, PairEvidence):
        return candidate
    key = candidate.key
    best = candidate
    runs = 0
    progress = True
    while progress and runs < max_runs:
        progress = False
        evidence = best.evidence
        assert isinstance(evidence, PairEvidence)
        for trial in _pair_edits(evidence.case):
            if runs >= max_runs:
                break
            if not _stored((trial.first, trial.second, *trial.cluster.existing), trial.cluster.nodes):
                continue
            runs += 1
            found = next((c for c in check(trial, Counter()) if c.key == key), None)
            if found is not None:
                best, progress = found, True
                break
    return best
