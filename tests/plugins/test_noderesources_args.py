"""NodeResourcesFitArgs / NodeResourcesBalancedAllocationArgs: defaults, validation, field paths."""

from __future__ import annotations

from typing import Any

import pytest

from batchproof.model.errors import ConfigError
from batchproof.model.framework.interfaces import PluginContext
from batchproof.model.plugins.noderesources.args import (
    DEFAULT_RESOURCES,
    LEAST_ALLOCATED,
    ResourceSpec,
    UtilizationShapePoint,
    parse_balanced_args,
    parse_fit_args,
)
from batchproof.model.plugins.registry import DEFAULT_REGISTRY


def test_registry_defaults_are_least_allocated_over_cpu_and_memory() -> None:
    fit = DEFAULT_REGISTRY.create("NodeResourcesFit", None, PluginContext())
    assert fit.args.scoring_strategy.type == LEAST_ALLOCATED
    assert fit.args.scoring_strategy.resources == (ResourceSpec("cpu", 1), ResourceSpec("memory", 1))
    balanced = DEFAULT_REGISTRY.create("NodeResourcesBalancedAllocation", None, PluginContext())
    assert balanced.scorer.resources == DEFAULT_RESOURCES


def test_absent_resources_and_weights_take_v1_defaults() -> None:
    args = parse_fit_args({"scoringStrategy": {"type": "MostAllocated"}})
    assert args.scoring_strategy.resources == DEFAULT_RESOURCES
    args = parse_fit_args({"scoringStrategy": {"type": "MostAllocated", "resources": [{"name": "cpu"}]}})
    assert args.scoring_strategy.resources == (ResourceSpec("cpu", 1),)


def test_explicit_null_resources_stay_empty_as_in_the_internal_config() -> None:
    args = parse_fit_args({"scoringStrategy": {"type": "MostAllocated", "resources": None}})
    assert args.scoring_strategy.resources == ()


@pytest.mark.parametrize(("weight", "index"), [(-1, 0), (0, 0), (101, 0)])
def test_resource_weight_must_be_in_1_to_100(weight: int, index: int) -> None:
    raw = {"scoringStrategy": {"type": "LeastAllocated", "resources": [{"name": "memory", "weight": weight}]}}
    with pytest.raises(ConfigError, match=rf"^NodeResourcesFit: scoringStrategy\.resources\[{index}\]\.weight: "):
        parse_fit_args(raw)


def test_every_invalid_field_is_reported() -> None:
    raw: dict[str, Any] = {
        "ignoredResourceGroups": ["example.com/x"],
        "scoringStrategy": {"type": "Nope", "resources": [{"name": "cpu", "weight": 1}, {"name": "m", "weight": 0}]},
    }
    with pytest.raises(ConfigError) as caught:
        parse_fit_args(raw)
    message = str(caught.value)
    assert "ignoredResourceGroups[0]" in message
    assert "scoringStrategy.type" in message
    assert "scoringStrategy.resources[1].weight" in message


def test_requested_to_capacity_ratio_needs_a_valid_shape() -> None:
    ok = parse_fit_args(
        {
            "scoringStrategy": {
                "type": "RequestedToCapacityRatio",
                "requestedToCapacityRatio": {
                    "shape": [{"utilization": 0, "score": 0}, {"utilization": 100, "score": 10}]
                },
            }
        }
    )
    assert ok.scoring_strategy.shape == (UtilizationShapePoint(0, 0), UtilizationShapePoint(100, 10))
    with pytest.raises(ConfigError, match="requestedToCapacityRatio"):
        parse_fit_args({"scoringStrategy": {"type": "RequestedToCapacityRatio"}})
    unsorted = {"shape": [{"utilization": 50, "score": 1}, {"utilization": 50, "score": 2}]}
    with pytest.raises(ConfigError, match=r"scoringStrategy\.shape\[1\]\.utilization"):
        parse_fit_args({"scoringStrategy": {"type": "RequestedToCapacityRatio", "requestedToCapacityRatio": unsorted}})
    out_of_range = {"shape": [{"utilization": 0, "score": 11}]}
    with pytest.raises(ConfigError, match=r"scoringStrategy\.shape\[0\]\.score"):
        parse_fit_args(
            {"scoringStrategy": {"type": "RequestedToCapacityRatio", "requestedToCapacityRatio": out_of_range}}
        )


def test_ignored_resources_must_be_label_names() -> None:
    with pytest.raises(ConfigError, match=r"ignoredResources\[0\]"):
        parse_fit_args({"ignoredResources": ["not a name"]})
    args = parse_fit_args({"ignoredResources": ["example.com/foo"], "ignoredResourceGroups": ["example.com"]})
    assert args.ignored_resources == {"example.com/foo"}
    assert args.ignored_resource_groups == {"example.com"}


def test_balanced_allocation_weights_must_be_1_and_names_unique() -> None:
    with pytest.raises(ConfigError, match=r"NodeResourcesBalancedAllocation: resources\[0\]\.weight"):
        parse_balanced_args({"resources": [{"name": "cpu", "weight": 2}]})
    with pytest.raises(ConfigError, match=r"resources\[1\]\.name"):
        parse_balanced_args({"resources": [{"name": "cpu"}, {"name": "cpu"}]})
    assert parse_balanced_args({}) == DEFAULT_RESOURCES


def test_malformed_values_name_their_field() -> None:
    with pytest.raises(ConfigError, match=r"scoringStrategy\.resources\[0\]\.weight: must be an integer"):
        parse_fit_args({"scoringStrategy": {"type": "LeastAllocated", "resources": [{"name": "cpu", "weight": "1"}]}})
    with pytest.raises(ConfigError, match="scoringStrategy: must be an object"):
        parse_fit_args({"scoringStrategy": "LeastAllocated"})
