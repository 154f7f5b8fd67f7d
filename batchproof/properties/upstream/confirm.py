"""Confirm a signature-gap finding on the real plugins, or say why upstream does not reproduce it.

A pair finding says: two pods the plugin signs equally get different results on one cluster.
Upstream *reproduces* it when its own SignPod gives both pods equal fragments and its own plugin
gives them different results on the same cluster; it *does not reproduce* it when upstream signs
them differently (the model's signer has a gap upstream lacks) or answers them equally (the
model's plugin differs from upstream's) — a model divergence, never an upstream bug. Plugins
upstream does not have (out-of-tree Python plugins) are *not checked*.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from batchproof.model.framework.features import FeatureGates
from batchproof.model.objects import Pod
from batchproof.model.profiles import batching_profile
from batchproof.properties.upstream.as_model import plugin_evaluation
from batchproof.properties.upstream.compare import canonical, compare_plugin
from batchproof.properties.upstream.plugin_diff import plugin_answer
from batchproof.properties.world import Cluster
from batchproof.upstream.build import existing_binary
from batchproof.upstream.client import Oracle
from batchproof.upstream.protocol import OracleError

Verdict = Literal["reproduces", "does not reproduce", "not checked"]
REPRODUCES: Verdict = "reproduces"
DOES_NOT: Verdict = "does not reproduce"
NOT_CHECKED: Verdict = "not checked"


@dataclass(frozen=True, slots=True)
class UpstreamVerdict:
    """Whether the real scheduler code reproduces a finding, and why."""

    verdict: Verdict
    reason: str

    def to_json(self) -> dict[str, str]:
        """``{"verdict", "reason"}``."""
        return {"verdict": self.verdict, "reason": self.reason}

    def describe(self) -> str:
        """``upstream: reproduces (...)``."""
        return f"upstream: {self.verdict} ({self.reason})"


def not_checked(reason: str) -> UpstreamVerdict:
    """A verdict for a finding the oracle was not asked about."""
    return UpstreamVerdict(NOT_CHECKED, reason)


def confirm_pair(
    oracle: Oracle,
    *,
    plugin: str,
    args: Mapping[str, Any] | None,
    first: Pod,
    second: Pod,
    cluster: Cluster,
    features: FeatureGates | None = None,
) -> UpstreamVerdict:
    """Evaluate both pods on upstream's ``plugin`` (with ``args``) and judge the pair.

    Raises:
        OracleError: the oracle failed or rejected the input.

    """
    profile = batching_profile()
    if features is not None:
        profile = profile.with_features(features)
    if plugin not in profile.plugin_names():
        return not_checked(f"{plugin} is not an in-tree plugin of the batching profile")
    if args:
        profile = profile.with_plugin_args(plugin, args)
    answers = [plugin_answer(oracle, profile, cluster, pod, plugin) for pod in (first, second)]
    signs = [a.get("sign") or {} for a in answers]
    if any(s.get("code") != "Success" for s in signs):
        codes = ", ".join(str(s.get("code")) for s in signs)
        return UpstreamVerdict(DOES_NOT, f"upstream {plugin} refuses to sign ({codes}): the pods never batch")
    fragments = [canonical(s.get("fragments") or {}) for s in signs]
    if fragments[0] != fragments[1]:
        keys = sorted(k for k in set(fragments[0]) | set(fragments[1]) if fragments[0].get(k) != fragments[1].get(k))
        return UpstreamVerdict(DOES_NOT, f"upstream {plugin} signs the pods differently ({', '.join(keys)})")
    # Only what placement depends on: a reason worded differently changes no batching decision.
    differences = compare_plugin(
        plugin_evaluation(answers[0]), answers[1], [n.name for n in cluster.nodes], reasons=False
    )
    if not differences:
        return UpstreamVerdict(DOES_NOT, f"upstream {plugin} signs the pods equally and answers them equally")
    first_difference = differences[0]
    where = f" on {first_difference.node}" if first_difference.node else ""
    return UpstreamVerdict(
        REPRODUCES,
        f"equal upstream fragments, different {first_difference.aspect}{where}: "
        f"{json.dumps(first_difference.model, sort_keys=True)} vs "
        f"{json.dumps(first_difference.upstream, sort_keys=True)}",
    )


def open_oracle() -> Oracle | None:
    """A started oracle when one is built for the current sources, else None (never builds)."""
    binary = existing_binary()
    if binary is None:
        return None
    oracle = Oracle(binary)
    try:
        oracle.start()
    except OracleError:
        return None
    return oracle


ORACLE_MISSING = "no upstream oracle built for the current oracle sources: run `batchproof upstream build`"
