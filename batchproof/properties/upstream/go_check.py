"""``check-plugin --go``: an author's Go plugin checked as it is, through the oracle.

The plugin is built into the oracle (:mod:`batchproof.upstream.goplugin`) and evaluated on real
objects by upstream's framework. Equal-signature pod pairs — a generated pod and a field-level
mutant — must get equal Filter and Score results from it; a pair that does not is a signature
gap, reported with the pod fields that differ (as manifest paths), both results and the fragment
SignPod would need. The string literals of the plugin's source (the keys and values it compares
with) seed the pods' and nodes' labels, annotations and resources, so a plugin that reads
``gpu.example.com/model`` sees that key.

Half the equal-signature pairs also go through placement equivalence
(:mod:`batchproof.properties.upstream.go_placement`): a short queue of the pair on upstream's
real scheduling cycle with the plugin in the profile, batching on, each hinted pod checked against
a full cycle on the same state. A queue of one pod repeated that places differently is a
cross-pod dependency (the plugin must refuse to sign), reported as one gap. The check stops at the
first confirmed gap unless asked to keep searching, and says what it exercised.
"""

from __future__ import annotations

import contextlib
import functools
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from hypothesis import given
from hypothesis import strategies as st

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Pod
from batchproof.model.profiles import PluginSpec, Profile, batching_profile
from batchproof.model.resources import is_extended_resource_name
from batchproof.model.validation.names import label_value, qualified_name
from batchproof.properties.audit.readset import generalise
from batchproof.properties.campaign.discovery import VALUES, Discovered, clusters_with_keys, pods_with_keys
from batchproof.properties.campaign.findings import differing_paths
from batchproof.properties.mutate import Path, api_path, mutate
from batchproof.properties.strategies.clusters import clusters
from batchproof.properties.strategies.objects import pods
from batchproof.properties.strategies.surface import surface_pods
from batchproof.properties.upstream.as_model import plugin_evaluation
from batchproof.properties.upstream.compare import canonical, compare_plugin
from batchproof.properties.upstream.go_placement import Pattern, PlacementRun, compare_placements, queue_of
from batchproof.properties.upstream.plugin_diff import plugin_answer
from batchproof.properties.upstream.seeded import seeded
from batchproof.properties.world import Cluster
from batchproof.upstream.client import Oracle
from batchproof.upstream.goplugin import GoPlugin

GapKind = Literal["signature", "placement", "cross-pod"]
_REFUSE = "fwk.NewStatus(fwk.Unschedulable)"


@dataclass(frozen=True, slots=True)
class GoGap:
    """One confirmed gap.

    ``signature``: two pods signed equally that the plugin answers differently; ``placement``:
    a queue of such pods the batched cycle places elsewhere than the full cycle; ``cross-pod``:
    even a queue of one pod repeated is placed elsewhere, so the plugin's results depend on the
    pods placed before (no fragment can fix that: the plugin must refuse to sign).
    """

    kind: GapKind
    fields: tuple[str, ...]
    aspect: str
    node: str
    first: Any
    second: Any
    seconds: float
    examples: int
    placement: str = ""

    def to_json(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "kind": self.kind,
            "fields": list(self.fields),
            "aspect": self.aspect,
            "node": self.node,
            "first": self.first,
            "second": self.second,
            "placement": self.placement,
            "fix": self.fix(),
            "seconds": round(self.seconds, 2),
            "examples": self.examples,
        }

    def fix(self) -> str:
        """What SignPod would need."""
        if self.kind == "cross-pod":
            return (
                "the plugin's results depend on other pods placed in the cluster: SignPod must refuse to sign "
                f"(return nil, {_REFUSE}) for pods it scores or filters by other pods"
            )
        return f"SignPod must return a SignFragment whose value includes {' and '.join(self.fields)}"

    def describe(self) -> str:
        """One line for a person."""
        if self.kind == "signature":
            where = f" on {self.node}" if self.node else ""
            return (
                f"pods differing only in {', '.join(self.fields)} sign equally but get different "
                f"{self.aspect}{where}: {json.dumps(self.first)} vs {json.dumps(self.second)}"
            )
        if self.kind == "cross-pod":
            return f"cross-pod dependency: identical pods are placed differently with batching on: {self.placement}"
        return (
            f"pods differing only in {', '.join(self.fields)} sign equally and are placed differently "
            f"with batching on: {self.placement}"
        )


