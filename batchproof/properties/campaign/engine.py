"""Hypothesis plumbing of a campaign property: its test body, failures database, chunk runs and limits.

Each finding key (property, class, plugin, field) raises its own exception type, so Hypothesis
saves each failing example in the example database as a distinct failure. A run first replays
the database (every saved failure, reported at once), then generates in chunks of examples, each
seeded from (seed, property, chunk number); a chunk stops at its first new key, whose example is
reduced, written to disk at once, and ignored by later chunks. Runs with the same seed and example
count are therefore identical, whatever the database held. A time budget stops a chunk between
two examples. :mod:`batchproof.properties.campaign.property_run` drives these pieces.
"""

from __future__ import annotations

import hashlib
import os
import time
import traceback
import unittest
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis.database import (
    DirectoryBasedExampleDatabase,
    ExampleDatabase,
    InMemoryExampleDatabase,
    MultiplexedDatabase,
)

from batchproof.properties.campaign.evidence import Candidate, Tally
from batchproof.properties.campaign.findings import Finding, FindingKey
from batchproof.properties.campaign.properties import CampaignProperty

CHUNK = 1000  # long enough for Hypothesis's targeted phase to climb within one chunk
Clock = Callable[[], float]


class FindingRaised(Exception):
    """Raised inside a Hypothesis test for a candidate finding (one subclass per key)."""

    def __init__(self, candidate: Candidate) -> None:
        super().__init__(candidate.key.slug())
        self.candidate = candidate


_RAISERS: dict[FindingKey, type[FindingRaised]] = {}


def _raiser(key: FindingKey) -> type[FindingRaised]:
    if key not in _RAISERS:
        _RAISERS[key] = type(f"Finding_{key.slug().replace('-', '_').replace('.', '_')}", (FindingRaised,), {})
    return _RAISERS[key]


@dataclass(slots=True)
class PropertyProgress:
    """A property's running totals (written to disk after every chunk)."""

    name: str
    description: str
    examples: int = 0
    calls: int = 0
    chunks: int = 0
    replayed: int = 0
    paths: Counter[str] = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    done: bool = False
    error: str | None = None
    required_path: str = ""

    def to_json(self) -> dict[str, Any]:
        """Plain data (the per-property part of report.json, plus timing)."""
        return {
            "name": self.name,
            "description": self.description,
            "examples": self.examples,
            "calls": self.calls,
            "chunks": self.chunks,
            "replayed": self.replayed,
            "paths": dict(sorted(self.paths.items())),
            "findings": sorted(f.id for f in self.findings),
            "seconds": round(self.seconds, 3),
            "done": self.done,
            "error": self.error,
            "required_path": self.required_path,
        }


class _Stop(KeyboardInterrupt):
    """Raised inside a chunk when its time is up or its owner went away (Hypothesis lets it through)."""


class Body:
    """The test function: checks one example; raises for the first candidate with a new key."""

    def __init__(
        self, prop: CampaignProperty, known: set[FindingKey], limits: Limits | None = None, *, replaying: bool = False
    ) -> None:
        self.prop = prop
        self.replaying = replaying
        self.known = known
        self.limits = limits
        self.calls = 0
        self.generated = 0
        self.raised: Candidate | None = None
        self.tally: Tally = Counter()
        self.stopped = False

    def __call__(self, example: Any) -> None:
        """Check one example."""
        self.calls += 1
        if self.raised is not None and not self.replaying:
            # Hypothesis saved the failing example when it failed; stop before it spends more draws
            # (its targeted phase would go on) and report the candidate we hold.
            raise _Stop
        limits = self.limits
        if limits is not None and (limits.expired() or (self.calls % 20 == 0 and not limits.owner_alive())):
            self.stopped = True
            raise _Stop
        local: Tally = Counter()
        candidates = self.prop.check(example, local)
        self.generated += 1
        self.tally.update(local)
        new = sorted((c for c in candidates if c.key not in self.known), key=lambda c: c.key)
        if new:
            self.raised = new[0]
            raise _raiser(new[0].key)(new[0])


