"""A real redis-server on a free loopback port, started and stopped by the test that needs it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

BINARY = "redis-server"


@dataclass(frozen=True, slots=True)
class RedisServer:
    """A running server: its URL, and the process to stop it with."""

    url: str
    port: int
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        """Stop the server (idempotent)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def binary() -> str:
    """The redis-server binary; skips (one line) without it unless CI is set, where it fails."""
    found = shutil.which(BINARY) or next(
        (p for p in ("/usr/bin/redis-server", "/usr/sbin/redis-server") if Path(p).exists()), None
    )
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed, and CI is set (.ci/run installs it)")
        pytest.skip("redis-server not installed")
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def redis_server(directory: Path) -> Iterator[RedisServer]:
    """A fresh server with no persistence, its files under ``directory``."""
    executable = binary()
    directory.mkdir(parents=True, exist_ok=True)
    for _ in range(5):
        port = _free_port()
        command = [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        command += ["--dir", str(directory)]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline and process.poll() is None and not _answers(port):
            time.sleep(0.05)
        server = RedisServer(f"redis://127.0.0.1:{port}/0", port, process)
        if process.poll() is None and _answers(port):
            try:
                yield server
            finally:
                server.stop()
            return
        server.stop()  # the port was taken meanwhile: try another
    pytest.fail("redis-server did not start on a free loopback port")
