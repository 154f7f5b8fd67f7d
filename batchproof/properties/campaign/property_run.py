"""One property's run, step by step: replay the saved failures, then one seeded chunk per step.

A step runs the next chunk until its limits (an example count, a deadline, the owner going away),
so a run can go to its example count on its own or share a worker's time with other properties,
a slice at a time (:mod:`batchproof.properties.campaign.budget`). With a shared
database, failures other machines saved meanwhile are replayed before the next chunk.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hypothesis import Phase
from hypothesis.database import ExampleDatabase, InMemoryExampleDatabase

from batchproof.properties.campaign.engine import (
    CHUNK,
    Body,
    FailuresDatabase,
    Limits,
    Progress,
    PropertyProgress,
    Record,
    chunk_seed,
    database_key,
    error_line,
    run_examples,
)
from batchproof.properties.campaign.evidence import Candidate
from batchproof.properties.campaign.findings import Finding, FindingKey
from batchproof.properties.campaign.properties import CampaignProperty


@dataclass(frozen=True, slots=True)
class Step:
    """What one step did: examples run, new things seen (finding keys and interesting-path labels), seconds."""

    examples: int
    discoveries: int
    seconds: float


def _view(key: bytes, values: list[bytes]) -> FailuresDatabase:
    """An in-memory database holding only ``values`` (failures other machines saved meanwhile)."""
    inner = InMemoryExampleDatabase()
    for value in values:
        inner.save(key, value)
    return FailuresDatabase(None, key, inner)


class PropertyRun:
    """A property's run: its database, what it found, and the failures it has already seen."""

    def __init__(
        self,
        prop: CampaignProperty,
        *,
        seed_value: int,
        database_dir: Path | None,
        record: Record,
        progress: Progress,
        shared: ExampleDatabase | None = None,
    ) -> None:
        self.prop = prop
        self.seed_value = seed_value
        self.key = database_key(prop)
        self.database = FailuresDatabase(database_dir, self.key, shared)
        self.shared = shared
        self.record = record
        self.progress = progress
        self.state = PropertyProgress(prop.name, prop.description, required_path=prop.required_path)
        self.found: dict[FindingKey, Finding] = {}
        self.known: set[FindingKey] = set()
        self.seen: set[bytes] = set()
        self.chunk = 0
        self.finished = False

    def _replay(self, source: ExampleDatabase, values: list[bytes]) -> int:
        """Replay saved failures; their keys stay out of ``known`` (generation must not depend on them)."""
        self.seen.update(values)
        candidates, errors = run_examples(
            self.prop,
            Body(self.prop, set(), replaying=True),
            chunk_seed=0,
            max_examples=1,
            database=source,
            phases=(Phase.reuse,),
            multiple=True,
        )
        new = 0
        for candidate in candidates:
            if candidate.key not in self.found:
                new += 1
                self.state.replayed += 1
                self.found[candidate.key] = self.record(candidate, True, self.state.examples)
        if errors:
            self.state.error = error_line(errors)
        return new

    def start(self) -> int:
        """Replay everything the database holds (local and shared); the number of findings it gave back."""
        saved = list(self.database.fetch(self.key))
        return self._replay(self.database, saved) if saved else 0

    def _news(self) -> int | None:
        """Replay the failures other machines saved since we last looked (None when there were none)."""
        if self.shared is None:
            return None
        fresh = [v for v in self.shared.fetch(self.key) if v not in self.seen]
        if not fresh:
            return None
        for value in fresh:  # other machines' failures are kept locally too
            self.database.local.save(self.key, value)
        return self._replay(_view(self.key, fresh), fresh)

    def done(self, limits: Limits) -> bool:
        """Whether the run cannot go on: an error, its example count reached, or its deadline passed."""
        state = self.state
        if self.finished or state.error is not None:
            return True
        if limits.max_examples is not None and state.examples >= limits.max_examples:
            return True
        if not limits.owner_alive():
            state.error = "the campaign process went away"
            return True
        return limits.expired()

    def step(self, limits: Limits) -> Step:
        """Run the next chunk (or replay news from other machines) within ``limits``."""
        started = limits.clock()
        state = self.state
        paths_before = set(state.paths)
        if self.chunk:
            news = self._news()
            if news is not None:
                return Step(0, news, limits.clock() - started)
        remaining = None if limits.max_examples is None else limits.max_examples - state.examples
        size = CHUNK if remaining is None else max(1, min(CHUNK, remaining))
        body = Body(self.prop, self.known, limits)
        candidates, errors = run_examples(
            self.prop,
            body,
            chunk_seed=chunk_seed(self.seed_value, self.prop.name, self.chunk),
            max_examples=size,
            database=self.database,
            phases=(Phase.generate, Phase.target),
            multiple=False,
        )
        self.chunk += 1
        self._count(body)
        self._generated(candidates)
        if errors:
            state.error = error_line(errors)
        if body.stopped and not limits.owner_alive():
            state.error = "the campaign process went away"
        seconds = limits.clock() - started
        state.seconds += seconds
        state.findings = sorted(self.found.values(), key=lambda f: f.key)
        self.progress(state)
        return Step(body.generated, len(candidates) + len(set(state.paths) - paths_before), seconds)

    def _count(self, body: Body) -> None:
        state = self.state
        state.chunks = self.chunk
        if body.generated == 0 and not body.stopped:
            state.error = state.error or "the strategy produced no examples"
        state.examples += body.generated
        state.calls += body.calls
        state.paths.update(body.tally)

    def _generated(self, candidates: list[Candidate]) -> None:
        if candidates:
            self.seen.update(self.database.local.fetch(self.key))  # our own saves are not news from elsewhere
        for candidate in candidates:
            self.known.add(candidate.key)
            self.found[candidate.key] = self.record(candidate, False, self.state.examples)

    def finish(self) -> PropertyProgress:
        """Mark the run done and write its last progress."""
        self.finished = True
        state = self.state
        state.findings = sorted(self.found.values(), key=lambda f: f.key)
        state.done = True
        self.progress(state)
        return state
