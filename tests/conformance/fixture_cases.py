"""Turn the upstream plugin-test fixtures (tests/fixtures/k8s-plugin-cases) into batchproof objects and compare results."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from batchproof.model.cluster import Snapshot
from batchproof.model.framework.evaluate import PluginEvaluation
from batchproof.model.framework.features import FeatureGates
from batchproof.model.framework.status import Status
from batchproof.model.manifests import ClusterObjects, load_objects
from batchproof.model.manifests.decode import namespace, pod
from batchproof.model.manifests.reader import Reader
from batchproof.model.objects import Pod
from batchproof.model.quantity import parse_quantity, scheduler_units
from batchproof.model.resources import Resource

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "k8s-plugin-cases"
RESOURCES_KEY = "v1.Pod.Spec.ContainerRequestsAndOverheads()"
FEATURE_NAMES = {
    "podLevelResources": "pod_level_resources",
    "sidecarContainers": "sidecar_containers",
    "draExtendedResource": "dra_extended_resource",
    "nodeInclusionPolicyInPodTopologySpread": "node_inclusion_policy_in_pod_topology_spread",
    "matchLabelKeysInPodTopologySpread": "match_label_keys_in_pod_topology_spread",
    "matchLabelKeysInPodAffinity": "match_label_keys_in_pod_affinity",
}


@dataclass(frozen=True)
class FixtureCase:
    """One upstream test case with the file it came from."""

    file: str
    plugin: str
    index: int
    case: dict[str, Any]
    file_config: dict[str, Any]

    @property
    def id(self) -> str:
        """A unique, readable pytest id."""
        return f"{self.file}:{self.index}:{self.case['name']}"

    @property
    def args(self) -> dict[str, Any]:
        """Plugin args: the case config replaces the file config; ``note`` keys are dropped."""
        config = self.case.get("config", self.file_config)
        return {k: v for k, v in config.items() if k != "note"}

    @property
    def features(self) -> FeatureGates:
        """Plugin feature flags; a missing flag is false (Go zero value plfeature.Features{})."""
        flags = dict.fromkeys(FEATURE_NAMES.values(), False)
        for name, value in self.case.get("features", {}).items():
            flags[FEATURE_NAMES[name]] = bool(value)
        return FeatureGates(**flags)

    def incoming_pod(self) -> Pod:
        """The incoming pod ("" namespace stays "", as in the Go tests)."""
        return pod(Reader(self.case["pod"], self.id, None, "pod"), default_namespace="")

    def snapshot(self) -> Snapshot:
        """Nodes, existing pods that name a node, namespaces and selecting objects."""
        existing = [
            pod(Reader(doc, self.id, None, f"existingPods[{i}]"), default_namespace="")
            for i, doc in enumerate(self.case.get("existingPods", []))
        ]
        nodes = load_objects([{"kind": "Node", **n} for n in self.case.get("nodes", [])], source=self.id).nodes
        namespaces = tuple(
            namespace(Reader(doc, self.id, None, f"namespaces[{i}]"))
            for i, doc in enumerate(self.case.get("namespaces", []))
        )
        selecting = load_objects(self.case.get("objects", []), source=self.id).selecting
        objects = ClusterObjects(namespaces=namespaces, selecting=tuple(selecting))
        features = self.features
        return Snapshot(
            nodes,
            [p for p in existing if p.node_name],
            objects=objects,
            pod_level_resources=features.pod_level_resources,
        )


def load_cases() -> list[FixtureCase]:
    """Every case of every fixture file, in file order."""
    cases: list[FixtureCase] = []
    for path in sorted(FIXTURES.glob("*.json")):
        data = json.loads(path.read_text())
        for index, case in enumerate(data["cases"]):
            cases.append(FixtureCase(path.stem, data["plugin"], index, case, data.get("config", {})))
    return cases


def resource_value_from_fixture(value: dict[str, Any]) -> dict[str, Any]:
    """The fixture's derived aggregate requests as the Go JSON of framework.Resource."""
    amounts = {name: scheduler_units(name, parse_quantity(q)) for name, q in value["derivedAggregateRequests"].items()}
    return Resource.from_list(amounts).to_json()


def status_matches(actual: Status, expected: dict[str, Any]) -> bool:
    """Code always; reasons when the fixture asserts them."""
    if actual.code.value != expected["code"]:
        return False
    return "reasons" not in expected or list(actual.reasons) == list(expected["reasons"])


def describe(evaluation: PluginEvaluation) -> str:
    """A compact JSON rendering for assertion messages."""
    return json.dumps(evaluation.to_json(), sort_keys=True, default=str)
