"""A generic field-level mutator over frozen object trees (dataclasses, tuples, FrozenDicts).

It knows nothing about which pod fields are signed: it picks any path in the object, and either
tweaks the leaf, restructures the collection, or grafts the value found at the same path in a
donor object. The equal-signature pair check keeps the mutants whose signature did not change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from batchproof.model.frozen import FrozenDict

Draw = Callable[[st.SearchStrategy[Any]], Any]
Step = tuple[str, Any]  # ("attr", field name) | ("index", i) | ("key", k)
Path = tuple[Step, ...]
MISSING = object()


@dataclass(frozen=True, slots=True)
class Mutation:
    """What was changed: the path (dotted) and the kind of change."""

    path: str
    kind: str

    def __str__(self) -> str:
        return f"{self.kind} at {self.path}"


def render_path(path: Path) -> str:
    """``containers[0].ports[1].protocol`` style."""
    out = ""
    for kind, step in path:
        if kind == "attr":
            out += f".{step}" if out else str(step)
        elif kind == "index":
            out += f"[{step}]"
        else:
            out += f"[{step!r}]"
    return out or "<root>"


def paths(value: Any, prefix: Path = ()) -> Iterator[Path]:
    """Every path in the tree, the root's children first (containers before their leaves)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            child = getattr(value, field.name)
            path = (*prefix, ("attr", field.name))
            yield path
            yield from paths(child, path)
    elif isinstance(value, tuple):
        for index, child in enumerate(value):
            path = (*prefix, ("index", index))
            yield path
            yield from paths(child, path)
    elif isinstance(value, FrozenDict):
        for key, child in value.items():
            path = (*prefix, ("key", key))
            yield path
            yield from paths(child, path)


def get(value: Any, path: Path) -> Any:
    """The value at ``path`` or MISSING."""
    for kind, step in path:
        if kind == "attr":
            if not (dataclasses.is_dataclass(value) and hasattr(value, step)):
                return MISSING
            value = getattr(value, step)
        elif kind == "index":
            if not isinstance(value, tuple) or step >= len(value):
                return MISSING
            value = value[step]
        else:
            if not isinstance(value, FrozenDict) or step not in value:
                return MISSING
            value = value[step]
    return value


def put(value: Any, path: Path, new: Any) -> Any:
    """A copy of ``value`` with ``new`` at ``path`` (MISSING deletes a tuple item or dict key)."""
    if not path:
        return new
    (kind, step), rest = path[0], path[1:]
    if kind == "attr":
        return dataclasses.replace(value, **{step: put(getattr(value, step), rest, new)})
    if kind == "index":
        items = list(value)
        replacement = put(items[step], rest, new) if rest else new
        if replacement is MISSING:
            del items[step]
        else:
            items[step] = replacement
        return tuple(items)
    data = dict(value)
    replacement = put(data[step], rest, new) if rest else new
    if replacement is MISSING:
        del data[step]
    else:
        data[step] = replacement
    return FrozenDict(data)


def _populated(leaf: Any) -> bool:
    return (
        leaf is not MISSING and leaf not in (None, "", (), 0, False) and not (isinstance(leaf, FrozenDict) and not leaf)
    )


def _tweak(draw: Draw, leaf: Any, donor_leaf: Any) -> tuple[Any, str]:
    """A new value for a leaf, type-preserving where possible."""
    if donor_leaf is not MISSING and donor_leaf != leaf and draw(st.booleans()):
        return donor_leaf, "graft"
    if isinstance(leaf, bool):
        return not leaf, "flip"
    if isinstance(leaf, int):
        return draw(st.sampled_from((leaf + 1, max(leaf - 1, 0), 0, leaf * 2))), "change"
    if isinstance(leaf, str):
        return draw(st.sampled_from((leaf + "x", "", "a", "TCP", "UDP", "default", "ns1"))), "change"
    if isinstance(leaf, tuple) and leaf:
        choice = draw(st.sampled_from(("drop", "duplicate", "reverse")))
        index = draw(st.integers(0, len(leaf) - 1))
        if choice == "drop":
            return leaf[:index] + leaf[index + 1 :], "drop"
        if choice == "duplicate":
            return (*leaf, leaf[index]), "duplicate"
        return tuple(reversed(leaf)), "reorder"
    if isinstance(leaf, FrozenDict) and leaf:
        key = draw(st.sampled_from(sorted(leaf, key=repr)))
        return FrozenDict({k: v for k, v in leaf.items() if k != key}), "drop-key"
    if donor_leaf is not MISSING:
        return donor_leaf, "graft"
    return leaf, "none"


@dataclass(frozen=True, slots=True)
class _Tree:
    """A value's paths, each path's repr (the order mutations are picked in) and those holding a value."""

    order: dict[Path, str]
    populated: frozenset[Path]


_TREES: dict[Any, _Tree] = {}
_TREES_LIMIT = 4096


def _walk(value: Any) -> _Tree:
    order = {path: repr(path) for path in paths(value)}
    return _Tree(order, frozenset(p for p in order if _populated(get(value, p))))


