"""The cluster snapshot: node infos in a stable order, cluster objects and image spread counts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.errors import BatchproofError
from batchproof.model.manifests.load import ClusterObjects
from batchproof.model.objects import Namespace, Node, Pod


class Snapshot:
    """Nodes (in insertion order) with their pods, plus Namespaces, Services and controllers.

    Aggregates are maintained incrementally by :meth:`bind` and :meth:`remove_pod`; nothing is
    recomputed from scratch per cycle.
    """

    __slots__ = (
        "_affinity_nodes",
        "_anti_affinity_nodes",
        "_image_nodes",
        "_image_sizes",
        "_infos",
        "_node_list",
        "_pod_level_resources",
        "generation",
        "objects",
    )

    def __init__(
        self,
        nodes: Iterable[Node] = (),
        pods: Iterable[Pod] = (),
        *,
        objects: ClusterObjects | None = None,
        pod_level_resources: bool = True,
    ) -> None:
        self._infos: dict[str, NodeInfo] = {}
        self._node_list: tuple[NodeInfo, ...] = ()  # the node list, rebuilt only when nodes change
        self._image_nodes: dict[str, int] = {}
        # the size first reported for each image name while some node holds it (cache.imageStates)
        self._image_sizes: dict[str, int] = {}
        # node names holding pods with (anti-)affinity, kept in node insertion order on demand
        self._affinity_nodes: set[str] = set()
        self._anti_affinity_nodes: set[str] = set()
        self._pod_level_resources = pod_level_resources
        self.objects = objects or ClusterObjects()
        self.generation = 0
        for node in nodes:
            self.add_node(node)
        for pod in pods:
            if pod.node_name and pod.node_name in self._infos:
                self.bind(pod, pod.node_name)
        self.generation = 0

    # -- reads -----------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._infos)

    def __iter__(self) -> Iterator[NodeInfo]:
        return iter(self._infos.values())

    def __contains__(self, name: object) -> bool:
        return name in self._infos

    def node_infos(self) -> tuple[NodeInfo, ...]:
        """All node infos, in insertion order (kept up to date as nodes are added or removed)."""
        return self._node_list

    def get(self, name: str) -> NodeInfo | None:
        """The node info of ``name``, or None."""
        return self._infos.get(name)

    def image_num_nodes(self, image: str) -> int:
        """How many nodes report ``image`` among their status.images names."""
        return self._image_nodes.get(image, 0)

    def image_size(self, image: str) -> int:
        """The size the scheduler cache keeps for ``image`` (0 when no node holds it).

        That is the first size reported since some node began holding the image
        (backend/cache/cache.go addNodeImageStates).
        """
        return self._image_sizes.get(image, 0)

    def namespace(self, name: str) -> Namespace | None:
        """The Namespace object named ``name``, if the snapshot has one."""
        for namespace in self.objects.namespaces:
            if namespace.name == name:
                return namespace
        return None

    def pods(self) -> Iterator[Pod]:
        """Every bound pod, node by node."""
        for info in self._infos.values():
            yield from info.pods

    def have_pods_with_affinity(self) -> list[NodeInfo]:
        """Node infos holding at least one pod with pod (anti-)affinity (insertion order)."""
        return self._ordered(self._affinity_nodes)

    def have_pods_with_required_anti_affinity(self) -> list[NodeInfo]:
        """Node infos holding at least one pod with required anti-affinity (insertion order)."""
        return self._ordered(self._anti_affinity_nodes)

    def _ordered(self, names: set[str]) -> list[NodeInfo]:
        if not names:
            return []
        return [info for name, info in self._infos.items() if name in names]

    def _track_affinity(self, info: NodeInfo) -> None:
        for names, present in (
            (self._affinity_nodes, bool(info.pods_with_affinity)),
            (self._anti_affinity_nodes, bool(info.pods_with_required_anti_affinity)),
        ):
            if present:
                names.add(info.name)
            else:
                names.discard(info.name)

    # -- writes ----------------------------------------------------------------
    def add_node(self, node: Node) -> None:
        """Add a node (an error if the name is taken)."""
        if node.name in self._infos:
            raise BatchproofError(f"node {node.name!r} is defined twice")
        self._infos[node.name] = NodeInfo(node, pod_level_resources=self._pod_level_resources)
        self._node_list = tuple(self._infos.values())
        self._count_images(node, +1)
        self.generation += 1

    def update_node(self, node: Node) -> None:
        """Replace a node's object (labels, taints, capacity) keeping its pods."""
        info = self._infos[node.name]
        self._count_images(info.node, -1)
        info.node = node
        self._count_images(node, +1)
        self.generation += 1

    def remove_node(self, name: str) -> list[Pod]:
        """Remove a node; returns the pods that were bound to it."""
        info = self._infos.pop(name)
        self._node_list = tuple(self._infos.values())
        self._affinity_nodes.discard(name)
        self._anti_affinity_nodes.discard(name)
        self._count_images(info.node, -1)
        self.generation += 1
        return list(info.pods)

    def bind(self, pod: Pod, node_name: str) -> None:
        """Account ``pod`` on ``node_name`` (the caller sets pod.node_name)."""
        info = self._infos[node_name]
        info.add_pod(pod)
        self._track_affinity(info)
        self.generation += 1

    def remove_pod(self, pod: Pod) -> bool:
        """Remove a bound pod; False if it was not found."""
        info = self._infos.get(pod.node_name)
        removed = info is not None and info.remove_pod(pod)
        if removed and info is not None:
            self._track_affinity(info)
            self.generation += 1
        return removed

    def clone(self) -> Snapshot:
        """A deep copy whose later changes do not affect this one."""
        copy = Snapshot(objects=self.objects, pod_level_resources=self._pod_level_resources)
        copy._infos = {name: info.clone() for name, info in self._infos.items()}
        copy._node_list = tuple(copy._infos.values())
        copy._image_nodes = dict(self._image_nodes)
        copy._image_sizes = dict(self._image_sizes)
        copy._affinity_nodes = set(self._affinity_nodes)
        copy._anti_affinity_nodes = set(self._anti_affinity_nodes)
        copy.generation = self.generation
        return copy

    def _count_images(self, node: Node, delta: int) -> None:
        """Count the node in or out of each image it names, as add/removeNodeImageStates do.

        The first entry naming an image, on the first node to hold it, fixes the image's size.
        """
        seen: set[str] = set()
        for image in node.images:
            for name in image.names:
                if name not in seen:
                    seen.add(name)
                    left = self._image_nodes.get(name, 0) + delta
                    if left:
                        self._image_nodes[name] = left
                        self._image_sizes.setdefault(name, image.size_bytes)
                    else:
                        self._image_nodes.pop(name, None)
                        self._image_sizes.pop(name, None)
