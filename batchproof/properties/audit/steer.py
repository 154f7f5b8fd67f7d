"""Steered pairs: the mutant differs exactly where the audit points, or in two numbers that cancel out.

A lossy fragment (a sum, a count, a set) stays equal under changes a generic mutator rarely
makes: two values of one list field moved by the same amount in opposite directions.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import strategies as st

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Pod
from batchproof.properties.mutate import Mutation, Path, get, mutate_at, paths, put, render_path
from batchproof.properties.signatures import PairCase
from batchproof.properties.strategies.objects import stored_pod
from batchproof.properties.world import Cluster


@st.composite
def steered_pair_cases(
    draw: st.DrawFn,
    *,
    first: st.SearchStrategy[Pod],
    targets: tuple[Path, ...],
    cluster: st.SearchStrategy[Cluster],
    strings: tuple[str, ...] = ("a", "b", "1"),
) -> PairCase:
    """A pod and a mutant changed at one of ``targets`` (generalised paths), on a drawn cluster.

    A mutant the API server would reject is replaced by the pod itself (an uninteresting pair),
    as the generic pairs do.
    """
    pod = draw(first)
    donor = draw(first)
    target = draw(st.sampled_from(targets))
    mutant, mutation = mutate_at(draw, pod, donor, target, strings=strings)
    applied = [mutation]
    stored = stored_pod(mutant)
    if stored is None:
        stored = pod
        applied.append(Mutation("<root>", "dropped: rejected by validation"))
    return PairCase(pod, stored, tuple(applied), draw(cluster))


def _numeric_groups(pod: Pod) -> list[list[Path]]:
    """Integer leaves grouped by their path with list indexes generalised, groups of two or more."""
    groups: dict[Path, list[Path]] = {}
    for path in paths(pod):
        leaf = get(pod, path)
        if isinstance(leaf, int) and not isinstance(leaf, bool):
            pattern = tuple(("index", "*") if kind == "index" else (kind, step) for kind, step in path)
            groups.setdefault(pattern, []).append(path)
    return [members for members in groups.values() if len(members) >= 2]


def _two_cpu_requests(pod: Pod, first: int, second: int) -> Pod:
    """The pod with its first two containers requesting ``first`` and ``second`` millicores."""
    changed = list(pod.containers)
    for index, cpu in ((0, first), (1, second)):
        container = changed[index]
        changed[index] = replace(container, requests=FrozenDict({**container.requests, "cpu": cpu}))
    return replace(pod, containers=tuple(changed))


@st.composite
def balanced_pair_cases(
    draw: st.DrawFn, *, first: st.SearchStrategy[Pod], cluster: st.SearchStrategy[Cluster]
) -> PairCase:
    """A pod and a mutant with two integers of one list field moved by +d and -d (sums stay equal).

    Pods with two or more containers but no such pair get two CPU requests first.
    """
    pod = draw(first)
    world = draw(cluster)
    if len(pod.containers) == 1:  # a sibling to balance against
        twin = replace(pod.containers[0], name=f"{pod.containers[0].name}-twin", ports=())
        pod = stored_pod(replace(pod, containers=(*pod.containers, twin))) or pod
    groups = _numeric_groups(pod)
    if not groups and len(pod.containers) >= 2:
        seeded = stored_pod(
            _two_cpu_requests(pod, draw(st.sampled_from((100, 250, 600))), draw(st.sampled_from((100, 400))))
        )
        if seeded is not None:
            pod = seeded
            groups = _numeric_groups(pod)
    if not groups:
        return PairCase(pod, pod, (Mutation("<root>", "none"),), world)
    members = draw(st.sampled_from(groups))
    up, down = draw(st.permutations(members))[:2]
    amount = draw(st.sampled_from((1, 100, 250, 500)))
    if get(pod, down) < amount:
        return PairCase(pod, pod, (Mutation("<root>", "none"),), world)
    mutant = put(put(pod, up, get(pod, up) + amount), down, get(pod, down) - amount)
    stored = stored_pod(mutant)
    if stored is None:
        return PairCase(pod, pod, (Mutation("<root>", "dropped: rejected by validation"),), world)
    mutation = Mutation(f"{render_path(up)} +{amount}, {render_path(down)} -{amount}", "balanced")
    return PairCase(pod, stored, (mutation,), world)
