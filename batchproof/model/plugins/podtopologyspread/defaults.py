"""PodTopologySpreadArgs, the system default constraints and the default selector.

Args and validation: pkg/scheduler/framework/plugins/podtopologyspread/plugin.go (New,
systemDefaultConstraints), pkg/scheduler/apis/config/v1/defaults.go
(SetDefaults_PodTopologySpreadArgs) and pkg/scheduler/apis/config/validation/
validation_pluginargs.go (ValidatePodTopologySpreadArgs), with its field paths and messages.
Default constraints: common.go (buildDefaultConstraints) and
pkg/scheduler/framework/plugins/helper/spread.go (DefaultSelector).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from batchproof.model.errors import ConfigError, ManifestError
from batchproof.model.manifests.decode import spread_constraint
from batchproof.model.manifests.reader import Reader
from batchproof.model.objects import Pod, Selecting, TopologySpreadConstraint
from batchproof.model.plugins.helpers.labels import InvalidSelector, is_qualified_name, labels_match_map
from batchproof.model.plugins.podtopologyspread.common import (
    DO_NOT_SCHEDULE,
    LABEL_HOSTNAME,
    LABEL_TOPOLOGY_ZONE,
    SCHEDULE_ANYWAY,
    Gates,
    Selector,
    SpreadConstraint,
    filter_constraints,
)

NAME = "PodTopologySpread"
SYSTEM_DEFAULTING = "System"
LIST_DEFAULTING = "List"
DEFAULT_ARGS: dict[str, Any] = {"defaultingType": SYSTEM_DEFAULTING}

SYSTEM_DEFAULT_CONSTRAINTS: tuple[TopologySpreadConstraint, ...] = (
    TopologySpreadConstraint(max_skew=3, topology_key=LABEL_HOSTNAME, when_unsatisfiable=SCHEDULE_ANYWAY),
    TopologySpreadConstraint(max_skew=5, topology_key=LABEL_TOPOLOGY_ZONE, when_unsatisfiable=SCHEDULE_ANYWAY),
)
_ACTIONS = (DO_NOT_SCHEDULE, SCHEDULE_ANYWAY)


@dataclass(frozen=True, slots=True)
class SpreadArgs:
    """config.PodTopologySpreadArgs after v1 defaulting and validation."""

    defaulting_type: str = SYSTEM_DEFAULTING
    default_constraints: tuple[TopologySpreadConstraint, ...] = ()


def _quote(value: Any) -> str:
    return json.dumps(value) if isinstance(value, str) else repr(value)


def _plain(value: Any) -> Any:
    """Plain dicts and lists (args may arrive as frozen mappings and tuples)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _validate_constraint(raw: Any, path: str, errors: list[str]) -> TopologySpreadConstraint | None:
    """Decode one default constraint and check it as validation_pluginargs.go does."""
    if not isinstance(raw, dict):
        errors.append(f"{path}: expected an object, got {type(raw).__name__}")
        return None
    action = raw.get("whenUnsatisfiable")
    if not action:
        errors.append(f"{path}.whenUnsatisfiable: Required value: can not be empty")
    elif action not in _ACTIONS:
        supported = ", ".join(f'"{a}"' for a in _ACTIONS)
        errors.append(f"{path}.whenUnsatisfiable: Unsupported value: {_quote(action)}: supported values: {supported}")
    # decode with a valid action so that the other fields are still checked and reported
    body = {**raw, "whenUnsatisfiable": action if action in _ACTIONS else DO_NOT_SCHEDULE}
    try:
        constraint = spread_constraint(Reader(body, NAME, None, path))
    except ManifestError as problem:
        errors.append(f"{problem.path}: {problem.problem}")
        return None
    if constraint.max_skew <= 0:
        errors.append(f"{path}.maxSkew: Invalid value: {constraint.max_skew}: not in valid range (0, inf)")
    key = constraint.topology_key
    if not key:
        errors.append(f"{path}.topologyKey: Required value: can not be empty")
    elif not is_qualified_name(key):
        errors.append(f"{path}.topologyKey: Invalid value: {_quote(key)}: name part must be a valid qualified name")
    if raw.get("labelSelector") is not None:
        errors.append(
            f"{path}.labelSelector: Forbidden: constraint must not define a selector, as they deduced for each pod"
        )
    return constraint


def parse_args(args: Mapping[str, Any]) -> SpreadArgs:
    """Parse, default and validate PodTopologySpreadArgs (camelCase keys).

    A missing or empty ``defaultingType`` is System (the v1 default). Validation rejects an
    unknown defaultingType, System with non-empty defaultConstraints, and per constraint: maxSkew
    not above 0, an empty or invalid topologyKey, a missing or unknown whenUnsatisfiable, any
    labelSelector, and a repeated {topologyKey, whenUnsatisfiable} pair.

    Raises:
        ConfigError: the message names the plugin and every invalid field path.

    """
    errors: list[str] = []
    defaulting = args.get("defaultingType") or SYSTEM_DEFAULTING
    raw_constraints = _plain(args.get("defaultConstraints"))
    if raw_constraints is None:
        raw_constraints = []
    if not isinstance(raw_constraints, list):
        errors.append(f"defaultConstraints: expected a list, got {type(raw_constraints).__name__}")
        raw_constraints = []
    if defaulting not in (SYSTEM_DEFAULTING, LIST_DEFAULTING):
        errors.append(
            f'defaultingType: Unsupported value: {_quote(defaulting)}: supported values: "{SYSTEM_DEFAULTING}", '
            f'"{LIST_DEFAULTING}"'
        )
    elif defaulting == SYSTEM_DEFAULTING and raw_constraints:
        errors.append(f"defaultingType: Invalid value: {_quote(defaulting)}: when .defaultConstraints are not empty")
    constraints: list[TopologySpreadConstraint] = []
    seen: set[tuple[str, str]] = set()
    for i, raw in enumerate(raw_constraints):
        path = f"defaultConstraints[{i}]"
        constraint = _validate_constraint(raw, path, errors)
        if constraint is None:
            continue
        pair = (constraint.topology_key, str(raw.get("whenUnsatisfiable") or ""))
        if pair in seen:
            errors.append(f'{path}: Duplicate value: "{{{pair[0]}, {pair[1]}}}"')
        seen.add(pair)
        constraints.append(constraint)
    if errors:
        raise ConfigError(f"{NAME}: " + "; ".join(errors))
    return SpreadArgs(str(defaulting), tuple(constraints))


