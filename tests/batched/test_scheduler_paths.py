"""The batched scheduler's paths: nominated node, hint, full pipeline with the upstream sampling window.

schedulePod (spec §6): a nominated node is evaluated first (path ``nominated``), else the hint
(path ``hint``); otherwise the full pipeline samples ``numFeasibleNodesToFind`` nodes starting at
``nextStartNodeIndex`` (0 on a new scheduler, then rotating), exactly as the reference does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from batchproof.batched import BatchedScheduler
from batchproof.model.cluster import Snapshot
from batchproof.model.framework.runtime import Framework
from batchproof.model.objects import Node, Pod
from batchproof.properties.cli.main import main
from batchproof.reference import ReferenceScheduler
from tests.batched.test_batch import TableScore, framework


def scored() -> Framework:
    """The blocking filter and a score plugin (without one, the pipeline stops at the first feasible node)."""
    return framework(TableScore({}))


ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("variant", ["g1", "g3", "renormalize"])
def test_each_decision_names_the_path_that_placed_it(variant: str) -> None:
    scheduler = BatchedScheduler(scored(), Snapshot([Node("n1"), Node("n2"), Node("n3")]), variant=variant)  # type: ignore[arg-type]
    first = scheduler.schedule_one(Pod(name="p1", uid="b-1"))
    second = scheduler.schedule_one(Pod(name="p2", uid="b-2"))
    nominated = scheduler.schedule_one(Pod(name="p3", uid="b-3", nominated_node_name="n3"))
    assert (first.node, first.path) == ("n1", "full")
    assert (second.node, second.path) == ("n2", "hint")
    assert (nominated.node, nominated.path) == ("n3", "nominated")
    assert nominated.flush_reason == "pod_nominated"


def test_a_nominated_node_that_no_longer_fits_falls_back_to_the_full_pipeline() -> None:
    scheduler = BatchedScheduler(scored(), Snapshot([Node("n1"), Node("n2")]))
    scheduler.schedule_one(Pod(name="p1", uid="b-1"))  # n1 now holds a blocking pod
    decision = scheduler.schedule_one(Pod(name="p2", uid="b-2", nominated_node_name="n1"))
    assert (decision.node, decision.path) == ("n2", "full")


def many_nodes(count: int) -> Snapshot:
    return Snapshot([Node(f"n{i:03d}") for i in range(count)])


@pytest.mark.parametrize("variant", ["g1", "g3", "renormalize"])
def test_the_sampling_window_starts_at_the_first_node_and_rotates_as_the_references(variant: str) -> None:
    """150 nodes at 50 %: numFeasibleNodesToFind is 100, so each full pipeline sees a window of
    100 nodes; one-pod-per-node pods then land where the reference puts them."""
    fw = scored()
    reference = ReferenceScheduler(fw, many_nodes(150), percentage_of_nodes_to_score=50)
    batched = BatchedScheduler(fw, many_nodes(150), variant=variant, percentage_of_nodes_to_score=50)  # type: ignore[arg-type]
    assert batched.next_start_node_index == reference.next_start_node_index == 0
    pods = [Pod(name=f"p{i}", uid=f"b-{i}") for i in range(4)]
    placed = [(reference.schedule_one(p).node, batched.schedule_one(p).node) for p in pods]
    assert placed[0] == ("n000", "n000")  # the first window starts at node 0
    assert [ours for ours, _ in placed] == [theirs for _, theirs in placed]


def test_the_schedule_command_reports_the_batched_scheduler_by_the_name_it_is_chosen_by(
    capsys: pytest.CaptureFixture[str],
) -> None:
    nodes, pods = ROOT / "examples" / "cluster" / "nodes.yaml", ROOT / "examples" / "cluster" / "pods.yaml"
    code = main(["schedule", "--nodes", str(nodes), "--pods", str(pods), "--scheduler", "batched", "--format", "json"])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["scheduler"] == "batched" == BatchedScheduler.name


def test_update_replaces_a_queued_pod_and_re_signs_it() -> None:
    scheduler = BatchedScheduler(scored(), Snapshot([Node("n1")]))
    scheduler.enqueue(Pod(name="p", uid="b-1"))
    renamed = Pod(name="p", uid="b-1", scheduler_name="other-scheduler")
    assert scheduler.update(renamed) is True
    assert [(q.pod, q.signature) for q in scheduler.queue] == [(renamed, None)]  # no profile: unsigned
    assert scheduler.update(Pod(name="absent", uid="b-2")) is False
    assert len(scheduler.queue) == 1
