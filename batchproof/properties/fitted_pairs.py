"""Pairs for the signature-consistency property: a pod, mutants of it, and a cluster fitted to all.

Each mutant differs from the pod in one leaf of one group of fields in-tree plugins read (spec
§3), and some strict signer must tell them apart (a change no signer sees proves nothing), or
by one of the boundary moves of :mod:`~batchproof.properties.moves`, or by a balanced move of
two requests. :func:`fitted_pair_batches` serves up to a dozen such pairs from one draw of pod,
donor and cluster (:mod:`~batchproof.properties.fitted`), so a signer that forgets any single
field meets a pair differing in just that field on a node that cares, within the ci budget.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from hypothesis import strategies as st

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import (
    Affinity,
    NodeAffinity,
    Pod,
    PreferredSchedulingTerm,
    Toleration,
    Volume,
)
from batchproof.properties.audit.steer import balanced_pair_cases
from batchproof.properties.fitted import CLAIM_NAMES, PLACEHOLDER, UNSCHEDULABLE_TOLERATIONS, fitted_clusters
from batchproof.properties.moves import (
    Moves,
    label_moves,
    moved_mutant,
    node_affinity_moves,
    port_moves,
    request_moves,
    toleration_moves,
)
from batchproof.properties.mutate import Mutation, mutate
from batchproof.properties.pairs import plugin_signature
from batchproof.properties.signatures import SIGNABLE_PLUGINS, PairCase
from batchproof.properties.strategies.objects import (
    MI,
    NODE_NAMES,
    ZONE_SELECTORS,
    label_maps,
    node_selector_terms,
    pods,
    stored_pod,
    tolerations,
)


@functools.cache
def _strict_signers() -> tuple[Any, ...]:
    return tuple(subject.build("strict") for subject in SIGNABLE_PLUGINS)


def strict_signatures(pod: Pod) -> tuple[Any, ...]:
    """Every signable in-tree plugin's strict signature of ``pod``."""
    return tuple(plugin_signature(plugin, pod) for plugin in _strict_signers())


@dataclass(frozen=True, slots=True)
class Focus:
    """Where a mutation may land: a tuple of sub-values of a pod, and how to put them back."""

    name: str
    extract: Callable[[Pod], tuple[Any, ...]]
    rebuild: Callable[[Pod, tuple[Any, ...]], Pod]


def attribute(name: str) -> Focus:
    """The whole value of one pod attribute."""
    return Focus(name, lambda pod: (getattr(pod, name),), lambda pod, value: replace(pod, **{name: value[0]}))


def _with_container_field(field: str) -> Callable[[Pod, tuple[Any, ...]], Pod]:
    def rebuild(pod: Pod, value: tuple[Any, ...]) -> Pod:
        plain, init = value[0], value[1]
        if len(plain) != len(pod.containers) or len(init) != len(pod.init_containers):
            return pod  # an inserted or removed element has no container to live in
        return replace(
            pod,
            containers=tuple(replace(c, **{field: v}) for c, v in zip(pod.containers, plain, strict=True)),
            init_containers=tuple(replace(c, **{field: v}) for c, v in zip(pod.init_containers, init, strict=True)),
            **({"overhead": value[2]} if len(value) > 2 else {}),
        )

    return rebuild


REQUESTS = Focus(
    "requests",
    lambda pod: (
        tuple(c.requests for c in pod.containers),
        tuple(c.requests for c in pod.init_containers),
        pod.overhead,
    ),
    _with_container_field("requests"),
)
IMAGES = Focus(
    "images",
    lambda pod: (tuple(c.image for c in pod.containers),),
    lambda pod, value: (
        replace(pod, containers=tuple(replace(c, image=i) for c, i in zip(pod.containers, value[0], strict=True)))
        if len(value[0]) == len(pod.containers)
        else pod
    ),
)
PORTS = Focus(
    "ports",
    lambda pod: (tuple(c.ports for c in pod.containers), tuple(c.ports for c in pod.init_containers)),
    _with_container_field("ports"),
)


