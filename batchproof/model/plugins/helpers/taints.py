"""Toleration matching (k8s.io/api/core/v1/toleration.go and component-helpers taints)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from batchproof.model.objects import Taint, Toleration


def tolerates(toleration: Toleration, taint: Taint) -> bool:
    """Toleration.ToleratesTaint: effect and key must match when set; Equal compares values."""
    if toleration.effect and toleration.effect != taint.effect:
        return False
    if toleration.key and toleration.key != taint.key:
        return False
    if toleration.operator in ("", "Equal"):
        return toleration.value == taint.value
    return toleration.operator == "Exists"


def tolerations_tolerate(tolerations: Iterable[Toleration], taint: Taint) -> bool:
    """Any toleration tolerates the taint."""
    return any(tolerates(t, taint) for t in tolerations)


def find_untolerated_taint(
    taints: Sequence[Taint], tolerations: Sequence[Toleration], include: Callable[[Taint], bool]
) -> Taint | None:
    """The first included taint no toleration tolerates (FindMatchingUntoleratedTaint)."""
    for taint in taints:
        if include(taint) and not tolerations_tolerate(tolerations, taint):
            return taint
    return None
