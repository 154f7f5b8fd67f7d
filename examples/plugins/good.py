"""GPUModel with a complete SignPod: ``batchproof check-plugin examples.plugins.good:PLUGIN`` passes."""

from batchproof.model.plugins.registry import PluginInfo
from examples.plugins.gpu_model import NAME, factory

PLUGIN = PluginInfo(NAME, factory(complete=True))
