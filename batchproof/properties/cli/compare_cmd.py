"""``batchproof compare``: every batching design on the workload catalogue, measured side by side.

Per (variant, workload): placements identical to the reference (strict and tie-aware), pods
wrongly failed (the reference places them), regret p50/p99/max, hint rate, flush reasons, plugin
calls per pod and model time per pod. Deterministic per seed (apart from the times), whatever
``--jobs``; progress on stderr. Exit 1 if any placement fails the full Filter set, else 0; 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from batchproof.batched import ALL_VARIANTS
from batchproof.model.errors import BatchproofError
from batchproof.model.framework.interfaces import SIGNER_MODES
from batchproof.model.profiles import Profile, batching_profile
from batchproof.properties.cli.campaign_cmd import workers
from batchproof.properties.compare import SIZES, Plan, Row, load_catalogue, render_markdown, run_plan, select, to_json
from batchproof.properties.compare.report import write_report

FULL_REFERENCE_EVERY = 25  # the reference filters every node per pod: at 5,000 nodes, sample it


def _names(values: list[str]) -> list[str]:
    return [name for value in values for name in value.split(",") if name]


def add_parser(sub: Any) -> None:
    """Register the ``compare`` subcommand."""
    parser = sub.add_parser("compare", help="compare batching designs on the workload catalogue", description=__doc__)
    parser.add_argument(
        "--variants", nargs="+", default=[], metavar="V", help=f"default: all of {', '.join(ALL_VARIANTS)}"
    )
    parser.add_argument("--workloads", nargs="+", default=[], metavar="W", help="catalogue families (default: all)")
    parser.add_argument("--seeds", type=int, default=3, metavar="N", help="seeds 0..N-1 per workload (default 3)")
    parser.add_argument("--signers", choices=SIGNER_MODES, default="upstream")
    parser.add_argument("--format", choices=("md", "json", "html"), default="md", help="what to print on stdout")
    parser.add_argument("--out", type=Path, metavar="DIR", help="write compare.json/.md/.html and plots/ here")
    parser.add_argument("--size", choices=SIZES, default="small")
    parser.add_argument(
        "--reference-every",
        type=int,
        metavar="K",
        help="compare with the reference on every K-th pod only (default 1; 25 at --size full)",
    )
    parser.add_argument(
        "--jobs",
        type=workers,
        default="auto",
        metavar="N",
        help="worker processes for the (workload, seed, variant) tasks; 1 runs them in this process"
        " (default auto: one per CPU)",
    )
    parser.add_argument("--no-plots", action="store_true", help="write the HTML page without plots")
    parser.add_argument(
        "--no-upstream",
        action="store_true",
        help="skip upstream's hint rate beside g3 (run on small sizes when the oracle is built)",
    )
    parser.set_defaults(run=run)


def _with_upstream(plan: Plan, profile: Profile, rows: list[Row]) -> list[Row]:
    """Upstream's hint rate on the g3 rows when an oracle is built (said on stderr when not)."""
    from batchproof.properties.compare.upstream_rate import upstream_hint_rates, with_upstream_rates  # noqa: PLC0415
    from batchproof.properties.upstream.confirm import ORACLE_MISSING, open_oracle  # noqa: PLC0415

    oracle = open_oracle()
    if oracle is None:
        print(f"upstream hint rate: not measured ({ORACLE_MISSING})", file=sys.stderr)
        return rows
    try:
        rates, skipped = upstream_hint_rates(oracle, plan, profile)
    finally:
        oracle.stop()
    for family, reason in skipped.items():
        print(f"upstream hint rate for {family}: not measured ({reason})", file=sys.stderr)
    return with_upstream_rates(rows, rates)


def run(args: argparse.Namespace) -> int:
    """Run the comparison and render it."""
    variants = _names(args.variants) or list(ALL_VARIANTS)
    unknown = [v for v in variants if v not in ALL_VARIANTS]
    if unknown:
        raise BatchproofError(f"--variants: unknown variant {', '.join(unknown)} (known: {', '.join(ALL_VARIANTS)})")
    if args.seeds < 1:
        raise BatchproofError("--seeds: must be at least 1")
    families = select(load_catalogue(), _names(args.workloads))
    every = args.reference_every or (FULL_REFERENCE_EVERY if args.size == "full" else 1)
    if every < 1:
        raise BatchproofError("--reference-every: must be at least 1")
    plan = Plan(tuple(variants), tuple(families), args.seeds, args.signers, args.size, every)  # type: ignore[arg-type]
    profile = batching_profile().with_signers(args.signers)
    rows = run_plan(plan, profile, progress=lambda line: print(line, file=sys.stderr, flush=True), jobs=args.jobs)
    if plan.size == "small" and "g3" in plan.variants and not args.no_upstream:
        rows = _with_upstream(plan, profile, rows)
    if args.out is not None:
        for path in write_report(plan, rows, args.out, plots=not args.no_plots and args.format != "json"):
            print(f"wrote {path}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(to_json(plan, rows), indent=2, sort_keys=True))
    elif args.format == "html":
        if args.out is None:
            raise BatchproofError("--format html: needs --out DIR (the page links its plots)")
        print(args.out / "compare.html")
    else:
        print(render_markdown(plan, rows))
    return 1 if any(r.unsafe for r in rows) else 0