def _signed_mutant(
    draw: st.DrawFn, pod: Pod, donor: Pod, foci: tuple[Focus, ...], attempts: int
) -> tuple[Pod, Mutation] | None:
    before = strict_signatures(pod)
    for _ in range(attempts):
        focus = draw(st.sampled_from(foci))
        inner, mutation = mutate(draw, focus.extract(pod), focus.extract(donor))
        mutant = stored_pod(focus.rebuild(pod, inner))
        if mutant is not None and mutant != pod and strict_signatures(mutant) != before:
            return mutant, Mutation(f"{focus.name}{mutation.path}", mutation.kind)
    return None


@st.composite
def signed_pair_cases(
    draw: st.DrawFn, first: st.SearchStrategy[Pod], foci: tuple[Focus, ...], *, attempts: int = 8
) -> PairCase:
    """A pod and a mutant differing in one leaf under one of ``foci``, signed apart.

    Some plugin's strict signature must tell them apart: a mutation no signer sees proves
    nothing. After ``attempts`` mutations that no strict signer sees (or that validation
    rejects), the pair is the pod twice, which the property counts as uninteresting.
    """
    pod = draw(first)
    found = _signed_mutant(draw, pod, draw(first), foci, attempts)
    if found is None:
        return PairCase(pod, pod, (Mutation("<root>", "none"),), PLACEHOLDER)
    return PairCase(pod, found[0], (found[1],), PLACEHOLDER)


@dataclass(frozen=True, slots=True)
class _Extras:
    """What :func:`fitted_pods` adds to a plain signable pod."""

    toleration: Toleration | None
    selector: FrozenDict[str, str] | None
    affinity: NodeAffinity | None
    ephemeral: int | None
    claim: str | None
    disk: bool
    node_name: str | None


def _enriched(pod: Pod, extras: _Extras) -> Pod:
    containers = pod.containers
    if extras.ephemeral is not None:
        head = containers[0]
        requests = FrozenDict({**head.requests, "ephemeral-storage": extras.ephemeral})
        containers = (replace(head, requests=requests), *containers[1:])
    volumes = pod.volumes
    if extras.claim is not None:
        source = FrozenDict({"claimName": extras.claim})
        volumes = (*volumes, Volume(name="claim", source_type="persistentVolumeClaim", source=source))
    if extras.disk:
        volumes = (
            *volumes,
            Volume(name="disk", source_type="gcePersistentDisk", source=FrozenDict({"pdName": "pd-1"})),
        )
    enriched = replace(
        pod,
        node_name=extras.node_name if extras.node_name is not None else pod.node_name,
        containers=containers,
        volumes=volumes,
        tolerations=(*pod.tolerations, extras.toleration) if extras.toleration is not None else pod.tolerations,
        node_selector=extras.selector if extras.selector is not None else pod.node_selector,
        affinity=Affinity(node_affinity=extras.affinity) if extras.affinity is not None else pod.affinity,
    )
    return stored_pod(enriched) or pod


def _node_affinities() -> st.SearchStrategy[NodeAffinity]:
    """Node affinity with required terms half the time (the shared strategy mostly leaves them out)."""
    return st.builds(
        NodeAffinity,
        required=st.none() | st.lists(node_selector_terms(), min_size=1, max_size=2).map(tuple),
        preferred=st.lists(
            st.builds(PreferredSchedulingTerm, weight=st.integers(1, 100), preference=node_selector_terms()), max_size=2
        ).map(tuple),
    )