@dataclass(slots=True)
class GoCheck:
    """What the check exercised and what it found."""

    plugin: GoPlugin
    pool: Discovered
    gaps: list[GoGap] = field(default_factory=list)
    examples: int = 0
    equal_pairs: int = 0
    unsigned: int = 0
    points: Counter[str] = field(default_factory=Counter)
    fields_varied: Counter[str] = field(default_factory=Counter)
    read: Counter[str] = field(default_factory=Counter)
    signed: Counter[str] = field(default_factory=Counter)
    queues: int = 0
    placements: int = 0
    hinted: int = 0
    seconds: float = 0.0

    def audit(self, paths: list[Path], *, changed_results: bool, changed_signature: bool) -> None:
        """Count a single-field mutation: what the plugin reads (its results moved) and signs."""
        if len(paths) != 1:
            return
        name = api_path(generalise(paths[0]))
        if changed_results:
            self.read[name] += 1
        if changed_signature:
            self.signed[name] += 1

    @property
    def read_never_signed(self) -> list[str]:
        """Fields whose change alone changed a result and never changed the signature."""
        return sorted(name for name in self.read if name not in self.signed)

    @property
    def never_batches(self) -> bool:
        """Every pod the check drew was refused a signature."""
        return self.examples > 0 and self.unsigned == self.examples

    @property
    def passed(self) -> bool:
        """No gap, and both checks compared something: equal-signature pairs and hinted placements."""
        return not self.gaps and self.equal_pairs > 0 and self.hinted > 0

    def to_json(self) -> dict[str, Any]:
        """The ``check-plugin --go --format json`` document."""
        return {
            "plugin": self.plugin.name,
            "go": {
                "directory": str(self.plugin.directory),
                "package": self.plugin.package,
                "factory": self.plugin.factory,
            },
            "passed": self.passed,
            "never_batches": self.never_batches,
            "literals": self.pool.to_json(),
            "audit": {
                "read": sorted(self.read),
                "signed": sorted(self.signed),
                "read_but_never_signed": self.read_never_signed,
            },
            "exercised": {
                "examples": self.examples,
                "equal_signature_pairs": self.equal_pairs,
                "pairs_per_extension_point": dict(self.points),
                "pod_fields_varied": dict(self.fields_varied.most_common(30)),
                "queues_scheduled": self.queues,
                "placements_compared": self.placements,
                "placements_from_a_hint": self.hinted,
            },
            "gaps": [g.to_json() for g in self.gaps],
            "seconds": round(self.seconds, 2),
        }


def pool_of(plugin: GoPlugin) -> Discovered:
    """Label, annotation and resource keys to try: the literals of the plugin's source.

    Only literals the API server accepts in each place are kept (a label key must be a qualified
    name, a resource an extended resource name), so no generated object is one it would reject.
    """
    literals = plugin.literals()
    keys = tuple(x for x in literals if x != plugin.name and not qualified_name(x))
    resources = tuple(x for x in keys if "/" in x and is_extended_resource_name(x))
    values = tuple(x for x in literals if not label_value(x))[:16]
    return Discovered(keys, keys, keys, keys, resources, values)


def profile_with(plugin: GoPlugin, args: dict[str, Any] | None) -> Profile:
    """The batching profile with the author's plugin enabled at every point it implements."""
    base = batching_profile()
    profile = Profile(
        scheduler_name=base.scheduler_name,
        multi_point=(*base.multi_point, PluginSpec(plugin.name, 1)),
        plugin_args=base.plugin_args,
        signers=base.signers,
        features=base.features,
    )
    return profile.with_plugin_args(plugin.name, args) if args else profile


def _fragments(answer: dict[str, Any]) -> Any:
    sign = answer.get("sign") or {}
    if sign.get("code") != "Success":
        return None
    return canonical(sign.get("fragments") or {})


