"""Scoring strategies: LeastAllocated, MostAllocated, RequestedToCapacityRatio and BalancedAllocation.

pkg/scheduler/framework/plugins/noderesources/least_allocated.go, most_allocated.go,
requested_to_capacity_ratio.go, balanced_allocation.go (balance-delta scoring) and
pkg/scheduler/framework/plugins/helper/shape_score.go (BuildBrokenLinearFunction).

Every scorer takes three parallel lists over the configured resources: ``requested`` (node
usage including the incoming pod), ``allocated`` (node usage without it) and ``allocatable``.
A resource with allocatable 0 is skipped together with its weight. Arithmetic is Go int64
(exact here: Python integers do not overflow, matching upstream's 128-bit scaledUtilization).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from batchproof.model.framework.interfaces import MAX_NODE_SCORE
from batchproof.model.plugins.helpers.gomath import go_div, go_round
from batchproof.model.plugins.noderesources.args import (
    MAX_CUSTOM_PRIORITY_SCORE,
    MAX_UTILIZATION,
    ResourceSpec,
    UtilizationShapePoint,
)

Scorer = Callable[[Sequence[int], Sequence[int], Sequence[int]], int]
ShapeFunction = Callable[[int], int]


def least_requested_score(requested: int, capacity: int) -> int:
    """(capacity - requested) * 100 / capacity; 0 when requested exceeds capacity."""
    if capacity == 0 or requested > capacity:
        return 0
    return go_div((capacity - requested) * MAX_NODE_SCORE, capacity)


def most_requested_score(requested: int, capacity: int) -> int:
    """Return requested * 100 / capacity, requested capped at capacity (non-zero defaults can exceed it)."""
    if capacity == 0:
        return 0
    return go_div(min(requested, capacity) * MAX_NODE_SCORE, capacity)


def _weighted(resources: Sequence[ResourceSpec], per_resource: Callable[[int, int], int]) -> Scorer:
    def score(requested: Sequence[int], allocated: Sequence[int], allocatable: Sequence[int]) -> int:
        node_score = weight_sum = 0
        for i, capacity in enumerate(allocatable):
            if capacity == 0:
                continue
            node_score += per_resource(requested[i], capacity) * resources[i].weight
            weight_sum += resources[i].weight
        return 0 if weight_sum == 0 else go_div(node_score, weight_sum)

    return score


def least_resource_scorer(resources: Sequence[ResourceSpec]) -> Scorer:
    """LeastAllocated: weighted mean of per-resource free fractions, truncated."""
    return _weighted(resources, least_requested_score)


def most_resource_scorer(resources: Sequence[ResourceSpec]) -> Scorer:
    """MostAllocated: weighted mean of per-resource used fractions, truncated."""
    return _weighted(resources, most_requested_score)


def broken_linear_function(shape: Sequence[UtilizationShapePoint]) -> ShapeFunction:
    """helper.BuildBrokenLinearFunction: piecewise-linear through ``shape``, flat outside it.

    Interpolation uses Go's truncating integer division.
    """
    points = tuple(shape)

    def evaluate(p: int) -> int:
        for i, point in enumerate(points):
            if p <= point.utilization:
                if i == 0:
                    return points[0].score
                prev = points[i - 1]
                return prev.score + go_div(
                    (point.score - prev.score) * (p - prev.utilization), point.utilization - prev.utilization
                )
        return points[-1].score

    return evaluate


def scaled_utilization(requested: int, capacity: int) -> int:
    """Return requested * 100 / capacity, with requested clamped to [0, capacity]."""
    if capacity <= 0 or requested <= 0:
        return 0
    if requested >= capacity:
        return MAX_UTILIZATION
    return requested * MAX_UTILIZATION // capacity


def requested_to_capacity_ratio_scorer(
    resources: Sequence[ResourceSpec], shape: Sequence[UtilizationShapePoint]
) -> Scorer:
    """RequestedToCapacityRatio: the shape (scores x10) applied to each resource's utilization.

    A resource scoring 0 is left out of both the sum and the weights; the mean is math.Round-ed.
    """
    scale = MAX_NODE_SCORE // MAX_CUSTOM_PRIORITY_SCORE
    raw = broken_linear_function([UtilizationShapePoint(p.utilization, p.score * scale) for p in shape])

    def resource_score(requested: int, capacity: int) -> int:
        if capacity == 0 or requested > capacity:
            return raw(MAX_UTILIZATION)
        return raw(scaled_utilization(requested, capacity))

    def score(requested: Sequence[int], allocated: Sequence[int], allocatable: Sequence[int]) -> int:
        node_score = weight_sum = 0
        for i, capacity in enumerate(allocatable):
            if capacity == 0:
                continue
            value = resource_score(requested[i], capacity)
            if value > 0:
                node_score += value * resources[i].weight
                weight_sum += resources[i].weight
        return 0 if weight_sum == 0 else go_round(node_score / weight_sum)

    return score


def balance(usage: Sequence[int], allocatable: Sequence[int]) -> int:
    """int64((1 - std) * 100) over the fractions usage/allocatable (each capped at 1).

    std is |f1 - f2| / 2 for two resources, the population standard deviation for more, and 0
    for fewer.
    """
    fractions = [min(usage[i] / capacity, 1.0) for i, capacity in enumerate(allocatable) if capacity != 0]
    std = 0.0
    if len(fractions) == 2:
        std = abs((fractions[0] - fractions[1]) / 2)
    elif len(fractions) > 2:
        mean = sum(fractions) / len(fractions)
        total = 0.0
        for fraction in fractions:
            total = total + (fraction - mean) * (fraction - mean)
        std = math.sqrt(total / len(fractions))
    return int((1 - std) * MAX_NODE_SCORE)


def balanced_resource_scorer(requested: Sequence[int], allocated: Sequence[int], allocatable: Sequence[int]) -> int:
    """BalancedAllocation: 50 + (50 + balance with the pod - balance without it) / 2, Go division."""
    half = MAX_NODE_SCORE // 2
    return half + go_div(half + balance(requested, allocatable) - balance(allocated, allocatable), 2)
