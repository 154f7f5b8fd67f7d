"""The oracle's wire format, the Python twin of ``oracle/internal/protocol`` (see oracle/PROTOCOL.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from batchproof.model.errors import BatchproofError

PROTOCOL_VERSION = 1
REQUEST_TYPES = ("version", "evaluate", "decode", "schedule")


class OracleError(BatchproofError):
    """The upstream oracle is missing, cannot be built, died, timed out, or rejected a request."""


class OracleRequestError(OracleError):
    """The oracle answered a request with an error reply naming a field."""

    def __init__(self, request_type: str, field: str, message: str) -> None:
        self.request_type = request_type
        self.field = field
        self.message = message
        where = f"{field}: " if field else ""
        super().__init__(f"upstream {request_type}: {where}{message}")


@dataclass(frozen=True, slots=True)
class Request:
    """One request line."""

    id: int
    type: str
    params: dict[str, Any]

    def line(self) -> bytes:
        """The JSON line sent to the oracle."""
        document = {"id": self.id, "protocol": PROTOCOL_VERSION, "type": self.type, "params": self.params}
        return (json.dumps(document, separators=(",", ":")) + "\n").encode()


def parse_reply(request: Request, line: bytes) -> dict[str, Any]:
    """The result of a reply line to ``request``.

    Raises:
        OracleError: the line is not a reply to this request.
        OracleRequestError: the reply is an error reply.

    """
    try:
        reply = json.loads(line)
    except ValueError as error:
        raise OracleError(f"upstream {request.type}: unreadable reply {line[:200]!r}: {error}") from error
    if not isinstance(reply, dict) or reply.get("id") != request.id:
        raise OracleError(f"upstream {request.type}: reply {str(reply)[:200]} does not answer request {request.id}")
    if reply.get("protocol") != PROTOCOL_VERSION:
        raise OracleError(
            f"upstream oracle speaks protocol {reply.get('protocol')}, batchproof {PROTOCOL_VERSION}: "
            "rebuild it with `batchproof upstream build`"
        )
    if not reply.get("ok"):
        problem = reply.get("error") or {}
        raise OracleRequestError(request.type, str(problem.get("field", "")), str(problem.get("message", "no message")))
    result = reply.get("result")
    if not isinstance(result, dict):
        raise OracleError(f"upstream {request.type}: reply without a result object")
    return result