def check_go_plugin(
    oracle: Oracle,
    plugin: GoPlugin,
    *,
    args: dict[str, Any] | None = None,
    examples: int = 300,
    seed_value: int = 0,
    budget: float | None = None,
    keep_going: bool = False,
    clock: Callable[[], float] = time.monotonic,
) -> GoCheck:
    """Run the equal-signature pair check on the Go plugin inside ``oracle``.

    Raises:
        OracleError: the oracle failed or rejected an input.

    """
    pool = pool_of(plugin)
    profile = profile_with(plugin, args)
    check = GoCheck(plugin, pool)
    started = clock()

    def answer(cluster: Cluster, pod: Pod) -> dict[str, Any]:
        return plugin_answer(oracle, profile, cluster, pod, plugin.name)

    class _Stop(Exception):
        pass

    stop: list[str] = []  # "entry" (budget spent) or "gap" (first confirmed gap)

    @seeded(examples, seed_value)
    @given(clusters_with_keys(clusters(), pool), _base_pods(pool, plugin.literals()), st.data())
    def one(cluster: Cluster, pod: Pod, data: st.DataObject) -> None:
        # Hypothesis replays the example that raised _Stop: it must draw exactly what it drew.
        if stop == ["entry"] or (not stop and budget is not None and clock() - started > budget):
            stop[:] = ["entry"]
            raise _Stop
        use_pool = bool(pool.pod_annotations) and data.draw(st.booleans())
        if use_pool:
            mutant = data.draw(_pool_mutants(pod, pool))
        else:
            donor = data.draw(pods_with_keys(pods(), pool))
            mutant, _ = mutate(data.draw, pod, donor)
        plan = data.draw(_plans(pool))
        if stop:
            raise _Stop
        if mutant == pod or not mutant.containers:
            return
        mutant = _named(mutant, pod)
        check.examples += 1
        first, second = answer(cluster, pod), answer(cluster, mutant)
        signature = _fragments(first)
        if signature is None:
            check.unsigned += 1
            return
        paths = differing_paths(pod, mutant)
        names = tuple(sorted({api_path(p) for p in paths}))
        differences = compare_plugin(plugin_evaluation(first), second, [n.name for n in cluster.nodes], reasons=False)
        check.audit(paths, changed_results=bool(differences), changed_signature=signature != _fragments(second))
        if signature != _fragments(second):
            return
        check.equal_pairs += 1
        for point in first.get("points", ()):
            check.points[point] += 1
        check.fields_varied.update(names)
        gap: GoGap | None = None
        if differences:
            d = differences[0]
            gap = GoGap("signature", names, d.aspect, d.node, d.model, d.upstream, clock() - started, check.examples)
        elif plan is not None:
            gap = _placement_gap(
                functools.partial(compare_placements, oracle, profile, plan.cluster),
                (pod, mutant),
                plan,
                check,
                names=names,
                seconds=clock() - started,
            )
        if gap is not None:
            check.gaps.append(gap)
            if not keep_going:
                stop[:] = ["gap"]
                raise _Stop

    with contextlib.suppress(_Stop):
        one()
    check.seconds = clock() - started
    return check


def _base_pods(pool: Discovered, strings: tuple[str, ...] = ()) -> st.SearchStrategy[Pod]:
    """The whole pod surface (with the source's literals), and as often pods upstream's signers sign."""
    signable = pods(affinity=False, spread=False, volumes_=False)
    return st.one_of(
        pods_with_keys(surface_pods(pods(), strings=strings), pool),
        pods_with_keys(surface_pods(signable, strings=strings), pool),
    )


@dataclass(frozen=True, slots=True)
class QueuePlan:
    """How to build a placement queue from a pair (drawn with the pair, used only if it signs equally).

    ``labels`` are set on a repeated pod: keys of the plugin's source, so a plugin that groups
    pods by a label sees a group.
    """

    count: int
    pattern: Pattern
    one_per_node: bool
    cluster: Cluster
    labels: FrozenDict[str, str]


def _plans(pool: Discovered) -> st.SearchStrategy[QueuePlan | None]:
    """Half the pairs also get a placement queue (the check's costly half), on a cluster with room.

    A queue needs several nodes that can take its pods, or no pod is ever placed from a hint; and
    a plugin that groups nodes by a label (a zone, a rack) needs that label on every node, with
    few values, so nodes share groups.
    """
    signable = pods(affinity=False, spread=False, volumes_=False)
    roomy = clusters_with_keys(clusters(min_nodes=3, max_nodes=6, max_existing_pods=2, existing_pods=signable), pool)
    keys = st.sampled_from(pool.pod_labels) if pool.pod_labels else st.nothing()
    labels = st.dictionaries(keys, st.just(VALUES[0]), max_size=len(pool.pod_labels)).map(FrozenDict)
    plan = st.builds(
        QueuePlan,
        st.integers(2, 5),
        st.sampled_from(("repeat", "alternate")),
        st.booleans(),
        _grouped(roomy, pool.node_labels).map(_roomier),
        labels,
    )
    return st.one_of(st.none(), plan)


@st.composite
def _grouped(draw: st.DrawFn, base: st.SearchStrategy[Cluster], keys: tuple[str, ...]) -> Cluster:
    """``base`` with some source-literal keys set on every node to one of two values."""
    cluster = draw(base)
    if not keys:
        return cluster
    chosen = draw(st.lists(st.sampled_from(keys), unique=True, max_size=2))
    nodes = []
    for node in cluster.nodes:
        values = {key: draw(st.sampled_from(VALUES[:2])) for key in chosen}
        nodes.append(replace(node, labels=FrozenDict({**node.labels, **values})))
    return replace(cluster, nodes=tuple(nodes))


