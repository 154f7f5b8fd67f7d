"""Batching metrics with upstream names and labels (pkg/scheduler/metrics/metrics.go, spec §8).

Counters and histograms keyed by label values; rendered as the CLI's JSON shape or in
Prometheus text exposition format.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

SUBSYSTEM = "scheduler"
# exponential buckets: start 1e-5, factor 2, count 12 (metrics.go)
DURATION_BUCKETS = tuple(1e-5 * 2**i for i in range(12))

ATTEMPT_RESULTS = ("no_hint", "hint_used", "hint_not_used")
STORE_RESULTS = ("stored", "pod_not_batchable", "empty_list")
G3_FLUSH_REASONS = (
    "pod_skipped",
    "pod_failed",
    "pod_nominated",
    "pod_incompatible",
    "expired",
    "node_missing",
    "filter_error",
    "prescore_error",
    "rescore_error",
    "normalize_error",
)
G1_FLUSH_REASONS = (
    "pod_failed",
    "pod_skipped",
    "pod_nominated",
    "node_missing",
    "node_not_full",
    "empty_list",
    "expired",
    "pod_incompatible",
    "pod_not_batchable",
)


@dataclass(slots=True)
class Histogram:
    """A cumulative-bucket histogram."""

    buckets: tuple[float, ...] = DURATION_BUCKETS
    counts: list[int] = field(default_factory=lambda: [0] * len(DURATION_BUCKETS))
    total: float = 0.0
    samples: int = 0

    def observe(self, value: float) -> None:
        """Record one observation."""
        self.samples += 1
        self.total += value
        for index, bound in enumerate(self.buckets):
            if value <= bound:
                self.counts[index] += 1


@dataclass(slots=True)
class BatchMetrics:
    """All batching metrics of one scheduler (every profile)."""

    attempts: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    flushed: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    stored: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    rescore_attempts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    hint_duration: dict[tuple[str, str], Histogram] = field(default_factory=lambda: defaultdict(Histogram))
    store_duration: dict[str, Histogram] = field(default_factory=lambda: defaultdict(Histogram))
    rescore_duration: dict[str, Histogram] = field(default_factory=lambda: defaultdict(Histogram))
    batched_pods: int = 0

    def to_json(self) -> dict[str, object]:
        """Counters summed over profiles, as ``schedule --format json`` prints them."""
        return {
            "batch_attempts_total": _by_label(self.attempts),
            "batch_cache_flushed_total": _by_label(self.flushed),
            "store_schedule_results_total": _by_label(self.stored),
            "batch_rescore_attempts_total": sum(self.rescore_attempts.values()),
        }

    def prometheus(self) -> str:
        """Prometheus text exposition format, sorted for stable output."""
        lines: list[str] = []
        _counter(lines, "batch_attempts_total", "Batch attempts by result.", self.attempts, ("profile", "result"))
        _counter(
            lines, "batch_cache_flushed_total", "Batch cache flushes by reason.", self.flushed, ("profile", "reason")
        )
        _counter(
            lines, "store_schedule_results_total", "StoreScheduleResults outcomes.", self.stored, ("profile", "result")
        )
        name = f"{SUBSYSTEM}_batch_rescore_attempts_total"
        lines += [f"# HELP {name} Rescoring attempts of the last chosen node.", f"# TYPE {name} counter"]
        lines += [f'{name}{{profile="{p}"}} {v}' for p, v in sorted(self.rescore_attempts.items())]
        hint: dict[tuple[str, ...], Histogram] = dict(self.hint_duration.items())
        _histogram(lines, "get_node_hint_duration_seconds", "GetNodeHint latency.", hint, ("profile", "hinted"))
        _histogram(
            lines,
            "store_schedule_results_duration_seconds",
            "StoreScheduleResults latency.",
            {(p,): v for p, v in self.store_duration.items()},
            ("profile",),
        )
        _histogram(
            lines,
            "batch_rescore_duration_seconds",
            "Rescoring latency.",
            {(p,): v for p, v in self.rescore_duration.items()},
            ("profile",),
        )
        return "\n".join(lines) + "\n"


def _by_label(counter: dict[tuple[str, str], int]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for (_, label), value in counter.items():
        out[label] += value
    return dict(sorted(out.items()))


def _labels(names: tuple[str, ...], values: tuple[str, ...]) -> str:
    return ",".join(f'{n}="{v}"' for n, v in zip(names, values, strict=True))


def _counter(
    lines: list[str], short: str, help_text: str, data: dict[tuple[str, str], int], names: tuple[str, ...]
) -> None:
    name = f"{SUBSYSTEM}_{short}"
    lines += [f"# HELP {name} {help_text}", f"# TYPE {name} counter"]
    lines += [f"{name}{{{_labels(names, key)}}} {value}" for key, value in sorted(data.items())]


def _histogram(
    lines: list[str], short: str, help_text: str, data: dict[tuple[str, ...], Histogram], names: tuple[str, ...]
) -> None:
    name = f"{SUBSYSTEM}_{short}"
    lines += [f"# HELP {name} {help_text}", f"# TYPE {name} histogram"]
    for key, histogram in sorted(data.items()):
        labels = _labels(names, key)
        for bound, count in zip(histogram.buckets, histogram.counts, strict=True):
            lines.append(f'{name}_bucket{{{labels},le="{bound:g}"}} {count}')
        lines.append(f'{name}_bucket{{{labels},le="+Inf"}} {histogram.samples}')
        lines.append(f"{name}_sum{{{labels}}} {histogram.total:.9f}")
        lines.append(f"{name}_count{{{labels}}} {histogram.samples}")
