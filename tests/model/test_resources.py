"""Pod requests and the Resource vector as a specification.

Upstream: k8s.io/component-helpers/resource/helpers.go (PodRequests, AggregateContainerRequests)
and pkg/scheduler/framework/types.go (Resource.Add, calculateResource, getNonMissingContainerRequests).
"""

from __future__ import annotations

import pytest

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Container, Pod
from batchproof.model.resources import (
    DEFAULT_MEMORY_REQUEST,
    DEFAULT_MILLI_CPU_REQUEST,
    NON_ZERO_DEFAULTS,
    Resource,
    pod_non_zero_resource,
    pod_requests,
    pod_resource,
)

MI = 1024 * 1024
GI = 1024 * MI


def box(requests: dict[str, int] | None = None, /, **native: int) -> Container:
    """A container requesting ``requests`` plus keyword cpu/memory amounts."""
    return Container(requests=FrozenDict({**(requests or {}), **native}))


def sidecar(**native: int) -> Container:
    """A restartable init container (KEP-753)."""
    return Container(requests=FrozenDict(native), restart_policy="Always")


def pod(
    *containers: Container,
    init: tuple[Container, ...] = (),
    overhead: dict[str, int] | None = None,
    pod_level: dict[str, int] | None = None,
) -> Pod:
    return Pod(
        name="p",
        containers=containers,
        init_containers=init,
        overhead=FrozenDict(overhead or {}),
        resources=Container(requests=FrozenDict(pod_level)) if pod_level is not None else None,
    )


# -- app containers, init containers and sidecars ------------------------------------------------------
def test_app_containers_are_summed_per_resource() -> None:
    assert pod_requests(pod(box(cpu=100, memory=MI), box({"example.com/gpu": 1}, cpu=250))) == {
        "cpu": 350,
        "memory": MI,
        "example.com/gpu": 1,
    }


def test_init_containers_count_as_a_maximum_not_a_sum() -> None:
    assert pod_requests(pod(box(cpu=100, memory=MI), init=(box(cpu=500), box(cpu=300, memory=4 * MI)))) == {
        "cpu": 500,
        "memory": 4 * MI,
    }


def test_sidecars_add_to_the_sum_and_to_every_later_init_containers_peak() -> None:
    # sum = 100 + 50 = 150; the init container's peak is 300 + the 50 of the sidecar started before it
    assert pod_requests(pod(box(cpu=100), init=(sidecar(cpu=50), box(cpu=300))))["cpu"] == 350


def test_a_sidecar_started_after_an_init_container_is_not_in_that_init_containers_peak() -> None:
    assert pod_requests(pod(box(cpu=100), init=(box(cpu=300), sidecar(cpu=50))))["cpu"] == 300


def test_sidecars_alone_add_up_even_without_app_containers() -> None:
    assert pod_requests(pod(init=(sidecar(cpu=50), sidecar(cpu=70), box(cpu=100))))["cpu"] == 220


def test_overhead_is_added_after_the_aggregate_unless_excluded() -> None:
    p = pod(box(cpu=100), init=(box(cpu=400),), overhead={"cpu": 10, "memory": MI})
    assert pod_requests(p) == {"cpu": 410, "memory": MI}
    assert pod_requests(p, exclude_overhead=True) == {"cpu": 400}


# -- pod-level resources -----------------------------------------------------------------------------------
def test_pod_level_requests_replace_cpu_memory_and_hugepages_only() -> None:
    p = pod(
        box({"ephemeral-storage": 5, "hugepages-2Mi": 2 * MI}, cpu=100, memory=MI),
        pod_level={"cpu": 2000, "hugepages-2Mi": 4 * MI},
        overhead={"cpu": 10},
    )
    assert pod_requests(p) == {"cpu": 2010, "memory": MI, "ephemeral-storage": 5, "hugepages-2Mi": 4 * MI}


def test_pod_level_requests_are_ignored_when_the_feature_is_off() -> None:
    p = pod(box(cpu=100), pod_level={"cpu": 2000})
    assert pod_requests(p, pod_level_resources=False) == {"cpu": 100}


def test_pod_level_requests_naming_only_unsupported_resources_are_not_set() -> None:
    p = pod(box({"ephemeral-storage": 5}, cpu=100), pod_level={"ephemeral-storage": 99})
    assert pod_requests(p) == {"cpu": 100, "ephemeral-storage": 5}


