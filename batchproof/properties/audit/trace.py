"""A tracing view of a frozen object tree: every field path a plugin reads through it is logged.

``Tracer().view(pod)`` returns an object that behaves as the pod does for plugin code — the
same type (a subclass of each dataclass, of tuple, of FrozenDict), equal to and hashing as the
original — but records what is read, as a path from the root and the kind of read:

- ``value``: the value at the path was used whole (a leaf read, ``==``, ``hash``, a map's
  ``items()``/``values()``, a tuple's ``in``), which depends on everything below it;
- ``keys``: only which keys a map has (iteration, ``keys()``, ``in`` on the map as a whole);
- ``len``: only how many items a tuple or map has.

Reading a nested dataclass, tuple item or map value logs nothing by itself: what is then read
from it does. A ``None`` or a scalar read is a leaf.
"""

from __future__ import annotations

import dataclasses
from collections.abc import ItemsView, Iterator, KeysView, ValuesView
from typing import Any, ClassVar, Literal

from batchproof.model.frozen import FrozenDict
from batchproof.properties.mutate import Path

ReadKind = Literal["value", "keys", "len"]
Read = tuple[Path, ReadKind]


class Tracer:
    """Collects the reads made through the views it hands out."""

    def __init__(self) -> None:
        self.reads: set[Read] = set()

    def log(self, path: Path, kind: ReadKind = "value") -> None:
        """Record one read."""
        self.reads.add((path, kind))

    def view(self, value: Any, path: Path = ()) -> Any:
        """``value`` as a traced view rooted at ``path``."""
        if isinstance(value, FrozenDict):
            return _TracedDict(value, self, path)
        if type(value) is tuple:
            return _TracedTuple(value, self, path)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return _traced_class(type(value)).of(value, self, path)
        self.log(path)
        return value


def original(value: Any) -> Any:
    """The object a view wraps (``value`` itself when it is not a view)."""
    if isinstance(value, _TracedTuple | _TracedDict):
        return value.wrapped
    if getattr(type(value), "_bp_traced", False):
        try:
            return object.__getattribute__(value, "_bp_original")
        except AttributeError:  # a copy made by dataclasses.replace holds plain values
            return value
    return value


class _TracedTuple(tuple):  # type: ignore[type-arg]
    """A tuple whose items are views; ``len``/``==``/``in``/``hash`` log the tuple itself."""

    wrapped: tuple[Any, ...]
    tracer: Tracer
    path: Path

    def __new__(cls, items: tuple[Any, ...], tracer: Tracer, path: Path) -> _TracedTuple:
        view = super().__new__(cls, items)
        view.wrapped, view.tracer, view.path = items, tracer, path
        return view

    def _item(self, index: int) -> Any:
        return self.tracer.view(self.wrapped[index], (*self.path, ("index", index)))

    def __getitem__(self, index: Any) -> Any:
        positions = range(len(self.wrapped))
        if isinstance(index, slice):
            return tuple(self._item(i) for i in positions[index])
        return self._item(positions[index])

    def __iter__(self) -> Iterator[Any]:
        self.tracer.log(self.path, "len")
        return (self._item(i) for i in range(len(self.wrapped)))

    def __len__(self) -> int:
        self.tracer.log(self.path, "len")
        return len(self.wrapped)

    def __bool__(self) -> bool:
        self.tracer.log(self.path, "len")
        return bool(self.wrapped)

    def __contains__(self, item: object) -> bool:
        self.tracer.log(self.path)
        return original(item) in self.wrapped

    def __eq__(self, other: object) -> bool:
        self.tracer.log(self.path)
        return bool(self.wrapped == original(other))

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        self.tracer.log(self.path)
        return hash(self.wrapped)

    def __add__(self, other: Any) -> tuple[Any, ...]:
        return (*self, *other)

    def __radd__(self, other: Any) -> tuple[Any, ...]:
        return (*other, *self)


