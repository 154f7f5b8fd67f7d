"""Pools: objects drawn once from a strategy, then picked with two choices each.

Hypothesis spends some 30 to 60 µs per choice, and a node takes about 14 choices, a pod about 33,
so drawing a lockstep scenario's nodes, bound pods and templates afresh is most of a campaign
example's cost. A campaign therefore draws these from pools: a few hundred examples of the real
strategy, drawn once per campaign seed (another ``--seed`` gets other pools), and picked by
index. Within a pool the fields keep the strategy's own distribution (its bias towards the first
value of each field, which makes two objects collide on a field), and the objects combine freely
in every example. One pick in :data:`FRESH_ONE_IN` is a fresh draw of the strategy instead, so
every object the strategy can make stays reachable.
"""

from __future__ import annotations

from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

T = TypeVar("T")
POOL_SIZE = 256
FRESH_ONE_IN = 64
_DRAWN: dict[tuple[str, int, int], tuple[Any, ...]] = {}


def drawn_once(strategy: st.SearchStrategy[T], *, key: str, seed_value: int, size: int = POOL_SIZE) -> tuple[T, ...]:
    """Up to ``size`` distinct examples of ``strategy``, the same for the same key and seed in a process."""
    cached = (key, seed_value, size)
    if cached not in _DRAWN:
        out: list[T] = []

        # Hypothesis's own defaults, so the pool does not depend on the profile the process loaded.
        @settings(
            settings.get_profile("default"),
            max_examples=size,
            database=None,
            deadline=None,
            derandomize=False,
            phases=(Phase.generate,),
            suppress_health_check=list(HealthCheck),
        )
        @seed(seed_value)
        @given(strategy)
        def collect(example: T) -> None:
            out.append(example)

        collect()
        _DRAWN[cached] = tuple(dict.fromkeys(out))
    return _DRAWN[cached]


@st.composite
def _picked(draw: st.DrawFn, pool: tuple[T, ...], fresh: st.SearchStrategy[T]) -> T:
    if draw(st.integers(0, FRESH_ONE_IN - 1)) == FRESH_ONE_IN - 1:
        return draw(fresh)
    return pool[draw(st.integers(0, len(pool) - 1))]


def pooled(strategy: st.SearchStrategy[T], *, key: str, seed_value: int, size: int = POOL_SIZE) -> st.SearchStrategy[T]:
    """A pick from a pool of ``strategy``'s examples (two choices), or, one time in 64, a fresh draw."""
    return _picked(drawn_once(strategy, key=key, seed_value=seed_value, size=size), strategy)