# -- non-missing defaults ---------------------------------------------------------------------------------
def test_non_missing_defaults_fill_each_container_that_omits_the_key() -> None:
    p = pod(box(cpu=300), box(memory=MI), box(), init=(box(),))
    assert pod_requests(p, non_missing=NON_ZERO_DEFAULTS) == {
        "cpu": 300 + 2 * DEFAULT_MILLI_CPU_REQUEST,
        "memory": MI + 2 * DEFAULT_MEMORY_REQUEST,
    }


def test_an_explicit_zero_request_is_not_replaced_by_a_default() -> None:
    assert pod_requests(pod(box(cpu=0, memory=0)), non_missing=NON_ZERO_DEFAULTS) == {"cpu": 0, "memory": 0}


def test_a_pod_without_containers_has_no_default_requests() -> None:
    assert pod_non_zero_resource(pod()) == Resource()


def test_non_zero_resource_keeps_only_cpu_and_memory() -> None:
    assert pod_non_zero_resource(pod(box({"example.com/gpu": 1}))) == Resource(
        milli_cpu=DEFAULT_MILLI_CPU_REQUEST, memory=DEFAULT_MEMORY_REQUEST
    )


def test_non_zero_defaults_fill_a_resource_missing_at_both_container_and_pod_level() -> None:
    assert pod_non_zero_resource(pod(box(), box(), pod_level={"cpu": 1000})) == Resource(
        milli_cpu=1000, memory=2 * DEFAULT_MEMORY_REQUEST
    )


@pytest.mark.parametrize(
    ("p", "milli_cpu"),
    [
        (pod(box(cpu=500), box(), pod_level={"memory": GI}), 500),
        (pod(box(), pod_level={"memory": GI}, overhead={"cpu": 50}), 50),
    ],
)
def test_with_pod_level_requests_defaults_apply_only_to_resources_the_pod_lacks_entirely(
    p: Pod, milli_cpu: int
) -> None:
    assert pod_non_zero_resource(p) == Resource(milli_cpu=milli_cpu, memory=GI)


# -- Resource ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("example.com/x", True),
        ("hugepages-2Mi", True),
        ("kubernetes.io/batteries", True),
        ("attachable-volumes-csi-x", True),
        ("foo", False),
        ("requests.example.com/x", False),
    ],
)
def test_from_list_keeps_only_scalar_resource_names(name: str, kept: bool) -> None:
    resource = Resource.from_list({name: 3})
    assert (dict(resource.scalar_resources) == {name: 3}) is kept
    assert resource.get(name) == (3 if kept else 0)


def test_from_list_maps_native_names_to_fields() -> None:
    resource = Resource.from_list({"cpu": 1500, "memory": GI, "ephemeral-storage": 7, "pods": 110})
    assert resource == Resource(1500, GI, 7, 110)
    assert [resource.get(n) for n in ("cpu", "memory", "ephemeral-storage", "pods", "absent.io/x")] == [
        1500,
        GI,
        7,
        110,
        0,
    ]


def test_plus_and_minus_are_element_wise() -> None:
    a = Resource(1, 2, 3, 4, FrozenDict({"x.io/a": 5}))
    b = Resource(10, 20, 30, 40, FrozenDict({"x.io/a": 1, "x.io/b": 2}))
    assert a.plus(b) == Resource(11, 22, 33, 44, FrozenDict({"x.io/a": 6, "x.io/b": 2}))
    assert a.plus(b).plus(b, -1).get("x.io/a") == 5


def test_to_json_uses_go_field_names_and_null_for_no_scalars() -> None:
    assert Resource(100, 200).to_json() == {
        "MilliCPU": 100,
        "Memory": 200,
        "EphemeralStorage": 0,
        "AllowedPodNumber": 0,
        "ScalarResources": None,
    }
    scalars = Resource(scalar_resources=FrozenDict({"z.io/b": 2, "a.io/a": 1})).to_json()["ScalarResources"]
    assert scalars == {"a.io/a": 1, "z.io/b": 2}
    assert isinstance(scalars, dict)
    assert list(scalars) == ["a.io/a", "z.io/b"]


def test_pod_resource_is_the_pod_requests_as_a_vector() -> None:
    p = pod(box({"foo": 9, "example.com/gpu": 1}, cpu=100, memory=MI), overhead={"cpu": 5})
    assert pod_resource(p) == Resource(105, MI, scalar_resources=FrozenDict({"example.com/gpu": 1}))
