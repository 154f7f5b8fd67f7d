"""Node validation on create (ValidateNode in pkg/apis/core/validation/validation.go)."""

from __future__ import annotations

from batchproof.model.objects import Node
from batchproof.model.validation.field import FieldError, duplicate, invalid, not_supported, required
from batchproof.model.validation.names import label_name_errors, label_value
from batchproof.model.validation.pod import TAINT_EFFECTS, object_meta_errors


def validate_node(node: Node) -> tuple[FieldError, ...]:
    """Every error ValidateNode reports for the fields the model reads.

    One deliberate addition: a negative ``status.images[].sizeBytes`` is rejected. Upstream does
    not validate node status images, but no kubelet reports a negative size, and ImageLocality's
    arithmetic on one produces scores no real cluster can show.
    """
    errs = object_meta_errors(node.name, node.labels, node.annotations, namespace=None)
    seen: set[tuple[str, str]] = set()
    for i, taint in enumerate(node.taints):
        # ValidateNode validates spec.taints under fldPath "metadata": upstream names them metadata.taints[i].
        path = f"metadata.taints[{i}]"
        errs.extend(label_name_errors(taint.key, f"{path}.key"))
        msgs = label_value(taint.value)
        if msgs:
            errs.append(invalid(f"{path}.value", taint.value, ";".join(msgs)))
        if not taint.effect:
            errs.append(required(f"{path}.effect"))
        elif taint.effect not in TAINT_EFFECTS:
            errs.append(not_supported(f"{path}.effect", taint.effect, TAINT_EFFECTS))
        if (taint.key, taint.effect) in seen:
            shown = {"key": taint.key, "value": taint.value, "effect": taint.effect}
            errs.append(
                FieldError(path, duplicate(path, shown).type, shown, "taints must be unique by key and effect pair")
            )
            continue
        seen.add((taint.key, taint.effect))
    for section, resources in (("capacity", node.capacity), ("allocatable", node.allocatable)):
        for name, amount in resources.items():
            if amount < 0:
                errs.append(invalid(f"status.{section}[{name}]", str(amount), "must be greater than or equal to 0"))
    for i, image in enumerate(node.images):
        if image.size_bytes < 0:
            errs.append(
                invalid(f"status.images[{i}].sizeBytes", image.size_bytes, "must be greater than or equal to 0")
            )
    return tuple(errs)
