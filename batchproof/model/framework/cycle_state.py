"""CycleState: per-scheduling-cycle plugin scratch space, bound to the snapshot of that cycle."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from batchproof.model.cluster.snapshot import Snapshot


class CycleState:
    """Plugin-private data for one pod's cycle (framework.CycleState).

    Upstream plugins reach the cluster through the framework handle's snapshot lister; here the
    cycle state carries that snapshot, so a cycle always reads the snapshot it was started on.
    """

    __slots__ = ("_data", "skip_filter_plugins", "skip_score_plugins", "snapshot")

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._data: dict[str, Any] = {}
        self.skip_filter_plugins: set[str] = set()
        self.skip_score_plugins: set[str] = set()

    def read(self, key: str) -> Any:
        """The value a plugin wrote under ``key``, or None (upstream returns ErrNotFound)."""
        return self._data.get(key)

    def write(self, key: str, value: Any) -> None:
        """Store plugin data under ``key``."""
        self._data[key] = value

    def clone(self) -> CycleState:
        """CycleState.Clone: a copy whose writes do not reach this one (the data values are shared)."""
        copied = CycleState(self.snapshot)
        copied._data = dict(self._data)
        copied.skip_filter_plugins = set(self.skip_filter_plugins)
        copied.skip_score_plugins = set(self.skip_score_plugins)
        return copied
