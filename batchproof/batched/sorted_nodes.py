"""SortedScoredNodes: a max-heap of scored nodes (pkg/scheduler/framework/sorted_nodes.go).

Upstream orders by TotalScore then Randomizer (always 0 without extenders, so ties follow heap
layout); batchproof breaks ties by node name ascending, the shared ranking of model.scheduling.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable

from batchproof.model.framework.runtime import NodePluginScores


class SortedScoredNodes:
    """Pop the best node first: total score descending, then node name ascending."""

    __slots__ = ("_heap",)

    def __init__(self, nodes: Iterable[NodePluginScores] = ()) -> None:
        self._heap = [(-n.total_score, n.name, n) for n in nodes]
        heapq.heapify(self._heap)

    def __len__(self) -> int:
        return len(self._heap)

    def pop(self) -> NodePluginScores:
        """Remove and return the best entry."""
        return heapq.heappop(self._heap)[2]

    def unordered_list(self) -> list[NodePluginScores]:
        """A copy of the remaining entries in heap order."""
        return [entry[2] for entry in self._heap]

    def names(self) -> list[str]:
        """Remaining node names in heap order."""
        return [entry[1] for entry in self._heap]
