"""Pod validation on create, for every field the model reads.

Follows ValidatePodCreate / ValidatePodSpec in pkg/apis/core/validation/validation.go (field
paths and messages as upstream); fields the model does not read are not checked.
"""

from __future__ import annotations

from collections.abc import Mapping

from batchproof.model.objects import (
    Affinity,
    Container,
    LabelSelector,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    Pod,
    PodAffinity,
    PodAffinityTerm,
    Toleration,
    TopologySpreadConstraint,
    Volume,
)
from batchproof.model.quantity import format_quantity
from batchproof.model.resources import is_extended_resource_name, is_hugepages, is_native_resource
from batchproof.model.validation.field import (
    FieldError,
    duplicate,
    forbidden,
    invalid,
    not_supported,
    required,
)
from batchproof.model.validation.names import (
    annotations_errors,
    dns1123_label,
    dns1123_subdomain,
    label_name_errors,
    label_value,
    labels_errors,
    port_name,
    port_number,
    qualified_name,
)

PROTOCOLS = ("SCTP", "TCP", "UDP")
PULL_POLICIES = ("Always", "IfNotPresent", "Never")
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
STANDARD_CONTAINER_RESOURCES = ("cpu", "memory", "ephemeral-storage")
NODE_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")
TOLERATION_COMPARISONS = ("Gt", "Lt")


def validate_pod(pod: Pod, *, toleration_comparisons: bool = False) -> tuple[FieldError, ...]:
    """Every error ValidatePodCreate reports for the fields the model reads, in upstream's order.

    ``toleration_comparisons`` is the TaintTolerationComparisonOperators gate (Gt/Lt tolerations).
    """
    errs: list[FieldError] = []
    errs.extend(object_meta_errors(pod.name, pod.labels, pod.annotations, namespace=pod.namespace))
    errs.extend(_spec_errors(pod, toleration_comparisons))
    return tuple(errs)


def object_meta_errors(
    name: str, labels: Mapping[str, str], annotations: Mapping[str, str], *, namespace: str | None
) -> list[FieldError]:
    """ValidateObjectMeta (apimachinery/pkg/api/validation/objectmeta.go) with a DNS-subdomain name."""
    errs: list[FieldError] = []
    if not name:
        errs.append(required("metadata.name", "name or generateName is required"))
    else:
        errs.extend(invalid("metadata.name", name, m) for m in dns1123_subdomain(name))
    if namespace is not None:
        if not namespace:
            errs.append(required("metadata.namespace"))
        else:
            errs.extend(invalid("metadata.namespace", namespace, m) for m in dns1123_label(namespace))
    errs.extend(labels_errors(labels, "metadata.labels"))
    errs.extend(annotations_errors(annotations, "metadata.annotations"))
    return errs


