"""Turn CLI file arguments into pods, nodes, cluster objects, profiles and feature gates.

The loading itself lives in :mod:`batchproof.properties.inputs` (campaign replay uses it too);
this module adds what only the command line needs: warnings on stderr and ``--args`` JSON.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from batchproof.model.errors import ConfigError
from batchproof.properties import inputs
from batchproof.properties.inputs import NODE_KINDS, OBJECT_KINDS, POD_KINDS, choose_profile, load_nodes, load_pods
from batchproof.properties.world import Cluster

__all__ = [
    "NODE_KINDS",
    "OBJECT_KINDS",
    "POD_KINDS",
    "choose_profile",
    "load_cluster",
    "load_nodes",
    "load_pods",
    "parse_args_json",
]


def _warn(message: str) -> None:
    print(f"batchproof: warning: {message}", file=sys.stderr)


def load_cluster(
    nodes_path: str, existing_paths: Sequence[str], object_paths: Sequence[str], *, allow_no_nodes: bool = False
) -> Cluster:
    """:func:`batchproof.properties.inputs.load_cluster` with its warnings on stderr."""
    return inputs.load_cluster(nodes_path, existing_paths, object_paths, allow_no_nodes=allow_no_nodes, warn=_warn)


def parse_args_json(text: str | None) -> dict[str, Any] | None:
    """``--args`` JSON object."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(f"--args: invalid JSON: {error.msg} at column {error.colno}") from None
    if not isinstance(value, dict):
        raise ConfigError("--args: expected a JSON object")
    return value
