"""Pairs steered by the read-set audit: the mutant differs exactly where a read field is unsigned."""

from __future__ import annotations

from hypothesis import strategies as st

from batchproof.model.manifests.defaults import default_pod
from batchproof.model.objects import Pod
from batchproof.model.validation.pod import validate_pod
from batchproof.properties.mutate import Mutation, Path, mutate_at
from batchproof.properties.signatures import PairCase
from batchproof.properties.world import Cluster


@st.composite
def steered_pair_cases(
    draw: st.DrawFn,
    *,
    first: st.SearchStrategy[Pod],
    targets: tuple[Path, ...],
    cluster: st.SearchStrategy[Cluster],
) -> PairCase:
    """A pod and a mutant changed at one of ``targets`` (generalised paths), on a drawn cluster.

    A mutant the API server would reject is replaced by the pod itself (an uninteresting pair),
    as the generic pairs do.
    """
    pod = draw(first)
    donor = draw(first)
    target = draw(st.sampled_from(targets))
    mutant, mutation = mutate_at(draw, pod, donor, target)
    applied = [mutation]
    stored = default_pod(mutant)
    if validate_pod(stored):
        stored = pod
        applied.append(Mutation("<root>", "dropped: rejected by validation"))
    return PairCase(pod, stored, tuple(applied), draw(cluster))