class _TracedDict(FrozenDict[Any, Any]):
    """A FrozenDict that logs each key looked up, and the whole map when iterated or compared."""

    __slots__ = ("path", "tracer", "wrapped")

    def __init__(self, data: FrozenDict[Any, Any], tracer: Tracer, path: Path) -> None:
        super().__init__(data)
        self.wrapped, self.tracer, self.path = data, tracer, path

    def _value(self, key: Any) -> Any:
        return self.tracer.view(self._data[key], (*self.path, ("key", key)))

    def __getitem__(self, key: Any) -> Any:
        if key not in self._data:
            self.tracer.log((*self.path, ("key", key)))
        return self._value(key)

    def get(self, key: Any, /, default: object = None) -> Any:
        """Log the key, then look it up."""
        if key not in self._data:
            self.tracer.log((*self.path, ("key", key)))
            return default
        return self._value(key)

    def __contains__(self, key: object) -> bool:
        self.tracer.log((*self.path, ("key", key)))
        return key in self._data

    def __iter__(self) -> Iterator[Any]:
        self.tracer.log(self.path, "keys")
        return iter(self._data)

    def keys(self) -> KeysView[Any]:
        """Which keys there are (logged as a keys read)."""
        self.tracer.log(self.path, "keys")
        return self._data.keys()

    def items(self) -> ItemsView[Any, Any]:
        """Every pair (logged as a read of the whole map)."""
        self.tracer.log(self.path)
        return self._data.items()

    def values(self) -> ValuesView[Any]:
        """Every value (logged as a read of the whole map)."""
        self.tracer.log(self.path)
        return self._data.values()

    def __len__(self) -> int:
        self.tracer.log(self.path, "len")
        return len(self._data)

    def __eq__(self, other: object) -> bool:
        self.tracer.log(self.path)
        return bool(self.wrapped == original(other))

    def __hash__(self) -> int:
        self.tracer.log(self.path)
        return hash(self.wrapped)

    def __repr__(self) -> str:
        return repr(self.wrapped)


_CLASSES: dict[type, Any] = {}


def _traced_class(base: type) -> Any:
    """A subclass of the dataclass ``base`` whose field reads return views."""
    if base in _CLASSES:
        return _CLASSES[base]
    names = frozenset(f.name for f in dataclasses.fields(base))

    class Traced(base):  # type: ignore[misc]
        __slots__ = ("_bp_original", "_bp_path", "_bp_tracer")
        _bp_traced: ClassVar[bool] = True

        @classmethod
        def of(cls, value: Any, tracer: Tracer, path: Path) -> Any:
            view = object.__new__(cls)
            for name in names:
                object.__setattr__(view, name, object.__getattribute__(value, name))
            object.__setattr__(view, "_bp_original", value)
            object.__setattr__(view, "_bp_tracer", tracer)
            object.__setattr__(view, "_bp_path", path)
            return view

        def __getattribute__(self, name: str) -> Any:
            if name in names:
                try:
                    tracer = object.__getattribute__(self, "_bp_tracer")
                except AttributeError:  # built by dataclasses.replace: a plain copy
                    return object.__getattribute__(self, name)
                path = object.__getattribute__(self, "_bp_path")
                return tracer.view(object.__getattribute__(self, name), (*path, ("attr", name)))
            return object.__getattribute__(self, name)

        def _bp_whole(self) -> Any:
            try:
                object.__getattribute__(self, "_bp_tracer").log(object.__getattribute__(self, "_bp_path"))
            except AttributeError:
                return base(**{name: object.__getattribute__(self, name) for name in names})
            return object.__getattribute__(self, "_bp_original")

        def __eq__(self, other: object) -> bool:
            return bool(self._bp_whole() == original(other))

        def __hash__(self) -> int:
            return hash(self._bp_whole())

        def __repr__(self) -> str:
            return repr(original(self))

    Traced.__name__ = Traced.__qualname__ = base.__name__
    _CLASSES[base] = Traced
    return Traced
