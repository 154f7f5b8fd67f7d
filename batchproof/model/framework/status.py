"""Plugin result codes and ``Status``, as in staging k8s.io/kube-scheduler/framework/interface.go."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Code(enum.Enum):
    """Status codes in upstream order."""

    SUCCESS = "Success"
    ERROR = "Error"
    UNSCHEDULABLE = "Unschedulable"
    UNSCHEDULABLE_AND_UNRESOLVABLE = "UnschedulableAndUnresolvable"
    WAIT = "Wait"
    SKIP = "Skip"
    PENDING = "Pending"


REJECTING = frozenset({Code.UNSCHEDULABLE, Code.UNSCHEDULABLE_AND_UNRESOLVABLE, Code.PENDING})


@dataclass(frozen=True, slots=True)
class Status:
    """A plugin's verdict: a code, reasons and (for Error) the error text and plugin name."""

    code: Code = Code.SUCCESS
    reasons: tuple[str, ...] = ()
    plugin: str = ""

    @property
    def is_success(self) -> bool:
        """Success (a nil status upstream)."""
        return self.code is Code.SUCCESS

    @property
    def is_rejected(self) -> bool:
        """Unschedulable, UnschedulableAndUnresolvable or Pending (Status.IsRejected)."""
        return self.code in REJECTING

    @property
    def is_skip(self) -> bool:
        """Skip."""
        return self.code is Code.SKIP

    @property
    def message(self) -> str:
        """Reasons joined by ", " (Status.Message)."""
        return ", ".join(self.reasons)

    def with_plugin(self, plugin: str) -> Status:
        """The same status attributed to a plugin (Status.WithPlugin)."""
        return Status(self.code, self.reasons, plugin)

    def to_json(self) -> dict[str, object]:
        """``{"code", "reasons"}`` as the CLI prints it."""
        return {"code": self.code.value, "reasons": list(self.reasons)}


SUCCESS = Status()


def unschedulable(*reasons: str) -> Status:
    """An Unschedulable status."""
    return Status(Code.UNSCHEDULABLE, reasons)


def unresolvable(*reasons: str) -> Status:
    """An UnschedulableAndUnresolvable status."""
    return Status(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, reasons)


def error(*reasons: str) -> Status:
    """An Error status."""
    return Status(Code.ERROR, reasons)


def skip() -> Status:
    """A Skip status."""
    return Status(Code.SKIP)