class FailuresDatabase(ExampleDatabase):
    """A directory database (multiplexed with a shared one, if given) that keeps only failures under one key.

    No pareto front or secondary corpus: a long run writes a file per finding, not per improvement.

    Without a directory it keeps them in memory: Hypothesis draws differently with and without a
    database (it keeps a pareto front only with one), so a run always has one and the results do
    not depend on ``--db``.
    """

    def __init__(self, directory: Path | None, key: bytes, shared: ExampleDatabase | None = None) -> None:
        super().__init__()
        local: ExampleDatabase = (
            DirectoryBasedExampleDatabase(str(directory)) if directory is not None else InMemoryExampleDatabase()
        )
        # With a shared database every write goes to the local one first, so an outage loses nothing.
        self.inner: ExampleDatabase = MultiplexedDatabase(local, shared) if shared is not None else local
        self.local = local
        self.key = key

    def save(self, key: bytes, value: bytes) -> None:
        """Save failures of the primary key only."""
        if key == self.key:
            self.inner.save(key, value)

    def fetch(self, key: bytes) -> Iterable[bytes]:
        """Saved failures of the primary key."""
        return self.inner.fetch(key) if key == self.key else ()

    def delete(self, key: bytes, value: bytes) -> None:
        """Forget a failure that no longer fails."""
        if key == self.key:
            self.inner.delete(key, value)

    def move(self, src: bytes, dest: bytes, value: bytes) -> None:
        """Moves (to the secondary corpus) delete from the primary key."""
        if src == self.key:
            self.inner.delete(src, value)
        if dest == self.key:
            self.inner.save(dest, value)


def _flatten(error: BaseException) -> Iterator[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            yield from _flatten(inner)
    else:
        yield error


def run_examples(
    prop: CampaignProperty,
    body: Body,
    *,
    chunk_seed: int,
    max_examples: int,
    database: ExampleDatabase | None,
    phases: tuple[Phase, ...],
    multiple: bool,
) -> tuple[list[Candidate], list[BaseException]]:
    """Run ``body`` over the property's strategy once with Hypothesis: the candidates it raised and other errors."""

    @given(prop.strategy)
    def test(example: Any) -> None:
        body(example)

    # No shrink phase: the property's reducer, which edits the example directly, is far cheaper.
    # Every setting is given here on Hypothesis's own defaults, so the run does not depend on the
    # profile the process loaded (pytest's plugin loads ``ci`` in the workers).
    configured = settings(
        settings.get_profile("default"),
        max_examples=max_examples,
        database=database,
        phases=phases,
        deadline=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=multiple,
        verbosity=Verbosity.quiet,
        print_blob=False,
    )
    # seed() drops the database; the settings applied after it put it back.
    runnable = configured(seed(chunk_seed)(test))
    runnable._hypothesis_internal_database_key = database_key(prop)  # type: ignore[attr-defined]
    try:
        runnable()
    except _Stop:
        return ([prop.reduce(body.raised)] if body.raised is not None else []), []
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # Hypothesis reports findings as exceptions (grouped when several)
        found: list[Candidate] = []
        other: list[BaseException] = []
        for inner in _flatten(error):
            if isinstance(inner, FindingRaised):
                found.append(inner.candidate)
            elif isinstance(inner, _Stop):
                continue
            elif isinstance(inner, (KeyboardInterrupt, SystemExit)):
                raise inner from None
            elif not isinstance(inner, unittest.SkipTest):  # nothing to run, e.g. an empty database
                other.append(inner)
        found = [prop.reduce(c) for c in found]
        return sorted(found, key=lambda c: c.key), other
    return [], []


def database_key(prop: CampaignProperty) -> bytes:
    """The key a property's failures are saved under (stable across code changes, unlike the default)."""
    return b"batchproof-campaign/" + prop.name.encode()


def chunk_seed(seed_value: int, name: str, chunk: int) -> int:
    """The seed of one chunk: a hash of the campaign seed, the property and the chunk number."""
    digest = hashlib.sha256(f"{seed_value}/{name}/{chunk}".encode()).hexdigest()
    return int(digest[:16], 16)


@dataclass(frozen=True, slots=True)
class Limits:
    """When to stop: an example count, an absolute deadline, or the owner process going away."""

    max_examples: int | None = None
    deadline: float | None = None
    owner_pid: int = 0
    clock: Clock = time.time
    stop: Callable[[], bool] | None = None  # e.g. "a finding was confirmed" when stopping at the first

    def expired(self) -> bool:
        """Whether the deadline has passed (or the stop condition holds)."""
        if self.stop is not None and self.stop():
            return True
        return self.deadline is not None and self.clock() >= self.deadline

    def owner_alive(self) -> bool:
        """False once the campaign process that started this run has gone (e.g. killed)."""
        if not self.owner_pid or self.owner_pid == os.getpid():
            return True
        try:
            os.kill(self.owner_pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


Record = Callable[[Candidate, bool, int], Finding]
Progress = Callable[[PropertyProgress], None]


def error_line(errors: list[BaseException]) -> str:
    """The first internal error as one line, with where it was raised."""
    first = errors[0]
    text = str(first).strip().splitlines()[0] if str(first).strip() else ""
    frames = traceback.extract_tb(first.__traceback__)
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{type(first).__name__}: {text}{where}"
