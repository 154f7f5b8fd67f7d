"""NodeResourcesFitArgs and NodeResourcesBalancedAllocationArgs: parsing, defaults, validation.

Validation follows pkg/scheduler/apis/config/validation/validation_pluginargs.go
(ValidateNodeResourcesFitArgs, validateResources, validateFunctionShape,
ValidateNodeResourcesBalancedAllocationArgs), including its field paths.

Defaulting follows the v1 API (pkg/scheduler/apis/config/v1/defaults.go) only for fields that are
*absent*: a missing ``scoringStrategy`` is LeastAllocated over cpu=1 and memory=1, a missing
``resources`` list is cpu=1 and memory=1, and a missing ``weight`` is 1. Values that are present
are taken as the internal config the Go unit tests pass, so an explicit ``resources: null`` stays
empty (Score then fails with "resources not found") and an explicit ``weight: 0`` is rejected.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from batchproof.model.errors import ConfigError
from batchproof.model.plugins.helpers.labels import is_qualified_name

LEAST_ALLOCATED = "LeastAllocated"
MOST_ALLOCATED = "MostAllocated"
REQUESTED_TO_CAPACITY_RATIO = "RequestedToCapacityRatio"
SUPPORTED_STRATEGIES = (LEAST_ALLOCATED, MOST_ALLOCATED, REQUESTED_TO_CAPACITY_RATIO)

# config.MaxCustomPriorityScore: RequestedToCapacityRatio shape scores are in 0..10.
MAX_CUSTOM_PRIORITY_SCORE = 10
MAX_UTILIZATION = 100
MAX_RESOURCE_WEIGHT = 100


@dataclass(frozen=True, slots=True)
class ResourceSpec:
    """config.ResourceSpec: a resource name and its scoring weight."""

    name: str
    weight: int = 1


@dataclass(frozen=True, slots=True)
class UtilizationShapePoint:
    """config.UtilizationShapePoint: utilization 0..100 mapped to a score 0..10."""

    utilization: int
    score: int


@dataclass(frozen=True, slots=True)
class ScoringStrategy:
    """config.ScoringStrategy: the strategy type, its resources and the RTCR shape."""

    type: str = LEAST_ALLOCATED
    resources: tuple[ResourceSpec, ...] = ()
    shape: tuple[UtilizationShapePoint, ...] | None = None


@dataclass(frozen=True, slots=True)
class FitArgs:
    """config.NodeResourcesFitArgs."""

    ignored_resources: frozenset[str] = frozenset()
    ignored_resource_groups: frozenset[str] = frozenset()
    scoring_strategy: ScoringStrategy = ScoringStrategy()


DEFAULT_RESOURCES: tuple[ResourceSpec, ...] = (ResourceSpec("cpu", 1), ResourceSpec("memory", 1))
DEFAULT_RESOURCES_JSON: list[dict[str, Any]] = [{"name": r.name, "weight": r.weight} for r in DEFAULT_RESOURCES]
DEFAULT_FIT_ARGS: dict[str, Any] = {"scoringStrategy": {"type": LEAST_ALLOCATED, "resources": DEFAULT_RESOURCES_JSON}}
DEFAULT_BALANCED_ARGS: dict[str, Any] = {"resources": DEFAULT_RESOURCES_JSON}


class _Errors:
    """Collects field errors and raises them together, like field.ErrorList.ToAggregate()."""

    def __init__(self, plugin: str) -> None:
        self.plugin = plugin
        self.items: list[str] = []

    def invalid(self, path: str, value: Any, detail: str) -> None:
        self.items.append(f"{path}: Invalid value: {value!r}: {detail}")

    def add(self, path: str, message: str) -> None:
        self.items.append(f"{path}: {message}")

    def raise_if_any(self) -> None:
        if self.items:
            raise ConfigError(f"{self.plugin}: " + "; ".join(self.items))


def _int(errors: _Errors, path: str, value: Any, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        errors.add(path, f"must be an integer, got {value!r}")
        return default
    return value


def _list(errors: _Errors, path: str, value: Any) -> Sequence[Any]:
    if value is None:
        return ()
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        errors.add(path, f"must be a list, got {value!r}")
        return ()
    return value


def _mapping(errors: _Errors, path: str, value: Any) -> Mapping[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        errors.add(path, f"must be an object, got {value!r}")
        return None
    return value


def _resources(errors: _Errors, path: str, raw: Mapping[str, Any]) -> tuple[ResourceSpec, ...]:
    if "resources" not in raw:
        return DEFAULT_RESOURCES
    specs: list[ResourceSpec] = []
    for i, item in enumerate(_list(errors, path, raw["resources"])):
        entry = _mapping(errors, f"{path}[{i}]", item) or {}
        name = entry.get("name", "")
        if not isinstance(name, str):
            errors.add(f"{path}[{i}].name", f"must be a string, got {name!r}")
            name = str(name)
        specs.append(ResourceSpec(name, _int(errors, f"{path}[{i}].weight", entry.get("weight"), 1)))
    return tuple(specs)


def _shape(errors: _Errors, path: str, raw: Any) -> tuple[UtilizationShapePoint, ...]:
    points: list[UtilizationShapePoint] = []
    for i, item in enumerate(_list(errors, path, raw)):
        entry = _mapping(errors, f"{path}[{i}]", item) or {}
        points.append(
            UtilizationShapePoint(
                _int(errors, f"{path}[{i}].utilization", entry.get("utilization"), 0),
                _int(errors, f"{path}[{i}].score", entry.get("score"), 0),
            )
        )
    return tuple(points)


def _validate_weights(errors: _Errors, path: str, resources: Sequence[ResourceSpec]) -> None:
    """validateResources: every weight in (0, 100]."""
    for i, spec in enumerate(resources):
        if spec.weight <= 0 or spec.weight > MAX_RESOURCE_WEIGHT:
            errors.invalid(
                f"{path}[{i}].weight", spec.weight, f"resource weight of {spec.name} not in valid range (0, 100]"
            )


def _validate_shape(errors: _Errors, path: str, shape: Sequence[UtilizationShapePoint]) -> None:
    """validateFunctionShape: non-empty, strictly increasing utilization, both values in range."""
    if not shape:
        errors.add(path, "Required value: at least one point must be specified")
        return
    for i in range(1, len(shape)):
        if shape[i - 1].utilization >= shape[i].utilization:
            errors.invalid(
                f"{path}[{i}].utilization", shape[i].utilization, "values must be sorted in increasing order"
            )
            break
    for i, point in enumerate(shape):
        if not 0 <= point.utilization <= MAX_UTILIZATION:
            errors.invalid(f"{path}[{i}].utilization", point.utilization, "not in valid range [0, 100]")
        if not 0 <= point.score <= MAX_CUSTOM_PRIORITY_SCORE:
            errors.invalid(f"{path}[{i}].score", point.score, "not in valid range [0, 10]")


def _strategy(errors: _Errors, raw: Mapping[str, Any] | None) -> ScoringStrategy:
    if raw is None:
        return ScoringStrategy(LEAST_ALLOCATED, DEFAULT_RESOURCES)
    kind = raw.get("type", "")
    if kind not in SUPPORTED_STRATEGIES:
        supported = ", ".join(f'"{s}"' for s in SUPPORTED_STRATEGIES)
        errors.add("scoringStrategy.type", f"Unsupported value: {kind!r}: supported values: {supported}")
    resources = _resources(errors, "scoringStrategy.resources", raw)
    _validate_weights(errors, "scoringStrategy.resources", resources)
    shape: tuple[UtilizationShapePoint, ...] | None = None
    ratio = _mapping(errors, "scoringStrategy.requestedToCapacityRatio", raw.get("requestedToCapacityRatio"))
    if ratio is not None:
        # Upstream reports shape errors under scoringStrategy.shape (validation_pluginargs.go).
        shape = _shape(errors, "scoringStrategy.shape", ratio.get("shape"))
        _validate_shape(errors, "scoringStrategy.shape", shape)
    elif kind == REQUESTED_TO_CAPACITY_RATIO:
        # Upstream dereferences a nil RequestedToCapacityRatio here; reject it instead.
        errors.add("scoringStrategy.requestedToCapacityRatio", "Required value: a shape is required")
    return ScoringStrategy(str(kind), resources, shape)


def parse_fit_args(args: Mapping[str, Any], plugin: str = "NodeResourcesFit") -> FitArgs:
    """Parse and validate NodeResourcesFitArgs (camelCase keys).

    Raises:
        ConfigError: a field is malformed or invalid; the message names the plugin and field path.

    """
    errors = _Errors(plugin)
    ignored: list[str] = []
    for i, name in enumerate(_list(errors, "ignoredResources", args.get("ignoredResources"))):
        if not isinstance(name, str) or not is_qualified_name(name):
            errors.invalid(f"ignoredResources[{i}]", name, "must be a valid label name")
        else:
            ignored.append(name)
    groups: list[str] = []
    for i, group in enumerate(_list(errors, "ignoredResourceGroups", args.get("ignoredResourceGroups"))):
        if not isinstance(group, str):
            errors.invalid(f"ignoredResourceGroups[{i}]", group, "must be a string")
            continue
        if "/" in group:
            errors.invalid(f"ignoredResourceGroups[{i}]", group, "resource group name can't contain '/'")
        elif not is_qualified_name(group):
            errors.invalid(f"ignoredResourceGroups[{i}]", group, "must be a valid label name")
        else:
            groups.append(group)
    strategy = _strategy(errors, _mapping(errors, "scoringStrategy", args.get("scoringStrategy")))
    errors.raise_if_any()
    return FitArgs(frozenset(ignored), frozenset(groups), strategy)


def parse_balanced_args(
    args: Mapping[str, Any], plugin: str = "NodeResourcesBalancedAllocation"
) -> tuple[ResourceSpec, ...]:
    """Parse and validate NodeResourcesBalancedAllocationArgs: unique names, every weight 1.

    Raises:
        ConfigError: a field is malformed or invalid; the message names the plugin and field path.

    """
    errors = _Errors(plugin)
    resources = _resources(errors, "resources", args)
    seen: set[str] = set()
    for i, spec in enumerate(resources):
        if spec.name in seen:
            errors.add(f"resources[{i}].name", f"Duplicate value: {spec.name!r}")
        seen.add(spec.name)
        if spec.weight != 1:
            errors.invalid(f"resources[{i}].weight", spec.weight, "must be 1")
    errors.raise_if_any()
    return resources
