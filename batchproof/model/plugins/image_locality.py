"""ImageLocality: prefer nodes that already hold the pod's images, weighted by how widespread they are.

pkg/scheduler/framework/plugins/imagelocality/image_locality.go. Each image of an init container,
app container or image volume found on the node adds ``int64(size * nodesWithImage / totalNodes)``;
the sum is clamped to [23 MiB, 1000 MiB x images] and scaled to 0..100. No NormalizeScore.

A node counts an image when one of its ``status.images`` entries names it; the size is the one the
live scheduler cache keeps (backend/cache/cache.go addNodeImageStates): the first entry naming the
image on the first node to report it, cluster-wide, as the upstream oracle shows (the snapshot the
upstream unit tests build, cache/snapshot.go getNodeImageStates, uses each node's own last entry
instead; no shared fixture case tells them apart). Image volumes (``volumes[].image.reference``)
count like containers in the sum and in the image count (v1.37 sumImageScores).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import MAX_NODE_SCORE, PluginContext, SignerMode, SignFragment
from batchproof.model.framework.status import SUCCESS, Status
from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Node, Pod
from batchproof.model.plugins.helpers.gomath import go_div
from batchproof.model.plugins.helpers.signers import IMAGE_NAMES_SIGNER
from batchproof.model.plugins.registry import PluginInfo

NAME = "ImageLocality"
MB = 1024 * 1024
MIN_THRESHOLD = 23 * MB
MAX_CONTAINER_THRESHOLD = 1000 * MB
IMAGE_VOLUME = "image"


def normalized_image_name(name: str) -> str:
    """normalizedImageName: add ":latest" unless the last ':' comes after the last '/' (a tag)."""
    return name + ":latest" if name.rfind(":") <= name.rfind("/") else name


def container_images(pod: Pod) -> tuple[str, ...]:
    """Normalised images of init containers then app containers (what upstream signs)."""
    return tuple(normalized_image_name(c.image) for c in (*pod.init_containers, *pod.containers))


def volume_images(pod: Pod) -> tuple[str, ...]:
    """Normalised references of image volumes."""
    refs = []
    for volume in pod.volumes:
        if volume.source_type == IMAGE_VOLUME and isinstance(volume.source, FrozenDict):
            reference = volume.source.get("reference")
            refs.append(normalized_image_name(reference if isinstance(reference, str) else ""))
    return tuple(refs)


def scored_images(pod: Pod) -> tuple[str, ...]:
    """Every image Score looks up: containers, init containers and image volumes."""
    return container_images(pod) + volume_images(pod)


def node_image_names(node: Node) -> frozenset[str]:
    """Every image name the node reports (the keys of its NodeInfo.ImageStates)."""
    return frozenset(name for image in node.images for name in image.names)


def scaled_image_score(size: int, num_nodes: int, total_nodes: int) -> int:
    """scaledImageScore: the size times the fraction of nodes holding the image (float64, truncated)."""
    spread = float(num_nodes) / float(total_nodes)
    return int(float(size) * spread)


def calculate_priority(sum_scores: int, num_images: int) -> int:
    """calculatePriority: clamp to [23 MiB, 1000 MiB x images], then scale to 0..100."""
    max_threshold = MAX_CONTAINER_THRESHOLD * num_images
    clamped = sum_scores
    if sum_scores < MIN_THRESHOLD:
        clamped = MIN_THRESHOLD
    elif sum_scores > max_threshold:
        clamped = max_threshold
    return go_div(MAX_NODE_SCORE * (clamped - MIN_THRESHOLD), max_threshold - MIN_THRESHOLD)


class ImageLocality:
    """Score by locally present images.

    Upstream signs the sorted *set* of normalised container and init container images
    (image_locality.go SignPod). Score also reads image volumes, and it counts an image listed
    twice twice (in the sum and in the image count), so strict signs the sorted list with
    duplicates and the image volumes (a profile may run ImageLocality without any volume plugin).
    """

    name = NAME

    def __init__(self, mode: SignerMode) -> None:
        self.mode: SignerMode = mode
        self._last: tuple[Pod, tuple[str, ...]] | None = None

    def _images(self, pod: Pod) -> tuple[str, ...]:
        # Score runs on every node for one pod after another: derive its images once per pod (a
        # Pod is immutable, so the same object has the same images).
        last = self._last
        if last is None or last[0] is not pod:
            last = self._last = (pod, scored_images(pod))
        return last[1]

    def score(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> tuple[int, Status]:
        """Sum the spread-weighted sizes of the pod's images on this node, clamped and scaled."""
        total = len(state.snapshot)
        present = node_image_names(node_info.node)
        images = self._images(pod)
        snapshot = state.snapshot
        total_score = sum(
            scaled_image_score(snapshot.image_size(image), snapshot.image_num_nodes(image), total)
            for image in images
            if image in present
        )
        return calculate_priority(total_score, len(images)), SUCCESS

    def sign_pod(self, pod: Pod) -> tuple[tuple[SignFragment, ...] | None, Status]:
        """ImageNamesSigner: the sorted set of normalised images.

        Strict: the sorted list with repeats, image volumes included.
        """
        if self.mode == "upstream":
            return (SignFragment(IMAGE_NAMES_SIGNER, sorted(set(container_images(pod)))),), SUCCESS
        return (SignFragment(IMAGE_NAMES_SIGNER, sorted(scored_images(pod))),), SUCCESS


def _factory(args: Mapping[str, Any], context: PluginContext) -> ImageLocality:
    return ImageLocality(context.signers)


PLUGIN = PluginInfo(NAME, _factory)
