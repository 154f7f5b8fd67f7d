"""``check-plugin --go``: an author's Go plugin checked as it is, through the oracle.

The plugin is built into the oracle (:mod:`batchproof.upstream.goplugin`) and evaluated on real
objects by upstream's framework. Equal-signature pod pairs — a generated pod and a field-level
mutant — must get equal Filter and Score results from it; a pair that does not is a signature
gap, reported with the pod fields that differ (as manifest paths), both results and the fragment
SignPod would need. The string literals of the plugin's source (the keys and values it compares
with) seed the pods' and nodes' labels, annotations and resources, so a plugin that reads
``gpu.example.com/model`` sees that key. The check stops at the first confirmed gap unless asked
to keep searching, and says what it exercised.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Pod
from batchproof.model.profiles import PluginSpec, Profile, batching_profile
from batchproof.properties.campaign.discovery import VALUES, Discovered, clusters_with_keys, pods_with_keys
from batchproof.properties.campaign.findings import api_path, differing_paths
from batchproof.properties.mutate import mutate
from batchproof.properties.strategies.clusters import clusters
from batchproof.properties.strategies.objects import pods
from batchproof.properties.upstream.as_model import plugin_evaluation
from batchproof.properties.upstream.compare import canonical, compare_plugin
from batchproof.properties.upstream.plugin_diff import plugin_answer
from batchproof.properties.upstream.seeded import seeded
from batchproof.properties.world import Cluster
from batchproof.upstream.client import Oracle
from batchproof.upstream.goplugin import GoPlugin

_RESOURCE = ("/",)


@dataclass(frozen=True, slots=True)
class GoGap:
    """One confirmed gap: two pods signed equally that the plugin answers differently."""

    fields: tuple[str, ...]
    aspect: str
    node: str
    first: Any
    second: Any
    seconds: float
    examples: int

    def to_json(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "fields": list(self.fields),
            "aspect": self.aspect,
            "node": self.node,
            "first": self.first,
            "second": self.second,
            "fix": self.fix(),
            "seconds": round(self.seconds, 2),
            "examples": self.examples,
        }

    def fix(self) -> str:
        """The fragment SignPod would need."""
        return f"SignPod must return a SignFragment whose value includes {' and '.join(self.fields)}"


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
    seconds: float = 0.0

    @property
    def never_batches(self) -> bool:
        """Every pod the check drew was refused a signature."""
        return self.examples > 0 and self.unsigned == self.examples

    @property
    def passed(self) -> bool:
        """No gap, something was compared, and the plugin does sign."""
        return not self.gaps and self.equal_pairs > 0

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
            "exercised": {
                "examples": self.examples,
                "equal_signature_pairs": self.equal_pairs,
                "pairs_per_extension_point": dict(self.points),
                "pod_fields_varied": dict(self.fields_varied.most_common(30)),
            },
            "gaps": [g.to_json() for g in self.gaps],
            "seconds": round(self.seconds, 2),
        }


def pool_of(plugin: GoPlugin) -> Discovered:
    """Label, annotation and resource keys to try: the literals of the plugin's source."""
    literals = plugin.literals()
    keys = tuple(x for x in literals if x != plugin.name and " " not in x)
    resources = tuple(x for x in keys if any(mark in x for mark in _RESOURCE) and x.count("/") == 1)
    return Discovered(keys, keys, keys, keys, resources)


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
    @given(clusters_with_keys(clusters(), pool), pods_with_keys(pods(), pool), st.data())
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
        if signature != _fragments(second):
            return
        check.equal_pairs += 1
        for point in first.get("points", ()):
            check.points[point] += 1
        paths = differing_paths(pod, mutant)
        names = tuple(sorted({api_path(p) for p in paths}))
        check.fields_varied.update(names)
        differences = compare_plugin(plugin_evaluation(first), second, [n.name for n in cluster.nodes], reasons=False)
        if differences:
            d = differences[0]
            check.gaps.append(GoGap(names, d.aspect, d.node, d.model, d.upstream, clock() - started, check.examples))
            if not keep_going:
                stop[:] = ["gap"]
                raise _Stop

    with contextlib.suppress(_Stop):
        one()
    check.seconds = clock() - started
    return check


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


def render_go_check(check: GoCheck) -> str:
    """Lines for a person."""
    lines = [f"{check.plugin.name} (Go, {check.plugin.package}.{check.plugin.factory})"]
    lines.append(f"  source literals tried as keys: {', '.join(check.pool.pod_annotations) or '-'}")
    lines.append(
        f"  exercised: {check.examples} pairs, {check.equal_pairs} with equal signatures "
        f"({', '.join(f'{k} {v}' for k, v in sorted(check.points.items())) or 'no extension point'})"
    )
    if check.fields_varied:
        lines.append(f"  pod fields varied: {', '.join(n for n, _ in check.fields_varied.most_common(8))}")
    if check.never_batches:
        lines.append("  never batches: SignPod refused every pod, so no pod of this profile is ever batched")
    for gap in check.gaps:
        lines.append(
            f"  GAP after {gap.seconds:.1f}s and {gap.examples} pairs: pods differing only in "
            f"{', '.join(gap.fields)} sign equally but get different {gap.aspect}"
            f"{' on ' + gap.node if gap.node else ''}: {json.dumps(gap.first)} vs {json.dumps(gap.second)}"
        )
        lines.append(f"      fix: {gap.fix()}")
    verdict = "passed" if check.passed else "FAILED" if check.gaps else "inconclusive (no equal-signature pair)"
    lines.append(f"{verdict} in {check.seconds:.1f}s")
    return "\n".join(lines)
