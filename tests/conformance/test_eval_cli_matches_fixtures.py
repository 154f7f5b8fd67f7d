"""The InterPodAffinity and PodTopologySpread fixture inputs give the same answers through
``batchproof eval --objects ... --scored-nodes ...`` as through the library (issue 7)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from batchproof.model.framework.features import UPSTREAM_NAMES
from batchproof.properties.cli.main import main
from tests.conformance.fixture_cases import FEATURE_NAMES, FixtureCase, load_cases
from tests.conformance.test_plugin_fixtures import _evaluate

CASES = [
    c
    for c in load_cases()
    if c.plugin in ("InterPodAffinity", "PodTopologySpread") and "configError" not in c.case["expected"]
]
GATE_OF = {attribute: gate for gate, attribute in UPSTREAM_NAMES.items()}


def _write(path: Path, documents: list[dict[str, Any]]) -> str:
    path.write_text(json.dumps({"kind": "List", "items": documents}))
    return str(path)


def _argv(case: FixtureCase, tmp: Path) -> list[str]:
    data = case.case
    pod = tmp / "pod.json"
    pod.write_text(json.dumps({"kind": "Pod", **data["pod"]}))
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
    existing = [{"kind": "Pod", **p} for p in data.get("existingPods", []) if p.get("spec", {}).get("nodeName")]
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
    assert main(_argv(case, tmp_path)) == 0, capsys.readouterr().err
    printed = json.loads(capsys.readouterr().out)
    expected = json.loads(json.dumps(_evaluate(case).to_json()))
    assert printed == expected
