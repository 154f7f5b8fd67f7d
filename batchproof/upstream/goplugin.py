"""An oracle with a plugin author's Go plugin registered beside the in-tree ones.

Nothing for the author to write: batchproof generates a ``main`` that calls
``app.Main(app.WithPlugin(Name, New))`` (kube-scheduler's own out-of-tree registration) and a
``go.mod`` that ``replace``s the oracle and the author's module with their directories and carries
the oracle's staging-module replaces. The binary is cached by a digest of both sources.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from batchproof.upstream.build import OracleBinary, cache_dir, find_go, oracle_source, source_digest
from batchproof.upstream.protocol import OracleError

_MODULE = re.compile(r"^module\s+(\S+)", re.MULTILINE)
_NAME = re.compile(r'^\s*(?:const\s+)?Name\s*=\s*"([^"]+)"', re.MULTILINE)
_LITERAL = re.compile(r'"((?:[^"\\\n]|\\.){1,120})"')
ORACLE_MODULE = "github.com/batchproof/batchproof/oracle"


@dataclass(frozen=True, slots=True)
class GoPlugin:
    """An author's plugin: its module directory, import path, factory function and plugin name."""

    directory: Path
    module: str
    package: str
    factory: str
    name: str

    def literals(self) -> tuple[str, ...]:
        """The string literals of the package's Go sources (keys and values it may compare with)."""
        package_dir = self.directory / self.package[len(self.module) :].lstrip("/")
        found: dict[str, None] = {}
        for path in sorted(package_dir.glob("*.go")):
            if path.name.endswith("_test.go"):
                continue
            for literal in _LITERAL.findall(path.read_text(encoding="utf-8")):
                if not literal.startswith(("k8s.io/", "github.com/", "context", "fmt")) and "%" not in literal:
                    found[literal] = None
        return tuple(found)


def inspect(directory: str | Path, *, factory: str | None = None, name: str | None = None) -> GoPlugin:
    """Read the author's module: ``--factory pkg.New`` (import path and function) and ``--name``.

    Raises:
        OracleError: no go.mod, no package, or no plugin name to be found.

    """
    root = locate(directory)
    try:
        text = (root / "go.mod").read_text(encoding="utf-8")
    except OSError as error:
        raise OracleError(f"{root}: not a Go module directory (no readable go.mod: {error.strerror})") from None
    match = _MODULE.search(text)
    if match is None:
        raise OracleError(f"{root / 'go.mod'}: no module line")
    module = match.group(1)
    package, function = module, "New"
    if factory:
        package, _, function = factory.rpartition(".")
        if not package or not function:
            raise OracleError(f"--factory: expected IMPORT/PATH.Func, got {factory!r}")
        if not package.startswith(module):
            raise OracleError(f"--factory: {package} is not inside module {module}")
    package_dir = root / package[len(module) :].lstrip("/")
    sources = [p for p in package_dir.glob("*.go") if not p.name.endswith("_test.go")]
    if not sources:
        raise OracleError(f"{package_dir}: no Go sources for package {package}")
    if name is None:
        for path in sources:
            found = _NAME.search(path.read_text(encoding="utf-8"))
            if found:
                name = found.group(1)
                break
    if not name:
        raise OracleError(f'{package_dir}: no `const Name = "..."` found; pass --name')
    return GoPlugin(root, module, package, function, name)


_MODULE_PATH = re.compile(r"^[a-z0-9.-]+\.[a-z]{2,}(/[A-Za-z0-9._~-]+)*(@[A-Za-z0-9._+-]+)?$")


