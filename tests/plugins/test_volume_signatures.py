"""Signature soundness of the volume plugins, checked exhaustively over a small pod space.

For every plugin: pods with equal *strict* fragments get equal PreFilter and Filter results on a
cluster built to expose the namespace and ephemeral-claim gaps, while equal *upstream*
fragments do not guarantee that.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Any

import pytest

from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.framework.evaluate import evaluate_plugin
from batchproof.model.framework.interfaces import PluginContext, SignerMode
from batchproof.model.frozen import FrozenDict
from batchproof.model.manifests.load import ClusterObjects
from batchproof.model.manifests.reader import freeze_json
from batchproof.model.objects import (
    Node,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    PersistentVolume,
    PersistentVolumeClaim,
    Pod,
    Volume,
)
from batchproof.model.plugins.helpers.signers import canonical_json
from batchproof.model.plugins.registry import DEFAULT_REGISTRY

PLUGINS = ("VolumeBinding", "VolumeRestrictions", "NodeVolumeLimits", "VolumeZone")
ZONE = "topology.kubernetes.io/zone"
HOSTNAME = "kubernetes.io/hostname"
LIMIT = "attachable-volumes-csi-d"


def affinity(key: str, value: str) -> tuple[NodeSelectorTerm, ...]:
    return (NodeSelectorTerm((NodeSelectorRequirement(key, "In", (value,)),)),)


def pv(name: str, zone: str, *, pinned: tuple[NodeSelectorTerm, ...] | None = None) -> PersistentVolume:
    return PersistentVolume(name, labels=FrozenDict({ZONE: zone}), node_affinity=pinned, csi_driver="d")


def claim(namespace: str, name: str, volume: str = "", *, rwop: bool = False, cls: str | None = None) -> Any:
    modes = ("ReadWriteOncePod",) if rwop else ("ReadWriteOnce",)
    return PersistentVolumeClaim(name, namespace, volume_name=volume, storage_class_name=cls, access_modes=modes)


def pvc(claim_name: str, name: str = "v") -> Volume:
    return Volume(name, "persistentVolumeClaim", freeze_json({"claimName": claim_name}))


def ephemeral(name: str) -> Volume:
    return Volume(name, "ephemeral", freeze_json({"volumeClaimTemplate": {"spec": {"storageClassName": "fast"}}}))


OBJECTS = ClusterObjects(
    claims=(
        claim("a", "data", "pv-a1"),
        claim("a", "logs", "pv-a2", rwop=True),
        claim("a", "lazy", cls="fast"),
        claim("b", "data", "pv-b1"),
        claim("b", "logs", cls=None),
        claim("b", "lazy", cls="fast", rwop=True),
        claim("a", "web-0-scratch", "pv-a3"),
        claim("a", "web-1-scratch", cls="fast"),
        claim("b", "web-0-tmp", "pv-b2"),
    ),
    volumes=(
        pv("pv-a1", "z1", pinned=affinity(ZONE, "z1")),
        pv("pv-a2", "z2"),
        pv("pv-a3", "z1", pinned=affinity(HOSTNAME, "n1")),
        pv("pv-b1", "z2", pinned=affinity(HOSTNAME, "n2")),
        pv("pv-b2", "z1"),
    ),
)
NODES = [
    Node("n1", labels=FrozenDict({ZONE: "z1", HOSTNAME: "n1"}), allocatable=FrozenDict({LIMIT: 1})),
    Node("n2", labels=FrozenDict({ZONE: "z2", HOSTNAME: "n2"}), allocatable=FrozenDict({LIMIT: 2})),
    Node("n3"),
]
EXISTING = [
    Pod(
        name="user",
        namespace="a",
        node_name="n1",
        volumes=(pvc("logs"), Volume("d", "gcePersistentDisk", freeze_json({"pdName": "disk1"}))),
    ),
    Pod(name="other", namespace="b", node_name="n2", volumes=(pvc("data"),)),
]
CANDIDATE_VOLUMES = (
    pvc("data"),
    pvc("logs"),
    pvc("lazy"),
    pvc("missing"),
    ephemeral("scratch"),
    ephemeral("tmp"),
    Volume("d", "gcePersistentDisk", freeze_json({"pdName": "disk1"})),
    Volume("d", "gcePersistentDisk", freeze_json({"pdName": "disk1", "readOnly": True})),
    Volume("e", "emptyDir"),
    Volume("c", "configMap", freeze_json({"name": "cfg"})),
)


def pods() -> list[Pod]:
    out = []
    for namespace, name in itertools.product(("a", "b"), ("web-0", "web-1")):
        for size in (0, 1, 2):
            for volumes in itertools.combinations(CANDIDATE_VOLUMES, size):
                named = tuple(
                    Volume(f"{v.name}{i}" if v.source_type != "ephemeral" else v.name, v.source_type, v.source)
                    for i, v in enumerate(volumes)
                )
                out.append(Pod(name=name, namespace=namespace, volumes=named))
    return out


def outcome(name: str, pod: Pod) -> str:
    result = evaluate_plugin(
        DEFAULT_REGISTRY.create(name, None, PluginContext()), pod, Snapshot(NODES, EXISTING, objects=OBJECTS)
    )
    pre = result.pre_filter
    nodes = None if result.pre_filter_result is None else result.pre_filter_result.node_names
    return canonical_json(
        {
            "pre": None if pre is None else [pre.code.value, list(pre.reasons)],
            "nodes": None if nodes is None else sorted(nodes),
            "filter": {node: [s.code.value, list(s.reasons)] for node, s in result.filter.items()},
        }
    )


def signature(name: str, mode: SignerMode, pod: Pod) -> str:
    fragments, status = DEFAULT_REGISTRY.create(name, None, PluginContext(signers=mode)).sign_pod(pod)
    assert status.is_success
    return canonical_json({f.key: f.value for f in fragments or ()})


def groups_with_different_outcomes(name: str, mode: SignerMode) -> list[set[str]]:
    groups: dict[str, set[str]] = defaultdict(set)
    for pod in pods():
        groups[signature(name, mode, pod)].add(outcome(name, pod))
    return [outcomes for outcomes in groups.values() if len(outcomes) > 1]


@pytest.mark.parametrize("name", PLUGINS)
def test_equal_strict_signatures_give_equal_pre_filter_and_filter_results(name: str) -> None:
    assert groups_with_different_outcomes(name, "strict") == []


@pytest.mark.parametrize("name", PLUGINS)
def test_equal_upstream_signatures_can_give_different_results(name: str) -> None:
    assert groups_with_different_outcomes(name, "upstream") != []
