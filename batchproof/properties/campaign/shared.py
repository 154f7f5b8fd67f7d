"""The shared database of a campaign run on many machines: one Redis for failures and findings.

Failing examples go to a Hypothesis ``RedisExampleDatabase`` multiplexed with the local directory
database, so a failure saved by one machine is replayed by every other. Findings are published to
a Redis hash keyed by their slug; the first machine to publish a key owns it. When Redis goes away
the campaign carries on with the local database: the outage is noted once (a marker file the
campaign process reports) and nothing is lost, because every write reaches the local side first.
"""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
from hypothesis.database import ExampleDatabase
from hypothesis.extra.redis import RedisExampleDatabase

from batchproof.model.errors import BatchproofError

SCHEME = "redis://"
OUTAGE_FILE = "shared-database-down"
_URL = re.compile(r"^redis://(?P<host>[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:]+\]):(?P<port>\d{1,5})/(?P<db>\d{1,2})$")
_TIMEOUT = 3.0


def is_shared(db: str | None) -> bool:
    """Whether a ``--db`` value names a Redis database rather than a directory."""
    return db is not None and db.startswith(SCHEME)


def validate_url(url: str) -> str:
    """``redis://HOST:PORT/N`` as given.

    Raises:
        BatchproofError: the URL does not have that form.

    """
    if _URL.match(url) is None:
        raise BatchproofError(f"--db {url}: expected redis://HOST:PORT/N")
    return url


def default_machine() -> str:
    """The name of this process in shared reports: host name and process id."""
    return f"{socket.gethostname()}/{os.getpid()}"


class Outage:
    """Whether the shared database has gone away, noted once in a marker file under ``control``."""

    def __init__(self, control: Path, url: str) -> None:
        self.marker = control / OUTAGE_FILE
        self.url = url
        self.down = False

    def note(self, error: BaseException) -> None:
        """Record the first failure; later ones change nothing."""
        if self.down:
            return
        self.down = True
        self.marker.parent.mkdir(parents=True, exist_ok=True)
        if not self.marker.exists():
            message = f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}"
            self.marker.write_text(message.rstrip(": ") + "\n")


def outage_message(control: Path) -> str | None:
    """The noted outage of any process of this campaign, if one was noted."""
    marker = control / OUTAGE_FILE
    try:
        return marker.read_text().strip() or "unreachable"
    except OSError:
        return None


class SafeDatabase(ExampleDatabase):
    """An example database that stops using its inner one at the first Redis error."""

    def __init__(self, inner: ExampleDatabase, outage: Outage) -> None:
        super().__init__()
        self.inner = inner
        self.outage = outage

    def fetch(self, key: bytes) -> Iterable[bytes]:
        """The inner database's values, or none once it is down."""
        if self.outage.down:
            return []
        try:
            return list(self.inner.fetch(key))
        except redis.RedisError as error:
            self.outage.note(error)
            return []

    def save(self, key: bytes, value: bytes) -> None:
        """Save unless down."""
        self._call(self.inner.save, key, value)

    def delete(self, key: bytes, value: bytes) -> None:
        """Delete unless down."""
        self._call(self.inner.delete, key, value)

    def move(self, src: bytes, dest: bytes, value: bytes) -> None:
        """Move unless down."""
        if self.outage.down:
            return
        try:
            self.inner.move(src, dest, value)
        except redis.RedisError as error:
            self.outage.note(error)

    def _call(self, method: Any, key: bytes, value: bytes) -> None:
        if self.outage.down:
            return
        try:
            method(key, value)
        except redis.RedisError as error:
            self.outage.note(error)


def client(url: str) -> redis.Redis:
    """A Redis client with short timeouts (a dead server must not stall the campaign)."""
    return redis.Redis.from_url(url, socket_timeout=_TIMEOUT, socket_connect_timeout=_TIMEOUT)


def prefix(configuration: str) -> str:
    """The key prefix of one campaign configuration (signers, variant, profile, plugin)."""
    return f"batchproof:{configuration}:"


def example_database(url: str, configuration: str, outage: Outage) -> ExampleDatabase:
    """The shared half of a property's example database."""
    inner = RedisExampleDatabase(client(url), key_prefix=(prefix(configuration) + "examples:").encode())
    return SafeDatabase(inner, outage)


@dataclass(frozen=True, slots=True)
class SharedFinding:
    """A finding as published: its finding.json record, its manifests, who found it first and when."""

    record: dict[str, Any]
    files: dict[str, str]
    machine: str
    detection: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        """The Redis hash value."""
        data = {"record": self.record, "files": self.files, "machine": self.machine, "detection": self.detection}
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> SharedFinding:
        """The inverse of :meth:`to_json`."""
        data = json.loads(text)
        return cls(data["record"], data["files"], data["machine"], data.get("detection") or {})


class Board:
    """The findings of every machine, in one Redis hash: the first to publish a key owns it."""

    def __init__(self, url: str, configuration: str, outage: Outage) -> None:
        self.redis = client(url)
        self.key = prefix(configuration) + "findings"
        self.outage = outage

    def publish(self, finding_id: str, shared: SharedFinding) -> bool:
        """Publish unless the key is there already; False when down (the local copy stays)."""
        if self.outage.down:
            return False
        try:
            self.redis.hsetnx(self.key, finding_id, shared.to_json())
        except redis.RedisError as error:
            self.outage.note(error)
            return False
        return True

    def read(self) -> dict[str, SharedFinding]:
        """Every published finding by id (empty when down)."""
        if self.outage.down:
            return {}
        try:
            raw: dict[bytes, bytes] = self.redis.hgetall(self.key)  # type: ignore[assignment]
        except redis.RedisError as error:
            self.outage.note(error)
            return {}
        return {k.decode(): SharedFinding.from_json(v) for k, v in sorted(raw.items())}
