"""SignPod of NodeResourcesFit and BalancedAllocation: upstream gaps (spec §10.6.2) and strict mode."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.framework.evaluate import evaluate_plugin
from batchproof.model.framework.features import FeatureGates
from batchproof.model.framework.interfaces import PluginContext, SignerMode
from batchproof.model.framework.status import Code
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Container, Node, Pod
from batchproof.model.plugins.helpers.signers import RESOURCES_SIGNER, canonical_json
from batchproof.model.plugins.noderesources.signing import (
    DRA_UNSIGNABLE,
    NON_ZERO_REQUESTS_SIGNER,
    REQUESTS_SIGNER,
    RESTARTABLE_INIT_SIGNER,
)
from batchproof.model.plugins.registry import DEFAULT_REGISTRY

MI = 1024 * 1024
FIT = "NodeResourcesFit"
BALANCED = "NodeResourcesBalancedAllocation"


def plugin(
    name: str, mode: SignerMode, args: dict[str, Any] | None = None, features: FeatureGates | None = None
) -> Any:
    return DEFAULT_REGISTRY.create(name, args, PluginContext(features=features or FeatureGates(), signers=mode))


def fragments(name: str, mode: SignerMode, pod: Pod, **kwargs: Any) -> dict[str, Any]:
    result, status = plugin(name, mode, **kwargs).sign_pod(pod)
    assert status.is_success
    assert result is not None
    return {f.key: f.value for f in result}


def requests(**values: int) -> FrozenDict[str, int]:
    return FrozenDict(values)


def test_fit_and_balanced_sign_the_same_aggregate_in_upstream_mode() -> None:
    pod = Pod(
        containers=(Container(requests=requests(cpu=500, memory=1000)), Container()),
        init_containers=(Container(requests=FrozenDict({"cpu": 900, "example.com/x": 2})),),
        overhead=requests(cpu=10),
    )
    fit, balanced = fragments(FIT, "upstream", pod), fragments(BALANCED, "upstream", pod)
    assert fit == balanced
    assert fit == {
        RESOURCES_SIGNER: {
            "MilliCPU": 910,
            "Memory": 1000,
            "EphemeralStorage": 0,
            "AllowedPodNumber": 0,
            "ScalarResources": {"example.com/x": 2},
        }
    }


def test_both_sign_with_dra_extended_resources_on_when_no_device_class_maps_a_request() -> None:
    # v1.37 fit.go SignPod: unsignable only when a DeviceClass delegates a requested resource to DRA.
    pod = Pod(containers=(Container(requests=FrozenDict({"cpu": 200, "example.com/x": 1})),))
    for name in (FIT, BALANCED):
        for mode in ("upstream", "strict"):
            result, status = plugin(name, mode, features=FeatureGates(dra_extended_resource=True)).sign_pod(pod)
            assert status.code is Code.SUCCESS and result, (name, mode)


def test_both_refuse_to_sign_a_dra_backed_request(monkeypatch: pytest.MonkeyPatch) -> None:
    from batchproof.model.plugins.noderesources import signing

    monkeypatch.setattr(signing, "DRA_BACKED_RESOURCES", frozenset({"example.com/x"}))
    pod = Pod(containers=(Container(requests=FrozenDict({"cpu": 200, "example.com/x": 1})),))
    for name in (FIT, BALANCED):
        result, status = plugin(name, "upstream", features=FeatureGates(dra_extended_resource=True)).sign_pod(pod)
        assert result is None
        assert (status.code, status.reasons) == (Code.UNSCHEDULABLE, (DRA_UNSIGNABLE,))


def test_strict_keys_shared_by_fit_and_balanced_carry_equal_values() -> None:
    pod = Pod(containers=(Container(requests=requests(cpu=200)), Container()))
    fit, balanced = fragments(FIT, "strict", pod), fragments(BALANCED, "strict", pod)
    for key in fit.keys() & balanced.keys():
        assert fit[key] == balanced[key]
    assert fit[RESOURCES_SIGNER] == fragments(FIT, "upstream", pod)[RESOURCES_SIGNER]


def _least_allocated_score(pod: Pod) -> int:
    snapshot = Snapshot([Node("n", allocatable=requests(cpu=1000, memory=1000 * MI, pods=10))])
    return evaluate_plugin(plugin(FIT, "upstream"), pod, snapshot).raw["n"]


def test_per_container_non_zero_defaults_are_an_upstream_gap_that_strict_closes() -> None:
    """Spec §10.6.2: {one container 200m} and {200m, a container without requests} sign alike
    upstream, yet LeastAllocated scores them as 200m and 300m of cpu."""
    one = Pod(containers=(Container(requests=requests(cpu=200)),))
    two = Pod(containers=(Container(requests=requests(cpu=200)), Container()))
    assert fragments(FIT, "upstream", one) == fragments(FIT, "upstream", two)
    assert _least_allocated_score(one) != _least_allocated_score(two)
    assert fragments(FIT, "strict", one) != fragments(FIT, "strict", two)
    assert fragments(FIT, "strict", one)[NON_ZERO_REQUESTS_SIGNER] == {"cpu": 200, "memory": 200 * MI}
    assert fragments(FIT, "strict", two)[NON_ZERO_REQUESTS_SIGNER] == {"cpu": 300, "memory": 400 * MI}


def test_sidecars_are_signed_when_pre_filter_rejects_them() -> None:
    """With SidecarContainers off, a sidecar pod fails PreFilter while a pod with the same
    aggregate passes; strict signs the difference."""
    off = FeatureGates(sidecar_containers=False)
    plain = Pod(containers=(Container(requests=requests(cpu=2, memory=2)),))
    sidecar = Container(requests=requests(cpu=1, memory=1), restart_policy="Always")
    with_sidecar = Pod(containers=(Container(requests=requests(cpu=1, memory=1)),), init_containers=(sidecar,))
    assert fragments(FIT, "upstream", plain, features=off) == fragments(FIT, "upstream", with_sidecar, features=off)
    snapshot = Snapshot([Node("n", allocatable=requests(cpu=10, memory=10, pods=10))])
    verdicts = [
        evaluate_plugin(plugin(FIT, "upstream", features=off), p, snapshot).pre_filter for p in (plain, with_sidecar)
    ]
    assert [v.code if v else None for v in verdicts] == [Code.SUCCESS, Code.UNSCHEDULABLE_AND_UNRESOLVABLE]
    strict_plain = fragments(FIT, "strict", plain, features=off)
    strict_sidecar = fragments(FIT, "strict", with_sidecar, features=off)
    assert (strict_plain[RESTARTABLE_INIT_SIGNER], strict_sidecar[RESTARTABLE_INIT_SIGNER]) == (False, True)
    assert RESTARTABLE_INIT_SIGNER not in fragments(FIT, "strict", plain)


def test_balanced_best_effort_skip_reads_requests_the_resource_vector_drops() -> None:
    args = {"resources": [{"name": "cpu"}, {"name": "memory"}, {"name": "foo"}]}
    nothing, foo = Pod(containers=(Container(),)), Pod(containers=(Container(requests=requests(foo=1)),))
    assert fragments(BALANCED, "upstream", nothing, args=args) == fragments(BALANCED, "upstream", foo, args=args)
    snapshot = Snapshot([Node("n", allocatable=requests(cpu=10, memory=10, pods=10))])
    codes = [evaluate_plugin(plugin(BALANCED, "upstream", args), p, snapshot).pre_score for p in (nothing, foo)]
    assert [c.code if c else None for c in codes] == [Code.SKIP, Code.SUCCESS]
    assert fragments(BALANCED, "strict", foo, args=args)[REQUESTS_SIGNER] == {"foo": 1}
    assert fragments(BALANCED, "strict", nothing, args=args)[REQUESTS_SIGNER] == {}


# -- property: equal strict fragments => equal Filter verdicts and raw scores ----------------------

_CPU = st.sampled_from([None, 0, 100, 200])
_MEM = st.sampled_from([None, 0, 100 * MI, 200 * MI])


@st.composite
def containers(draw: st.DrawFn, *, sidecar: bool = False) -> Container:
    values = {"cpu": draw(_CPU), "memory": draw(_MEM)}
    restart = "Always" if sidecar and draw(st.booleans()) else ""
    return Container(requests=FrozenDict({k: v for k, v in values.items() if v is not None}), restart_policy=restart)


@st.composite
def pods(draw: st.DrawFn) -> Pod:
    return Pod(
        name="incoming",
        containers=tuple(draw(st.lists(containers(), min_size=0, max_size=3))),
        init_containers=tuple(draw(st.lists(containers(sidecar=True), max_size=1))),
    )


@st.composite
def pod_families(draw: st.DrawFn) -> list[Pod]:
    """A pod plus variants with the same strict signature (reordered containers, a zero init container)."""
    base = draw(pods())
    zero_init = Container(requests=requests(cpu=0, memory=0))
    return [
        base,
        Pod(name="reordered", containers=base.containers[::-1], init_containers=base.init_containers),
        Pod(name="zero-init", containers=base.containers, init_containers=(*base.init_containers, zero_init)),
    ]


@st.composite
def clusters(draw: st.DrawFn) -> Snapshot:
    nodes = []
    bound = []
    for i in range(draw(st.integers(1, 3))):
        cpu = draw(st.sampled_from([0, 250, 500, 1000]))
        memory = draw(st.sampled_from([0, 300 * MI, 1000 * MI]))
        nodes.append(Node(f"n{i}", allocatable=requests(cpu=cpu, memory=memory, pods=draw(st.integers(1, 3)))))
        for j, existing in enumerate(draw(st.lists(pods(), max_size=2))):
            bound.append(Pod(name=f"e{i}-{j}", node_name=f"n{i}", containers=existing.containers))
    return Snapshot(nodes, bound)


STRATEGIES: list[dict[str, Any]] = [
    {"scoringStrategy": {"type": "LeastAllocated"}},
    {"scoringStrategy": {"type": "MostAllocated"}},
    {
        "scoringStrategy": {
            "type": "RequestedToCapacityRatio",
            "requestedToCapacityRatio": {"shape": [{"utilization": 0, "score": 0}, {"utilization": 100, "score": 10}]},
        }
    },
]


def _signature(pod: Pod, features: FeatureGates, mode: SignerMode) -> str:
    merged: dict[str, Any] = {}
    for name in (FIT, BALANCED):
        merged.update(fragments(name, mode, pod, features=features))
    return canonical_json(merged)


def _outcome(pod: Pod, snapshot: Snapshot, features: FeatureGates) -> Any:
    results: list[Any] = []
    for args in STRATEGIES:
        fit = evaluate_plugin(plugin(FIT, "strict", args, features), pod, snapshot)
        pre = fit.pre_filter.code if fit.pre_filter else None
        results.append((pre, {n: (s.code, s.reasons) for n, s in fit.filter.items()}, fit.raw))
    bal = evaluate_plugin(plugin(BALANCED, "strict", features=features), pod, snapshot)
    results.append((bal.pre_score.code if bal.pre_score else None, bal.raw))
    return results


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(pods().map(lambda p: [p]), pod_families()), min_size=2, max_size=10), clusters(), st.booleans()
)
def test_equal_strict_signatures_give_equal_filter_and_scores(
    candidates: list[list[Pod]], snapshot: Snapshot, sidecars: bool
) -> None:
    features = FeatureGates(sidecar_containers=sidecars)
    groups: dict[str, list[Pod]] = defaultdict(list)
    for candidate in (pod for family in candidates for pod in family):
        groups[_signature(candidate, features, "strict")].append(candidate)
    for group in groups.values():
        first = _outcome(group[0], snapshot, features)
        for other in group[1:]:
            assert _outcome(other, snapshot, features) == first, (group[0], other)
