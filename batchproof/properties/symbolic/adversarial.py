"""Z3 aims: clusters where batching is most likely to go wrong, replayed through both schedulers.

Every search encodes two identical pods scheduled in a row, with the same arithmetic as the
plugin encodings (LeastAllocated over cpu and memory with Go division, DefaultNormalizeScore,
the shared ranking: total score descending, then node name):

* :func:`normalisation_inversion` (spec §10.2): NodeAffinity (weight 2, max-normalised) against
  NodeResourcesFit (weight 1). The first pod fills the best node; the batch hints the best
  *cached* total of the rest, normalised over all nodes, while a fresh cycle re-normalises over
  the nodes still feasible and picks another. Tried with 2, 3, ... nodes; the first size Z3
  satisfies is the fewest.
* :func:`exact_fit` : the first pod's node is left *just full* (free cpu one milli-CPU short of a
  second pod: the batch pops) or *just not full* (exactly room for one more: G3 rescores it).
* :func:`rescore_tie` : the rescored node's fresh total ties the best cached total, so the tie
  rule alone decides.

Each answer is decoded into a :class:`~batchproof.properties.lockstep.Scenario` ready for
:func:`~batchproof.properties.lockstep.run_lockstep`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

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
from batchproof.model.profiles import PluginSpec, Profile
from batchproof.properties.lockstep import BatchingOptions, LockstepRun, Scenario, run_lockstep
from batchproof.properties.symbolic.encodings.resources import CPU, DEFAULTS, MEMORY, NodeVars, strategy_score
from batchproof.properties.symbolic.model import default_normalize
from batchproof.properties.symbolic.solver import DEFAULT_LIMITS, Limits, Outcome, solve
from batchproof.properties.world import Cluster

INVERSION_PROFILE = Profile(multi_point=(PluginSpec("NodeAffinity", 2), PluginSpec("NodeResourcesFit", 1)))
FIT_PROFILE = Profile(multi_point=(PluginSpec("NodeResourcesFit", 1),))
MI = 1 << 20
NODE_MEMORY = 8192 * MI
POD_MEMORY = 256 * MI
MAX_CPU = 16_000
Expectation = Literal["diverge", "agree"]


@dataclass(frozen=True, slots=True)
class AdversarialCase:
    """A cluster Z3 aimed at one batching hazard, the two-pod scenario, and what must happen."""

    name: str
    description: str
    scenario: Scenario
    expect: Expectation
    seconds: float

    @property
    def nodes(self) -> int:
        """How many nodes the cluster has."""
        return len(self.scenario.cluster.nodes)

    def replay(self) -> LockstepRun:
        """Run both schedulers over the scenario."""
        return run_lockstep(self.scenario)

    def to_json(self) -> dict[str, Any]:
        """Name, expectation, node count and solver time."""
        return {"name": self.name, "expect": self.expect, "nodes": self.nodes, "seconds": round(self.seconds, 4)}


class NoCase(Exception):
    """Z3 found no cluster within the bounds (or gave up); the message says which."""


def _names(count: int) -> list[str]:
    return [f"node-{i}" for i in range(count)]


def _beats(totals: Sequence[Any], i: int, j: int) -> Any:
    """Node i ranks before node j (total descending, then name ascending: index order)."""
    return z3.Or(totals[i] > totals[j], z3.And(totals[i] == totals[j], i < j))


def _best(totals: Sequence[Any], winner: Any, among: Sequence[Any]) -> Any:
    """``winner`` (an index term) is in ``among`` (per-node flags) and ranks first there."""
    return z3.Or(
        *(
            z3.And(
                winner == i,
                among[i],
                *(z3.Implies(among[j], _beats(totals, i, j)) for j in range(len(totals)) if j != i),
            )
            for i in range(len(totals))
        )
    )


def _fit_node(cpu: Any, used_cpu: Any, pods: Any, pod_count: Any) -> NodeVars:
    return NodeVars(
        allocatable={CPU: cpu, MEMORY: z3.IntVal(NODE_MEMORY), "pods": pods},
        requested={CPU: used_cpu, MEMORY: z3.IntVal(0)},
        non_zero={CPU: used_cpu, MEMORY: pod_count * POD_MEMORY},
        pod_count=pod_count,
    )


def _fit(cpu: Any, pods_here: Any, request: Any, allocatable_pods: Any = None) -> Any:
    node = _fit_node(
        cpu, pods_here * request, allocatable_pods if allocatable_pods is not None else z3.IntVal(110), pods_here
    )
    return strategy_score("LeastAllocated", {CPU: request, MEMORY: z3.IntVal(POD_MEMORY)}, node)


def _nodes(cpus: Sequence[int], labels: Sequence[dict[str, str]], pods: Sequence[int]) -> tuple[Node, ...]:
    out = []
    for name, cpu, extra, count in zip(_names(len(cpus)), cpus, labels, pods, strict=True):
        allocatable = FrozenDict({"cpu": cpu, "memory": NODE_MEMORY, "pods": count})
        out.append(
            Node(
                name,
                labels=FrozenDict({"kubernetes.io/hostname": name, **extra}),
                capacity=allocatable,
                allocatable=allocatable,
            )
        )
    return tuple(out)


def _pods(template: Pod) -> tuple[Pod, ...]:
    """Two copies of the template, named like a workload's pods."""
    return tuple(replace(template, name=f"pod-{i}", uid=f"uid-{i}") for i in range(2))


