"""Findings print pod sub-objects as manifest fields, never as Python reprs."""

from __future__ import annotations

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Container, ContainerPort, Toleration
from batchproof.properties.campaign.artifacts import plain


def test_a_whole_container_prints_as_its_manifest() -> None:
    container = Container(
        name="c0", image="nginx", ports=(ContainerPort(80, 80),), requests=FrozenDict({"cpu": 100, "memory": 2**20})
    )
    value = plain(container)
    assert value["resources"] == {"requests": {"cpu": "100m", "memory": "1Mi"}}
    assert value["ports"][0]["hostPort"] == 80
    assert "Container(" not in repr(value)


def test_a_list_of_tolerations_prints_as_manifest_entries() -> None:
    assert plain((Toleration(key="gpu", operator="Exists", effect="NoSchedule"),)) == [
        {"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}
    ]
