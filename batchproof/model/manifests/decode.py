"""Decode Kubernetes API JSON (already parsed) into the frozen objects of ``model.objects``."""

from __future__ import annotations

from batchproof.model.manifests.reader import Reader, freeze_json
from batchproof.model.objects import (
    DEFAULT_NAMESPACE,
    DEFAULT_SCHEDULER_NAME,
    Affinity,
    Container,
    ContainerImage,
    ContainerPort,
    LabelSelector,
    LabelSelectorRequirement,
    Namespace,
    Node,
    NodeAffinity,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    OwnerReference,
    PersistentVolume,
    PersistentVolumeClaim,
    Pod,
    PodAffinity,
    PodAffinityTerm,
    PodResourceClaim,
    PreferredSchedulingTerm,
    PriorityClass,
    Selecting,
    Taint,
    Toleration,
    TopologySpreadConstraint,
    Volume,
    WeightedPodAffinityTerm,
)

LABEL_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")
NODE_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")
TAINT_EFFECTS = ("", "NoSchedule", "PreferNoSchedule", "NoExecute")
PROTOCOLS = ("TCP", "UDP", "SCTP")


def label_selector(reader: Reader) -> LabelSelector | None:
    """A metav1.LabelSelector, or None when the field is absent."""
    if not reader.present:
        return None
    body = reader.mapping()
    return LabelSelector(
        match_labels=body["matchLabels"].string_map(),
        match_expressions=body["matchExpressions"].list_of(
            lambda r: LabelSelectorRequirement(
                key=r.mapping()["key"].string(),
                operator=r["operator"].one_of(LABEL_OPERATORS, ""),
                values=r["values"].strings(),
            )
        ),
    )


def _node_requirement(reader: Reader) -> NodeSelectorRequirement:
    body = reader.mapping()
    return NodeSelectorRequirement(
        key=body["key"].string(),
        operator=body["operator"].one_of(NODE_OPERATORS, ""),
        values=body["values"].strings(),
    )


def node_selector_term(reader: Reader) -> NodeSelectorTerm:
    """A NodeSelectorTerm."""
    body = reader.mapping()
    return NodeSelectorTerm(
        match_expressions=body["matchExpressions"].list_of(_node_requirement),
        match_fields=body["matchFields"].list_of(_node_requirement),
    )


def node_affinity(reader: Reader) -> NodeAffinity | None:
    """spec.affinity.nodeAffinity."""
    if not reader.present:
        return None
    body = reader.mapping()
    required = body["requiredDuringSchedulingIgnoredDuringExecution"]
    return NodeAffinity(
        required=(required.mapping()["nodeSelectorTerms"].list_of(node_selector_term) if required.present else None),
        preferred=body["preferredDuringSchedulingIgnoredDuringExecution"].list_of(
            lambda r: PreferredSchedulingTerm(
                weight=r.mapping()["weight"].integer(),
                preference=node_selector_term(r["preference"]),
            )
        ),
    )


def pod_affinity_term(reader: Reader) -> PodAffinityTerm:
    """A PodAffinityTerm."""
    body = reader.mapping()
    return PodAffinityTerm(
        topology_key=body["topologyKey"].string(),
        label_selector=label_selector(body["labelSelector"]),
        namespaces=body["namespaces"].strings(),
        namespace_selector=label_selector(body["namespaceSelector"]),
        match_label_keys=body["matchLabelKeys"].strings(),
        mismatch_label_keys=body["mismatchLabelKeys"].strings(),
    )


def _pod_affinity(reader: Reader) -> PodAffinity | None:
    if not reader.present:
        return None
    body = reader.mapping()
    return PodAffinity(
        required=body["requiredDuringSchedulingIgnoredDuringExecution"].list_of(pod_affinity_term),
        preferred=body["preferredDuringSchedulingIgnoredDuringExecution"].list_of(
            lambda r: WeightedPodAffinityTerm(
                weight=r.mapping()["weight"].integer(),
                term=pod_affinity_term(r["podAffinityTerm"]),
            )
        ),
    )


