"""Model rules corrected to follow Kubernetes v1.37 after the comparison with upstream's decode
(tests/upstream/test_decode_fidelity.py); each here without the oracle."""

from __future__ import annotations

from pathlib import Path

import pytest

from batchproof.model.config import load_config
from batchproof.model.errors import ManifestError
from batchproof.model.frozen import FrozenDict
from batchproof.model.manifests import load_files
from batchproof.model.manifests.defaults import default_pod, default_pull_policy
from batchproof.model.objects import Container, Node, Pod, Taint, Volume
from batchproof.model.validation import validate_node, validate_pod


@pytest.mark.parametrize(
    ("image", "policy"),
    [
        ("nginx", "Always"),  # no tag: ParseImageName's default tag "latest"
        ("nginx:latest", "Always"),
        ("nginx:1.25", "IfNotPresent"),
        ("registry.example.com:5000/app", "Always"),  # a registry port is not a tag
        ("registry.example.com:5000/app:v1", "IfNotPresent"),
        ("app@sha256:" + "a" * 64, "IfNotPresent"),  # a digest without a tag
        ("app:latest@sha256:" + "a" * 64, "Always"),
    ],
)
def test_image_pull_policy_defaults_from_the_tag(image: str, policy: str) -> None:
    assert default_pull_policy(image) == policy
    pod = default_pod(Pod(name="p", containers=(Container(name="c", image=image),)))
    assert pod.containers[0].image_pull_policy == policy


def test_an_explicit_pull_policy_is_kept() -> None:
    pod = Pod(name="p", init_containers=(Container(name="i", image="nginx", image_pull_policy="Never"),))
    assert default_pod(pod).init_containers[0].image_pull_policy == "Never"


def test_volume_sources_get_their_defaults() -> None:
    volumes = (
        Volume("a", "configMap", FrozenDict({"name": "cfg"})),
        Volume("b", "secret", FrozenDict({"secretName": "s", "defaultMode": 256})),
        Volume("c", "hostPath", FrozenDict({"path": "/data"})),
        Volume("d", "emptyDir", FrozenDict()),
    )
    stored = default_pod(Pod(name="p", containers=(Container(name="c", image="x:1"),), volumes=volumes))
    assert [dict(v.source) for v in stored.volumes] == [
        {"name": "cfg", "defaultMode": 420},
        {"secretName": "s", "defaultMode": 256},
        {"path": "/data", "type": ""},
        {},
    ]


def test_container_restart_policies_follow_container_restart_rules() -> None:
    ok = Pod(
        name="p",
        containers=(Container(name="c", image="x:1", image_pull_policy="IfNotPresent", restart_policy="OnFailure"),),
        init_containers=(Container(name="i", image="x:1", image_pull_policy="IfNotPresent", restart_policy="Never"),),
    )
    assert validate_pod(ok) == ()
    bad = Pod(name="p", containers=(Container(name="c", image="x:1", restart_policy="Sometimes"),))
    (error,) = validate_pod(bad)
    assert error.path == "spec.containers[0].restartPolicy"
    assert error.body() == 'Unsupported value: "Sometimes": supported values: "Always", "Never", "OnFailure"'


def test_scheduler_name_is_not_validated() -> None:
    pod = Pod(name="p", scheduler_name="My Scheduler", containers=(Container(name="c", image="x:1"),))
    assert validate_pod(pod) == ()


def test_node_taint_errors_are_named_under_metadata_as_upstream() -> None:
    node = Node("n", taints=(Taint("k", "", "NoSchedule"), Taint("k", "", "NoSchedule")))
    assert [e.path for e in validate_node(node)] == ["metadata.taints[1]"]


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "doc.yaml"
    path.write_text(text)
    return str(path)


def test_priority_class_value_defaults_to_zero_and_is_bounded(tmp_path: Path) -> None:
    loaded = load_files(
        [_write(tmp_path, "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: gold}\n")]
    )
    assert loaded.priority_classes[0].value == 0
    too_high = "kind: PriorityClass\nmetadata: {name: gold}\nvalue: 1000000001\n"
    with pytest.raises(
        ManifestError, match="value: Forbidden: maximum allowed value of a user defined priority is 1000000000"
    ):
        load_files([_write(tmp_path, too_high)])
    system = "kind: PriorityClass\nmetadata: {name: system-cluster-critical}\nvalue: 2000000000\n"
    assert load_files([_write(tmp_path, system)]).priority_classes[0].value == 2_000_000_000
    with pytest.raises(ManifestError, match="value of system-cluster-critical PriorityClass must be 2000000000"):
        load_files([_write(tmp_path, system.replace("2000000000", "5"))])


def test_configs_take_negative_weights_and_refuse_duplicate_plugin_config(tmp_path: Path) -> None:
    head = "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n"
    (profile,) = load_config(
        _write(tmp_path, head + "- plugins: {multiPoint: {enabled: [{name: NodeAffinity, weight: -1}]}}\n")
    )
    assert profile.build().plugin_names()  # builds, the weight subtracts as upstream
    duplicate = head + "- pluginConfig: [{name: NodeAffinity, args: {}}, {name: NodeAffinity, args: {}}]\n"
    with pytest.raises(ManifestError, match=r'profiles\[0\]\.pluginConfig\[1\]: Duplicate value: "NodeAffinity"'):
        load_config(_write(tmp_path, duplicate))
