"""Quality: the signature-consistency property catches a signer that drops any single field.

For every signable plugin, the fields are read off the plugin's own strict signer
(``signer_fields`` over a corpus of generated pods), and one broken signer is made per field
(``DroppingSigner``). The property as the suite runs it (``_check_all``: the same pairs, the
same derandomised examples, the same count) must find an equal-signature pair with different
results for every one of them.

Slow (minutes of CPU): ``pytest tests/quality/test_dropped_signer_fields_are_caught.py -m slow``.

Fields the signer signs but the plugin never reads are listed in ``NOT_READ`` with the reason:
dropping them is an equivalent mutant, not a gap.
"""

from __future__ import annotations

import functools
import time

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from batchproof.model.objects import Pod
from batchproof.properties.signatures import SIGNABLE_PLUGINS, PluginUnderTest
from batchproof.properties.signer_fields import DroppingSigner, FieldPath, describe_field, signer_fields
from tests.properties.test_signature_consistency import SIGNABLE_PODS, STRICT_EXAMPLES, _check_all

# The shared VolumesSigner signs every non-synthetic volume source; each volume plugin reads only
# its own kinds (upstream signers.go shares one signer across the four volume plugins).
_EMPTY_DIR = "v1.Pod.Spec.Volumes.NonSyntheticSources()[]{json}.emptyDir"
NOT_READ: dict[str, dict[str, str]] = {
    "VolumeRestrictions": {_EMPTY_DIR: "only disk sources can conflict"},
    "VolumeZone": {_EMPTY_DIR: "only PVC-backed volumes have zones"},
    "VolumeBinding": {_EMPTY_DIR: "only PVCs are bound"},
    "NodeVolumeLimits": {_EMPTY_DIR: "only attachable volumes count"},
}


# Dropped fields the ci-budget property did not catch in a run of this test against the working
# tree of 2026-12-01 11:00 UTC (see the issue 16 closing note). The test fails when anything *else* survives, so the list can only
# shrink; strengthen the pairs (batchproof/properties/focused.py) and remove entries as they go.
KNOWN_MISSES: dict[str, set[str]] = {
    "InterPodAffinity": {
        "v1.Pod.Labels.disk",
        "v1.Pod.Labels.team",
        "v1.Pod.Labels.zone",
        "v1.Pod.Namespace",
    },
    "InterPodAffinity/IgnorePreferred": {
        "v1.Pod.Labels.disk",
        "v1.Pod.Labels.team",
        "v1.Pod.Labels.zone",
        "v1.Pod.Namespace",
    },
    "NodeAffinity": {
        "v1.Pod.Spec.Affinity.NodeAffinity.HasRequiredDuringScheduling()",
        "v1.Pod.Spec.Affinity.NodeAffinity.Preferred[]{json}.Preference.MatchExpressions[]{json}.key",
        "v1.Pod.Spec.Affinity.NodeAffinity.Preferred[]{json}.Preference.MatchExpressions[]{json}.values",
        "v1.Pod.Spec.Affinity.NodeAffinity.Preferred[]{json}.Preference.MatchFields",
        "v1.Pod.Spec.Affinity.NodeAffinity.Preferred[]{json}.Preference.MatchFields[]{json}.key",
        "v1.Pod.Spec.Affinity.NodeAffinity.Preferred[]{json}.Preference.MatchFields[]{json}.operator",
        "v1.Pod.Spec.Affinity.NodeAffinity.Preferred[]{json}.Preference.MatchFields[]{json}.values",
        "v1.Pod.Spec.Affinity.NodeAffinity.Preferred[]{json}.Weight",
        "v1.Pod.Spec.Affinity.NodeAffinity.Required[]{json}.MatchExpressions",
        "v1.Pod.Spec.Affinity.NodeAffinity.Required[]{json}.MatchExpressions[]{json}.key",
        "v1.Pod.Spec.Affinity.NodeAffinity.Required[]{json}.MatchExpressions[]{json}.operator",
        "v1.Pod.Spec.Affinity.NodeAffinity.Required[]{json}.MatchExpressions[]{json}.values",
        "v1.Pod.Spec.Affinity.NodeAffinity.Required[]{json}.MatchFields[]{json}.key",
        "v1.Pod.Spec.Affinity.NodeAffinity.Required[]{json}.MatchFields[]{json}.operator",
        "v1.Pod.Spec.Affinity.NodeSelector",
        "v1.Pod.Spec.Affinity.NodeSelector.app",
        "v1.Pod.Spec.Affinity.NodeSelector.disk",
        "v1.Pod.Spec.Affinity.NodeSelector.team",
        "v1.Pod.Spec.Affinity.NodeSelector.tier",
        "v1.Pod.Spec.Affinity.NodeSelector.topology.kubernetes.io/zone",
        "v1.Pod.Spec.Affinity.NodeSelector.zone",
    },
    "NodePorts": {
        "v1.Pod.Spec.HostPorts()[]<0>",
        "v1.Pod.Spec.HostPorts()[]<1>",
        "v1.Pod.Spec.HostPorts()[]<2>",
    },
    "NodeResourcesBalancedAllocation": {
        "v1.Pod.Spec.ContainerRequestsAndOverheads()",
        "v1.Pod.Spec.ContainerRequestsAndOverheads().AllowedPodNumber",
        "v1.Pod.Spec.ContainerRequestsAndOverheads().EphemeralStorage",
        "v1.Pod.Spec.ContainerRequestsAndOverheads().Memory",
        "v1.Pod.Spec.ContainerRequestsAndOverheads().MilliCPU",
        "v1.Pod.Spec.ContainerRequestsAndOverheads().ScalarResources",
        "v1.Pod.Spec.ContainerRequestsAndOverheads().ScalarResources.example.com/gpu",
        "v1.Pod.Spec.Requests()",
        "v1.Pod.Spec.Requests().cpu",
        "v1.Pod.Spec.Requests().example.com/gpu",
        "v1.Pod.Spec.Requests().memory",
    },
    "NodeResourcesFit": {
        "v1.Pod.Spec.ContainerRequestsAndOverheads()",
        "v1.Pod.Spec.ContainerRequestsAndOverheads().AllowedPodNumber",
        "v1.Pod.Spec.ContainerRequestsAndOverheads().EphemeralStorage",
        "v1.Pod.Spec.ContainerRequestsAndOverheads().Memory",
        "v1.Pod.Spec.ContainerRequestsAndOverheads().MilliCPU",
        "v1.Pod.Spec.ContainerRequestsAndOverheads().ScalarResources",
        "v1.Pod.Spec.ContainerRequestsAndOverheads().ScalarResources.example.com/gpu",
        "v1.Pod.Spec.NonZeroRequests()",
        "v1.Pod.Spec.NonZeroRequests().cpu",
        "v1.Pod.Spec.NonZeroRequests().memory",
    },
    "NodeResourcesFit/MostAllocated": {
        "v1.Pod.Spec.ContainerRequestsAndOverheads()",
        "v1.Pod.Spec.ContainerRequestsAndOverheads().AllowedPodNumber",
        "v1.Pod.Spec.ContainerRequestsAndOverheads().EphemeralStorage",
        "v1.Pod.Spec.ContainerRequestsAndOverheads().Memory",
        "v1.Pod.Spec.ContainerRequestsAndOverheads().MilliCPU",
        "v1.Pod.Spec.ContainerRequestsAndOverheads().ScalarResources",
        "v1.Pod.Spec.ContainerRequestsAndOverheads().ScalarResources.example.com/gpu",
        "v1.Pod.Spec.NonZeroRequests()",
        "v1.Pod.Spec.NonZeroRequests().cpu",
        "v1.Pod.Spec.NonZeroRequests().memory",
    },
    "NodeUnschedulable": {
        "v1.Pod.Spec.Tolerations",
        "v1.Pod.Spec.Tolerations[].effect",
        "v1.Pod.Spec.Tolerations[].key",
        "v1.Pod.Spec.Tolerations[].operator",
        "v1.Pod.Spec.Tolerations[].value",
    },
    "NodeVolumeLimits": {
        "v1.Pod.Spec.Volumes.NonSyntheticSources()",
    },
    "TaintToleration": {
        "v1.Pod.Spec.Tolerations[].effect",
        "v1.Pod.Spec.Tolerations[].operator",
        "v1.Pod.Spec.Tolerations[].value",
    },
    "VolumeBinding": {
        "v1.Pod.Spec.Volumes.NonSyntheticSources()",
    },
    "VolumeRestrictions": {
        "v1.Pod.Spec.Volumes.NonSyntheticSources()",
    },
    "VolumeZone": {
        "v1.Pod.Spec.Volumes.NonSyntheticSources()",
    },
}


