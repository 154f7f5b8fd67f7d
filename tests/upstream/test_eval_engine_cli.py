"""``batchproof eval --engine upstream|both`` on the fixture inputs the API server accepts.

(Every fixture case also goes through the oracle directly in test_fixtures_upstream.py; here the
cases whose objects validate run through the CLI, which refuses the others with exit 2.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from batchproof.properties.cli.main import main
from tests.conformance.fixture_cases import FixtureCase, load_cases
from tests.conformance.test_eval_cli_matches_fixtures import _argv, _rejected_by_the_api_server

CASES = [
    c
    for c in load_cases()
    if c.plugin in ("InterPodAffinity", "PodTopologySpread")
    and "configError" not in c.case["expected"]
    and not _rejected_by_the_api_server(c, Path("."))
]


def _with_release_gates(argv: list[str]) -> list[str]:
    # The fixtures turn gates off (Go's zero plfeature.Features{}); v1.37 locked most of them on,
    # removed others, and refuses PodLevelResources=false while gates depending on it are on, as
    # kube-scheduler would. Both engines run on the release defaults instead.
    index = argv.index("--feature-gates")
    return [*argv[:index], *argv[index + 2 :]]


@pytest.mark.usefixtures("oracle")
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_eval_engine_both_agrees_on_fixture_inputs(
    case: FixtureCase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = _with_release_gates([*_argv(case, tmp_path), "--engine", "both"])
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 0, err
    document = json.loads(out)
    assert document["upstream"]["plugin"] == case.plugin
    assert document["differences"] == [], document["differences"]


def test_there_are_fixture_inputs_to_check() -> None:
    assert len(CASES) >= 10