def _tree(value: Any) -> _Tree:
    # Generation draws the same pooled pods again and again: walk each one once.
    try:
        known = _TREES.get(value)
    except TypeError:  # an unhashable value is walked every time
        return _walk(value)
    if known is None:
        if len(_TREES) >= _TREES_LIMIT:
            _TREES.clear()
        known = _TREES[value] = _walk(value)
    return known


def mutate(draw: Draw, value: Any, donor: Any) -> tuple[Any, Mutation]:
    """One field-level mutation of ``value``, grafting from ``donor`` where it helps."""
    mine, theirs = _tree(value), _tree(donor)
    order = dict(mine.order)
    order.update((p, r) for p, r in theirs.order.items() if p not in order and get(value, p[:-1]) is not MISSING)
    everything = sorted(order, key=order.__getitem__)
    # Mostly mutate where either tree holds a value: defaults on both sides rarely matter.
    populated = [p for p in everything if p in mine.populated or p in theirs.populated]
    candidates = populated if populated and draw(st.sampled_from((True, True, True, False))) else everything
    if not candidates:
        return value, Mutation("<root>", "none")
    path = draw(st.sampled_from(candidates))
    leaf, donor_leaf = get(value, path), get(donor, path)
    if leaf is MISSING:
        parent = get(value, path[:-1])
        kind, step = path[-1]
        if kind == "index" and isinstance(parent, tuple):
            return put(value, path[:-1], (*parent, donor_leaf)), Mutation(render_path(path), "insert")
        if kind == "key" and isinstance(parent, FrozenDict):
            return put(value, path[:-1], FrozenDict({**parent, step: donor_leaf})), Mutation(
                render_path(path), "add-key"
            )
        return value, Mutation(render_path(path), "none")
    new, kind = _tweak(draw, leaf, donor_leaf)
    try:
        return put(value, path, new), Mutation(render_path(path), kind)
    except (TypeError, ValueError):
        return value, Mutation(render_path(path), "none")


def matches(pattern: Path, path: Path) -> bool:
    """Whether ``path`` is an instance of ``pattern`` (whose ``("index", "*")`` steps match any index)."""
    if len(pattern) != len(path):
        return False
    return all(p == q or (p[0] == "index" == q[0] and p[1] == "*") for p, q in zip(pattern, path, strict=True))


def _instance(pattern: Path) -> Path:
    return tuple(("index", 0) if step == ("index", "*") else step for step in pattern)


def mutate_at(
    draw: Draw, value: Any, donor: Any, pattern: Path, *, strings: tuple[str, ...] = ("a", "b", "1")
) -> tuple[Any, Mutation]:
    """One mutation of ``value`` exactly at a path matching ``pattern`` (steered mutation).

    The path is taken from ``value`` or ``donor`` where they have one; otherwise the pattern with
    index 0. An absent map key is added with the donor's value or one of ``strings`` (the values
    a plugin compares with), an absent list item grafted from the donor; a string is replaced by
    one of ``strings`` half the time.
    """
    found = sorted({p for p in (*paths(value), *paths(donor)) if matches(pattern, p)}, key=repr)
    path = draw(st.sampled_from(found)) if found else _instance(pattern)
    if get(value, path[:-1]) is MISSING:
        return value, Mutation(render_path(path), "none")
    leaf, donor_leaf = get(value, path), get(donor, path)
    if leaf is MISSING:
        parent = get(value, path[:-1])
        kind, step = path[-1]
        if kind == "key" and isinstance(parent, FrozenDict):
            pooled = draw(st.sampled_from(strings))
            new = donor_leaf if donor_leaf is not MISSING and draw(st.booleans()) else pooled
            return put(value, path[:-1], FrozenDict({**parent, step: new})), Mutation(render_path(path), "add-key")
        if kind == "index" and isinstance(parent, tuple) and donor_leaf is not MISSING:
            return put(value, path[:-1], (*parent, donor_leaf)), Mutation(render_path(path), "insert")
        return value, Mutation(render_path(path), "none")
    if isinstance(leaf, str) and draw(st.booleans()):
        new, kind = draw(st.sampled_from(strings)), "change"
    else:
        new, kind = _tweak(draw, leaf, donor_leaf)
    try:
        return put(value, path, new), Mutation(render_path(path), kind)
    except (TypeError, ValueError):
        return value, Mutation(render_path(path), "none")


_API_NAMES = {"host_ip": "hostIP", "uid": "uid"}
_METADATA = {"name", "namespace", "uid", "labels", "annotations", "owner_references", "deletion_timestamp"}


def _camel(name: str) -> str:
    if name in _API_NAMES:
        return _API_NAMES[name]
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def api_path(path: Path, *, root: str = "pod") -> str:
    """A path as the Kubernetes API spells it, e.g. ``metadata.annotations["gpu.example.com/model"]``."""
    out = ""
    for position, (kind, step) in enumerate(path):
        if kind == "attr":
            name = _camel(str(step))
            if position == 0 and root == "pod":
                section = "metadata" if step in _METADATA else "status" if step == "nominated_node_name" else "spec"
                name = f"{section}.{name}"
            out += f".{name}" if out else name
        elif kind == "index":
            out += f"[{step}]"
        else:
            out += f'["{step}"]'
    return out or "<pod>"
