"""Quality: the signature-consistency property catches a signer that drops any single field.

For every signable plugin, the fields are read off the plugin's own strict signer
(``signer_fields`` over a corpus of generated pods), and one broken signer is made per field
(``DroppingSigner``). The properties as the suite runs them (``_check_all`` over the generic and
focused pairs, then over the fitted batches: the same derandomised examples, the same counts)
must find an equal-signature pair with different results for every one of them.

Slow (minutes of CPU): ``pytest tests/quality/test_dropped_signer_fields_are_caught.py -m slow``.

Fields the signer signs but the plugin never reads, that no API-valid pod can set apart, or that
another fragment carries as well (``CARRIED``, checked on a corpus), are listed in ``NOT_READ``
with the reason: dropping them is an equivalent mutant, not a gap.
"""

from __future__ import annotations

import functools
import json
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from batchproof.model.objects import Pod
from batchproof.properties.moves import request_moves
from batchproof.properties.signatures import SIGNABLE_PLUGINS, PluginUnderTest
from batchproof.properties.signer_fields import DroppingSigner, FieldPath, describe_field, signer_fields
from tests.properties.test_signature_consistency import (
    FITTED_EXAMPLES,
    FITTED_PAIRS,
    SIGNABLE_PODS,
    STRICT_EXAMPLES,
    _check_all,
)

# BalancedAllocation's strict signer signs the aggregate twice over: the fragment it shares with
# Fit, and Requests() (every non-zero request by name). Dropping part of one leaves the other
# carrying the same amounts (up to requests of 0, which the scorers skip like absent ones), so
# that signer is an equivalent mutant; test_carried_fields_are_redundant_on_the_corpus pins it.
_AGG = "v1.Pod.Spec.ContainerRequestsAndOverheads()"
_REQ = "v1.Pod.Spec.Requests()"
CARRIED: dict[str, dict[str, str]] = {
    "NodeResourcesBalancedAllocation": {
        **{
            f"{_AGG}{part}": "Requests() carries the same amounts"
            for part in (
                "",
                ".EphemeralStorage",
                ".Memory",
                ".MilliCPU",
                ".ScalarResources",
                ".ScalarResources.example.com/gpu",
            )
        },
        **{
            f"{_REQ}{part}": "the aggregate carries the same amounts"
            for part in ("", ".cpu", ".memory", ".example.com/gpu")
        },
    }
}

# The shared VolumesSigner signs every non-synthetic volume source; each volume plugin reads only
# its own kinds (upstream signers.go shares one signer across the four volume plugins).
_EMPTY_DIR = "v1.Pod.Spec.Volumes.NonSyntheticSources()[]{json}.emptyDir"
_PODS = "v1.Pod.Spec.ContainerRequestsAndOverheads().AllowedPodNumber"
_PODS_REASON = "pods is no container resource (ValidateContainerResourceName); fit.go never compares it"
_NA = "v1.Pod.Spec.Affinity.NodeAffinity."
_NODE_AFFINITY_EQUIVALENT = {
    f"{_NA}HasRequiredDuringScheduling()": "validation needs one term at least, so required: {} never occurs",
    f"{_NA}Required[]{{json}}.MatchFields[]{{json}}.key": "validation allows only metadata.name",
    f"{_NA}Preferred[]{{json}}.Preference.MatchFields[]{{json}}.key": "validation allows only metadata.name",
}
NOT_READ: dict[str, dict[str, str]] = {
    "NodeAffinity": _NODE_AFFINITY_EQUIVALENT,
    "NodeResourcesFit": {_PODS: _PODS_REASON},
    "NodeResourcesFit/MostAllocated": {_PODS: _PODS_REASON},
    "NodeResourcesBalancedAllocation": {_PODS: _PODS_REASON, **CARRIED["NodeResourcesBalancedAllocation"]},
    "NodeUnschedulable": {
        "v1.Pod.Spec.Tolerations[].operator": "the unschedulable taint has no value, and Exists and Equal "
        "match an empty value alike (Exists allows no other)"
    },
    "VolumeRestrictions": {_EMPTY_DIR: "only disk sources can conflict"},
    "VolumeZone": {_EMPTY_DIR: "only PVC-backed volumes have zones"},
    "VolumeBinding": {_EMPTY_DIR: "only PVCs are bound"},
    "NodeVolumeLimits": {_EMPTY_DIR: "only attachable volumes count"},
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
        signed = signer_fields(subject.build("strict"), _corpus())
        assert signed or subject.title in ("PodTopologySpread", "DynamicResources"), "only these sign nothing"
        assert subject.title in CARRIED or not signed, "every field is listed as not read"
        return
    broken = tuple(DroppingSigner(subject, field) for field in fields)
    caught: dict[str, int] = {}
    started = time.perf_counter()
    _check_all(broken, "strict", STRICT_EXAMPLES, caught=caught)  # type: ignore[arg-type]
    fitted: dict[str, int] = {}
    _check_all(broken, "strict", FITTED_EXAMPLES, caught=fitted, pairs=FITTED_PAIRS)  # type: ignore[arg-type]
    caught.update({title: STRICT_EXAMPLES + at for title, at in fitted.items() if title not in caught})
    missed = sorted(describe_field(b.field) for b in broken if b.title not in caught)
    latest = max(caught, key=caught.__getitem__, default="")
    print(
        f"DROPPED {subject.title}: {len(caught)}/{len(broken)} caught, latest at example "
        f"{caught.get(latest, 0)}/{STRICT_EXAMPLES + FITTED_EXAMPLES} ({latest}), "
        f"{time.perf_counter() - started:.1f}s; missed {missed}"
    )
    assert not missed, f"the property passes against a signer without: {missed}"


def _pod_moves(pod: Pod) -> list[Pod]:
    return [moved for _, moved in request_moves(pod)]


@pytest.mark.slow
@pytest.mark.parametrize("title", sorted(CARRIED))
def test_carried_fields_are_redundant_on_the_corpus(title: str) -> None:
    """A field listed as carried elsewhere separates no two pods of the corpus or their request moves.

    Compared up to requests of 0, which the scorers treat as absent.
    """
    subject = next(s for s in SIGNABLE_PLUGINS if s.title == title)
    plugin = subject.build("strict")
    pods = [p for pod in _corpus() for p in (pod, *_pod_moves(pod))]
    full = {id(p): _without_zeros(plugin, p) for p in pods}
    assert len(set(full.values())) > 10, "the corpus must hold pods signed apart"
    for field in (f for f in signer_fields(plugin, pods) if describe_field(f) in CARRIED[title]):
        dropped = DroppingSigner(subject, field).build("strict")
        seen: dict[str, str] = {}
        for pod in pods:
            key = _without_zeros(dropped, pod)
            assert seen.setdefault(key, full[id(pod)]) == full[id(pod)], f"{describe_field(field)} is not carried"


def _zero_free(value: Any) -> Any:
    if isinstance(value, dict):
        kept = {k: _zero_free(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (0, None, {})}
    return value


def _without_zeros(plugin: Any, pod: Pod) -> str:
    """The signature with requests of 0 left out: the scorers skip them as absent ones
    (allocation.go node_usage), so two pods apart only by a zero request score alike."""
    fragments, _ = plugin.sign_pod(pod)
    return json.dumps([(f.key, _zero_free(f.value)) for f in fragments or ()], sort_keys=True)
