"""helper.DefaultNormalizeScore (pkg/scheduler/framework/plugins/helper/normalize_score.go)."""

from __future__ import annotations

from collections.abc import MutableMapping

from batchproof.model.framework.interfaces import MAX_NODE_SCORE
from batchproof.model.plugins.helpers.gomath import go_div


def default_normalize_score(
    scores: MutableMapping[str, int], *, reverse: bool, max_priority: int = MAX_NODE_SCORE
) -> None:
    """Scale scores to [0, max_priority] by the maximum (integer division), optionally reversed."""
    highest = max(0, *scores.values()) if scores else 0  # upstream starts the maximum at 0
    if highest == 0:
        if reverse:
            for name in scores:
                scores[name] = max_priority
        return
    for name, value in scores.items():
        scaled = go_div(max_priority * value, highest)
        scores[name] = max_priority - scaled if reverse else scaled