def normalisation_inversion(
    *, max_nodes: int = 5, limits: Limits = DEFAULT_LIMITS, profile: Profile = INVERSION_PROFILE
) -> AdversarialCase:
    """The fewest nodes where the cached order and a fresh cycle disagree (spec §10.2).

    Raises:
        NoCase: no inversion with at most ``max_nodes`` nodes.

    """
    started = time.perf_counter()
    for count in range(2, max_nodes + 1):
        outcome, answer = _inversion(count, limits)
        if outcome.answer == "sat":
            return _inversion_case(count, answer, outcome.model, profile, time.perf_counter() - started)
        if outcome.answer == "unknown":
            raise NoCase(f"normalisation inversion with {count} nodes: z3 {outcome.reason}")
    raise NoCase(f"no normalisation inversion with at most {max_nodes} nodes")


def _fit_table(cpus: Sequence[int]) -> list[int]:
    """LeastAllocated raw scores of a best-effort pod (100m, 200Mi defaults) on empty nodes, per cpu."""

    def node(cpu: int) -> NodeVars:
        return _fit_node(z3.IntVal(cpu), z3.IntVal(0), z3.IntVal(110), z3.IntVal(0))

    request = {CPU: z3.IntVal(DEFAULTS[CPU]), MEMORY: z3.IntVal(DEFAULTS[MEMORY])}
    return [z3.simplify(strategy_score("LeastAllocated", request, node(cpu))).as_long() for cpu in cpus]


CPU_CHOICES = tuple(range(200, 8001, 200))
BITS = 16


def _inversion(count: int, limits: Limits) -> tuple[Outcome, dict[str, Any]]:
    """The inversion query over 16-bit vectors (exact here: every term stays below 2**15).

    Allocatable cpu comes from :data:`CPU_CHOICES`, whose Fit scores are the integer encoding
    evaluated per choice; normalisation divides by a variable maximum, which bit-vectors decide
    in well under a second where integer arithmetic times out.
    """

    def bv(value: int) -> Any:
        return z3.BitVecVal(value, BITS)

    def index(name: str) -> Any:
        return z3.BitVec(name, 8)

    weights = [z3.BitVec(f"w{j}", BITS) for j in range(count)]  # one preferred term per label
    labelled = [[z3.Bool(f"n{i}.pref{j}") for j in range(count)] for i in range(count)]
    choice = [index(f"n{i}.cpu") for i in range(count)]
    first, hint, fresh = index("first"), index("hint"), index("fresh")
    constraints: list[Any] = [z3.And(w >= 1, w <= 100) for w in weights]
    constraints += [z3.ULT(c, len(CPU_CHOICES)) for c in choice]
    table = _fit_table(CPU_CHOICES)
    fit = []
    for c in choice:
        score = bv(table[-1])
        for position in range(len(table) - 2, -1, -1):
            score = z3.If(c == position, bv(table[position]), score)
        fit.append(score)
    affinity = [sum((z3.If(labelled[i][j], weights[j], bv(0)) for j in range(count)), bv(0)) for i in range(count)]
    totals = [2 * n + f for n, f in zip(default_normalize(affinity, reverse=False, zero=bv(0)), fit, strict=True)]
    constraints.append(_best(totals, first, [z3.BoolVal(True)] * count))
    rest = [first != i for i in range(count)]
    constraints.append(_best(totals, hint, rest))  # the batch pops the best cached total
    kept = [z3.If(rest[i], affinity[i], bv(0)) for i in range(count)]
    fresh_totals = [2 * n + f for n, f in zip(default_normalize(kept, reverse=False, zero=bv(0)), fit, strict=True)]
    constraints.append(_best(fresh_totals, fresh, rest))  # a fresh cycle re-normalises over the rest
    constraints.append(hint != fresh)
    variables = {"weights": weights, "labelled": labelled, "cpus": choice, "first": first, "hint": hint, "fresh": fresh}
    return solve(constraints, (), limits, tactic="qfbv"), variables


