"""Findings across machines: publish each local finding at once, and bring the others' into the local report.

A published finding carries its finding.json record, its manifests and its detection, so every
machine can write it under its own ``findings/`` and replay it from there.
"""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

from batchproof.properties.campaign.artifacts import FINDING_FILE
from batchproof.properties.campaign.detection import DETECTION_FILE, Detection, read_detection, write_detection
from batchproof.properties.campaign.shared import Board, SharedFinding

FOUND_BY = "found_by"


def _files(directory: Path) -> dict[str, str]:
    return {
        p.name: p.read_text()
        for p in sorted(directory.iterdir())
        if p.is_file() and p.name not in (FINDING_FILE, DETECTION_FILE)
    }


def publish(board: Board, directory: Path, machine: str) -> bool:
    """Publish the complete finding in ``directory`` (kept if another machine published its key first)."""
    try:
        record = json.loads((directory / FINDING_FILE).read_text())
    except (OSError, ValueError):
        return False
    detection = read_detection(directory)
    shared = SharedFinding(record, _files(directory), machine, detection.to_json() if detection else {})
    return board.publish(directory.name, shared)


def _materialise(shared: SharedFinding, directory: Path) -> None:
    """Write another machine's finding under the local report, its replay command pointing here."""
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    for name, text in shared.files.items():
        if "/" not in name and not name.startswith("."):
            (directory / name).write_text(text)
    if shared.detection:
        write_detection(directory, Detection.from_json(shared.detection))
    record = {**shared.record, "replay": f"batchproof replay {shlex.quote(str(directory))}", FOUND_BY: shared.machine}
    (directory / FINDING_FILE).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")


def merge(board: Board, report_dir: Path, machine: str) -> bool:
    """Publish what is still unpublished, add the others' findings and name who found each first.

    Returns False when the shared database could not be read (the local findings stand alone).
    """
    root = report_dir / "findings"
    root.mkdir(parents=True, exist_ok=True)
    local = {d.name: d for d in sorted(root.iterdir()) if (d / FINDING_FILE).is_file()}
    published = board.read()
    for name, directory in local.items():
        if name not in published:
            publish(board, directory, machine)
    published = board.read()
    if not published and board.outage.down:
        return False
    for name, shared in published.items():
        if name not in local:
            _materialise(shared, root / name)
            continue
        directory = local[name]
        record = json.loads((directory / FINDING_FILE).read_text())
        record[FOUND_BY] = shared.machine  # the detection stays this machine's own
        (directory / FINDING_FILE).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    return True
