"""Z3 proof times: every plugin in both signer modes, per proof and for the whole run; adversarial searches.

Usage: ``python -m bench.prove [--repeat 3] [--timeout 10] [--out bench/results]``.
Each repeat runs ``prove`` over every model in both modes (single-threaded, as ``batchproof prove``
does); the figures are the median run and, per proof, the median time. The target is under 30 s
for the whole run on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

import z3

from batchproof.properties.symbolic.adversarial import all_cases
from batchproof.properties.symbolic.completeness import prove
from batchproof.properties.symbolic.encodings import MODELS
from batchproof.properties.symbolic.solver import Limits

TARGET_SECONDS = 30.0


def measure(repeat: int, limits: Limits) -> dict[str, Any]:
    """Median whole-run and per-proof seconds over ``repeat`` runs, with each proof's verdict."""
    runs = [prove(MODELS, ("upstream", "strict"), limits) for _ in range(repeat)]
    per_proof: dict[tuple[str, str, str], list[float]] = {}
    verdicts: dict[tuple[str, str, str], str] = {}
    for report in runs:
        for result in report.results:
            key = (result.plugin, result.signers, result.property)
            per_proof.setdefault(key, []).append(result.seconds)
            verdicts[key] = result.status
    proofs = [
        {
            "plugin": plugin,
            "signers": signers,
            "property": prop,
            "status": verdicts[(plugin, signers, prop)],
            "seconds": round(statistics.median(times), 4),
        }
        for (plugin, signers, prop), times in per_proof.items()
    ]
    whole = statistics.median(r.seconds for r in runs)
    return {
        "whole_run_seconds": round(whole, 3),
        "target_seconds": TARGET_SECONDS,
        "within_target": whole < TARGET_SECONDS,
        "proofs": len(proofs),
        "slowest": sorted(proofs, key=lambda p: -float(p["seconds"]))[:5],
        "per_proof": proofs,
        "summary": {
            s: sum(1 for p in proofs if p["status"] == s) for s in ("proved", "counterexample", "model-bug", "unknown")
        },
    }


def adversarial(limits: Limits) -> list[dict[str, Any]]:
    """Each adversarial search: its solve time and whether the replay did what it should."""
    started = time.perf_counter()
    cases = all_cases(limits=limits)
    out = []
    for case in cases:
        run = case.replay()
        diverged = bool(run.divergences)
        entry = case.to_json()
        entry["replay_as_expected"] = diverged == (case.expect == "diverge")
        out.append(entry)
    out.append({"name": "all", "seconds": round(time.perf_counter() - started, 3)})
    return out


def main(argv: list[str] | None = None) -> int:
    """Measure and write ``bench/results/prove.json``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=10.0, help="per-query Z3 timeout in seconds")
    parser.add_argument("--out", default="bench/results")
    args = parser.parse_args(argv)
    limits = Limits(timeout_ms=int(args.timeout * 1000))
    result = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "z3": z3.get_version_string(),
            "threads": 1,
        },
        "prove": measure(args.repeat, limits),
        "adversarial": adversarial(limits),
    }
    print(
        json.dumps(
            {k: v for k, v in result.items() if k != "prove"}
            | {"prove": {k: v for k, v in result["prove"].items() if k != "per_proof"}},
            indent=2,
        )
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "prove.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
