"""The cluster snapshot and per-node aggregates."""

from batchproof.model.cluster.node_info import HostPort, NodeInfo, pod_host_ports
from batchproof.model.cluster.snapshot import Snapshot

__all__ = ["HostPort", "NodeInfo", "Snapshot", "pod_host_ports"]