def _find(selecting: Iterable[Selecting], kind: str, namespace: str, name: str) -> Selecting | None:
    for item in selecting:
        if item.kind == kind and item.namespace == namespace and item.name == name:
            return item
    return None


def _group_version(api_version: str) -> tuple[str, str] | None:
    """schema.ParseGroupVersion: "v1" is the core group; more than one "/" is an error."""
    if not api_version:
        return ("", "")
    parts = api_version.split("/")
    if len(parts) == 1:
        return ("", parts[0])
    if len(parts) == 2:
        return (parts[0], parts[1])
    return None


_CONTROLLER_KINDS = {
    ("", "v1", "ReplicationController"),
    ("apps", "v1", "ReplicaSet"),
    ("apps", "v1", "StatefulSet"),
}


def default_selector(pod: Pod, selecting: Iterable[Selecting]) -> Selector:
    """helper.DefaultSelector: merged selectors of the Services, RC, RS and StatefulSet of a pod.

    Services of the pod's namespace whose (non-nil) selector matches the pod's labels contribute
    their selector maps. The pod's controller (the first ownerReference with ``controller``) adds
    the selector of the ReplicationController (merged as a map, not checked against the pod), or
    the requirements of the ReplicaSet/StatefulSet selector (skipped when nil or invalid), looked
    up by name in the pod's namespace.
    """
    objects = tuple(selecting)
    label_set: dict[str, str] = {}
    for item in objects:
        if item.kind != "Service" or item.namespace != pod.namespace or item.selector is None:
            continue
        if labels_match_map(item.selector.match_labels, pod.labels):
            label_set.update(item.selector.match_labels)
    selector = Selector.from_set(label_set)
    owner = next((ref for ref in pod.owner_references if ref.controller), None)
    if owner is None:
        return selector
    group_version = _group_version(owner.api_version)
    if group_version is None or (*group_version, owner.kind) not in _CONTROLLER_KINDS:
        return selector
    controller = _find(objects, owner.kind, pod.namespace, owner.name)
    if controller is None:
        return selector
    if owner.kind == "ReplicationController":
        if controller.selector is not None:
            label_set.update(controller.selector.match_labels)
        return Selector.from_set(label_set)
    try:
        other = Selector.from_label_selector(controller.selector)
    except InvalidSelector:
        return selector
    return selector if other.requirements is None else selector.add(other.requirements)


@dataclass(frozen=True, slots=True)
class SpreadConfig:
    """What the plugin instance knows: its default constraints, defaulting mode and gates."""

    default_constraints: tuple[TopologySpreadConstraint, ...] = ()
    system_defaulted: bool = False
    gates: Gates = field(default_factory=Gates)

    @classmethod
    def from_args(cls, args: SpreadArgs, gates: Gates) -> SpreadConfig:
        """plugin.go New: System defaulting replaces the list with the system defaults."""
        if args.defaulting_type == SYSTEM_DEFAULTING:
            return cls(SYSTEM_DEFAULT_CONSTRAINTS, True, gates)
        return cls(args.default_constraints, False, gates)

    def build_default_constraints(
        self, pod: Pod, action: str, selecting: Iterable[Selecting]
    ) -> tuple[SpreadConstraint, ...]:
        """buildDefaultConstraints: the defaults for ``action`` with the pod's default selector.

        No constraints when none has that action or the default selector is empty.
        """
        constraints = filter_constraints(self.default_constraints, pod.labels, action, self.gates)
        if not constraints:
            return ()
        selector = default_selector(pod, selecting)
        if selector.empty:
            return ()
        return tuple(c.with_selector(selector) for c in constraints)

    def constraints_for(self, pod: Pod, action: str, selecting: Iterable[Selecting]) -> tuple[SpreadConstraint, ...]:
        """Read constraints as getConstraints / initPreScoreState do: the pod's own constraints, else the defaults.

        Raises:
            InvalidSelector: a constraint's labelSelector is invalid; the message says which
                constraints (hard or soft) were being read, as upstream wraps it.

        """
        kind = "hard" if action == DO_NOT_SCHEDULE else "soft"
        if pod.topology_spread_constraints:
            try:
                return filter_constraints(pod.topology_spread_constraints, pod.labels, action, self.gates)
            except InvalidSelector as problem:
                raise InvalidSelector(f"obtaining pod's {kind} topology spread constraints: {problem}") from None
        try:
            return self.build_default_constraints(pod, action, selecting)
        except InvalidSelector as problem:
            raise InvalidSelector(f"setting default {kind} topology spread constraints: {problem}") from None
