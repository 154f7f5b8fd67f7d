"""ImageLocality beyond the fixtures: normalizedImageName table, arithmetic, image volumes, signing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.framework.evaluate import evaluate_plugin
from batchproof.model.framework.interfaces import PluginContext, SignerMode
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Container, ContainerImage, Node, Pod, Volume
from batchproof.model.plugins.helpers.signers import IMAGE_NAMES_SIGNER
from batchproof.model.plugins.image_locality import MB, calculate_priority, normalized_image_name
from batchproof.model.plugins.registry import DEFAULT_REGISTRY

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "k8s-plugin-cases" / "ImageLocality.json"
NORMALIZED = json.loads(FIXTURE.read_text())["normalizedImageName"]["table"]


def plugin(mode: SignerMode = "upstream") -> Any:
    return DEFAULT_REGISTRY.create("ImageLocality", None, PluginContext(signers=mode))


@pytest.mark.parametrize("row", NORMALIZED, ids=[r["name"] for r in NORMALIZED])
def test_normalized_image_name_matches_the_upstream_table(row: dict[str, str]) -> None:
    assert normalized_image_name(row["input"]) == row["output"]


def image_node(name: str, **images: int) -> Node:
    return Node(name, images=tuple(ContainerImage((image,), size * MB) for image, size in images.items()))


def image_pod(*images: str, volumes: tuple[str, ...] = (), init: tuple[str, ...] = ()) -> Pod:
    return Pod(
        name="p",
        containers=tuple(Container(name=f"c{i}", image=image) for i, image in enumerate(images)),
        init_containers=tuple(Container(name=f"i{i}", image=image) for i, image in enumerate(init)),
        volumes=tuple(Volume(f"v{i}", "image", FrozenDict({"reference": ref})) for i, ref in enumerate(volumes)),
    )


def test_score_weights_sizes_by_spread_and_clamps() -> None:
    snapshot = Snapshot(
        [image_node("a", **{"big:latest": 600}), image_node("b", **{"big:latest": 600}), image_node("c")]
    )
    result = evaluate_plugin(plugin(), image_pod("big"), snapshot)
    # 600 MiB * 2/3 = 400 MiB: 100 * (400 - 23) / (1000 - 23) = 38
    assert result.raw == {"a": 38, "b": 38, "c": 0}
    assert result.normalized == result.raw  # no NormalizeScore


def test_calculate_priority_clamps_both_ends_with_go_division() -> None:
    assert calculate_priority(0, 1) == 0
    assert calculate_priority(5000 * MB, 2) == 100
    assert calculate_priority(0, 0) == 0


def test_duplicate_images_count_twice_in_sum_and_threshold() -> None:
    snapshot = Snapshot([image_node("a", **{"x:latest": 700})])
    assert evaluate_plugin(plugin(), image_pod("x"), snapshot).raw == {"a": 69}
    assert evaluate_plugin(plugin(), image_pod("x", "x"), snapshot).raw == {"a": 69}
    assert evaluate_plugin(plugin(), image_pod("x", "y"), snapshot).raw == {"a": 34}


def test_image_volumes_count_like_containers() -> None:
    snapshot = Snapshot([image_node("a", **{"app:v1": 500, "model:latest": 900}), image_node("b", **{"app:v1": 500})])
    plain = evaluate_plugin(plugin(), image_pod("app:v1"), snapshot).raw
    with_volume = evaluate_plugin(plugin(), image_pod("app:v1", volumes=("model",)), snapshot).raw
    assert plain == {"a": 48, "b": 48}
    # a: 500 + 900 * 1/2 = 950 MiB, 100 * (950 - 23) / (2000 - 23) = 46; b: 100 * (500 - 23) / 1977 = 24
    assert with_volume == {"a": 46, "b": 24}


def _sign(pod: Pod, mode: SignerMode) -> Any:
    fragments, status = plugin(mode).sign_pod(pod)
    assert status.is_success
    assert [f.key for f in fragments] == [IMAGE_NAMES_SIGNER]
    return fragments[0].value


def test_signature_is_sorted_normalized_images_of_containers_and_init_containers() -> None:
    pod = image_pod("zeta", "alpha:1", init=("reg:5000/init",))
    assert _sign(pod, "upstream") == ["alpha:1", "reg:5000/init:latest", "zeta:latest"]
    assert _sign(pod, "strict") == _sign(pod, "upstream")
    assert _sign(image_pod("a", "b"), "upstream") == _sign(image_pod("b", init=("a:latest",)), "upstream")


def test_image_volumes_sign_alike_upstream_but_not_strict() -> None:
    """Upstream leaves image volumes to the volume plugins' fragment; ImageLocality alone needs them."""
    snapshot = Snapshot([image_node("a", **{"app:v1": 500, "model:latest": 900}), image_node("b", **{"app:v1": 500})])
    plain, with_volume = image_pod("app:v1"), image_pod("app:v1", volumes=("model",))
    assert evaluate_plugin(plugin(), plain, snapshot).raw != evaluate_plugin(plugin(), with_volume, snapshot).raw
    assert _sign(plain, "upstream") == _sign(with_volume, "upstream")
    assert _sign(plain, "strict") != _sign(with_volume, "strict")
