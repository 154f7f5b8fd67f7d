"""Shards: N processes (e.g. the pods of an Indexed Job) split a campaign's work without overlap.

With N at most the number of properties P, shard I runs the properties whose position j has
``j % N == I``, each with the campaign seed, so the shards together run exactly the unsharded
campaign. With more shards than properties, shard I runs property ``I % P`` as replica ``I // P``;
replica 0 keeps the seed and every other replica draws from a seed of its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from batchproof.model.errors import BatchproofError

Shard = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Assignment:
    """What one shard runs: a property, by position in the campaign's list, and the seed to run it with."""

    position: int
    seed: int


def parse_shard(text: str) -> Shard:
    """``I/N`` with ``0 <= I < N`` (I is the Indexed Job's completion index).

    Raises:
        BatchproofError: not of that form.

    """
    head, sep, tail = text.partition("/")
    if not sep or not head.strip().isdigit() or not tail.strip().isdigit():
        raise BatchproofError(f"--shard {text}: expected I/N, e.g. 0/4")
    index, count = int(head), int(tail)
    if not 0 <= index < count:
        raise BatchproofError(f"--shard {text}: I must be at least 0 and below N")
    return index, count


def replica_seed(seed: int, replica: int) -> int:
    """The seed of a property's ``replica``-th copy (the campaign seed for the first)."""
    if replica == 0:
        return seed
    return int(hashlib.sha256(f"{seed}/replica/{replica}".encode()).hexdigest()[:15], 16)


def assignments(count: int, shard: Shard | None, seed: int) -> list[Assignment]:
    """The properties (of ``count``) shard ``I/N`` runs, with their seeds; all of them without a shard."""
    if shard is None:
        return [Assignment(j, seed) for j in range(count)]
    index, shards = shard
    if count == 0:
        return []
    if shards <= count:
        return [Assignment(j, seed) for j in range(count) if j % shards == index]
    return [Assignment(index % count, replica_seed(seed, index // count))]


def shard_names(names: Sequence[str], shard: Shard | None, seed: int) -> dict[str, int]:
    """Property name -> seed, for the names this shard runs."""
    return {names[a.position]: a.seed for a in assignments(len(names), shard, seed)}
