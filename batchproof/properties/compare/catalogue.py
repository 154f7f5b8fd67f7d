"""The workload catalogue (``catalogue.yaml``): families of scenarios at a small and a full size.

A family is data; :func:`scenarios_of` builds its scenarios for one size, seed and profile. The
same (family, size, seed) always gives the same scenarios: random choices (preferred nodes,
events) come from ``random.Random(seed)``, generated families from Hypothesis with ``@seed``,
under the default settings and without the constants of loaded modules, so neither the loaded
Hypothesis profile nor what the process imported before (a worker process imports less) changes
them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any, Literal

import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed

from batchproof.model.errors import BatchproofError
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import (
    Affinity,
    Container,
    ContainerPort,
    Node,
    NodeAffinity,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    Pod,
    PreferredSchedulingTerm,
    Taint,
)
from batchproof.model.profiles import Profile
from batchproof.model.quantity import parse_quantity, scheduler_units
from batchproof.properties.determinism import local_constants_pinned, pin_local_constants, unpin_local_constants
from batchproof.properties.events import ClockJump, Event, NodeUpdate, PodDeletion
from batchproof.properties.lockstep import Scenario
from batchproof.properties.strategies.workloads import scenarios as generated_scenarios
from batchproof.properties.world import Cluster

Size = Literal["small", "full"]
SIZES: tuple[Size, ...] = ("small", "full")


@dataclass(frozen=True, slots=True)
class Family:
    """One workload family as the catalogue describes it."""

    name: str
    source: str
    description: str
    sizes: FrozenDict[str, FrozenDict[str, int]]
    spec: FrozenDict[str, Any] = field(default_factory=FrozenDict)

    def size(self, size: Size) -> dict[str, int]:
        """Node and pod counts (or ``examples``) at ``size``."""
        return dict(self.sizes[size])


def load_catalogue() -> dict[str, Family]:
    """Every family of the packaged ``catalogue.yaml``, in file order."""
    text = resources.files(__package__).joinpath("catalogue.yaml").read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    families: dict[str, Family] = {}
    for name, entry in document["workloads"].items():
        sizes = FrozenDict({k: FrozenDict(v) for k, v in entry.pop("sizes").items()})
        families[name] = Family(name, entry.pop("source"), entry.pop("description"), sizes, FrozenDict(entry))
    return families


def select(families: dict[str, Family], names: list[str] | None) -> list[Family]:
    """The named families (all when ``names`` is empty).

    Raises:
        BatchproofError: a name is not in the catalogue.

    """
    if not names:
        return list(families.values())
    unknown = [n for n in names if n not in families]
    if unknown:
        raise BatchproofError(f"--workloads: unknown workload {', '.join(unknown)} (known: {', '.join(families)})")
    return [families[n] for n in names]


def _units(resource: str, text: object) -> int:
    return scheduler_units(resource, parse_quantity(str(text)))


def _nodes(spec: dict[str, Any], count: int) -> list[Node]:
    cycle = spec.get("cpu_cycle") or [spec["cpu"]]
    every = int(spec.get("prefer_no_schedule_every", 0))
    nodes = []
    for i in range(count):
        name = f"node-{i:05d}"
        resources_ = FrozenDict(
            {
                "cpu": _units("cpu", cycle[i % len(cycle)]),
                "memory": _units("memory", spec["memory"]),
                "pods": int(spec["pods"]),
            }
        )
        taints = (Taint("dedicated", "batch", "PreferNoSchedule"),) if every and i % every == 0 else ()
        labels = FrozenDict({"kubernetes.io/hostname": name, "topology.kubernetes.io/zone": f"zone-{i % 3}"})
        nodes.append(Node(name, labels=labels, capacity=resources_, allocatable=resources_, taints=taints))
    return nodes


def _template(group: dict[str, Any]) -> Pod:
    ports: tuple[ContainerPort, ...] = ()
    if "host_port" in group:
        port = int(group["host_port"])
        ports = (ContainerPort(container_port=port, host_port=port, protocol=str(group.get("protocol", "TCP"))),)
    requests = FrozenDict({"cpu": _units("cpu", group["cpu"]), "memory": _units("memory", group["memory"])})
    container = Container(name="app", image="registry.k8s.io/pause:3.10", ports=ports, requests=requests)
    return Pod(
        name=group["name"],
        namespace="compare",
        labels=FrozenDict({"app": group.get("app", group["name"])}),
        containers=(container,),
    )


def _order(groups: list[Pod], count: int, order: str) -> list[Pod]:
    share = [count // len(groups) + (1 if i < count % len(groups) else 0) for i in range(len(groups))]
    queues = [
        [replace(t, name=f"{t.name}-{j:05d}", uid=f"uid-{t.name}-{j}") for j in range(n)]
        for t, n in zip(groups, share, strict=True)
    ]
    if order == "sequential":
        return [pod for queue in queues for pod in queue]
    run = 3 if order == "runs-of-3" else 1
    out: list[Pod] = []
    while any(queues):
        for queue in queues:
            out.extend(queue[:run])
            del queue[:run]
    return out


def _preferring(pods: list[Pod], nodes: list[Node], spec: dict[str, Any], rng: random.Random) -> list[Pod]:
    untainted = [n.name for n in nodes if not n.taints]  # so the most preferred node is taken first
    chosen = rng.sample(untainted, min(int(spec["nodes"]), len(untainted)))
    terms = tuple(
        PreferredSchedulingTerm(
            weight=rng.randint(1, int(spec["max_weight"])),
            preference=NodeSelectorTerm(match_fields=(NodeSelectorRequirement("metadata.name", "In", (name,)),)),
        )
        for name in chosen
    )
    affinity = Affinity(node_affinity=NodeAffinity(preferred=terms))
    return [replace(p, affinity=affinity) for p in pods]


def _churn(
    nodes: list[Node], pods: list[Pod], spec: dict[str, Any], rng: random.Random
) -> tuple[tuple[int, Event], ...]:
    events: list[tuple[int, Event]] = []
    every = int(spec["every"])
    current = {n.name: n for n in nodes}
    for position in range(every, len(pods), every):
        kind = rng.choice(spec["kinds"])
        node = current[rng.choice(sorted(current))]
        event: Event
        if kind == "taint":
            node = replace(node, taints=(*node.taints, Taint(f"churn-{position}", "x", "NoSchedule")))
            current[node.name] = node
            event = NodeUpdate(node)
        elif kind == "resources":
            halved = FrozenDict({k: v // 2 if k == "cpu" else v for k, v in node.allocatable.items()})
            node = replace(node, allocatable=halved, capacity=halved)
            current[node.name] = node
            event = NodeUpdate(node)
        elif kind == "delete":
            event = PodDeletion(pods[rng.randrange(position)].key)
        else:
            event = ClockJump(0.6)
        events.append((position, event))
    return tuple(events)


@contextmanager
def _without_local_constants() -> Iterator[None]:
    pinned = local_constants_pinned()  # the ci profile pins them for the whole test session
    pin_local_constants()
    try:
        yield
    finally:
        if not pinned:
            unpin_local_constants()


def _generated(profile: Profile, examples: int, seed: int) -> list[Scenario]:
    drawn: list[Scenario] = []

    @settings(
        settings.get_profile("default"),
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis_seed(seed)
    @given(generated_scenarios(profiles=(profile,), events=True))
    def draw(scenario: Scenario) -> None:
        drawn.append(scenario)

    with _without_local_constants():
        draw()
    return drawn


def scenarios_of(family: Family, size: Size, seed: int, profile: Profile) -> list[Scenario]:
    """The family's scenarios at ``size`` for ``profile``; deterministic in (family, size, seed)."""
    counts = family.size(size)
    spec = dict(family.spec)
    if spec.get("generator") == "hypothesis":
        return _generated(profile, counts["examples"], seed)
    rng = random.Random(f"{family.name}/{size}/{seed}")
    nodes = _nodes(dict(spec["nodes"]), counts["nodes"])
    pods = _order([_template(dict(g)) for g in spec["groups"]], counts["pods"], str(spec.get("order", "sequential")))
    if "preferred" in spec:
        pods = _preferring(pods, nodes, dict(spec["preferred"]), rng)
    events = _churn(nodes, pods, dict(spec["churn"]), rng) if "churn" in spec else ()
    return [Scenario(Cluster(tuple(nodes), _holders(dict(spec["nodes"]), nodes)), tuple(pods), (profile,), events)]


def _holders(spec: dict[str, Any], nodes: list[Node]) -> tuple[Pod, ...]:
    if "holder_host_port" not in spec:
        return ()
    port = int(spec["holder_host_port"])
    container = Container(name="holder", image="registry.k8s.io/pause:3.10", ports=(ContainerPort(port, port),))
    return tuple(
        Pod(name=f"holder-{n.name}", namespace="compare", node_name=n.name, containers=(container,)) for n in nodes
    )