def _inversion_case(
    count: int, answer: dict[str, Any], model: Any, profile: Profile, seconds: float
) -> AdversarialCase:
    def value(term: Any) -> Any:
        return model.eval(term, model_completion=True)

    weights = [value(w).as_long() for w in answer["weights"]]
    labels = [
        {f"pref-{j}": "yes" for j, flag in enumerate(row) if z3.is_true(value(flag))} for row in answer["labelled"]
    ]
    first = value(answer["first"]).as_long()
    cpus = [CPU_CHOICES[value(c).as_long()] for c in answer["cpus"]]
    pods = [1 if i == first else 110 for i in range(count)]
    terms = tuple(
        PreferredSchedulingTerm(weight, NodeSelectorTerm((NodeSelectorRequirement(f"pref-{j}", "In", ("yes",)),)))
        for j, weight in enumerate(weights)
    )
    template = Pod(containers=(Container("c0"),), affinity=Affinity(node_affinity=NodeAffinity(preferred=terms)))
    scenario = Scenario(Cluster(_nodes(cpus, labels, pods)), _pods(template), (profile,), options=BatchingOptions("g3"))
    hint, fresh = value(answer["hint"]).as_long(), value(answer["fresh"]).as_long()
    description = (
        f"{count} nodes (Z3: none with fewer): pod-0 fills node-{first}; the batch hints node-{hint} from "
        f"totals normalised over all {count} nodes, a fresh cycle re-normalises over the rest and picks node-{fresh}"
    )
    return AdversarialCase("normalisation-inversion", description, scenario, "diverge", seconds)


def exact_fit(kind: Literal["just-full", "just-not-full"], *, limits: Limits = DEFAULT_LIMITS) -> AdversarialCase:
    """Two nodes; after the first pod its node has one milli-CPU too little, or exactly enough, for another.

    Raises:
        NoCase: Z3 found none within the bounds.

    """
    started = time.perf_counter()
    cpu_a, cpu_b, request = z3.Int("a.cpu"), z3.Int("b.cpu"), z3.Int("request")
    constraints: list[Any] = [z3.And(request >= 100, request <= 4000, request % 50 == 0)]
    constraints += [z3.And(c >= request, c <= MAX_CPU) for c in (cpu_a, cpu_b)]
    fresh = [_fit(cpu_a, z3.IntVal(0), request), _fit(cpu_b, z3.IntVal(0), request)]
    constraints.append(_beats(fresh, 0, 1))  # the first pod goes to node-0
    slack = request - 1 if kind == "just-full" else request
    constraints.append(cpu_a - request == slack)
    outcome = solve(constraints, (), limits)
    if outcome.answer != "sat":
        raise NoCase(f"exact fit ({kind}): z3 answered {outcome.answer} {outcome.reason}".rstrip())
    model = outcome.model

    def read(term: Any) -> int:
        return int(model.eval(term, model_completion=True).as_long())

    cpu = read(request)
    scenario = _fit_scenario([read(cpu_a), read(cpu_b)], cpu)
    description = f"request {cpu}m; node-0 has {read(cpu_a)}m, so after one pod it is {kind.replace('-', ' ')}"
    return AdversarialCase(kind, description, scenario, "agree", time.perf_counter() - started)


def rescore_tie(*, limits: Limits = DEFAULT_LIMITS) -> AdversarialCase:
    """Two nodes; the first pod's node, rescored, ties the other node's cached total.

    Raises:
        NoCase: Z3 found none within the bounds.

    """
    started = time.perf_counter()
    cpu_a, cpu_b, request = z3.Int("a.cpu"), z3.Int("b.cpu"), z3.Int("request")
    constraints: list[Any] = [z3.And(request >= 100, request <= 4000, request % 50 == 0)]
    constraints += [z3.And(c >= 2 * request, c <= MAX_CPU) for c in (cpu_a, cpu_b)]
    fresh = [_fit(cpu_a, z3.IntVal(0), request), _fit(cpu_b, z3.IntVal(0), request)]
    constraints.append(_beats(fresh, 0, 1))
    constraints.append(_fit(cpu_a, z3.IntVal(1), request) == fresh[1])  # the rescored node ties the cached best
    outcome = solve(constraints, (), limits)
    if outcome.answer != "sat":
        raise NoCase(f"rescore tie: z3 answered {outcome.answer} {outcome.reason}".rstrip())
    model = outcome.model

    def read(term: Any) -> int:
        return int(model.eval(term, model_completion=True).as_long())

    scenario = _fit_scenario([read(cpu_a), read(cpu_b)], read(request))
    description = f"request {read(request)}m on {read(cpu_a)}m and {read(cpu_b)}m: rescored node-0 ties node-1"
    return AdversarialCase("rescore-tie", description, scenario, "agree", time.perf_counter() - started)


def _fit_scenario(cpus: Sequence[int], request: int) -> Scenario:
    template = Pod(containers=(Container("c0", requests=FrozenDict({"cpu": request, "memory": POD_MEMORY})),))
    nodes = _nodes(cpus, [{} for _ in cpus], [110 for _ in cpus])
    return Scenario(Cluster(nodes), _pods(template), (FIT_PROFILE,), options=BatchingOptions("g3"))


def all_cases(*, limits: Limits = DEFAULT_LIMITS) -> tuple[AdversarialCase, ...]:
    """Every search, in a fixed order.

    Raises:
        NoCase: a search found nothing.

    """
    return (
        normalisation_inversion(limits=limits),
        exact_fit("just-full", limits=limits),
        exact_fit("just-not-full", limits=limits),
        rescore_tie(limits=limits),
    )
