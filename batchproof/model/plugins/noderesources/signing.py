"""SignPod for NodeResourcesFit and NodeResourcesBalancedAllocation (fit.go, balanced_allocation.go).

Upstream both plugins sign one fragment, ``ResourcesSignerName``, holding the JSON of
computePodResourceRequest (the aggregate framework.Resource), and refuse every pod while the
DRAExtendedResource gate is on. Both must emit the identical value for that shared key.

Strict mode adds what the plugins read beyond that aggregate (spec §10.6.2):

* Fit scores cpu/memory with per-container non-zero defaults, so it signs
  ``NON_ZERO_REQUESTS_SIGNER`` = {"cpu", "memory"} as scoring sees them. {one container 200m} and
  {200m, one container without cpu} share the aggregate but score as 200m and 300m.
* Fit's PreFilter rejects pods with restartable init containers when SidecarContainers is off,
  and sidecars are folded into the aggregate, so it then signs ``RESTARTABLE_INIT_SIGNER``.
* BalancedAllocation's best-effort Skip looks at every configured resource by name, including
  names framework.Resource drops, so it signs ``REQUESTS_SIGNER``: every non-zero aggregate
  request by resource name.

Strict keys are emitted by one plugin each, so Fit and Balanced never disagree on a value.
"""

from __future__ import annotations

from typing import Any

from batchproof.model.framework.features import FeatureGates
from batchproof.model.framework.interfaces import SignerMode, SignFragment
from batchproof.model.framework.status import SUCCESS, Status, unschedulable
from batchproof.model.objects import Pod
from batchproof.model.plugins.helpers.signers import RESOURCES_SIGNER
from batchproof.model.plugins.noderesources.allocation import pod_resource_requests
from batchproof.model.plugins.noderesources.fit_filter import has_restartable_init_container, pod_resource_request
from batchproof.model.resources import CPU, MEMORY

NON_ZERO_REQUESTS_SIGNER = "v1.Pod.Spec.NonZeroRequests()"
RESTARTABLE_INIT_SIGNER = "v1.Pod.Spec.InitContainers.HasRestartable()"
REQUESTS_SIGNER = "v1.Pod.Spec.Requests()"
DRA_UNSIGNABLE = "signature disabled when dra extended resources are used in the cluster"
# DeviceClasses that map an extended resource to DRA (spec.extendedResourceName) are not
# modelled, so no requested resource is ever DRA-backed here; see dra_backed().
DRA_BACKED_RESOURCES: frozenset[str] = frozenset()

SignResult = tuple[tuple[SignFragment, ...] | None, Status]


def resources_fragment(pod: Pod, features: FeatureGates) -> SignFragment:
    """Build the shared ``ResourcesSignerName`` fragment: the aggregate request as Go's Resource JSON."""
    request = pod_resource_request(pod, pod_level_resources=features.pod_level_resources)
    return SignFragment(RESOURCES_SIGNER, request.to_json())


def non_zero_requests_value(pod: Pod, features: FeatureGates) -> dict[str, int]:
    """Return cpu and memory with per-container non-zero defaults, as Fit's scoring strategies read them."""
    requests = pod_resource_requests(pod, use_requested=False, pod_level_resources=features.pod_level_resources)
    return {CPU: requests.get(CPU, 0), MEMORY: requests.get(MEMORY, 0)}


def requests_value(pod: Pod, features: FeatureGates) -> dict[str, int]:
    """Every non-zero aggregate request by resource name (sorted), names Resource drops included."""
    requests = pod_resource_requests(pod, use_requested=True, pod_level_resources=features.pod_level_resources)
    return {name: amount for name, amount in sorted(requests.items()) if amount != 0}


def dra_backed(pod: Pod, features: FeatureGates) -> bool:
    """The pod requests a non-zero extended resource a DeviceClass delegates to DRA.

    v1.37 fit.go / balanced_allocation.go SignPod refuse only then (shouldDelegateResourceToDRA
    with no node); v1.35 refused every pod while the gate was on.
    """
    if not features.dra_extended_resource:
        return False
    requests = pod_resource_requests(pod, use_requested=True, pod_level_resources=features.pod_level_resources)
    return any(amount and name in DRA_BACKED_RESOURCES for name, amount in requests.items())


def sign_fit(pod: Pod, features: FeatureGates, mode: SignerMode) -> SignResult:
    """NodeResourcesFit.SignPod."""
    if dra_backed(pod, features):
        return None, unschedulable(DRA_UNSIGNABLE)
    fragments: list[SignFragment] = [resources_fragment(pod, features)]
    if mode == "strict":
        fragments.append(SignFragment(NON_ZERO_REQUESTS_SIGNER, non_zero_requests_value(pod, features)))
        if not features.sidecar_containers:
            fragments.append(SignFragment(RESTARTABLE_INIT_SIGNER, has_restartable_init_container(pod)))
    return tuple(fragments), SUCCESS


def sign_balanced(pod: Pod, features: FeatureGates, mode: SignerMode) -> SignResult:
    """NodeResourcesBalancedAllocation.SignPod."""
    if dra_backed(pod, features):
        return None, unschedulable(DRA_UNSIGNABLE)
    fragments: list[SignFragment] = [resources_fragment(pod, features)]
    if mode == "strict":
        value: Any = requests_value(pod, features)
        fragments.append(SignFragment(REQUESTS_SIGNER, value))
    return tuple(fragments), SUCCESS