def _spec_errors(pod: Pod, comparisons: bool) -> list[FieldError]:
    errs: list[FieldError] = []
    errs.extend(_volumes_errors(pod.volumes))
    if not pod.containers:
        errs.append(required("spec.containers"))
    # validateInitContainers: init names must not repeat each other or any app container's name.
    names: set[str] = {c.name for c in pod.containers}
    for i, c in enumerate(pod.init_containers):
        path = f"spec.initContainers[{i}]"
        errs.extend(_container_errors(c, path))
        if c.name in names:
            errs.append(duplicate(f"{path}.name", c.name))
        names.add(c.name)
        errs.extend(_container_restart_policy_errors(c, path))
    regular: set[str] = set()
    for i, c in enumerate(pod.containers):
        path = f"spec.containers[{i}]"
        errs.extend(_container_errors(c, path))
        errs.extend(_container_restart_policy_errors(c, path))
        if c.name in regular:
            errs.append(duplicate(f"{path}.name", c.name))
        regular.add(c.name)
    errs.extend(_host_port_conflicts(pod.containers, "spec.containers"))
    # validation.go ValidatePodSpec: ValidateNodeName is NameIsDNSSubdomain.
    if pod.node_name:
        errs.extend(invalid("spec.nodeName", pod.node_name, m) for m in dns1123_subdomain(pod.node_name))
    # spec.schedulerName is not validated (ValidatePodSpec has no rule for it; upstream's decode agrees).
    if pod.priority_class_name:
        name = pod.priority_class_name
        errs.extend(invalid("spec.priorityClassName", name, m) for m in dns1123_subdomain(name))
    if pod.preemption_policy is not None and pod.preemption_policy not in ("Never", "PreemptLowerPriority"):
        errs.append(not_supported("spec.preemptionPolicy", pod.preemption_policy, ("Never", "PreemptLowerPriority")))
    if pod.os is not None:
        if not pod.os:
            errs.append(required("spec.os.name"))
        elif pod.os not in ("linux", "windows"):
            errs.append(not_supported("spec.os", pod.os, ("linux", "windows")))
    errs.extend(labels_errors(pod.node_selector, "spec.nodeSelector"))
    errs.extend(_tolerations_errors(pod.tolerations, comparisons))
    errs.extend(_scheduling_gates_errors(pod.scheduling_gates))
    if pod.affinity is not None:
        errs.extend(_affinity_errors(pod.affinity, "spec.affinity"))
    errs.extend(_spread_errors(pod.topology_spread_constraints))
    for name, amount in pod.overhead.items():
        errs.extend(_quantity_errors(name, amount, f"spec.overhead[{name}]"))
    if pod.resources is not None:
        errs.extend(_resources_errors(pod.resources, "spec.resources", pod_level=True))
    return errs


# ContainerRestartRules (beta, on by default since v1.35): validateContainerRestartPolicy takes any
# of these for app and init containers alike (before it, init containers took only Always).
CONTAINER_RESTART_POLICIES = ("Always", "Never", "OnFailure")


def _container_restart_policy_errors(c: Container, path: str) -> list[FieldError]:
    """validation.go validateContainerRestartPolicy / validateInitContainerRestartPolicy."""
    if c.restart_policy and c.restart_policy not in CONTAINER_RESTART_POLICIES:
        return [not_supported(f"{path}.restartPolicy", c.restart_policy, CONTAINER_RESTART_POLICIES)]
    return []


def _volumes_errors(volumes: tuple[Volume, ...]) -> list[FieldError]:
    errs: list[FieldError] = []
    seen: set[str] = set()
    for i, v in enumerate(volumes):
        path = f"spec.volumes[{i}]"
        if not v.name:
            errs.append(required(f"{path}.name"))
        else:
            errs.extend(invalid(f"{path}.name", v.name, m) for m in dns1123_label(v.name))
        if v.name in seen:
            errs.append(duplicate(f"{path}.name", v.name))
        seen.add(v.name)
        source = v.source if isinstance(v.source, Mapping) else {}
        if v.source_type == "persistentVolumeClaim" and not source.get("claimName"):
            errs.append(required(f"{path}.persistentVolumeClaim.claimName"))
        if v.source_type == "image":
            if not source.get("reference"):
                errs.append(required(f"{path}.image.reference"))
            policy = source.get("pullPolicy", "")
            if policy and policy not in PULL_POLICIES:
                errs.append(not_supported(f"{path}.image.pullPolicy", policy, PULL_POLICIES))
    return errs


