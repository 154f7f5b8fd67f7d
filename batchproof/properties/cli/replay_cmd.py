"""``batchproof replay FINDING``: re-run a finding from its saved manifests; exit 1 if it reproduces."""

from __future__ import annotations

import argparse
import json
from typing import Any

from batchproof.properties.campaign.replay import ReplayResult, replay
from batchproof.properties.cli.render import dumps


def add_parser(sub: Any) -> None:
    """Register the ``replay`` subcommand."""
    parser = sub.add_parser("replay", help="replay a campaign finding", description=__doc__)
    parser.add_argument("finding", metavar="FINDING", help="a finding directory (or its finding.json)")
    parser.add_argument(
        "--upstream",
        action="store_true",
        help="also replay it on the real scheduler code (the oracle) and say whether upstream reproduces it",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(run=run)


def render(result: ReplayResult) -> str:
    """Both sides, the diff, and the verdict."""
    finding = result.finding
    key = finding.key
    lines = [
        f"finding: {finding.id}",
        f"class: {key.cls} {finding.spec}".rstrip(),
        f"plugin: {key.plugin}",
        f"field: {key.field}",
        *(f"  {line}" for line in result.lines),
        f"{result.first_label}:",
        json.dumps(result.first, indent=2, sort_keys=True),
        f"{result.second_label}:",
        json.dumps(result.second, indent=2, sort_keys=True),
        "diff:",
        json.dumps(result.diff, indent=2, sort_keys=True),
        "still reproduces" if result.reproduces else "no longer reproduces",
    ]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Replay and print; exit 1 when the finding still reproduces."""
    result = replay(args.finding)
    document = result.to_json()
    text = render(result)
    if args.upstream:
        from batchproof.properties.campaign.upstream_check import verdict_for  # noqa: PLC0415 (only with --upstream)
        from batchproof.upstream.client import Oracle  # noqa: PLC0415

        with Oracle() as oracle:
            verdict = verdict_for(result.finding, result.directory, oracle)
        document["upstream"] = verdict.to_json()
        text += "\n" + verdict.describe()
        if verdict.verdict == "does not reproduce" and result.reproduces:
            text += "\nthe model reproduces it and upstream does not: a model divergence, not an upstream bug"
    print(dumps(document) if args.format == "json" else text)
    return 1 if result.reproduces else 0
