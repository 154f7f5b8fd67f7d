"""The in-tree plugin registry: plugin names to factories and their v1 default arguments.

Each plugin module exposes ``PLUGIN = PluginInfo(...)``; modules are imported on first use so a
broken or missing plugin names itself instead of breaking every import.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from batchproof.model.errors import ConfigError, UnknownPluginError
from batchproof.model.framework.interfaces import PluginContext

PluginFactory = Callable[[Mapping[str, Any], PluginContext], Any]


@dataclass(frozen=True, slots=True)
class PluginInfo:
    """A plugin's name, its factory ``(args, context) -> plugin`` and its v1 default args."""

    name: str
    factory: PluginFactory
    default_args: Mapping[str, Any] = field(default_factory=dict)


IN_TREE_MODULES: dict[str, str] = {
    "NodeResourcesFit": "node_resources_fit",
    "NodeResourcesBalancedAllocation": "balanced_allocation",
    "NodePorts": "node_ports",
    "TaintToleration": "taint_toleration",
    "NodeUnschedulable": "node_unschedulable",
    "NodeAffinity": "node_affinity",
    "NodeName": "node_name",
    "ImageLocality": "image_locality",
    "InterPodAffinity": "inter_pod_affinity",
    "PodTopologySpread": "pod_topology_spread",
    "VolumeBinding": "volume_binding",
    "VolumeRestrictions": "volume_restrictions",
    "NodeVolumeLimits": "node_volume_limits",
    "VolumeZone": "volume_zone",
    "DynamicResources": "dynamic_resources",
    "NodeDeclaredFeatures": "node_declared_features",
}

# Plugins that only run at extension points batchproof does not model (queue sort, pre-enqueue,
# post-filter, bind): accepted in configurations and ignored, as they need no SignPod (spec §1.3).
NON_SCHEDULING_PLUGINS = frozenset(
    {"PrioritySort", "SchedulingGates", "DefaultPreemption", "DefaultBinder", "GangScheduling"}
)


class Registry:
    """Plugin names to PluginInfo; in-tree plugins plus any registered out-of-tree ones."""

    def __init__(self, extra: Mapping[str, PluginInfo] | None = None) -> None:
        self._extra: dict[str, PluginInfo] = dict(extra or {})
        self._loaded: dict[str, PluginInfo] = {}

    def names(self) -> list[str]:
        """Every known plugin name."""
        return sorted({*IN_TREE_MODULES, *self._extra})

    def register(self, info: PluginInfo) -> None:
        """Add an out-of-tree plugin."""
        self._extra[info.name] = info

    def is_in_tree(self, name: str) -> bool:
        """Whether ``name`` is an in-tree plugin that no out-of-tree registration replaces."""
        return name in IN_TREE_MODULES and name not in self._extra

    def info(self, name: str) -> PluginInfo:
        """The PluginInfo of ``name``.

        Raises:
            UnknownPluginError: ``name`` is not registered.

        """
        if name in self._extra:
            return self._extra[name]
        if name in self._loaded:
            return self._loaded[name]
        module_name = IN_TREE_MODULES.get(name)
        if module_name is None:
            raise UnknownPluginError(name, self.names())
        module = importlib.import_module(f"batchproof.model.plugins.{module_name}")
        info: PluginInfo = module.PLUGIN
        self._loaded[name] = info
        return info

    def create(self, name: str, args: Mapping[str, Any] | None, context: PluginContext) -> Any:
        """Build a plugin with ``args`` layered over its defaults.

        Raises:
            UnknownPluginError: ``name`` is not registered.
            ConfigError: the args are invalid.

        """
        info = self.info(name)
        merged = {**info.default_args, **(args or {})}
        try:
            return info.factory(merged, context)
        except ConfigError:
            raise
        except (TypeError, ValueError, KeyError) as error:
            raise ConfigError(f"plugin {name}: invalid args: {error}") from None


DEFAULT_REGISTRY = Registry()
