"""Field errors worded as upstream's (k8s.io/apimachinery/pkg/util/validation/field/errors.go)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


class _Omitted:
    """The bad value of an error that has none (``omitValue`` upstream)."""

    def __repr__(self) -> str:
        return "OMITTED"


_OMIT = _Omitted()

REQUIRED = "Required value"
INVALID = "Invalid value"
NOT_SUPPORTED = "Unsupported value"
DUPLICATE = "Duplicate value"
FORBIDDEN = "Forbidden"
TOO_LONG = "Too long"


@dataclass(frozen=True, slots=True)
class FieldError:
    """One validation failure: the field path, the error type, the bad value and a detail."""

    path: str
    type: str
    value: Any = _OMIT
    detail: str = ""

    def body(self) -> str:
        """``ErrorBody()``: the type, the bad value rendered as Go does, and the detail."""
        text = self.type
        if self.type not in (REQUIRED, FORBIDDEN, TOO_LONG) and self.value is not _OMIT:
            text = f"{self.type}: {render(self.value)}"
        return f"{text}: {self.detail}" if self.detail else text

    def __str__(self) -> str:
        return f"{self.path}: {self.body()}"


def render(value: Any) -> str:
    """A bad value as upstream prints it: strings quoted, numbers and booleans plain, else JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def required(path: str, detail: str = "") -> FieldError:
    """``field.Required``."""
    return FieldError(path, REQUIRED, detail=detail)


def invalid(path: str, value: Any, detail: str) -> FieldError:
    """``field.Invalid``."""
    return FieldError(path, INVALID, value, detail)


def not_supported(path: str, value: Any, supported: tuple[str, ...]) -> FieldError:
    """``field.NotSupported`` with its ``supported values: ...`` detail."""
    return FieldError(path, NOT_SUPPORTED, value, "supported values: " + ", ".join(f'"{s}"' for s in supported))


def duplicate(path: str, value: Any) -> FieldError:
    """``field.Duplicate``."""
    return FieldError(path, DUPLICATE, value)


def forbidden(path: str, detail: str) -> FieldError:
    """``field.Forbidden``."""
    return FieldError(path, FORBIDDEN, detail=detail)
