"""The live progress display: examples run, findings and time left, from the workers' progress files.

On a terminal one status line is redrawn in place; otherwise a line is printed every
``interval`` seconds, so logs stay readable.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TextIO

PROGRESS_DIR = ".progress"
CONTROL_DIR = ".campaign"  # control files of a run: worker logs, outage marker


@dataclass(frozen=True, slots=True)
class Totals:
    """Totals over every property's latest progress file."""

    examples: int
    findings: int
    properties_done: int
    properties: int
    errors: int

    def line(self, time_left: float | None) -> str:
        """One status line."""
        left = "" if time_left is None else f", {max(time_left, 0):.0f}s left"
        errors = f", {self.errors} errors" if self.errors else ""
        return (
            f"campaign: {self.examples} examples, {self.findings} findings, "
            f"{self.properties_done}/{self.properties} properties done{errors}{left}"
        )


def write_progress(report_dir: Path, slug: str, data: dict[str, Any]) -> None:
    """Atomically replace one property's progress file."""
    directory = report_dir / PROGRESS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    temporary = directory / f".{slug}.{os.getpid()}.tmp"
    temporary.write_text(json.dumps(data, sort_keys=True))
    os.replace(temporary, directory / f"{slug}.json")


def read_progress(report_dir: Path) -> list[dict[str, Any]]:
    """Every property's latest progress record."""
    directory = report_dir / PROGRESS_DIR
    if not directory.is_dir():
        return []
    out = []
    for path in sorted(directory.glob("*.json")):
        try:
            out.append(json.loads(path.read_text()))
        except (OSError, json.JSONDecodeError):
            continue  # being replaced right now; the next poll reads it
    return out


def totals(records: list[dict[str, Any]], properties: int) -> Totals:
    """Totals over progress records."""
    return Totals(
        examples=sum(int(r.get("examples", 0)) for r in records),
        findings=sum(len(r.get("findings", ())) for r in records),
        properties_done=sum(1 for r in records if r.get("done")),
        properties=properties,
        errors=sum(1 for r in records if r.get("error")),
    )


class ProgressDisplay(Protocol):
    """What the campaign draws its progress on."""

    def show(
        self, records: Sequence[dict[str, Any]], current: Totals, time_left: float | None, *, force: bool = False
    ) -> None:
        """Draw the latest progress."""
        ...

    def note(self, text: str) -> None:
        """Print one line of its own."""
        ...

    def close(self) -> None:
        """Finish drawing."""
        ...


class Display:
    """Renders progress to a stream as a status line: in place on a terminal, periodically otherwise."""

    def __init__(self, stream: TextIO, *, clock: Callable[[], float], interval: float = 10.0) -> None:
        self.stream = stream
        self.clock = clock
        self.interval = interval
        self.tty = stream.isatty()
        self._last = -1e18
        self._width = 0

    def show(
        self, records: Sequence[dict[str, Any]], current: Totals, time_left: float | None, *, force: bool = False
    ) -> None:
        """Draw the status line (rate-limited off a terminal unless ``force``); ``records`` are for richer displays."""
        del records
        text = current.line(time_left)
        if self.tty:
            self.stream.write("\r" + text.ljust(self._width))
            self._width = len(text)
            self.stream.flush()
            return
        now = self.clock()
        if force or now - self._last >= self.interval:
            self._last = now
            self.stream.write(text + "\n")
            self.stream.flush()

    def note(self, text: str) -> None:
        """Print one line of its own (ending the status line on a terminal first)."""
        if self.tty and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self._width = 0
        self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        """End the status line."""
        if self.tty and self._width:
            self.stream.write("\n")
            self.stream.flush()
