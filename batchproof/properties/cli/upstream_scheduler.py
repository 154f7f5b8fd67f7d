"""``batchproof upstream diff --level scheduler``: the model's schedulers against upstream's cycle."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from batchproof.properties.cli.render import dumps
from batchproof.upstream.client import Oracle


def run_scheduler_level(args: argparse.Namespace) -> int:
    """Diff generated scenarios and report; exit 1 on any disagreement or when nothing was compared."""
    from batchproof.properties.upstream.scheduler_run import run_scheduler_diff  # noqa: PLC0415 (Hypothesis)

    with Oracle() as oracle:
        report = run_scheduler_diff(oracle, examples=args.examples, seed_value=args.seed, out=Path(args.out))
    document = report.to_json()
    if args.format == "json":
        print(dumps(document))
    else:
        print(
            f"{document['cases']} scenarios, {document['pods']} pods compared with batching off, "
            f"{document['batched_pods']} with batching on ({document['stopped_at_tie']} runs stopped at a tie); "
            f"{len(document['disagreements'])} disagreement(s)"
        )
        for name, count in document["known"].items():
            print(f"  known difference {name}: {count}")
        for item in document["disagreements"]:
            print(
                f"  {item['side']} {item['pod']} {item['aspect']}: model {item['model']} | upstream {item['upstream']}"
            )
            if "reproducer" in item:
                print(f"      reproducer: {item['reproducer']}")
    if document["cases"] == 0 or document["pods"] == 0:
        print("batchproof: no scenario was compared", file=sys.stderr)
        return 1
    return 1 if document["disagreements"] else 0
