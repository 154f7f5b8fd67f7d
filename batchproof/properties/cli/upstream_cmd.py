"""``batchproof upstream``: build the upstream oracle; diff the model against it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from batchproof.model.errors import BatchproofError
from batchproof.properties.cli.render import dumps
from batchproof.upstream.build import build_oracle, find_go
from batchproof.upstream.client import Oracle
from batchproof.upstream.protocol import OracleError


def add_parser(sub: Any) -> None:
    """Register ``upstream build`` and ``upstream diff``."""
    parser = sub.add_parser("upstream", help="the upstream oracle (real kube-scheduler code)", description=__doc__)
    commands = parser.add_subparsers(dest="upstream_command", required=True)
    build = commands.add_parser("build", help="build the oracle into the cache; print its path and version")
    build.add_argument("--force", action="store_true", help="rebuild even when a binary for these sources exists")
    build.add_argument(
        "--if-go",
        action="store_true",
        help="without Go, say so in one line and exit 0 (the upstream tests then skip)",
    )
    build.set_defaults(run=run_build)
    diff = commands.add_parser("diff", help="compare the model with upstream on generated inputs")
    diff.add_argument("--level", choices=("plugin", "scheduler"), default="plugin")
    diff.add_argument("--examples", type=int, default=200, help="generated cases (default 200)")
    diff.add_argument("--seed", type=int, default=0)
    diff.add_argument("--plugin", action="append", default=[], help="only this plugin (repeatable)")
    diff.add_argument("--out", default=".batchproof/upstream-diff", help="where reproducers are written")
    diff.add_argument("--format", choices=("text", "json"), default="text")
    diff.set_defaults(run=run_diff)


def run_build(args: argparse.Namespace) -> int:
    """Build and report."""
    if args.if_go:
        try:
            find_go()
        except OracleError as error:
            print(f"batchproof: {error}; the upstream tests will skip", file=sys.stderr)
            return 0
    binary = build_oracle(force=args.force)
    with Oracle(binary) as oracle:
        version = oracle.version()
    print(f"{binary.path}\nkubernetes {version['kubernetesVersion']} (protocol {version['protocol']})")
    return 0


def run_diff(args: argparse.Namespace) -> int:
    """Diff and report; exit 1 on any disagreement."""
    if args.examples < 1:
        raise BatchproofError(f"--examples: must be at least 1, got {args.examples}")
    if args.level == "scheduler":
        from batchproof.properties.cli.upstream_scheduler import run_scheduler_level  # noqa: PLC0415

        return run_scheduler_level(args)
    from batchproof.properties.upstream.run import run_plugin_diff  # noqa: PLC0415 (Hypothesis loads on demand)

    with Oracle() as oracle:
        report = run_plugin_diff(
            oracle, examples=args.examples, seed_value=args.seed, plugins=args.plugin, out=Path(args.out)
        )
    document = report.to_json()
    if args.format == "json":
        print(dumps(document))
    else:
        print(f"{document['examples']} cases, {document['disagreements']} disagreement(s)")
        for name, entry in document["plugins"].items():
            print(f"  {name}: {entry['cases']} compared, {len(entry['disagreements'])} disagreement kind(s)")
            for item in entry["disagreements"]:
                where = f" on {item['node']}" if item["node"] else ""
                print(f"      {item['aspect']}{where}: model {item['model']} | upstream {item['upstream']}")
                if "reproducer" in item:
                    print(f"      reproducer: {item['reproducer']}")
    if document["examples"] == 0:
        print("batchproof: no case was compared", file=sys.stderr)
        return 1
    return 1 if document["disagreements"] else 0