def _roomier(cluster: Cluster) -> Cluster:
    """Every node schedulable, untainted, with room for several pods; labels and extended resources kept."""
    nodes = []
    for node in cluster.nodes:
        allocatable = FrozenDict({**node.allocatable, "cpu": 32_000, "memory": 128 * 1024**3, "pods": 110})
        nodes.append(replace(node, allocatable=allocatable, capacity=allocatable, taints=(), unschedulable=False))
    return replace(cluster, nodes=tuple(nodes))


def _placement_gap(
    place: Callable[[tuple[Pod, ...]], PlacementRun],
    pair: tuple[Pod, Pod],
    plan: QueuePlan,
    check: GoCheck,
    *,
    names: tuple[str, ...],
    seconds: float,
) -> GoGap | None:
    """Schedule a queue of the pair with batching off and on; a differing pod is a gap.

    A gap on a queue of the pair is re-run on the first pod alone repeated: if that differs too,
    the plugin depends on other pods (cross-pod), whatever the pair's fields.
    """
    count, pattern, one_per_node = plan.count, plan.pattern, plan.one_per_node
    pod, mutant = pair
    if pattern == "repeat":
        pod = replace(pod, labels=FrozenDict({**pod.labels, **plan.labels}))
    check.queues += 1
    run = place(queue_of(pod, mutant, count=count, pattern=pattern, one_per_node=one_per_node))
    check.placements += run.pods
    check.hinted += run.hinted
    if run.gap is None:
        return None
    kind: GapKind = "cross-pod"
    described = run.gap
    if pattern == "alternate":
        alone = place(queue_of(pod, pod, count=count, pattern="repeat", one_per_node=one_per_node))
        if alone.gap is None:
            kind = "placement"
        else:
            described = alone.gap
    fields = names if kind == "placement" else ()
    return GoGap(
        kind,
        fields,
        "placement",
        described.batched_node or "",
        described.full_node,
        described.batched_node,
        seconds,
        check.examples,
        described.describe(),
    )


def _pool_mutants(pod: Pod, pool: Discovered) -> st.SearchStrategy[Pod]:
    """The pod with one source-literal key of its labels or annotations set, changed or removed."""

    def change(choice: tuple[str, str, str | None]) -> Pod:
        place, key, value = choice
        current = dict(getattr(pod, place))
        if value is None:
            current.pop(key, None)
        else:
            current[key] = value
        if place == "labels":
            return replace(pod, labels=FrozenDict(current))
        return replace(pod, annotations=FrozenDict(current))

    values = st.one_of(st.none(), st.sampled_from(VALUES))
    return st.tuples(st.sampled_from(("annotations", "labels")), st.sampled_from(pool.pod_annotations), values).map(
        change
    )


def _named(mutant: Pod, original: Pod) -> Pod:
    """The mutant keeps a valid identity (a mutated name or namespace is not what is checked)."""
    return replace(mutant, name=original.name, namespace=original.namespace) if mutant.name != original.name else mutant


def _inconclusive(check: GoCheck) -> str:
    if check.equal_pairs == 0:
        return "inconclusive (no equal-signature pair)"
    return "inconclusive (no pod was placed from a hint: placement equivalence was never exercised)"


def render_go_check(check: GoCheck) -> str:
    """Lines for a person."""
    lines = [f"{check.plugin.name} (Go, {check.plugin.package}.{check.plugin.factory})"]
    lines.append(f"  source literals tried as keys: {', '.join(check.pool.pod_annotations) or '-'}")
    lines.append(
        f"  read-set audit from single-field mutations: reads {', '.join(sorted(check.read)) or 'nothing seen'}; "
        f"signs {', '.join(sorted(check.signed)) or 'nothing seen'}"
    )
    for name in check.read_never_signed:
        lines.append(f"    read but never signed: {name}")
    lines.append(
        f"  exercised: {check.examples} pairs, {check.equal_pairs} with equal signatures "
        f"({', '.join(f'{k} {v}' for k, v in sorted(check.points.items())) or 'no extension point'})"
    )
    if check.fields_varied:
        lines.append(f"  pod fields varied: {', '.join(n for n, _ in check.fields_varied.most_common(8))}")
    if check.never_batches:
        lines.append("  never batches: SignPod refused every pod, so no pod of this profile is ever batched")
    lines.append(
        f"  placements: {check.queues} queues, {check.placements} pods compared, {check.hinted} placed from a hint"
    )
    for gap in check.gaps:
        lines.append(f"  GAP ({gap.kind}) after {gap.seconds:.1f}s and {gap.examples} pairs: {gap.describe()}")
        lines.append(f"      fix: {gap.fix()}")
    verdict = "passed" if check.passed else "FAILED" if check.gaps else _inconclusive(check)
    lines.append(f"{verdict} in {check.seconds:.1f}s")
    return "\n".join(lines)
