"""Named one-field moves of a pod at the boundaries plugins read apart.

The generic mutator changes a leaf to a donor's value or to something arbitrary, which rarely
lands exactly where two readings of a pod part: a missing request set to its non-zero default
(the aggregate changes, the scoring view does not), ``In`` flipped to ``NotIn``, a toleration's
``Exists`` turned into ``Equal``. Each function here lists every such move of one pod, by name,
so a strategy can draw one; every move yields a pod for the API server to validate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from hypothesis import strategies as st

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import (
    Affinity,
    Container,
    NodeAffinity,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    Pod,
    PreferredSchedulingTerm,
    Toleration,
)
from batchproof.model.resources import NON_ZERO_DEFAULTS
from batchproof.properties.mutate import Mutation
from batchproof.properties.strategies.objects import (
    HOST_IPS,
    HOST_PORTS,
    LABEL_KEYS,
    LABEL_VALUES,
    LEAN_IMAGE,
    MI,
    NAMESPACES,
    NODE_NAMES,
    PROTOCOLS,
    stored_pod,
)

Move = tuple[str, Pod]
Moves = Callable[[Pod], list[Move]]  # every move of one kind a pod allows
GPU = "example.com/gpu"
# nodeaffinity operators and their negations (component-helpers nodeaffinity).
FLIPPED = {"In": "NotIn", "NotIn": "In", "Exists": "DoesNotExist", "DoesNotExist": "Exists", "Gt": "Lt", "Lt": "Gt"}
EFFECTS = ("", "NoSchedule", "PreferNoSchedule", "NoExecute")
WILDCARD_IPS = ("", "0.0.0.0")
SPECIFIC_IPS = tuple(ip for ip in HOST_IPS if ip not in WILDCARD_IPS)


def _with_container(pod: Pod, kind: str, index: int, container: Container) -> Pod:
    """``pod`` with container ``index`` of ``kind`` (containers or init_containers) replaced."""
    group = pod.containers if kind == "containers" else pod.init_containers
    updated = (*group[:index], container, *group[index + 1 :])
    return replace(pod, containers=updated) if kind == "containers" else replace(pod, init_containers=updated)


def _with_requests(pod: Pod, kind: str, index: int, requests: dict[str, int], limits: dict[str, int]) -> Pod:
    group = pod.containers if kind == "containers" else pod.init_containers
    changed = replace(group[index], requests=FrozenDict(requests), limits=FrozenDict(limits))
    return _with_container(pod, kind, index, changed)


def request_moves(pod: Pod) -> list[Move]:
    """One-request changes around the boundaries Fit reads apart (spec §10.6.2).

    A missing cpu/memory request set to its non-zero default, or a request equal to the default
    removed, keeps the scoring view (non-zero requests) and changes the aggregate; a missing one
    set to 0, or a 0 removed, does the opposite. Extended (with the equal limit they need) and
    ephemeral-storage requests move by one unit, and the overhead gains or loses 50m cpu.
    """
    moves: list[Move] = []
    for kind in ("containers", "init_containers"):
        for index, container in enumerate(pod.containers if kind == "containers" else pod.init_containers):
            where = f"{kind}[{index}].requests"
            requests, limits = dict(container.requests), dict(container.limits)

            def moved(
                changes: dict[str, int],
                *,
                kind: str = kind,
                index: int = index,
                requests: dict[str, int] = requests,
                limits: dict[str, int] = limits,
            ) -> Pod:
                new_limits = {**limits, **{k: v for k, v in changes.items() if k == GPU}}
                return _with_requests(pod, kind, index, {**requests, **changes}, new_limits)

            for name, default in NON_ZERO_DEFAULTS.items():
                if name not in requests:
                    moves.append((f"{where}.{name} = {default} (the default)", moved({name: default})))
                    moves.append((f"{where}.{name} = 0", moved({name: 0})))
                elif requests[name] in (0, default):
                    kept = {k: v for k, v in requests.items() if k != name}
                    moves.append((f"{where}.{name} removed", _with_requests(pod, kind, index, kept, limits)))
                else:
                    moves.append((f"{where}.{name} + {default}", moved({name: requests[name] + default})))
            for name, unit in ((GPU, 1), ("ephemeral-storage", 256 * MI)):
                amount = requests.get(name, 0)
                moves.append((f"{where}.{name} + {unit}", moved({name: amount + unit})))
                if amount >= unit:
                    moves.append((f"{where}.{name} - {unit}", moved({name: amount - unit})))
    if "cpu" in pod.overhead:
        moves.append(("overhead.cpu removed", replace(pod, overhead=FrozenDict())))
    else:
        moves.append(("overhead.cpu = 50", replace(pod, overhead=FrozenDict({**pod.overhead, "cpu": 50}))))
    return moves


def _requirement_flips(
    requirements: tuple[NodeSelectorRequirement, ...], where: str, values: tuple[str, ...], keys: tuple[str, ...]
) -> Iterator[tuple[str, tuple[NodeSelectorRequirement, ...]]]:
    """Each requirement with its operator negated, its first value replaced, or another key."""
    for index, requirement in enumerate(requirements):
        changes: list[tuple[str, NodeSelectorRequirement]] = []
        key = next((k for k in keys if k != requirement.key), None)
        if key is not None:
            changes.append((f"key = {key}", replace(requirement, key=key)))
        flipped = FLIPPED.get(requirement.operator)
        if flipped is not None:
            changes.append((f"operator = {flipped}", replace(requirement, operator=flipped)))
        if requirement.values:
            head = requirement.values[0]
            other = next((v for v in values if v != head and v not in requirement.values), None)
            if other is not None:
                changes.append((f"values[0] = {other}", replace(requirement, values=(other, *requirement.values[1:]))))
        for name, changed in changes:
            yield f"{where}[{index}].{name}", (*requirements[:index], changed, *requirements[index + 1 :])


def _term_moves(term: NodeSelectorTerm, where: str) -> Iterator[tuple[str, NodeSelectorTerm]]:
    expressions_at = f"{where}.matchExpressions"
    for name, expressions in _requirement_flips(term.match_expressions, expressions_at, LABEL_VALUES, LABEL_KEYS):
        yield name, replace(term, match_expressions=expressions)
    # matchFields takes metadata.name only (validation), so its key never moves.
    for name, fields in _requirement_flips(term.match_fields, f"{where}.matchFields", NODE_NAMES, ()):
        yield name, replace(term, match_fields=fields)


def _node_affinity_moves(pod: Pod, affinity: NodeAffinity) -> Iterator[Move]:
    def put(node_affinity: NodeAffinity) -> Pod:
        base = pod.affinity if pod.affinity is not None else Affinity()
        return replace(pod, affinity=replace(base, node_affinity=node_affinity))

    root = "affinity.nodeAffinity"
    for index, term in enumerate(affinity.required or ()):
        required = affinity.required or ()
        for name, changed in _term_moves(term, f"{root}.required[{index}]"):
            yield name, put(replace(affinity, required=(*required[:index], changed, *required[index + 1 :])))
    for index, preferred in enumerate(affinity.preferred):
        terms = affinity.preferred

        def with_term(
            new: PreferredSchedulingTerm, *, index: int = index, terms: tuple[PreferredSchedulingTerm, ...] = terms
        ) -> Pod:
            return put(replace(affinity, preferred=(*terms[:index], new, *terms[index + 1 :])))

        where = f"{root}.preferred[{index}]"
        for name, changed in _term_moves(preferred.preference, f"{where}.preference"):
            yield name, with_term(replace(preferred, preference=changed))
        weight = preferred.weight % 100 + 1
        yield f"{where}.weight = {weight}", with_term(replace(preferred, weight=weight))


def _toleration_moves(pod: Pod) -> Iterator[Move]:
    tolerations = pod.tolerations
    for index, toleration in enumerate(tolerations):
        where = f"tolerations[{index}]"

        def put(new: Toleration, *, index: int = index) -> Pod:
            return replace(pod, tolerations=(*tolerations[:index], new, *tolerations[index + 1 :]))

        if toleration.operator == "Exists":
            yield f"{where}.operator = Equal", put(replace(toleration, operator="Equal"))
        else:
            yield f"{where}.operator = Exists", put(replace(toleration, operator="Exists", value=""))
            yield f"{where}.value = {toleration.value}x", put(replace(toleration, value=f"{toleration.value}x"))
        for effect in EFFECTS:
            if effect != toleration.effect:
                yield f"{where}.effect = {effect or '(all)'}", put(replace(toleration, effect=effect))


def toleration_moves(pod: Pod) -> list[Move]:
    """Each toleration with Exists and Equal swapped, its value changed, or another effect."""
    return list(_toleration_moves(pod))


def node_affinity_moves(pod: Pod) -> list[Move]:
    """Node affinity requirements with the operator negated or the first value replaced.

    Values come from the label values, or the node names for ``metadata.name`` fields; preferred
    terms also get another weight.
    """
    if pod.affinity is None or pod.affinity.node_affinity is None:
        return []
    return list(_node_affinity_moves(pod, pod.affinity.node_affinity))


def other_specific_address(host_ip: str) -> str:
    """A specific host address other than ``host_ip``."""
    return next(ip for ip in SPECIFIC_IPS if ip != host_ip)


def _other_addresses(host_ip: str) -> tuple[str, ...]:
    if host_ip in WILDCARD_IPS:
        return (SPECIFIC_IPS[0],)
    return ("", *(ip for ip in SPECIFIC_IPS if ip != host_ip))


def port_moves(pod: Pod) -> list[Move]:
    """Each host port with another protocol, another host IP, or another port number."""
    moves: list[Move] = []
    for kind in ("containers", "init_containers"):
        group: tuple[Container, ...] = pod.containers if kind == "containers" else pod.init_containers
        for index, container in enumerate(group):
            for at, port in enumerate(container.ports):
                if not port.host_port:
                    continue
                protocol = next(p for p in PROTOCOLS if p != port.protocol)
                number = next(n for n in HOST_PORTS if n != port.host_port)
                where = f"{kind}[{index}].ports[{at}]"
                changes = [
                    (f"protocol = {protocol}", replace(port, protocol=protocol)),
                    (f"hostPort = {number}", replace(port, host_port=number)),
                ]
                # "" and 0.0.0.0 both mean every address (nodeports.go), so a move goes to or
                # from a specific address.
                for host_ip in _other_addresses(port.host_ip):
                    changes.append((f"hostIP = {host_ip or '(any)'}", replace(port, host_ip=host_ip)))
                for name, changed in changes:
                    ports = (*container.ports[:at], changed, *container.ports[at + 1 :])
                    moved = _with_container(pod, kind, index, replace(container, ports=ports))
                    moves.append((f"{where}.{name}", moved))
    return moves


def container_moves(pod: Pod) -> list[Move]:
    """A container or init container added without requests, or one without requests removed.

    The aggregate request stays, while scoring counts the non-zero default of every container
    that sets none (spec §10.6.2).
    """
    empty = Container(name="extra", image=LEAN_IMAGE)
    moves: list[Move] = [
        ("containers + a container without requests", replace(pod, containers=(*pod.containers, empty))),
        ("init_containers + one without requests", replace(pod, init_containers=(*pod.init_containers, empty))),
    ]
    for index, container in enumerate(pod.containers):
        if not container.requests and len(pod.containers) > 1:
            kept = (*pod.containers[:index], *pod.containers[index + 1 :])
            moves.append((f"containers[{index}] (no requests) removed", replace(pod, containers=kept)))
    for index, container in enumerate(pod.init_containers):
        if not container.requests:
            kept = (*pod.init_containers[:index], *pod.init_containers[index + 1 :])
            moves.append((f"init_containers[{index}] (no requests) removed", replace(pod, init_containers=kept)))
    return moves


def label_moves(pod: Pod) -> list[Move]:
    """Each label with another value or removed, each absent pool key added, another namespace."""
    moves: list[Move] = []
    for key, value in pod.labels.items():
        other = next(v for v in LABEL_VALUES if v != value)
        moves.append((f"labels.{key} = {other}", replace(pod, labels=FrozenDict({**pod.labels, key: other}))))
        kept = FrozenDict({k: v for k, v in pod.labels.items() if k != key})
        moves.append((f"labels.{key} removed", replace(pod, labels=kept)))
    for key in LABEL_KEYS:
        if key not in pod.labels:
            added = FrozenDict({**pod.labels, key: LABEL_VALUES[0]})
            moves.append((f"labels.{key} = {LABEL_VALUES[0]}", replace(pod, labels=added)))
    namespace = next(n for n in NAMESPACES if n != pod.namespace)
    moves.append((f"namespace = {namespace}", replace(pod, namespace=namespace)))
    return moves


def moved_mutant(draw: st.DrawFn, pod: Pod, moves: Moves, *, attempts: int = 3) -> tuple[Pod, Mutation] | None:
    """One of ``moves(pod)`` the API server stores and that changes the pod; None if none did."""
    candidates = moves(pod)
    for _ in range(attempts if candidates else 0):
        name, mutant = draw(st.sampled_from(candidates))
        stored = stored_pod(mutant)
        if stored is not None and stored != pod:
            return stored, Mutation(name, "move")
    return None
