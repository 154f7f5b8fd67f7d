"""PodTopologySpread: spread pods over topology domains (the registry's entry point).

pkg/scheduler/framework/plugins/podtopologyspread/; the implementation lives in the
``podtopologyspread`` subpackage.
"""

from __future__ import annotations

from batchproof.model.plugins.podtopologyspread.defaults import DEFAULT_ARGS, NAME
from batchproof.model.plugins.podtopologyspread.plugin import PodTopologySpread, new_plugin
from batchproof.model.plugins.registry import PluginInfo

PLUGIN = PluginInfo(NAME, new_plugin, DEFAULT_ARGS)

__all__ = ["NAME", "PLUGIN", "PodTopologySpread"]
