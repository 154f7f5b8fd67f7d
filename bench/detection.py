"""Campaign detection benchmark: time to first detection of each known class, and examples per second.

Usage: ``python -m bench.detection [--seeds 5] [--budget 60] [--workers 2] [--out bench/results]
[--baseline DIR] [--source DIR]``.

Runs the README's campaign (``batching`` profile, upstream signers, g3) once per seed with
``--db none`` (nothing replayed), and reads ``run.detection`` and ``run.budget`` of each
report.json. The known classes are the upstream divergences of the spec (:data:`KNOWN`):
normalization (§10.2), stale-cache (§10.1), tie (§10.5) and the signature gaps of §10.6 by what
is unsigned: host-port protocol and hostIP (§10.6.1), app and init containers' non-zero default
requests (§10.6.2), labels and namespace (§10.6.3). A class's time to detection in one run is the
earliest detection of any finding of that class; the result is the median over the seeds that
found it (seconds, and examples the whole campaign had run by then, which does not depend on how
busy the machine was), with their number. ``median_seconds_all_runs`` is the median over every
seed, a seed that did not find the class counting as never (null when fewer than half found it).
``by_field`` gives the same per finding field (``signature-gap §10.6.1 containers.ports.host_ip``),
other findings included. Examples per second per core is a property's examples over the seconds
it ran (one core each).

With ``--baseline DIR`` every seed runs first with the batchproof of checkout ``DIR`` and then with
this one (or ``--source``), one after the other, so both see the same machine load; the result
has a ``before`` and an ``after`` part.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ALLOW = "normalization,signature-gap,stale-cache,tie"
KNOWN = (
    "normalization",
    "stale-cache",
    "tie",
    "signature-gap §10.6.1 protocol",
    "signature-gap §10.6.1 hostIP",
    "signature-gap §10.6.2 containers",
    "signature-gap §10.6.2 init containers",
    "signature-gap §10.6.3 labels",
    "signature-gap §10.6.3 namespace",
)
TARGET_SECONDS = 10.0


def field_class(finding: dict[str, Any]) -> str:
    """``normalization``, ``stale-cache``, ``tie``, or ``signature-gap §10.6.N FIELD``."""
    if finding["class"] == "signature-gap":
        return f"signature-gap {finding['spec']} {finding['field']}"
    return str(finding["class"])


def known_class(finding: dict[str, Any]) -> str | None:
    """The class of :data:`KNOWN` a finding shows, or None (a gap outside §10.6.1-3, another class)."""
    if finding["class"] != "signature-gap":
        name = str(finding["class"])
        return name if name in KNOWN else None
    spec, fields = finding["spec"], str(finding["field"]).split(",")
    if spec == "§10.6.1":
        unsigned = [
            label for part, label in (("protocol", "protocol"), ("host_ip", "hostIP")) if any(part in f for f in fields)
        ]
        return f"signature-gap §10.6.1 {unsigned[0]}" if len(unsigned) == 1 else None
    if spec == "§10.6.2":
        init = all(f.startswith("init_containers") for f in fields)
        return f"signature-gap §10.6.2 {'init containers' if init else 'containers'}"
    if spec == "§10.6.3" and len(fields) == 1 and fields[0] in ("labels", "namespace"):
        return f"signature-gap §10.6.3 {fields[0]}"
    return None


def campaign(seed: int, budget: float, workers: int, directory: Path, source: Path | None = None) -> dict[str, Any]:
    """One campaign's report.json, run with the batchproof of checkout ``source`` (default: the installed one)."""
    report = directory / f"seed-{seed}"
    command = [sys.executable, "-m", "batchproof.properties.cli.main", "campaign", "--seed", str(seed)]
    command += ["--budget", str(budget), "--workers", str(workers), "--db", "none", "--report", str(report)]
    command += ["--allow", ALLOW, "--no-plots", "--format", "json"]
    env = {**os.environ, "PYTHONPATH": str(source.resolve())} if source is not None else None
    load = os.getloadavg()[0]
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=directory, env=env)
    document: dict[str, Any] = json.loads((report / "report.json").read_text())
    document["load_average_1min"] = {"before": round(load, 2), "after": round(os.getloadavg()[0], 2)}
    return document


