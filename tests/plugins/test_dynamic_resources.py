"""DynamicResources: pods with resource claims are unsignable and (allocation unmodelled) rejected."""

from __future__ import annotations

from typing import Any

import pytest

from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.errors import ConfigError
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.evaluate import evaluate_plugin
from batchproof.model.framework.interfaces import PluginContext, SignerMode
from batchproof.model.framework.status import Code
from batchproof.model.objects import Node, Pod, PodResourceClaim
from batchproof.model.plugins.dynamic_resources import ERR_NOT_MODELLED, ERR_NOT_SIGNABLE, parse_duration
from batchproof.model.plugins.registry import DEFAULT_REGISTRY

NAME = "DynamicResources"
WITH_CLAIMS = Pod(name="p", resource_claims=(PodResourceClaim("gpu", resource_claim_template_name="gpu-template"),))
WITHOUT_CLAIMS = Pod(name="p")


def plugin(mode: SignerMode = "upstream", args: dict[str, Any] | None = None) -> Any:
    return DEFAULT_REGISTRY.create(NAME, args, PluginContext(signers=mode))


@pytest.mark.parametrize("mode", ["upstream", "strict"])
def test_pods_with_resource_claims_are_unsignable(mode: SignerMode) -> None:
    fragments, status = plugin(mode).sign_pod(WITH_CLAIMS)
    assert fragments is None
    assert status.code is Code.UNSCHEDULABLE
    assert status.reasons == (ERR_NOT_SIGNABLE,)


@pytest.mark.parametrize("mode", ["upstream", "strict"])
def test_pods_without_resource_claims_sign_successfully_with_no_fragments(mode: SignerMode) -> None:
    fragments, status = plugin(mode).sign_pod(WITHOUT_CLAIMS)
    assert fragments is None
    assert status.is_success


def test_pre_filter_skips_pods_without_claims() -> None:
    result = evaluate_plugin(plugin(), WITHOUT_CLAIMS, Snapshot([Node("n")]))
    assert result.pre_filter is not None
    assert result.pre_filter.code is Code.SKIP
    assert result.filter == {}


def test_pods_with_claims_are_rejected_because_allocation_is_not_modelled() -> None:
    result = evaluate_plugin(plugin(), WITH_CLAIMS, Snapshot([Node("n")]))
    assert result.pre_filter is not None
    assert result.pre_filter.code is Code.UNSCHEDULABLE_AND_UNRESOLVABLE
    assert result.pre_filter.message.startswith(ERR_NOT_MODELLED)
    assert '"gpu"' in result.pre_filter.message


def test_filter_needs_pre_filter_state() -> None:
    snapshot = Snapshot([Node("n")])
    state = CycleState(snapshot)
    info = snapshot.node_infos()[0]
    assert plugin().filter(state, WITHOUT_CLAIMS, info).code is Code.ERROR
    plugin().pre_filter(state, WITHOUT_CLAIMS, [info])
    assert plugin().filter(state, WITHOUT_CLAIMS, info).code is Code.SUCCESS


def test_duration_args_are_validated() -> None:
    assert parse_duration("1m30s") == 90
    assert parse_duration("0") == 0
    assert plugin(args={"filterTimeout": "0s", "bindingTimeout": "10m"}).name == NAME
    with pytest.raises(ConfigError, match=r"DynamicResources: filterTimeout: .*must be zero or positive"):
        plugin(args={"filterTimeout": "-1s"})
    with pytest.raises(ConfigError, match=r"DynamicResources: bindingTimeout: .*at least 1 second"):
        plugin(args={"bindingTimeout": "500ms"})
    with pytest.raises(ConfigError, match=r"DynamicResources: filterTimeout: .*not a duration"):
        plugin(args={"filterTimeout": "ten seconds"})
