"""The live progress display: one row per property on a terminal (rich), plain lines elsewhere."""

from __future__ import annotations

import io

from batchproof.properties.campaign.live_table import LiveTable
from batchproof.properties.campaign.progress import Display, totals
from batchproof.properties.campaign.runner import _display

RECORDS = [
    {
        "name": "signature/host-ports",
        "examples": 300,
        "seconds": 3.0,
        "findings": ["a"],
        "done": True,
        "required_path": "equal signature, different pods",
        "paths": {"equal signature, different pods": 12},
    },
    {"name": "lockstep/events", "examples": 40, "seconds": 2.0, "findings": [], "error": "boom"},
]
NAMES = ["signature/host-ports", "lockstep/events", "lockstep/normalization"]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_every_property_has_a_row() -> None:
    stream = Terminal()
    display = _display(Terminal(), [], clock=lambda: 0.0)
    assert isinstance(display, LiveTable)
    display.close()
    table = LiveTable(stream, NAMES, clock=lambda: 0.0, width=120)
    table.show(RECORDS, totals(RECORDS, 3), 42.0)
    table.note("batchproof: warning: shared database went away")
    table.close()
    out = stream.getvalue()
    for name in NAMES:
        assert name in out
    assert "100" in out  # examples per second of host-ports
    assert "error" in out and "waiting" in out and "done" in out
    assert "42s left" in out and "shared database went away" in out


def test_off_a_terminal_progress_is_plain_lines() -> None:
    stream = io.StringIO()
    display = _display(stream, [], clock=lambda: 0.0)
    assert isinstance(display, Display)
    display.show(RECORDS, totals(RECORDS, 3), 10.0, force=True)
    display.note("a note")
    display.close()
    lines = stream.getvalue().splitlines()
    assert lines == ["campaign: 340 examples, 1 findings, 1/3 properties done, 1 errors, 10s left", "a note"]
    assert "\x1b" not in stream.getvalue()
