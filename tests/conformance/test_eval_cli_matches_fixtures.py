"""The InterPodAffinity and PodTopologySpread fixture inputs give the same answers through
``batchproof eval --objects ... --scored-nodes ...`` as through the library (issue 7)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from batchproof.model.framework.features import UPSTREAM_NAMES
from batchproof.model.manifests import Reader
from batchproof.model.manifests.decode import node, pod
from batchproof.model.validation import validate_node, validate_pod
from batchproof.properties.cli.main import main
from tests.conformance.fixture_cases import FEATURE_NAMES, FixtureCase, load_cases
from tests.conformance.test_plugin_fixtures import _evaluate

CASES = [
    c
    for c in load_cases()
    if c.plugin in ("InterPodAffinity", "PodTopologySpread") and "configError" not in c.case["expected"]
]
GATE_OF = {attribute: gate for gate, attribute in UPSTREAM_NAMES.items()}


def _as_stored(pod: dict[str, Any], name: str) -> dict[str, Any]:
    """A fixture pod with what the API server requires and these plugins never read: a name, named
    containers with an image (upstream plugin tests build pods that skip validation)."""
    doc = json.loads(json.dumps(pod))
    meta = doc.setdefault("metadata", {})
    meta.setdefault("name", name)
    spec = doc.setdefault("spec", {})
    containers = spec.get("containers") or [{}]
    for i, container in enumerate(containers):
        container.setdefault("name", f"c{i}")
        container.setdefault("image", "registry.k8s.io/pause:3.10")
    spec["containers"] = containers
    return doc


def _write(path: Path, documents: list[dict[str, Any]]) -> str:
    path.write_text(json.dumps({"kind": "List", "items": documents}))
    return str(path)


def _argv(case: FixtureCase, tmp: Path) -> list[str]:
    data = case.case
    pod = tmp / "pod.json"
    pod.write_text(json.dumps({"kind": "Pod", **_as_stored(data["pod"], "incoming")}))
    argv = [
        "eval",
        "--plugin",
        case.plugin,
        "--pod",
        str(pod),
        "--nodes",
        _write(tmp / "nodes.json", [{"kind": "Node", **n} for n in data["nodes"]]),
        "--args",
        json.dumps(case.args),
        "--format",
        "json",
    ]
    existing = [
        {"kind": "Pod", **_as_stored(p, f"existing-{i}")}
        for i, p in enumerate(data.get("existingPods", []))
        if p.get("spec", {}).get("nodeName")
    ]
    if existing:
        argv += ["--existing-pods", _write(tmp / "existing.json", existing)]
    objects = [{"kind": "Namespace", **ns} for ns in data.get("namespaces", [])] + list(data.get("objects", []))
    if objects:
        argv += ["--objects", _write(tmp / "objects.json", objects)]
    if "scoredNodes" in data:
        argv += ["--scored-nodes", ",".join(data["scoredNodes"])]
    gates = {GATE_OF[attribute]: False for attribute in FEATURE_NAMES.values()}
    for name, value in data.get("features", {}).items():
        gates[GATE_OF[FEATURE_NAMES[name]]] = bool(value)
    argv += ["--feature-gates", ",".join(f"{gate}={str(on).lower()}" for gate, on in gates.items())]
    if data.get("skipPreFilter") or data.get("runPreFilter") is False:
        argv.append("--skip-prefilter")
    if data.get("runPreScore") is False:
        argv.append("--skip-prescore")
    return argv


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_eval_cli_gives_the_library_answer(
    case: FixtureCase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(_argv(case, tmp_path))
    out, err = capsys.readouterr()
    if code == 2 and _rejected_by_the_api_server(case, tmp_path):
        # Upstream plugin tests build objects the API server would reject (e.g. node "nodeA");
        # loaded as manifests they exit 2 naming the file, document and field.
        assert re.fullmatch(r"batchproof: error: \S+: document \d+: \S+: [^\n]+\n", err), err
        return
    assert code == 0, err
    printed = json.loads(out)
    expected = json.loads(json.dumps(_evaluate(case).to_json()))
    assert printed == expected


def _rejected_by_the_api_server(case: FixtureCase, tmp: Path) -> bool:
    """Some pod or node of the case fails upstream validation (checked object by object)."""
    data = case.case
    pods = [_as_stored(data["pod"], "incoming")] + [
        _as_stored(p, f"existing-{i}") for i, p in enumerate(data.get("existingPods", []))
    ]
    for doc in pods:
        decoded = pod(Reader(doc, str(tmp), None, ""))
        if validate_pod(decoded if decoded.namespace else replace(decoded, namespace="default")):
            return True
    return any(validate_node(node(Reader(n, str(tmp), None, ""))) for n in data["nodes"])


def test_most_fixture_cases_are_objects_the_api_server_accepts() -> None:
    accepted = [c for c in CASES if not _rejected_by_the_api_server(c, Path("."))]
    assert len(accepted) >= len(CASES) // 3, f"{len(accepted)} of {len(CASES)}"
