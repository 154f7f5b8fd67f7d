"""Plugin calls as the machine-independent cost: Filter, PreScore, Score and NormalizeScore counts.

Besides the calls, the nodes handed to PreScore are summed (PreScore runs once per cycle, but its
work grows with the node list, which is where option-1 saves).

Each plugin of a built framework is wrapped in a proxy that counts calls of its extension-point
methods and delegates everything else, so both schedulers run unchanged code.
"""

from __future__ import annotations

from collections import Counter
from types import MethodType
from typing import Any

from batchproof.model.framework.runtime import Framework, ScoredPlugin

POINTS = {"filter": "Filter", "pre_score": "PreScore", "score": "Score", "normalize_score": "NormalizeScore"}
PRE_SCORE_NODES = "PreScore nodes"  # the nodes PreScore calls were given (option-1 gives one)


class _Counted:
    """A plugin whose extension-point calls are counted into ``counts``."""

    def __init__(self, inner: Any, counts: Counter[str]) -> None:
        self._inner = inner
        self._counts = counts

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)  # AttributeError keeps implements() truthful
        point = POINTS.get(name)
        if point is None or not callable(attribute):
            if name == "name" or isinstance(attribute, MethodType):
                # Looked up per plugin per node (Filter loops read plugin.name): resolve it once. A
                # plugin's name and bound methods never change, so the cached value stays true.
                self.__dict__[name] = attribute
            return attribute
        if point == "PreScore":
            counted = _pre_score_counter(attribute, self._counts)
        else:
            counted = _counter(attribute, self._counts, point)
        self.__dict__[name] = counted
        return counted


# Every counted extension point takes (state, pod, one more argument), always positionally: a fixed
# arity calls through faster than *args/**kwargs, and these run per plugin per node per pod.
def _counter(method: Any, counts: Counter[str], point: str) -> Any:
    def counted(state: Any, pod: Any, argument: Any) -> Any:
        counts[point] += 1
        return method(state, pod, argument)

    return counted


def _pre_score_counter(method: Any, counts: Counter[str]) -> Any:
    def counted(state: Any, pod: Any, nodes: Any) -> Any:
        counts["PreScore"] += 1
        counts[PRE_SCORE_NODES] += len(nodes)  # PreScore runs once per cycle; its work grows with nodes
        return method(state, pod, nodes)

    return counted


def counting(framework: Framework, counts: Counter[str]) -> Framework:
    """The same profile with every plugin's Filter/PreScore/Score/NormalizeScore calls counted."""
    wrapped: dict[int, _Counted] = {}

    def wrap(plugin: Any) -> Any:
        return wrapped.setdefault(id(plugin), _Counted(plugin, counts))

    return Framework(
        scheduler_name=framework.scheduler_name,
        pre_filter=[wrap(p) for p in framework.pre_filter_plugins],
        filter=[wrap(p) for p in framework.filter_plugins],
        pre_score=[wrap(p) for p in framework.pre_score_plugins],
        score=[ScoredPlugin(wrap(s.plugin), s.weight) for s in framework.score_plugins],
        signatures_enabled=framework.signatures_enabled,
    )