def _container_errors(c: Container, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    if not c.name:
        errs.append(required(f"{path}.name"))
    else:
        errs.extend(invalid(f"{path}.name", c.name, m) for m in dns1123_label(c.name))
    if not c.image:
        errs.append(required(f"{path}.image"))
    port_names: set[str] = set()
    for j, port in enumerate(c.ports):
        p = f"{path}.ports[{j}]"
        if port.name:
            msgs = port_name(port.name)
            errs.extend(invalid(f"{p}.name", port.name, m) for m in msgs)
            if not msgs and port.name in port_names:
                errs.append(duplicate(f"{p}.name", port.name))
            port_names.add(port.name)
        if port.container_port == 0:
            errs.append(required(f"{p}.containerPort"))
        else:
            errs.extend(invalid(f"{p}.containerPort", port.container_port, m) for m in port_number(port.container_port))
        if port.host_port != 0:
            errs.extend(invalid(f"{p}.hostPort", port.host_port, m) for m in port_number(port.host_port))
        if not port.protocol:
            errs.append(required(f"{p}.protocol"))
        elif port.protocol not in PROTOCOLS:
            errs.append(not_supported(f"{p}.protocol", port.protocol, PROTOCOLS))
    if c.image_pull_policy and c.image_pull_policy not in PULL_POLICIES:
        errs.append(not_supported(f"{path}.imagePullPolicy", c.image_pull_policy, PULL_POLICIES))
    errs.extend(_resources_errors(c, f"{path}.resources", pod_level=False))
    return errs


def _host_port_conflicts(containers: tuple[Container, ...], path: str) -> list[FieldError]:
    """checkHostPortConflicts: protocol/hostIP/hostPort unique across the app containers."""
    seen: set[str] = set()
    errs: list[FieldError] = []
    for i, c in enumerate(containers):
        for j, port in enumerate(c.ports):
            if port.host_port == 0:
                continue
            key = f"{port.protocol}/{port.host_ip}/{port.host_port}"
            if key in seen:
                errs.append(duplicate(f"{path}[{i}].ports[{j}].hostPort", key))
            seen.add(key)
    return errs


def _resource_name_errors(name: str, path: str, *, pod_level: bool) -> list[FieldError]:
    """ValidateContainerResourceName / validatePodResourceName."""
    msgs = qualified_name(name)
    if msgs:
        return [invalid(path, name, m) for m in msgs]
    if pod_level:
        if name not in ("cpu", "memory") and not is_hugepages(name):
            return [not_supported(path, name, ("cpu", "memory"))]
        return []
    if "/" not in name:
        if name not in STANDARD_CONTAINER_RESOURCES and not is_hugepages(name):
            return [invalid(path, name, "must be a standard resource for containers")]
    elif not is_native_resource(name) and not is_extended_resource_name(name):
        return [invalid(path, name, "doesn't follow extended resource name standard")]
    return []


def _quantity_errors(name: str, amount: int, path: str) -> list[FieldError]:
    """ValidateResourceQuantityValue (negative and fractional values are rejected when read)."""
    if amount < 0:
        return [invalid(path, format_quantity(name, amount), "must be greater than or equal to 0")]
    return []


def _resources_errors(c: Container, path: str, *, pod_level: bool) -> list[FieldError]:
    """validateResourceRequirements: names, quantities, requests <= limits, extended requests == limits."""
    errs: list[FieldError] = []
    for name, amount in c.limits.items():
        errs.extend(_resource_name_errors(name, f"{path}.limits[{name}]", pod_level=pod_level))
        errs.extend(_quantity_errors(name, amount, f"{path}.limits[{name}]"))
    for name, amount in c.requests.items():
        errs.extend(_resource_name_errors(name, f"{path}.requests[{name}]", pod_level=pod_level))
        errs.extend(_quantity_errors(name, amount, f"{path}.requests[{name}]"))
        overcommit = is_native_resource(name) and not is_hugepages(name)
        limit = c.limits.get(name)
        shown = format_quantity(name, amount)
        if limit is not None:
            if amount != limit and not overcommit:
                detail = f"must be equal to {name} limit of {format_quantity(name, limit)}"
                errs.append(invalid(f"{path}.requests", shown, detail))
            elif amount > limit:
                detail = f"must be less than or equal to {name} limit of {format_quantity(name, limit)}"
                errs.append(invalid(f"{path}.requests", shown, detail))
        elif not overcommit:
            errs.append(required(f"{path}.limits", "Limit must be set for non overcommitable resources"))
    return errs


def _tolerations_errors(tolerations: tuple[Toleration, ...], comparisons: bool) -> list[FieldError]:
    """ValidateTolerations."""
    errs: list[FieldError] = []
    for i, t in enumerate(tolerations):
        path = f"spec.tolerations[{i}]"
        if t.key:
            errs.extend(label_name_errors(t.key, f"{path}.key"))
        if not t.key and t.operator != "Exists":
            detail = 'operator must be Exists when `key` is empty, which means "match all values and all keys"'
            errs.append(invalid(f"{path}.operator", t.operator, detail))
        if t.toleration_seconds is not None and t.effect != "NoExecute":
            errs.append(
                invalid(f"{path}.effect", t.effect, "effect must be 'NoExecute' when `tolerationSeconds` is set")
            )
        if t.operator in ("Equal", ""):
            msgs = label_value(t.value)
            if msgs:
                errs.append(invalid(f"{path}.operator", t.value, ";".join(msgs)))
        elif t.operator == "Exists":
            if t.value:
                errs.append(invalid(f"{path}.operator", t.value, "value must be empty when `operator` is 'Exists'"))
        elif t.operator in TOLERATION_COMPARISONS and comparisons:
            if not _is_decimal_integer(t.value):
                errs.append(invalid(f"{path}.value", t.value, "must be a valid decimal integer in canonical form"))
            elif not -(2**63) <= int(t.value) < 2**63:
                errs.append(
                    invalid(f"{path}.value", t.value, f'strconv.ParseInt: parsing "{t.value}": value out of range')
                )
        elif t.operator in TOLERATION_COMPARISONS:
            errs.append(not_supported(f"{path}.operator", t.operator, ("Equal", "Exists", "Lt", "Gt")))
        else:
            errs.append(not_supported(f"{path}.operator", t.operator, ("Equal", "Exists")))
        if t.effect and t.effect not in TAINT_EFFECTS:
            errs.append(not_supported(f"{path}.effect", t.effect, TAINT_EFFECTS))
    return errs


def _is_decimal_integer(text: str) -> bool:
    """content.IsDecimalInteger: canonical decimal form, no leading zeros or plus sign."""
    digits = text[1:] if text.startswith("-") else text
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    return (digits == "0" and text == "0") or digits[0] != "0"


def _scheduling_gates_errors(gates: tuple[str, ...]) -> list[FieldError]:
    """validateSchedulingGates: qualified names, no duplicates."""
    errs: list[FieldError] = []
    seen: set[str] = set()
    for i, gate in enumerate(gates):
        path = f"spec.schedulingGates[{i}]"
        errs.extend(label_name_errors(gate, path))
        if gate in seen:
            errs.append(duplicate(path, gate))
        seen.add(gate)
    return errs


def _affinity_errors(affinity: Affinity, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    na = affinity.node_affinity
    if na is not None:
        base = f"{path}.nodeAffinity"
        if na.required is not None:
            terms_path = f"{base}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
            if not na.required:
                errs.append(required(terms_path, "must have at least one node selector term"))
            for i, term in enumerate(na.required):
                errs.extend(node_selector_term_errors(term, f"{terms_path}[{i}]", allow_invalid_values=False))
        for i, pref in enumerate(na.preferred):
            p = f"{base}.preferredDuringSchedulingIgnoredDuringExecution[{i}]"
            if not 1 <= pref.weight <= 100:
                errs.append(invalid(f"{p}.weight", pref.weight, "must be in the range 1-100"))
            errs.extend(node_selector_term_errors(pref.preference, f"{p}.preference", allow_invalid_values=True))
    for name, pa in (("podAffinity", affinity.pod_affinity), ("podAntiAffinity", affinity.pod_anti_affinity)):
        if pa is not None:
            errs.extend(_pod_affinity_errors(pa, f"{path}.{name}"))
    return errs


def node_selector_term_errors(term: NodeSelectorTerm, path: str, *, allow_invalid_values: bool) -> list[FieldError]:
    """ValidateNodeSelectorTerm."""
    errs: list[FieldError] = []
    for j, req in enumerate(term.match_expressions):
        errs.extend(_node_requirement_errors(req, f"{path}.matchExpressions[{j}]", allow_invalid_values))
    for j, req in enumerate(term.match_fields):
        p = f"{path}.matchFields[{j}]"
        if req.operator in ("In", "NotIn"):
            if len(req.values) != 1:
                detail = "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"
                errs.append(required(f"{p}.values", detail))
        else:
            errs.append(invalid(f"{p}.operator", req.operator, "not a valid selector operator"))
        if req.key != "metadata.name":
            errs.append(invalid(f"{p}.key", req.key, "not a valid field selector key"))
        else:
            for k, v in enumerate(req.values):
                errs.extend(invalid(f"{p}.values[{k}]", v, m) for m in dns1123_subdomain(v))
    return errs


def _node_requirement_errors(req: NodeSelectorRequirement, path: str, allow_invalid_values: bool) -> list[FieldError]:
    """ValidateNodeSelectorRequirement."""
    errs: list[FieldError] = []
    if req.operator in ("In", "NotIn"):
        if not req.values:
            errs.append(required(f"{path}.values", "must be specified when `operator` is 'In' or 'NotIn'"))
    elif req.operator in ("Exists", "DoesNotExist"):
        if req.values:
            detail = "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
            errs.append(forbidden(f"{path}.values", detail))
    elif req.operator in ("Gt", "Lt"):
        if len(req.values) != 1:
            errs.append(required(f"{path}.values", "must be specified single value when `operator` is 'Lt' or 'Gt'"))
    else:
        errs.append(invalid(f"{path}.operator", req.operator, "not a valid selector operator"))
    errs.extend(label_name_errors(req.key, f"{path}.key"))
    if not allow_invalid_values:
        for k, v in enumerate(req.values):
            errs.extend(invalid(f"{path}.values[{k}]", v, m) for m in label_value(v))
    return errs


def label_selector_errors(selector: LabelSelector | None, path: str) -> list[FieldError]:
    """ValidateLabelSelector (apimachinery/pkg/apis/meta/v1/validation)."""
    if selector is None:
        return []
    errs: list[FieldError] = []
    for i, req in enumerate(selector.match_expressions):
        p = f"{path}.matchExpressions[{i}]"
        if req.operator in ("In", "NotIn"):
            if not req.values:
                errs.append(required(f"{p}.values", "must be specified when `operator` is 'In' or 'NotIn'"))
        elif req.operator in ("Exists", "DoesNotExist"):
            if req.values:
                detail = "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
                errs.append(forbidden(f"{p}.values", detail))
        else:
            errs.append(invalid(f"{p}.operator", req.operator, "not a valid selector operator"))
        errs.extend(label_name_errors(req.key, f"{p}.key"))
        for k, v in enumerate(req.values):
            errs.extend(invalid(f"{p}.values[{k}]", v, m) for m in label_value(v))
    errs.extend(labels_errors(selector.match_labels, f"{path}.matchLabels"))
    return errs


def _pod_affinity_errors(pa: PodAffinity, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, term in enumerate(pa.required):
        errs.extend(_pod_affinity_term_errors(term, f"{path}.requiredDuringSchedulingIgnoredDuringExecution[{i}]"))
    for i, weighted in enumerate(pa.preferred):
        p = f"{path}.preferredDuringSchedulingIgnoredDuringExecution[{i}]"
        if not 1 <= weighted.weight <= 100:
            errs.append(invalid(f"{p}.weight", weighted.weight, "must be in the range 1-100"))
        errs.extend(_pod_affinity_term_errors(weighted.term, f"{p}.podAffinityTerm"))
    return errs


def _pod_affinity_term_errors(term: PodAffinityTerm, path: str) -> list[FieldError]:
    """ValidatePodAffinityTerm."""
    errs = label_selector_errors(term.label_selector, f"{path}.labelSelector")
    errs.extend(label_selector_errors(term.namespace_selector, f"{path}.namespaceSelector"))
    for name in term.namespaces:
        errs.extend(invalid(f"{path}.namespace", name, m) for m in dns1123_label(name))
    errs.extend(_match_label_keys_errors(term.match_label_keys, term.mismatch_label_keys, term.label_selector, path))
    if not term.topology_key:
        errs.append(required(f"{path}.topologyKey", "can not be empty"))
    errs.extend(label_name_errors(term.topology_key, f"{path}.topologyKey"))
    return errs


def _match_label_keys_errors(
    match: tuple[str, ...], mismatch: tuple[str, ...], selector: LabelSelector | None, path: str
) -> list[FieldError]:
    """ValidateMatchLabelKeysAndMismatchLabelKeys."""
    errs: list[FieldError] = []
    for name, keys in (("matchLabelKeys", match), ("mismatchLabelKeys", mismatch)):
        if keys and selector is None:
            errs.append(forbidden(f"{path}.{name}", "must not be specified when labelSelector is not set"))
            continue
        for i, key in enumerate(keys):
            errs.extend(label_name_errors(key, f"{path}.{name}[{i}]"))
    for i, key in enumerate(match):
        if key in mismatch:
            errs.append(
                invalid(f"{path}.matchLabelKeys[{i}]", key, "exists in both matchLabelKeys and mismatchLabelKeys")
            )
    return errs


def _spread_errors(constraints: tuple[TopologySpreadConstraint, ...]) -> list[FieldError]:
    """ValidateTopologySpreadConstraints."""
    errs: list[FieldError] = []
    for i, c in enumerate(constraints):
        path = f"spec.topologySpreadConstraints[{i}]"
        if c.max_skew <= 0:
            errs.append(invalid(f"{path}.maxSkew", c.max_skew, "must be greater than zero"))
        if not c.topology_key:
            errs.append(required(f"{path}.topologyKey", "can not be empty"))
        if c.when_unsatisfiable not in ("DoNotSchedule", "ScheduleAnyway"):
            errs.append(
                not_supported(f"{path}.whenUnsatisfiable", c.when_unsatisfiable, ("DoNotSchedule", "ScheduleAnyway"))
            )
        for other in constraints[i + 1 :]:
            if (other.topology_key, other.when_unsatisfiable) == (c.topology_key, c.when_unsatisfiable):
                value = f"{{{c.topology_key}, {c.when_unsatisfiable}}}"
                errs.append(duplicate(f"{path}.{{topologyKey, whenUnsatisfiable}}", value))
                break
        if c.min_domains is not None:
            if c.min_domains <= 0:
                errs.append(invalid(f"{path}.minDomains", c.min_domains, "must be greater than zero"))
            if c.when_unsatisfiable != "DoNotSchedule":
                detail = f"can only use minDomains if whenUnsatisfiable=DoNotSchedule, not {c.when_unsatisfiable}"
                errs.append(invalid(f"{path}.minDomains", c.min_domains, detail))
        for name, policy in (
            ("nodeAffinityPolicy", c.node_affinity_policy),
            ("nodeTaintsPolicy", c.node_taints_policy),
        ):
            if policy is not None and policy not in ("Honor", "Ignore"):
                errs.append(not_supported(f"{path}.{name}", policy, ("Honor", "Ignore")))
        errs.extend(_match_label_keys_errors(c.match_label_keys, (), c.label_selector, path))
        errs.extend(label_selector_errors(c.label_selector, f"{path}.labelSelector"))
    return errs
