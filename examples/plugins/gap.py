"""GPUModel whose SignPod forgets the model annotation: ``check-plugin examples.plugins.gap:PLUGIN`` fails."""

from batchproof.model.plugins.registry import PluginInfo
from examples.plugins.gpu_model import NAME, factory

PLUGIN = PluginInfo(NAME, factory(complete=False))