def affinity(reader: Reader) -> Affinity | None:
    """spec.affinity."""
    if not reader.present:
        return None
    body = reader.mapping()
    return Affinity(
        node_affinity=node_affinity(body["nodeAffinity"]),
        pod_affinity=_pod_affinity(body["podAffinity"]),
        pod_anti_affinity=_pod_affinity(body["podAntiAffinity"]),
    )


def toleration(reader: Reader) -> Toleration:
    """A Toleration."""
    body = reader.mapping()
    return Toleration(
        key=body["key"].string(),
        operator=body["operator"].one_of(("", "Equal", "Exists"), ""),
        value=body["value"].string(),
        effect=body["effect"].one_of(TAINT_EFFECTS, ""),
        toleration_seconds=body["tolerationSeconds"].optional_integer(),
    )


def taint(reader: Reader) -> Taint:
    """A node Taint."""
    body = reader.mapping()
    return Taint(
        key=body["key"].string(),
        value=body["value"].string(),
        effect=body["effect"].one_of(TAINT_EFFECTS, ""),
    )


def spread_constraint(reader: Reader) -> TopologySpreadConstraint:
    """A TopologySpreadConstraint."""
    body = reader.mapping()
    return TopologySpreadConstraint(
        max_skew=body["maxSkew"].integer(),
        topology_key=body["topologyKey"].string(),
        when_unsatisfiable=body["whenUnsatisfiable"].one_of(("DoNotSchedule", "ScheduleAnyway"), "DoNotSchedule"),
        label_selector=label_selector(body["labelSelector"]),
        min_domains=body["minDomains"].optional_integer(),
        node_affinity_policy=body["nodeAffinityPolicy"].optional_string(),
        node_taints_policy=body["nodeTaintsPolicy"].optional_string(),
        match_label_keys=body["matchLabelKeys"].strings(),
    )


def _port(reader: Reader) -> ContainerPort:
    body = reader.mapping()
    port = ContainerPort(
        container_port=body["containerPort"].integer(),
        host_port=body["hostPort"].integer(),
        protocol=body["protocol"].one_of(PROTOCOLS, "TCP"),
        host_ip=body["hostIP"].string(),
        name=body["name"].string(),
    )
    if not 0 <= port.host_port <= 65535:
        raise body["hostPort"].fail(f"Invalid value: {port.host_port}: must be between 1 and 65535, inclusive")
    return port


def container(reader: Reader) -> Container:
    """A Container (app, init or sidecar)."""
    body = reader.mapping()
    resources = body["resources"].mapping()
    return Container(
        name=body["name"].string(),
        image=body["image"].string(),
        image_pull_policy=body["imagePullPolicy"].string(),
        ports=body["ports"].list_of(_port),
        requests=resources["requests"].resource_list(),
        limits=resources["limits"].resource_list(),
        restart_policy=body["restartPolicy"].string(),
    )


def volume(reader: Reader) -> Volume:
    """A Volume: its name and its single source."""
    body = reader.mapping()
    sources = [k for k in body.value if k != "name"]
    if len(sources) > 1:
        raise reader.fail(f"a volume has exactly one source, got {', '.join(sorted(sources))}")
    source_type = sources[0] if sources else "emptyDir"
    return Volume(
        name=body["name"].string(),
        source_type=source_type,
        source=freeze_json(body.value.get(source_type) or {}),
    )


def _claim(reader: Reader) -> PodResourceClaim:
    body = reader.mapping()
    return PodResourceClaim(
        name=body["name"].string(),
        resource_claim_name=body["resourceClaimName"].optional_string(),
        resource_claim_template_name=body["resourceClaimTemplateName"].optional_string(),
    )