def first_detections(
    document: dict[str, Any], by: Callable[[dict[str, Any]], str | None]
) -> dict[str, tuple[float, int]]:
    """Class (as ``by`` names it) -> (seconds, campaign examples) to its first finding in one run."""
    detection = document["run"]["detection"]
    out: dict[str, tuple[float, int]] = {}
    for finding in document["findings"]:
        seen = detection.get(finding["id"])
        name = by(finding)
        if seen is None or name is None:
            continue
        here = (float(seen["seconds"]), int(seen["examples"]))
        out[name] = min(out.get(name, here), here)
    return out


def medians(
    documents: list[dict[str, Any]], by: Callable[[dict[str, Any]], str | None], classes: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Per class: median seconds and examples to first detection over the runs that found it, and how many did."""
    runs = [first_detections(d, by) for d in documents]
    detection: dict[str, Any] = {}
    for name in classes or tuple(sorted({name for run in runs for name in run})):
        times = [run[name][0] for run in runs if name in run]
        examples = [run[name][1] for run in runs if name in run]
        everywhere = statistics.median([run[name][0] if name in run else math.inf for run in runs])
        detection[name] = {
            "median_seconds": round(statistics.median(times), 2) if times else None,
            "median_seconds_all_runs": round(everywhere, 2) if math.isfinite(everywhere) else None,
            "median_examples": statistics.median(examples) if examples else None,
            "found_in_runs": len(times),
            "seconds": [round(t, 2) for t in times],
        }
    return detection


def summarise(documents: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over the runs, and whether every known class met the target."""
    detection = medians(documents, known_class, KNOWN)
    met = all(
        d["median_seconds_all_runs"] is not None and d["median_seconds_all_runs"] < TARGET_SECONDS
        for d in detection.values()
    )
    rates: dict[str, list[float]] = {}
    for document in documents:
        for name, rate in document["run"]["budget"]["examples_per_second"].items():
            rates.setdefault(name, []).append(float(rate))
    return {
        "time_to_first_detection": detection,
        "every_known_class_under_target": met,
        "by_field": medians(documents, field_class),
        "examples_per_second_per_core": {n: round(statistics.median(r), 1) for n, r in sorted(rates.items())},
        "load_average_1min": [d["load_average_1min"] for d in documents],
        "examples_per_second_per_core_overall": round(
            statistics.median(
                sum(int(p["examples"]) for p in d["properties"].values())
                / (d["run"]["elapsed_seconds"] * d["run"]["workers"])
                for d in documents
            ),
            1,
        ),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the campaigns and write ``bench/results/detection.json``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default="bench/results")
    parser.add_argument("--baseline", type=Path, help="a checkout to run first on every seed (the 'before')")
    parser.add_argument("--source", type=Path, help="the checkout to measure (default: the installed batchproof)")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    before: list[dict[str, Any]] = []
    after: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as scratch:
        for seed in range(args.seeds):
            if args.baseline is not None:
                here = Path(scratch) / "before"
                here.mkdir(exist_ok=True)
                before.append(campaign(seed, args.budget, args.workers, here, args.baseline))
            after.append(campaign(seed, args.budget, args.workers, Path(scratch), args.source))
    command = f"batchproof campaign --budget {args.budget:g} --workers {args.workers} --db none --allow {ALLOW}"
    result: dict[str, Any] = {
        "setup": {
            "seeds": args.seeds,
            "budget_seconds": args.budget,
            "workers": args.workers,
            "cpus": os.cpu_count(),
            # Figures are only comparable on an otherwise idle machine: a load above the CPU count means
            # other processes took part of the cores.
            "load_average_1min": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
            "command": command,
        },
    }
    if args.baseline is not None:
        result["before"] = summarise(before)
        result["after"] = summarise(after)
    else:
        result.update(summarise(after))
    print(json.dumps(result, indent=2))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "detection.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
