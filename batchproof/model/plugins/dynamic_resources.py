"""DynamicResources (DRA): SignPod refuses pods with resource claims; allocation is not modelled.

pkg/scheduler/framework/plugins/dynamicresources/dynamicresources.go.

* SignPod: Unschedulable ("pods with dra resource claims are not signable") when
  ``spec.resourceClaims`` is non-empty (issue #134986), else Success with no fragments (nil
  upstream). The same in both signer modes: for signable pods PreFilter and Filter read nothing
  but the emptiness of ``spec.resourceClaims``.
* PreFilter: Skip for pods without resource claims, as upstream (its claim store is empty).
* Pods with resource claims: batchproof has no ResourceClaim, ResourceSlice or DeviceClass
  objects, so claim lookup and structured allocation cannot be modelled. PreFilter rejects such
  pods with UnschedulableAndUnresolvable and a reason saying so, the safe choice: it is what
  upstream answers when a claim does not exist, and no simulated placement can rely on devices
  that were never allocated.
* Filter: Error without PreFilter state (as upstream), Success when the pod has no claims.
* Score (v1.37, weight 2 in the default profile): the prioritized-list score of the devices a
  claim was allocated on the node; a pod that gets this far has no claims, so 0 on every node
  (upstream: ``state.claims.empty()``), Error without PreFilter state. NormalizeScore is
  DefaultNormalizeScore(100, false), all zeros here.

Not modelled: PreEnqueue, PostFilter, Reserve/PreBind, and the
DRAExtendedResource path (extended resources backed by DRA devices), which needs DeviceClasses.

Args (DynamicResourcesArgs): ``filterTimeout`` must be a non-negative Go duration (default
``10s``) and ``bindingTimeout``, when set, at least ``1s``; the feature gates that make upstream
forbid these fields are not modelled, so both are accepted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.errors import ConfigError
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import PluginContext, PreFilterResult, SignFragment
from batchproof.model.framework.status import SUCCESS, Code, Status, skip, unresolvable
from batchproof.model.framework.status import error as error_status
from batchproof.model.objects import Pod
from batchproof.model.plugins.helpers.normalize import default_normalize_score
from batchproof.model.plugins.registry import PluginInfo

NAME = "DynamicResources"
STATE_KEY = NAME
ERR_NOT_SIGNABLE = "pods with dra resource claims are not signable"
ERR_NOT_MODELLED = (
    "dynamic resource allocation is not modelled by batchproof (no ResourceClaim, ResourceSlice or DeviceClass objects)"
)
DEFAULT_FILTER_TIMEOUT = "10s"

_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


@dataclass(frozen=True, slots=True)
class StateData:
    """PreFilter state of a pod without resource claims (pods with claims are rejected)."""


def parse_duration(text: str) -> float:
    """Parse a Go duration (time.ParseDuration) into seconds.

    Raises:
        ValueError: ``text`` is not a Go duration.

    """
    body = text.strip()
    sign = -1.0 if body.startswith("-") else 1.0
    body = body.lstrip("+-")
    if body == "0":
        return 0.0
    if not body:
        raise ValueError(f"invalid duration {text!r}")
    position, total = 0, 0.0
    while position < len(body):
        match = _DURATION_PART.match(body, position)
        if match is None:
            raise ValueError(f"invalid duration {text!r}")
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        position = match.end()
    return sign * total


class DynamicResources:
    """SignPod and PreFilter/Filter of the DRA plugin, with allocation not modelled."""

    name = NAME

    def pre_filter(
        self, state: CycleState, pod: Pod, nodes: Sequence[NodeInfo]
    ) -> tuple[PreFilterResult | None, Status]:
        """Skip without resource claims; reject pods with claims (allocation is not modelled)."""
        state.write(STATE_KEY, StateData())
        if not pod.resource_claims:
            return None, skip()
        names = ", ".join(f'"{claim.name}"' for claim in pod.resource_claims)
        return None, unresolvable(f"{ERR_NOT_MODELLED}; pod resource claims: {names}")

    def filter(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
        """Success when PreFilter found no claims; Error without PreFilter state."""
        data = state.read(STATE_KEY)
        if not isinstance(data, StateData):
            return error_status(f'reading "{STATE_KEY}" from cycle state: not found')
        return SUCCESS

    def score(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> tuple[int, Status]:
        """0: no claim was allocated (dynamicresources.go Score); Error without PreFilter state."""
        if not isinstance(state.read(STATE_KEY), StateData):
            return 0, error_status(f'reading "{STATE_KEY}" from cycle state: not found')
        return 0, SUCCESS

    def normalize_score(self, state: CycleState, pod: Pod, scores: MutableMapping[str, int]) -> Status:
        """DefaultNormalizeScore(100, reverse=False)."""
        default_normalize_score(scores, reverse=False)
        return SUCCESS

    def sign_pod(self, pod: Pod) -> tuple[tuple[SignFragment, ...] | None, Status]:
        """Unschedulable for pods with resource claims, else Success with no fragments."""
        if pod.resource_claims:
            return None, Status(Code.UNSCHEDULABLE, (ERR_NOT_SIGNABLE,))
        return None, SUCCESS


def _duration_arg(args: Mapping[str, Any], field: str) -> float | None:
    value = args.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{NAME}: {field}: expected a duration string such as '10s', got {value!r}")
    try:
        return parse_duration(value)
    except ValueError:
        raise ConfigError(f"{NAME}: {field}: Invalid value: {value!r}: not a duration") from None


def _factory(args: Mapping[str, Any], context: PluginContext) -> DynamicResources:
    """ValidateDynamicResourcesArgs (gates assumed on), then the plugin."""
    filter_timeout = _duration_arg(args, "filterTimeout")
    if filter_timeout is not None and filter_timeout < 0:
        raise ConfigError(f"{NAME}: filterTimeout: Invalid value: {args['filterTimeout']!r}: must be zero or positive")
    binding_timeout = _duration_arg(args, "bindingTimeout")
    if binding_timeout is not None and binding_timeout < 1:
        raise ConfigError(
            f"{NAME}: bindingTimeout: Invalid value: {args['bindingTimeout']!r}: must be at least 1 second"
        )
    return DynamicResources()


PLUGIN = PluginInfo(NAME, _factory, {"filterTimeout": DEFAULT_FILTER_TIMEOUT})
