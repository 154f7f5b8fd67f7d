"""InterPodAffinity: required pod (anti-)affinity filtering and preferred/symmetric scoring.

pkg/scheduler/framework/plugins/interpodaffinity/ (plugin.go, filtering.go, scoring.go); the
implementation lives in :mod:`batchproof.model.plugins.interpodaffinity`.
"""

from __future__ import annotations

from batchproof.model.plugins.interpodaffinity.filtering import incoming_pod_affinity_counts
from batchproof.model.plugins.interpodaffinity.plugin import DEFAULT_ARGS, NAME, InterPodAffinity, new
from batchproof.model.plugins.registry import PluginInfo

__all__ = ["NAME", "PLUGIN", "InterPodAffinity", "incoming_pod_affinity_counts"]

PLUGIN = PluginInfo(NAME, new, DEFAULT_ARGS)
