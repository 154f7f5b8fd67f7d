"""A property run replays, between chunks, the failures another machine saved to the shared database
meanwhile, and does not mistake its own saves for news."""

from __future__ import annotations

from hypothesis.database import InMemoryExampleDatabase

from batchproof.properties.campaign.config import CampaignConfig
from batchproof.properties.campaign.engine import Limits, PropertyProgress, database_key
from batchproof.properties.campaign.evidence import Candidate
from batchproof.properties.campaign.findings import Finding
from batchproof.properties.campaign.property_run import PropertyRun
from batchproof.properties.campaign.worker import properties_for


def _run(shared: InMemoryExampleDatabase, log: list[tuple[str, bool]]) -> PropertyRun:
    prop = properties_for(CampaignConfig(properties=("signature/host-ports",)))[0]

    def record(candidate: Candidate, replayed: bool, examples: int) -> Finding:
        log.append((candidate.key.slug(), replayed))
        return Finding(candidate.key, "pair", "", "", "", "")

    def progress(state: PropertyProgress) -> None:
        pass

    return PropertyRun(prop, seed_value=1, database_dir=None, record=record, progress=progress, shared=shared)


def test_failures_other_machines_save_meanwhile_are_replayed_before_the_next_chunk() -> None:
    theirs, ours = InMemoryExampleDatabase(), InMemoryExampleDatabase()
    found: list[tuple[str, bool]] = []
    other = _run(theirs, found)
    other.start()
    while not found:
        other.step(Limits(max_examples=300))
    key = database_key(other.prop)
    saved = list(theirs.fetch(key))
    assert saved, "the other machine's failure went to its shared database"

    log: list[tuple[str, bool]] = []
    run = _run(ours, log)
    assert run.start() == 0
    first = run.step(Limits(max_examples=1))  # a first chunk of one example
    mine = list(ours.fetch(key))
    for value in saved:
        ours.save(key, value)
    news = run.step(Limits(max_examples=200))
    assert news.examples == 0 and news.discoveries >= 1
    assert (found[0][0], True) in log
    assert run.state.replayed >= 1
    # Nothing new now: the next step generates again, and its own saves are not news.
    after = run.step(Limits(max_examples=200))
    assert after.examples > 0 and run.state.error is None
    assert first.examples == 1 and all(value in run.seen for value in [*saved, *mine])
