"""An immutable, hashable mapping used for labels, resource lists and other maps in objects."""

from __future__ import annotations

from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from typing import TypeVar, overload

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")


class FrozenDict(Mapping[K, V]):
    """A read-only dict that hashes by content and keeps insertion order.

    Its repr pastes back as code: ``FrozenDict({'a': 1})``.
    """

    __slots__ = ("_data", "_hash")

    def __init__(self, items: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        self._data: dict[K, V] = dict(items)
        self._hash: int | None = None

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    # Delegate the Mapping mixins to the dict: they are hot in plugin code.
    @overload
    def get(self, key: K, /) -> V | None: ...

    @overload
    def get(self, key: K, /, default: V | T) -> V | T: ...

    def get(self, key: K, /, default: object = None) -> object:
        """The value for ``key``, or ``default``."""
        return self._data.get(key, default)

    def items(self) -> ItemsView[K, V]:
        """(key, value) pairs in insertion order."""
        return self._data.items()

    def keys(self) -> KeysView[K]:
        """Keys in insertion order."""
        return self._data.keys()

    def values(self) -> ValuesView[V]:
        """Values in insertion order."""
        return self._data.values()

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenDict):
            return self._data == other._data
        if isinstance(other, Mapping):
            return self._data == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenDict({self._data!r})"

    def replace(self, **changes: V) -> FrozenDict[str, V]:
        """Return a copy with the given string keys set."""
        merged: dict[str, V] = {str(k): v for k, v in self._data.items()}
        merged.update(changes)
        return FrozenDict(merged)


EMPTY: FrozenDict[str, str] = FrozenDict()
