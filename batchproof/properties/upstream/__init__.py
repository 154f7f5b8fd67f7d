"""Differential checks of the model against the upstream oracle."""

from batchproof.properties.upstream.compare import Disagreement, compare_plugin, compare_signature
from batchproof.properties.upstream.plugin_diff import CaseResult, DiffReport, diff_case
from batchproof.properties.upstream.run import run_plugin_diff

__all__ = [
    "CaseResult",
    "DiffReport",
    "Disagreement",
    "compare_plugin",
    "compare_signature",
    "diff_case",
    "run_plugin_diff",
]
