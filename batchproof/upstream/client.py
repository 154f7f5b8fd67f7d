"""A long-lived upstream oracle process: start, request (with a timeout), restart once, stop."""

from __future__ import annotations

import contextlib
import queue
import subprocess
import threading
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from batchproof.upstream.build import OracleBinary, build_oracle, existing_binary
from batchproof.upstream.protocol import REQUEST_TYPES, OracleError, Request, parse_reply

DEFAULT_TIMEOUT = 60.0


class Oracle:
    """The oracle behind its JSON-lines protocol.

    A process that dies or times out is restarted once for the next request; a second death
    is a clear failure. Use as a context manager, or call :meth:`stop`.
    """

    def __init__(self, binary: OracleBinary | Path | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        if binary is None:
            binary = existing_binary() or build_oracle()
        self.path = binary.path if isinstance(binary, OracleBinary) else Path(binary)
        self.timeout = timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._lines: queue.Queue[bytes | None] = queue.Queue()
        self._next_id = 0
        self._restarts = 0
        self._version: dict[str, Any] | None = None

    def __enter__(self) -> Oracle:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def start(self) -> None:
        """Start the process (idempotent).

        Raises:
            OracleError: the binary is missing or cannot run.

        """
        if self._process is not None and self._process.poll() is None:
            return
        if not self.path.is_file():
            raise OracleError(f"upstream oracle binary {self.path} is missing: run `batchproof upstream build`")
        try:
            self._process = subprocess.Popen(
                [str(self.path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
            )
        except OSError as error:
            raise OracleError(f"cannot start the upstream oracle {self.path}: {error}") from error
        self._lines = queue.Queue()
        threading.Thread(target=self._read, args=(self._process, self._lines), daemon=True).start()

    @staticmethod
    def _read(process: subprocess.Popen[bytes], lines: queue.Queue[bytes | None]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    def stop(self) -> None:
        """Stop the process."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def request(self, request_type: str, params: Mapping[str, Any], *, timeout: float | None = None) -> dict[str, Any]:
        """Send one request and return its result.

        Raises:
            OracleRequestError: the oracle rejected the request (names the field).
            OracleError: the process died twice or did not answer within the timeout.

        """
        if request_type not in REQUEST_TYPES:
            raise OracleError(f"unknown oracle request type {request_type!r}; known: {', '.join(REQUEST_TYPES)}")
        while True:
            try:
                return self._exchange(request_type, params, timeout or self.timeout)
            except _Died as died:
                self.stop()
                if self._restarts >= 1:
                    raise OracleError(
                        f"upstream oracle {self.path} died again ({died}); giving up after one restart"
                    ) from None
                self._restarts += 1

    def _exchange(self, request_type: str, params: Mapping[str, Any], timeout: float) -> dict[str, Any]:
        if self._process is not None and (code := self._process.poll()) is not None:
            raise _Died(f"exited with status {code} before {request_type}")
        self.start()
        process = self._process
        assert process is not None
        assert process.stdin is not None
        self._next_id += 1
        request = Request(self._next_id, request_type, dict(params))
        try:
            process.stdin.write(request.line())
            process.stdin.flush()
        except (BrokenPipeError, OSError) as error:
            raise _Died(f"write failed: {error}") from error
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            self.stop()
            raise OracleError(f"upstream {request_type} did not answer within {timeout:g}s") from None
        if line is None:
            code = process.wait()
            raise _Died(f"exit status {code} during {request_type}")
        return parse_reply(request, line)

    def version(self) -> dict[str, Any]:
        """The ``version`` reply (cached): Kubernetes version, protocol and feature gates."""
        if self._version is None:
            self._version = self.request("version", {})
        return self._version


class _Died(Exception):
    """The process ended or its pipe broke mid-request."""
