"""The read-set audit: a traced pod logs what is read; fields read and never signed are named at once."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import strategies as st

from batchproof.model.framework.interfaces import SignFragment
from batchproof.model.framework.status import SUCCESS, Code, Status
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Container, Pod
from batchproof.model.plugins.registry import IN_TREE_MODULES
from batchproof.properties.audit.readset import audit_plugin, covered, describe, generalise, render_audit
from batchproof.properties.audit.trace import Tracer, original
from batchproof.properties.campaign.discovery import clusters_with_keys, discover, pods_with_keys
from batchproof.properties.campaign.evidence import Subject
from batchproof.properties.strategies.clusters import clusters
from batchproof.properties.strategies.objects import pods

POD = Pod(
    name="p",
    labels=FrozenDict({"app": "web"}),
    containers=(
        Container(name="a", image="nginx", requests=FrozenDict({"cpu": 100})),
        Container(name="b", image="redis"),
    ),
)


def _reads(tracer: Tracer) -> set[str]:
    return {describe(read) for read in tracer.reads}


def test_a_traced_pod_is_a_pod_equal_to_and_hashing_as_the_original() -> None:
    view = Tracer().view(POD)
    assert isinstance(view, Pod)
    assert view == POD and hash(view) == hash(POD)
    assert original(view) is POD
    assert dataclasses.replace(view, name="q") == dataclasses.replace(POD, name="q")


def test_each_kind_of_read_is_logged_with_its_path() -> None:
    tracer = Tracer()
    view = tracer.view(POD)
    assert view.labels.get("app") == "web"
    assert "team" not in view.labels
    assert [c.image for c in view.containers] == ["nginx", "redis"]
    assert view.containers[-1].requests.get("cpu") is None
    assert sorted(view.labels) == ["app"]
    assert _reads(tracer) == {
        'metadata.labels["app"]',
        'metadata.labels["team"]',
        "spec.containers[0].image",
        "spec.containers[1].image",
        'spec.containers[1].requests["cpu"]',
        "spec.containers (count)",
        "metadata.labels (keys)",
        "metadata.labels (count)",  # sorted() asks for a length hint
    }


def test_comparing_a_nested_value_whole_reads_all_of_it() -> None:
    tracer = Tracer()
    view = tracer.view(POD)
    assert view.containers[0] == POD.containers[0]
    assert view.labels.items()
    assert _reads(tracer) == {"spec.containers[0]", "metadata.labels"}


def test_a_whole_value_signed_covers_every_read_below_it_and_keys_cover_counts() -> None:
    path = generalise((("attr", "containers"), ("index", 1), ("attr", "image")))
    assert covered((path, "value"), {((("attr", "containers"),), "value")})
    assert not covered((path, "value"), {((("attr", "containers"),), "len")})
    labels = (("attr", "labels"),)
    assert covered((labels, "len"), {(labels, "keys")})
    assert not covered((labels, "value"), {(labels, "keys")})
    assert not covered(((*labels, ("key", "app")), "value"), {(labels, "keys")})


def _audit(plugin: Any, examples: int = 80) -> Any:
    found = discover(plugin)
    cases = st.tuples(clusters_with_keys(clusters(max_nodes=3), found), pods_with_keys(pods(), found))
    return audit_plugin(plugin, cases, examples=examples, seed_value=0)


def test_the_example_gap_is_named_before_any_counterexample() -> None:
    audit = _audit(Subject("GPUModel", {}, "", "examples.plugins.gap:PLUGIN").build("strict"))
    assert [describe(r) for r in audit.unsigned] == ['metadata.annotations["gpu.example.com/model"]']
    assert audit.points_reading(audit.unsigned[0]) == ["filter", "score"]
    assert 'read but never signed: metadata.annotations["gpu.example.com/model"]' in "\n".join(render_audit(audit))


def test_the_complete_example_reads_nothing_it_does_not_sign() -> None:
    audit = _audit(Subject("GPUModel", {}, "", "examples.plugins.good:PLUGIN").build("strict"))
    assert audit.examples > 0 and audit.read
    assert audit.unsigned == []


SIGNING = sorted(IN_TREE_MODULES)


@pytest.mark.parametrize("name", SIGNING)
def test_a_strict_signer_reads_every_pod_field_its_plugin_reads(name: str) -> None:
    """``strict`` means "everything read": the audit finds nothing unsigned, on pods it signs."""
    audit = _audit(Subject(name, {}, "", None).build("strict"), examples=60)
    assert audit.examples > 0
    assert audit.unsigned == [], [describe(r) for r in audit.unsigned]


class _Raises:
    name = "Raises"

    def filter(self, state: Any, pod: Pod, node_info: Any) -> Status:
        raise RuntimeError("boom")

    def sign_pod(self, pod: Pod) -> tuple[tuple[SignFragment, ...] | None, Status]:
        return (), SUCCESS


class _Refuses:
    name = "Refuses"

    def filter(self, state: Any, pod: Pod, node_info: Any) -> Status:
        return SUCCESS if pod.labels.get("x") else Status(Code.UNSCHEDULABLE, ("no x",))

    def sign_pod(self, pod: Pod) -> tuple[tuple[SignFragment, ...] | None, Status]:
        return None, Status(Code.UNSCHEDULABLE, ("refused",))


def test_a_plugin_that_raises_is_named_with_pod_and_node_and_the_audit_goes_on() -> None:
    audit = _audit(_Raises(), examples=20)
    assert audit.examples == 20
    assert audit.raised
    line = audit.raised[0].describe("Raises")
    assert line.startswith("Raises raised in filter for pod ") and " on node " in line and "boom" in line


def test_a_plugin_that_refuses_every_pod_is_reported_as_never_batching() -> None:
    audit = _audit(_Refuses(), examples=20)
    assert audit.refused == audit.examples == 20
    assert audit.unsigned == []  # what it reads of pods it refuses cannot break batching
    assert "never batches" in "\n".join(render_audit(audit))