@functools.cache
def fitted_pods(focus: str = "") -> st.SearchStrategy[Pod]:
    """Signable pods, sometimes (always for the ``focus`` group) with the fields that group reads.

    ``all`` adds each half the time. Groups: ``tolerations``, ``node_selector``, ``affinity``
    (node affinity), ``resources`` (an ephemeral-storage request) and ``volumes`` (a PVC, or a
    disk another pod may hold).
    """

    def often(group: str, value: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        if focus == group:
            return value
        return st.none() | value if focus == "all" else st.none() | st.none() | value

    extras = st.builds(
        _Extras,
        toleration=often("tolerations", st.sampled_from(UNSCHEDULABLE_TOLERATIONS) | tolerations()),
        selector=often("node_selector", label_maps(max_size=2).filter(bool) | st.sampled_from(ZONE_SELECTORS)),
        affinity=often("affinity", _node_affinities()),
        ephemeral=often("resources", st.sampled_from((0, 512 * MI, 1024 * MI))),
        claim=often("volumes", st.sampled_from(CLAIM_NAMES)),
        disk=st.booleans() if focus in ("volumes", "all") else st.just(False),
        node_name=st.none() | st.none() | st.sampled_from(NODE_NAMES),
    )
    return st.builds(_enriched, pods(affinity=False, spread=False, volumes_=False), extras)


# The attributes each group mutates (spec §3: what in-tree plugins read).
GROUPS: dict[str, tuple[Focus, ...]] = {
    "tolerations": (attribute("tolerations"),),
    "node_selector": (attribute("node_selector"),),
    "affinity": (attribute("affinity"),),
    "labels": (attribute("labels"), attribute("namespace")),
    "resources": (REQUESTS,),
    "ports": (PORTS,),
    "volumes": (attribute("volumes"),),
    "node_name": (attribute("node_name"),),
    "images": (IMAGES,),
}


# Two boundary moves of each kind per batch, three for tolerations (four fields, two plugins).
MOVES = (request_moves, toleration_moves, node_affinity_moves, label_moves, port_moves) * 2 + (toleration_moves,)
# Groups with many signed leaves get more mutants per batch.
REPEATS = {"affinity": 3, "tolerations": 2}


@st.composite
def fitted_pair_batches(draw: st.DrawFn, *, attempts: int = 6) -> tuple[PairCase, ...]:
    """One pod with a signed mutant per group of :data:`GROUPS` and a balanced one.

    The pairs share one cluster fitted to all of them, so one draw of pod, donor and cluster
    serves up to eight pairs.
    """
    pod = draw(fitted_pods("all"))
    donor = draw(fitted_pods("all"))
    cases: list[PairCase] = []
    for group, foci in GROUPS.items():
        for _ in range(REPEATS.get(group, 1)):
            found = _signed_mutant(draw, pod, donor, foci, attempts)
            if found is not None:
                cases.append(PairCase(pod, found[0], (found[1],), PLACEHOLDER))
    for moves in MOVES:
        moved = moved_mutant(draw, pod, moves)
        if moved is not None:
            cases.append(PairCase(pod, moved[0], (moved[1],), PLACEHOLDER))
    balanced = draw(balanced_pair_cases(first=st.just(pod), cluster=st.just(PLACEHOLDER)))
    if balanced.first != balanced.second:
        cases.append(balanced)
    if not cases:
        return (PairCase(pod, pod, (Mutation("<root>", "none"),), PLACEHOLDER),)
    members = tuple(dict.fromkeys(p for case in cases for p in (case.first, case.second)))
    cluster = draw(fitted_clusters(members))
    return tuple(replace(case, cluster=cluster) for case in cases)


@st.composite
def moved_pair_cases(draw: st.DrawFn, first: st.SearchStrategy[Pod], moves: tuple[Moves, ...]) -> PairCase:
    """A pod and one of its boundary moves (one of ``moves``), on a cluster fitted to both.

    A targeted search for one signature gap: the move lands where two readings of the pod part,
    and the fitted cluster has a node that tells them apart. When no move applies the pair is
    the pod twice, which the property counts as uninteresting.
    """
    pod = draw(first)
    moved = moved_mutant(draw, pod, draw(st.sampled_from(moves)))
    if moved is None:
        return PairCase(pod, pod, (Mutation("<root>", "none"),), PLACEHOLDER)
    # One or two nodes beside the pair's own: the move's field is all that differs, and a smaller
    # cluster is quicker to draw.
    return PairCase(pod, moved[0], (moved[1],), draw(fitted_clusters((pod, moved[0]), extra=(1, 2))))
