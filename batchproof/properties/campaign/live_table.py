"""The live progress display on a terminal: one row per property, redrawn in place with rich.

Off a terminal the campaign prints plain status lines instead (``progress.Display``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TextIO

from batchproof.properties.campaign.progress import Totals


def _status(record: dict[str, Any] | None) -> str:
    if record is None:
        return "waiting"
    if record.get("error"):
        return "error"
    return "done" if record.get("done") else "running"


class LiveTable:
    """A rich ``Live`` table of the properties' progress records, with notes printed above it."""

    def __init__(
        self, stream: TextIO, names: Sequence[str], *, clock: Callable[[], float], width: int | None = None
    ) -> None:
        from rich.console import Console  # noqa: PLC0415 (rich only on a terminal)
        from rich.live import Live  # noqa: PLC0415

        self.names = list(names)
        self.clock = clock
        self.console = Console(file=stream, force_terminal=True, width=width)
        self.live = Live(console=self.console, auto_refresh=False, transient=False)
        self.live.start()

    def table(self, records: Sequence[dict[str, Any]], current: Totals, time_left: float | None) -> Any:
        """The table for the latest progress records."""
        from rich.table import Table  # noqa: PLC0415

        by_name = {r.get("name"): r for r in records}
        table = Table(title=current.line(time_left), title_justify="left")
        for column in ("property", "examples", "examples/s", "findings", "reached path", "seconds", "status"):
            table.add_column(
                column, justify="left" if column in ("property", "status") else "right", no_wrap=column == "property"
            )
        for name in self.names:
            record = by_name.get(name)
            if record is None:
                table.add_row(name, "-", "-", "-", "-", "-", _status(None))
                continue
            seconds = float(record.get("seconds", 0.0))
            examples = int(record.get("examples", 0))
            reached = int(record.get("paths", {}).get(record.get("required_path") or "", 0))
            table.add_row(
                name,
                str(examples),
                f"{examples / seconds:.0f}" if seconds else "-",
                str(len(record.get("findings", ()))),
                str(reached) if record.get("required_path") else "-",
                f"{seconds:.0f}",
                _status(record),
            )
        return table

    def show(
        self, records: Sequence[dict[str, Any]], current: Totals, time_left: float | None, *, force: bool = False
    ) -> None:
        """Redraw the table."""
        del force  # a terminal is redrawn on every poll
        self.live.update(self.table(records, current, time_left), refresh=True)

    def note(self, text: str) -> None:
        """Print a line above the table."""
        self.live.console.print(text, markup=False, highlight=False)

    def close(self) -> None:
        """Leave the last table on screen."""
        self.live.stop()
