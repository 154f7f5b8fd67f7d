"""``batchproof prove``: Z3 fragment-completeness proofs per plugin and signer mode.

Per plugin, signer mode and property: ``proved`` (unsat within the model; the fragment parts the
proof needed are listed), ``counterexample`` (two pods with equal signatures and different
results, replay-confirmed through the real plugin), ``model-bug`` (the real plugin does not
confirm the symbolic counterexample) or ``unknown`` (timeout, memory guard, or no realisation).
Exit code 1 if any counterexample or model bug, else 0.
"""

from __future__ import annotations

import argparse
from typing import Any

from batchproof.model.errors import BatchproofError
from batchproof.model.framework.interfaces import SIGNER_MODES, SignerMode
from batchproof.properties.symbolic.completeness import prove
from batchproof.properties.symbolic.encodings import MODELS
from batchproof.properties.symbolic.model import SymbolicModel
from batchproof.properties.symbolic.results import render_json, render_text
from batchproof.properties.symbolic.solver import Limits
from batchproof.properties.upstream.prove_check import with_upstream_verdicts

DEFAULT_TIMEOUT_SECONDS = 10.0
EXIT_UNKNOWN = 3  # no counterexample, but some fragment was neither proved nor refuted
DEFAULT_MEMORY_MB = 2048


def add_parser(sub: Any) -> None:
    """Register the ``prove`` subcommand."""
    parser = sub.add_parser("prove", help="prove plugin fragments complete with Z3", description=__doc__)
    parser.add_argument(
        "--plugin",
        action="append",
        default=[],
        metavar="NAME",
        help="plugin or model title, e.g. NodePorts, InterPodAffinity/IgnorePreferred (repeatable; default: all)",
    )
    parser.add_argument("--signers", choices=SIGNER_MODES, help="signer mode (default: both)")
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT_SECONDS, metavar="SECONDS", help="per-query Z3 timeout"
    )
    parser.add_argument("--memory", type=int, default=DEFAULT_MEMORY_MB, metavar="MB", help="Z3 memory ceiling")
    parser.add_argument("--allow-unknown", action="store_true", help="exit 0 rather than 3 when some result is unknown")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(run=run)


def select_models(names: list[str]) -> tuple[SymbolicModel, ...]:
    """The models named by plugin or title, in registry order (all when ``names`` is empty).

    Raises:
        BatchproofError: a name matches no model.

    """
    if not names:
        return MODELS
    known = {m.title for m in MODELS} | {m.plugin for m in MODELS}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise BatchproofError(
            f"--plugin: no symbolic model for {', '.join(unknown)}; modelled: {', '.join(sorted(known))}"
        )
    return tuple(m for m in MODELS if m.title in names or m.plugin in names)


def run(args: argparse.Namespace) -> int:
    """Prove and print; 1 on a counterexample or model bug, else 3 when a result is unknown."""
    if args.timeout <= 0:
        raise BatchproofError(f"--timeout: must be a positive number of seconds, got {args.timeout:g}")
    if args.memory <= 0:
        raise BatchproofError(f"--memory: must be a positive number of megabytes, got {args.memory}")
    models = select_models(args.plugin)
    signers: tuple[SignerMode, ...] = (args.signers,) if args.signers else SIGNER_MODES
    report = prove(models, signers, Limits(timeout_ms=max(1, int(args.timeout * 1000)), memory_mb=args.memory))
    report = with_upstream_verdicts(report, models)
    print(render_json(report) if args.format == "json" else render_text(report))
    if report.failed:
        return 1
    return EXIT_UNKNOWN if report.count("unknown") and not args.allow_unknown else 0
