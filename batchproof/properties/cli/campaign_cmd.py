"""``batchproof campaign``: run the property set as a long fuzz campaign and write a report."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from batchproof.batched import ALL_VARIANTS
from batchproof.model.errors import BatchproofError
from batchproof.model.framework.interfaces import SIGNER_MODES
from batchproof.model.profiles import BUILT_IN_PROFILES
from batchproof.properties.campaign.config import DEFAULT_BUDGET, DEFAULT_DB, DEFAULT_REPORT, CampaignConfig
from batchproof.properties.campaign.findings import CLASS_SPEC
from batchproof.properties.campaign.report import Report, render_text
from batchproof.properties.campaign.runner import run_campaign
from batchproof.properties.campaign.shards import parse_shard
from batchproof.properties.campaign.shared import is_shared, validate_url
from batchproof.properties.classify import CLASSES
from batchproof.properties.cli.render import dumps

ALLOWABLE = tuple(dict.fromkeys((*CLASSES, *CLASS_SPEC, "placement")))


def workers(text: str) -> int:
    """``auto`` (one per CPU) or a positive count."""
    if text == "auto":
        return os.cpu_count() or 1
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or 'auto', got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def classes(text: str) -> tuple[str, ...]:
    """A comma-separated list of finding classes."""
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in ALLOWABLE]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown class {unknown[0]!r}; classes: {', '.join(ALLOWABLE)}")
    return names


def shard(text: str) -> tuple[int, int]:
    """``I/N``."""
    try:
        return parse_shard(text)
    except BatchproofError as error:
        raise argparse.ArgumentTypeError(str(error).removeprefix(f"--shard {text}: ")) from None


def add_common(parser: argparse.ArgumentParser, *, report: str, workers_default: str = "1") -> None:
    """Options shared by ``campaign`` and ``check-plugin``."""
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--profile", choices=sorted(BUILT_IN_PROFILES), help="built-in profile (default: batching)")
    source.add_argument("--config", help="KubeSchedulerConfiguration file (its first profile, or --profile-name)")
    parser.add_argument(
        "--profile-name", metavar="NAME", help="the profile of this schedulerName (of --config or the built-in profile)"
    )
    parser.add_argument("--budget", type=float, help="time budget in seconds")
    parser.add_argument("--max-examples", type=int, help="examples per property: a count-bounded, deterministic run")
    parser.add_argument("--seed", type=int, default=0, help="campaign seed (default 0)")
    parser.add_argument(
        "--workers",
        type=workers,
        default=workers_default,
        metavar="N|auto",
        help=f"worker processes, forked from the campaign process (default {workers_default})",
    )
    parser.add_argument(
        "--db",
        default=DEFAULT_DB,
        help=f"example database directory, 'none', or redis://HOST:PORT/N shared with other machines "
        f"(then multiplexed with {DEFAULT_DB}) (default {DEFAULT_DB})",
    )
    parser.add_argument("--report", default=report, help=f"report directory (default {report})")
    parser.add_argument(
        "--property", action="append", default=[], metavar="NAME", help="run only this property (repeatable)"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")


def add_parser(sub: Any) -> None:
    """Register the ``campaign`` subcommand."""
    parser = sub.add_parser("campaign", help="fuzz campaign over the property set", description=__doc__)
    add_common(parser, report=DEFAULT_REPORT, workers_default="auto")
    parser.add_argument("--signers", choices=SIGNER_MODES, default="upstream")
    parser.add_argument("--variant", choices=ALL_VARIANTS, default="g3", help="batched design (default g3)")
    parser.add_argument(
        "--allow", type=classes, default=(), metavar="CLASS,...", help="finding classes that do not fail the run"
    )
    parser.add_argument(
        "--shard",
        type=shard,
        metavar="I/N",
        help="run shard I (0-based, e.g. an Indexed Job's completion index) of N: the properties split without overlap",
    )
    parser.add_argument(
        "--no-plots", action="store_true", help="write report.html without its matplotlib plots (faster)"
    )
    parser.add_argument(
        "--allow-unreached",
        action="store_true",
        help="do not fail when a property never reaches the path it checks (e.g. a profile that never batches)",
    )
    parser.set_defaults(run=run)


def config_from(args: argparse.Namespace, **extra: Any) -> CampaignConfig:
    """The campaign configuration the common options describe."""
    budget = args.budget
    if budget is None and args.max_examples is None:
        budget = DEFAULT_BUDGET
    if args.config is not None and not Path(args.config).is_file():
        raise BatchproofError(f"--config {args.config}: no such file")
    shared = validate_url(args.db) if is_shared(args.db) else None
    local = DEFAULT_DB if shared else None if args.db in ("none", "") else args.db
    return CampaignConfig(
        seed=args.seed,
        budget=budget,
        max_examples=args.max_examples,
        workers=args.workers,
        profile=args.profile or "batching",
        config_file=args.config,
        profile_name=args.profile_name,
        db=local,
        shared_db=shared,
        report=args.report,
        properties=tuple(args.property),
        **extra,
    )


def print_report(report: Report, args: argparse.Namespace) -> None:
    """The summary (text) or report.json (JSON) on stdout."""
    directory = report.config.report_dir
    if args.format == "json":
        print(dumps(report.to_json()))
    else:
        print(render_text(report, directory / "report.json", directory / "report.md"))


def run(args: argparse.Namespace) -> int:
    """Run the campaign; exit 0 when every finding's class is allowed, else 1."""
    config = config_from(
        args,
        signers=args.signers,
        variant=args.variant,
        allow=args.allow,
        allow_unreached=args.allow_unreached,
        shard=args.shard,
        plots=not args.no_plots,
    )
    stream = sys.stderr if args.format == "text" else None
    report = run_campaign(config, stream=stream)
    print_report(report, args)
    return report.exit_code
