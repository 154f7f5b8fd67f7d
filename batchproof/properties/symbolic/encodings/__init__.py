"""Symbolic models of the signable in-tree plugins, one module per plugin family.

:data:`MODELS` follows :data:`batchproof.properties.signatures.SIGNABLE_PLUGINS`: one model per
plugin and argument set checked there.
"""

from batchproof.properties.symbolic.encodings.images import ImageLocalityModel
from batchproof.properties.symbolic.encodings.node_affinity import NodeAffinityModel
from batchproof.properties.symbolic.encodings.pod_affinity import InterPodAffinityModel
from batchproof.properties.symbolic.encodings.ports import NodePortsModel
from batchproof.properties.symbolic.encodings.resources import BalancedModel, FitModel
from batchproof.properties.symbolic.encodings.simple import DynamicResourcesModel, NodeNameModel, PodTopologySpreadModel
from batchproof.properties.symbolic.encodings.taints import NodeUnschedulableModel, TaintTolerationModel
from batchproof.properties.symbolic.encodings.volume_plugins import (
    NodeVolumeLimitsModel,
    VolumeBindingModel,
    VolumeRestrictionsModel,
    VolumeZoneModel,
)
from batchproof.properties.symbolic.model import SymbolicModel

MODELS: tuple[SymbolicModel, ...] = (
    FitModel(),
    FitModel("MostAllocated"),
    BalancedModel(),
    NodePortsModel(),
    TaintTolerationModel(),
    NodeUnschedulableModel(),
    NodeAffinityModel(),
    NodeNameModel(),
    ImageLocalityModel(),
    InterPodAffinityModel(),
    InterPodAffinityModel(ignore_preferred=True),
    PodTopologySpreadModel(),
    VolumeRestrictionsModel(),
    VolumeZoneModel(),
    VolumeBindingModel(),
    NodeVolumeLimitsModel(),
    DynamicResourcesModel(),
)

__all__ = [
    "MODELS",
    "BalancedModel",
    "DynamicResourcesModel",
    "FitModel",
    "ImageLocalityModel",
    "InterPodAffinityModel",
    "NodeAffinityModel",
    "NodeNameModel",
    "NodePortsModel",
    "NodeUnschedulableModel",
    "NodeVolumeLimitsModel",
    "PodTopologySpreadModel",
    "TaintTolerationModel",
    "VolumeBindingModel",
    "VolumeRestrictionsModel",
    "VolumeZoneModel",
]