def locate(directory_or_module: str | Path) -> Path:
    """A plugin's module directory: the directory itself, or a module path (``example.com/p@v1.2.0``).

    A module path is resolved with ``go mod download -json`` — from the module cache, or the
    module proxy when it is not there yet (set-up, like the oracle's own modules).

    Raises:
        OracleError: neither a directory nor a module ``go`` can download.

    """
    text = str(directory_or_module)
    path = Path(text)
    if path.is_dir() or not _MODULE_PATH.match(text):
        return path.resolve()
    module = text if "@" in text else f"{text}@latest"
    go = find_go()
    result = subprocess.run([str(go), "mod", "download", "-json", module], capture_output=True, text=True, check=False)
    try:
        info = json.loads(result.stdout or "{}")
    except json.JSONDecodeError:
        info = {}
    if result.returncode != 0 or not info.get("Dir"):
        detail = info.get("Error") or result.stderr.strip().splitlines()[-1:] or ["no Dir in go's answer"]
        raise OracleError(f"--go {text}: not a directory, and go cannot download module {module}: {''.join(detail)}")
    return Path(info["Dir"])


def _digest(plugin: GoPlugin) -> str:
    digest = hashlib.sha256(source_digest(oracle_source()).encode())
    digest.update(f"{plugin.module}|{plugin.package}|{plugin.factory}|{plugin.name}".encode())
    for path in sorted(plugin.directory.rglob("*")):
        if path.is_file() and (path.suffix == ".go" or path.name in ("go.mod", "go.sum")):
            digest.update(str(path.relative_to(plugin.directory)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _go_mod(plugin: GoPlugin, oracle: Path) -> str:
    own = (oracle / "go.mod").read_text(encoding="utf-8")
    replaces = re.findall(r"^\s*(k8s\.io/\S+ => \S+ \S+)\s*$", own, re.MULTILINE)
    lines = [
        "module batchproof.local/oracle-with-plugin",
        "",
        "go 1.26.0",
        "",
        "godebug default=go1.26",
        "",
        "require (",
        f"\t{ORACLE_MODULE} v0.0.0",
        f"\t{plugin.module} v0.0.0",
        ")",
        "",
        "replace (",
        f"\t{ORACLE_MODULE} => {oracle}",
        f"\t{plugin.module} => {plugin.directory}",
        *(f"\t{line}" for line in replaces),
        ")",
        "",
    ]
    return "\n".join(lines)


def _main_go(plugin: GoPlugin) -> str:
    return (
        "// Code generated by batchproof check-plugin --go. DO NOT EDIT.\n"
        "package main\n\n"
        "import (\n"
        f'\t"{ORACLE_MODULE}/app"\n'
        f'\tplugin "{plugin.package}"\n'
        ")\n\n"
        f'func main() {{ app.Main(app.WithPlugin("{plugin.name}", plugin.{plugin.factory})) }}\n'
    )


def build_with_plugin(plugin: GoPlugin) -> OracleBinary:
    """Build (or reuse) the oracle with ``plugin`` registered.

    Raises:
        OracleError: no Go, or the generated module does not build (go's last lines).

    """
    digest = _digest(plugin)
    work = cache_dir() / "with-plugin" / digest
    binary = work / "oracle"
    if binary.is_file():
        return OracleBinary(binary, work, digest)
    oracle = oracle_source()
    work.mkdir(parents=True, exist_ok=True)
    (work / "go.mod").write_text(_go_mod(plugin, oracle), encoding="utf-8")
    (work / "main.go").write_text(_main_go(plugin), encoding="utf-8")
    sums = [(oracle / "go.sum").read_text(encoding="utf-8")]
    if (plugin.directory / "go.sum").is_file():
        sums.append((plugin.directory / "go.sum").read_text(encoding="utf-8"))
    (work / "go.sum").write_text("".join(sorted(set("".join(sums).splitlines(keepends=True)))), encoding="utf-8")
    go = find_go()
    env = {**os.environ, "CGO_ENABLED": "0", "GOFLAGS": "-mod=mod -buildvcs=false"}
    for step in (["mod", "tidy"], ["build", "-trimpath", "-o", str(binary.with_suffix(".tmp")), "."]):
        done = subprocess.run([go, *step], cwd=work, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-4:])
            raise OracleError(f"building the oracle with {plugin.name} ({plugin.directory}) failed: {tail}")
    binary.with_suffix(".tmp").replace(binary)
    return OracleBinary(binary, work, digest)
