"""A typed cursor over one decoded manifest document that names the field path in every error."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from batchproof.model.errors import ManifestError, QuantityError
from batchproof.model.frozen import FrozenDict
from batchproof.model.quantity import parse_quantity, scheduler_units
from batchproof.model.resources import is_extended_resource_name

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Reader:
    """One value inside a document, with where it came from (file, document index, field path)."""

    value: Any
    file: str
    document: int | None
    path: str

    def fail(self, problem: str) -> ManifestError:
        """An error about this value, ready to raise."""
        return ManifestError(self.file, self.document, self.path, problem)

    def child(self, key: str | int) -> Reader:
        """The value at ``key`` (None when absent)."""
        if isinstance(key, int):
            sub = f"{self.path}[{key}]"
            return Reader(self.value[key], self.file, self.document, sub)
        sub = f"{self.path}.{key}" if self.path else key
        present = isinstance(self.value, dict) and key in self.value
        return Reader(self.value[key] if present else None, self.file, self.document, sub)

    def __getitem__(self, key: str) -> Reader:
        return self.child(key)

    @property
    def present(self) -> bool:
        """True when the value is not null/absent."""
        return self.value is not None

    def mapping(self) -> Reader:
        """Assert the value is an object (absent counts as an empty object)."""
        if self.value is None:
            return Reader({}, self.file, self.document, self.path)
        if not isinstance(self.value, dict):
            raise self.fail(f"expected an object, got {_kind(self.value)}")
        return self

    def items(self) -> Iterator[Reader]:
        """The elements of a list (absent counts as empty)."""
        if self.value is None:
            return iter(())
        if not isinstance(self.value, list):
            raise self.fail(f"expected a list, got {_kind(self.value)}")
        return (self.child(i) for i in range(len(self.value)))

    def list_of(self, convert: Callable[[Reader], T]) -> tuple[T, ...]:
        """Convert every element of a list."""
        return tuple(convert(item) for item in self.items())

    def string(self, default: str = "") -> str:
        """A string field."""
        if self.value is None:
            return default
        if not isinstance(self.value, str):
            raise self.fail(f"expected a string, got {_kind(self.value)}")
        return self.value

    def optional_string(self) -> str | None:
        """A string field that may be absent."""
        return None if self.value is None else self.string()

    def integer(self, default: int = 0) -> int:
        """An integer field."""
        if self.value is None:
            return default
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise self.fail(f"expected an integer, got {_kind(self.value)}")
        return self.value

    def optional_integer(self) -> int | None:
        """An integer field that may be absent."""
        return None if self.value is None else self.integer()

    def boolean(self, default: bool = False) -> bool:
        """A boolean field."""
        if self.value is None:
            return default
        if not isinstance(self.value, bool):
            raise self.fail(f"expected true or false, got {_kind(self.value)}")
        return self.value

    def strings(self) -> tuple[str, ...]:
        """A list of strings."""
        return self.list_of(lambda item: item.string())

    def string_map(self) -> FrozenDict[str, str]:
        """A map of strings to strings (labels, annotations, nodeSelector)."""
        body = self.mapping()
        return FrozenDict((str(k), body.child(str(k)).string()) for k in body.value)

    def resource_list(self) -> FrozenDict[str, int]:
        """A ResourceList: names to quantities, as scheduler units."""
        body = self.mapping()
        out: dict[str, int] = {}
        for name in body.value:
            item = body.child(str(name))
            if not isinstance(item.value, (str, int, float)) or isinstance(item.value, bool):
                raise item.fail(f"expected a quantity, got {_kind(item.value)}")
            try:
                amount = parse_quantity(item.value)
            except QuantityError as error:
                raise item.fail(str(error)) from None
            shown = json.dumps(str(item.value))
            if amount < 0:
                # ValidateResourceQuantityValue (pkg/apis/core/validation/validation.go)
                raise item.fail(f"Invalid value: {shown}: must be greater than or equal to 0")
            if is_extended_resource_name(str(name)) and amount.denominator != 1:
                raise item.fail(f"Invalid value: {shown}: must be an integer")
            out[str(name)] = scheduler_units(str(name), amount)
        return FrozenDict(out)

    def one_of(self, allowed: tuple[str, ...], default: str) -> str:
        """A string enumeration."""
        text = self.string(default)
        if text not in allowed:
            raise self.fail(f"unsupported value {text!r}: expected one of {', '.join(allowed)}")
        return text


def freeze_json(value: Any) -> Any:
    """A deep immutable copy of decoded JSON (objects become FrozenDict, lists tuples)."""
    if isinstance(value, dict):
        return FrozenDict((str(k), freeze_json(v)) for k, v in value.items())
    if isinstance(value, list):
        return tuple(freeze_json(v) for v in value)
    return value


def thaw_json(value: Any) -> Any:
    """The inverse of :func:`freeze_json`: plain dicts and lists for JSON output."""
    if isinstance(value, FrozenDict):
        return {k: thaw_json(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw_json(v) for v in value]
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
