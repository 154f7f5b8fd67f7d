"""Time to detection: when each finding was first seen, counted from the campaign's and its property's start.

Timing is not a function of the seed, so detections live beside ``finding.json`` (in
``detection.json``) and in the ``run`` section of report.json, never in the finding records.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

DETECTION_FILE = "detection.json"


@dataclass(frozen=True, slots=True)
class Detection:
    """When a finding was first seen: seconds and examples since the campaign and its property started."""

    seconds: float
    examples: int
    property_seconds: float
    property_examples: int
    replayed: bool = False
    machine: str = ""

    def to_json(self) -> dict[str, Any]:
        """Plain data, seconds rounded to milliseconds."""
        data = asdict(self)
        data["seconds"] = round(self.seconds, 3)
        data["property_seconds"] = round(self.property_seconds, 3)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Detection:
        """The inverse of :meth:`to_json`."""
        return cls(
            float(data["seconds"]),
            int(data["examples"]),
            float(data["property_seconds"]),
            int(data["property_examples"]),
            bool(data.get("replayed", False)),
            str(data.get("machine", "")),
        )


def write_detection(directory: Path, detection: Detection) -> None:
    """``detection.json`` in a finding directory."""
    (directory / DETECTION_FILE).write_text(json.dumps(detection.to_json(), indent=2, sort_keys=True) + "\n")


def read_detection(directory: Path) -> Detection | None:
    """A finding directory's detection, if it has a readable one."""
    try:
        return Detection.from_json(json.loads((directory / DETECTION_FILE).read_text()))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def over_time(detections: dict[str, Detection]) -> list[dict[str, Any]]:
    """Findings over time: one point per finding in detection order, with the running count."""
    ordered = sorted(detections.items(), key=lambda item: (item[1].seconds, item[0]))
    return [
        {"seconds": round(d.seconds, 3), "examples": d.examples, "findings": count, "finding": finding_id}
        for count, (finding_id, d) in enumerate(ordered, start=1)
    ]