def owner_reference(reader: Reader) -> OwnerReference:
    """metadata.ownerReferences[]."""
    body = reader.mapping()
    return OwnerReference(
        api_version=body["apiVersion"].string(),
        kind=body["kind"].string(),
        name=body["name"].string(),
        uid=body["uid"].string(),
        controller=body["controller"].boolean(),
    )


def pod(reader: Reader, *, default_namespace: str = DEFAULT_NAMESPACE) -> Pod:
    """A v1 Pod (metadata, spec and status.nominatedNodeName)."""
    body = reader.mapping()
    meta = body["metadata"].mapping()
    spec = body["spec"].mapping()
    namespace = meta["namespace"]
    pod_resources = spec["resources"]
    return Pod(
        name=meta["name"].string(),
        namespace=namespace.string() if namespace.present else default_namespace,
        uid=meta["uid"].string(),
        labels=meta["labels"].string_map(),
        annotations=meta["annotations"].string_map(),
        owner_references=meta["ownerReferences"].list_of(owner_reference),
        deletion_timestamp=meta["deletionTimestamp"].optional_string(),
        scheduler_name=spec["schedulerName"].string(DEFAULT_SCHEDULER_NAME),
        node_name=spec["nodeName"].string(),
        priority=spec["priority"].optional_integer(),
        priority_class_name=spec["priorityClassName"].string(),
        preemption_policy=spec["preemptionPolicy"].optional_string(),
        runtime_class_name=spec["runtimeClassName"].optional_string(),
        host_network=spec["hostNetwork"].boolean(),
        os=spec["os"].mapping()["name"].optional_string(),
        scheduling_gates=spec["schedulingGates"].list_of(lambda r: r.mapping()["name"].string()),
        containers=spec["containers"].list_of(container),
        init_containers=spec["initContainers"].list_of(container),
        overhead=spec["overhead"].resource_list(),
        resources=(
            Container(
                requests=pod_resources.mapping()["requests"].resource_list(),
                limits=pod_resources["limits"].resource_list(),
            )
            if pod_resources.present
            else None
        ),
        tolerations=spec["tolerations"].list_of(toleration),
        node_selector=spec["nodeSelector"].string_map(),
        affinity=affinity(spec["affinity"]),
        topology_spread_constraints=spec["topologySpreadConstraints"].list_of(spread_constraint),
        volumes=spec["volumes"].list_of(volume),
        resource_claims=spec["resourceClaims"].list_of(_claim),
        nominated_node_name=body["status"].mapping()["nominatedNodeName"].string(),
    )


def _image(reader: Reader) -> ContainerImage:
    body = reader.mapping()
    return ContainerImage(names=body["names"].strings(), size_bytes=body["sizeBytes"].integer())


def node(reader: Reader) -> Node:
    """A v1 Node. Allocatable defaults to capacity when absent, as the kubelet reports it."""
    body = reader.mapping()
    meta = body["metadata"].mapping()
    spec = body["spec"].mapping()
    status = body["status"].mapping()
    capacity = status["capacity"].resource_list()
    allocatable = status["allocatable"]
    return Node(
        name=meta["name"].string(),
        labels=meta["labels"].string_map(),
        annotations=meta["annotations"].string_map(),
        capacity=capacity,
        allocatable=allocatable.resource_list() if allocatable.present else capacity,
        taints=spec["taints"].list_of(taint),
        unschedulable=spec["unschedulable"].boolean(),
        images=status["images"].list_of(_image),
    )


def namespace(reader: Reader) -> Namespace:
    """A v1 Namespace."""
    meta = reader.mapping()["metadata"].mapping()
    return Namespace(name=meta["name"].string(), labels=meta["labels"].string_map())