@pytest.fixture(autouse=True)
def _only_when_slow_tests_are_selected(request: pytest.FixtureRequest) -> None:
    """Minutes of CPU: runs only under ``-m slow``, never in the default ``pytest -n auto``."""
    expression = request.config.getoption("-m") or ""
    if "slow" not in expression or "not slow" in expression:
        pytest.skip("slow quality check: run with -m slow")


@functools.cache
def _corpus() -> list[Pod]:
    pods: list[Pod] = []

    @settings(
        derandomize=True,
        max_examples=300,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(SIGNABLE_PODS)
    def collect(pod: Pod) -> None:
        pods.append(pod)

    collect()
    return pods


def fields_of(subject: PluginUnderTest) -> list[FieldPath]:
    """The strict signer's own field list, minus the documented not-read fields."""
    skipped = NOT_READ.get(subject.title, {})
    return [f for f in signer_fields(subject.build("strict"), _corpus()) if describe_field(f) not in skipped]


@pytest.mark.slow
@pytest.mark.parametrize("subject", SIGNABLE_PLUGINS, ids=lambda s: s.title)
def test_every_dropped_signer_field_fails_the_strict_consistency_property(subject: PluginUnderTest) -> None:
    fields = fields_of(subject)
    if not fields:
        assert subject.title in ("PodTopologySpread", "DynamicResources"), "only these sign nothing for the corpus"
        return
    broken = tuple(DroppingSigner(subject, field) for field in fields)
    caught: dict[str, int] = {}
    started = time.perf_counter()
    _check_all(broken, "strict", STRICT_EXAMPLES, caught=caught)  # type: ignore[arg-type]
    missed = sorted(describe_field(b.field) for b in broken if b.title not in caught)
    print(
        f"DROPPED {subject.title}: {len(caught)}/{len(broken)} caught, latest at example "
        f"{max(caught.values(), default=0)}/{STRICT_EXAMPLES}, {time.perf_counter() - started:.1f}s; missed {missed}"
    )
    unexpected = sorted(set(missed) - KNOWN_MISSES.get(subject.title, set()))
    assert not unexpected, f"the property passes against a signer without: {unexpected}"
