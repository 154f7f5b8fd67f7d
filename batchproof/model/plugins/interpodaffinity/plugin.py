"""The InterPodAffinity plugin object, its args and SignPod (interpodaffinity/plugin.go).

Signing. Upstream (``signers="upstream"``) reproduces Kubernetes: a pod with
``affinity.podAffinity`` or ``affinity.podAntiAffinity`` is unsignable; with
``ignorePreferredTermsOfExistingPods`` the plugin signs nothing (nil fragments); otherwise it
signs the pod's labels. That leaves two gaps (spec §10.6.3): with the ignore option the labels are
unsigned although Filter still matches existing pods' required anti-affinity against them, and the
namespace is never signed although every term is namespace-scoped.

Strict (``signers="strict"``) signs everything Filter and Score read of a pod without pod
(anti-)affinity: its labels and its namespace, whatever the option. The namespace's *labels* are
read too (existing pods' namespaceSelectors are matched against them), but they are not a pod
field: within one snapshot a namespace name determines its Namespace object and so its labels,
and a signature is only ever compared against results computed on the same cluster state. So two
pods with equal strict fragments see the same namespace labels and get the same Filter statuses
and raw and normalized scores.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

from batchproof.model.cluster.node_info import NodeInfo, has_pod_affinity
from batchproof.model.errors import ConfigError
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import PluginContext, PreFilterResult, SignerMode, SignFragment
from batchproof.model.framework.status import SUCCESS, Status, unschedulable
from batchproof.model.objects import Pod
from batchproof.model.plugins.helpers.signers import LABELS_SIGNER, NAMESPACE_SIGNER, labels_fragment
from batchproof.model.plugins.interpodaffinity import filtering, scoring

NAME = "InterPodAffinity"
DEFAULT_ARGS: Mapping[str, Any] = {"hardPodAffinityWeight": 1, "ignorePreferredTermsOfExistingPods": False}
UNSIGNABLE_REASON = "pod has pod affinity or anti-affinity"
_KNOWN_ARGS = frozenset(DEFAULT_ARGS)


class InterPodAffinity:
    """Required pod (anti-)affinity as a filter, preferred terms and symmetry as a min-max score."""

    name = NAME

    def __init__(
        self,
        *,
        hard_pod_affinity_weight: int = 1,
        ignore_preferred_terms_of_existing_pods: bool = False,
        match_label_keys: bool = True,
        signers: SignerMode = "upstream",
    ) -> None:
        self.args = scoring.ScoringArgs(
            hard_pod_affinity_weight, ignore_preferred_terms_of_existing_pods, match_label_keys
        )
        self.signers = signers

    def pre_filter(
        self, state: CycleState, pod: Pod, nodes: Sequence[NodeInfo]
    ) -> tuple[PreFilterResult | None, Status]:
        """Count matching pods per topology pair over the whole snapshot; Skip when nothing can reject."""
        return filtering.pre_filter(state, pod, match_label_keys=self.args.match_label_keys)

    def filter(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
        """Judge one node from the PreFilter counts (Error without them, as upstream)."""
        return filtering.filter_node(state, pod, node_info)

    def pre_score(self, state: CycleState, pod: Pod, nodes: Sequence[NodeInfo]) -> Status:
        """Build the topology score map; Skip when it would be empty."""
        return scoring.pre_score(state, pod, nodes, self.args)

    def score(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> tuple[int, Status]:
        """Sum the topology scores of the node's label values (may be negative)."""
        return scoring.score(state, node_info)

    def normalize_score(self, state: CycleState, pod: Pod, scores: MutableMapping[str, int]) -> Status:
        """Min-max normalisation over the scored nodes."""
        return scoring.normalize_score(state, scores)

    def sign_pod(self, pod: Pod) -> tuple[tuple[SignFragment, ...] | None, Status]:
        """Labels (upstream, unless the ignore option is set) or labels and namespace (strict)."""
        if has_pod_affinity(pod):
            return None, unschedulable(UNSIGNABLE_REASON)
        # pod.Labels is a Go map: no labels sign as null (interpodaffinity/plugin.go SignPod)
        labels = SignFragment(LABELS_SIGNER, labels_fragment(pod))
        if self.signers == "strict":
            return (labels, SignFragment(NAMESPACE_SIGNER, pod.namespace)), SUCCESS
        if self.args.ignore_preferred_terms_of_existing_pods:
            return None, SUCCESS  # upstream returns nil fragments with a Success status
        return (labels,), SUCCESS


def parse_args(args: Mapping[str, Any]) -> tuple[int, bool]:
    """Validate InterPodAffinityArgs (ValidateInterPodAffinityArgs).

    Raises:
        ConfigError: an unknown field, a weight outside [0, 100] or a non-boolean option.

    """
    unknown = sorted(set(args) - _KNOWN_ARGS)
    if unknown:
        raise ConfigError(f"{NAME}: {unknown[0]}: unknown field (known: {', '.join(sorted(_KNOWN_ARGS))})")
    weight = args.get("hardPodAffinityWeight", DEFAULT_ARGS["hardPodAffinityWeight"])
    if isinstance(weight, bool) or not isinstance(weight, int):
        raise ConfigError(f"{NAME}: hardPodAffinityWeight: Invalid value: {weight!r}: must be an integer")
    if not 0 <= weight <= 100:
        raise ConfigError(f"{NAME}: hardPodAffinityWeight: Invalid value: {weight}: not in valid range [0-100]")
    ignore = args.get("ignorePreferredTermsOfExistingPods", False)
    if not isinstance(ignore, bool):
        raise ConfigError(f"{NAME}: ignorePreferredTermsOfExistingPods: Invalid value: {ignore!r}: must be a boolean")
    return weight, ignore


def new(args: Mapping[str, Any], context: PluginContext) -> InterPodAffinity:
    """Build the plugin from validated args, MatchLabelKeysInPodAffinity and the signer mode.

    Raises:
        ConfigError: the args are invalid.

    """
    weight, ignore = parse_args(args)
    return InterPodAffinity(
        hard_pod_affinity_weight=weight,
        ignore_preferred_terms_of_existing_pods=ignore,
        match_label_keys=context.features.match_label_keys_in_pod_affinity,
        signers=context.signers,
    )