def selecting(reader: Reader, kind: str, *, default_namespace: str = DEFAULT_NAMESPACE) -> Selecting:
    """A Service, ReplicationController, ReplicaSet or StatefulSet as a pod-selecting object."""
    body = reader.mapping()
    meta = body["metadata"].mapping()
    spec = body["spec"].mapping()
    raw_selector = spec["selector"]
    selector: LabelSelector | None
    if kind in ("Service", "ReplicationController"):
        selector = LabelSelector(match_labels=raw_selector.string_map()) if raw_selector.present else None
    else:
        selector = label_selector(raw_selector)
    ns = meta["namespace"]
    return Selecting(
        kind=kind,
        name=meta["name"].string(),
        namespace=ns.string() if ns.present else default_namespace,
        selector=selector,
        uid=meta["uid"].string(),
    )


def persistent_volume_claim(reader: Reader, *, default_namespace: str = DEFAULT_NAMESPACE) -> PersistentVolumeClaim:
    """A PersistentVolumeClaim (the fields the volume plugins read)."""
    body = reader.mapping()
    meta = body["metadata"].mapping()
    spec = body["spec"].mapping()
    ns = meta["namespace"]
    return PersistentVolumeClaim(
        name=meta["name"].string(),
        namespace=ns.string() if ns.present else default_namespace,
        volume_name=spec["volumeName"].string(),
        storage_class_name=spec["storageClassName"].optional_string(),
        access_modes=spec["accessModes"].strings(),
        labels=meta["labels"].string_map(),
        requests=spec["resources"].mapping()["requests"].resource_list(),
    )


def persistent_volume(reader: Reader) -> PersistentVolume:
    """A PersistentVolume (labels, node affinity, CSI driver)."""
    body = reader.mapping()
    meta = body["metadata"].mapping()
    spec = body["spec"].mapping()
    required = spec["nodeAffinity"].mapping()["required"]
    return PersistentVolume(
        name=meta["name"].string(),
        labels=meta["labels"].string_map(),
        node_affinity=(
            required.mapping()["nodeSelectorTerms"].list_of(node_selector_term) if required.present else None
        ),
        csi_driver=spec["csi"].mapping()["driver"].string(),
    )


# pkg/apis/scheduling/types.go and k8s.io/api/scheduling/v1 IsKnownSystemPriorityClass.
HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000
SYSTEM_PRIORITY_CLASSES = {"system-node-critical": 2_000_001_000, "system-cluster-critical": 2_000_000_000}


def priority_class(reader: Reader) -> PriorityClass:
    """A scheduling.k8s.io/v1 PriorityClass, validated as pkg/apis/scheduling/validation ValidatePriorityClass.

    A name is required; ``value`` is a plain int32 (absent: 0); a ``system-`` name must be one of
    the two system classes with their value; any other class's value is at most 1000000000.
    """
    body = reader.mapping()
    meta = body["metadata"].mapping()
    name = meta["name"].string()
    if not name:
        raise meta["name"].fail("Required value: name or generateName is required")
    value = body["value"].integer(0)
    global_default = body["globalDefault"].boolean()
    if name.startswith("system-"):
        known = SYSTEM_PRIORITY_CLASSES.get(name)
        if known is None or known != value or global_default:
            problem = (
                f"{name} is not a known system priority class"
                if known is None
                else f"value of {name} PriorityClass must be {known}"
                if known != value
                else f"globalDefault of {name} PriorityClass must be false"
            )
            raise meta["name"].fail(
                "Forbidden: priority class names with 'system-' prefix are reserved for system use only. "
                f"error: {problem}"
            )
    elif value > HIGHEST_USER_DEFINABLE_PRIORITY:
        raise body["value"].fail(
            f"Forbidden: maximum allowed value of a user defined priority is {HIGHEST_USER_DEFINABLE_PRIORITY}"
        )
    policy = body["preemptionPolicy"]
    return PriorityClass(
        name=name,
        value=value,
        global_default=global_default,
        preemption_policy=policy.one_of(("Never", "PreemptLowerPriority"), "") if policy.present else None,
    )
