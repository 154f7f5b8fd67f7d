"""The comparison as JSON, a Markdown table and an offline HTML page with matplotlib PNG plots.

Results are data (:class:`~batchproof.properties.compare.run.Row`); this module only renders.
Plots are drawn with matplotlib's object API on the Agg canvas, as the campaign report's are.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from batchproof.properties.compare.cost import PRE_SCORE_NODES
from batchproof.properties.compare.run import CALLS, REFERENCE, Plan, Row

PLOTS = {
    "cost_vs_divergence": "Cost vs divergence per variant",
    "hint_rate": "Hint rate per workload",
    "regret": "Regret distribution per variant",
}


def to_json(plan: Plan, rows: list[Row]) -> dict[str, Any]:
    """The whole comparison; everything but ``time_per_pod_us`` is deterministic in the seeds."""
    return {
        "plan": {
            "variants": list(plan.variants),
            "workloads": [f.name for f in plan.families],
            "seeds": plan.seeds,
            "signers": plan.signers,
            "size": plan.size,
            "reference_every": plan.reference_every,
        },
        "workloads": {
            f.name: {"source": f.source, "description": f.description, **f.size(plan.size)} for f in plan.families
        },
        "rows": [r.to_json() for r in rows],
    }


def _calls(row: Row) -> str:
    return " / ".join(f"{row.calls_per_pod[name]:g}" for name in CALLS)


def _pre_score_nodes(row: Row) -> str:
    return f"{row.calls_per_pod.get(PRE_SCORE_NODES, 0):g}"


def _pods(row: Row) -> str:
    return str(row.pods) if row.compared == row.pods else f"{row.pods} ({row.compared} compared)"


def _hint_rate(row: Row) -> str:
    """``41.0%``, with upstream's beside it where it was measured: ``41.0% (41.0%)``."""
    if row.upstream_hint_rate is None:
        return f"{row.hint_rate:.1%}"
    return f"{row.hint_rate:.1%} ({row.upstream_hint_rate:.1%})"


def _flushes(row: Row) -> str:
    return ", ".join(f"{k} {v}" for k, v in row.flush_reasons.items()) or "-"


HEADER = (
    "| workload | variant | pods | identical (strict) | identical (tie-aware) | wrongly failed | regret p50/p99/max "
    "| hint rate (upstream) | flushes | calls/pod Filter/PreScore/Score/Normalize | PreScore nodes/pod | µs/pod |"
)


def render_markdown(plan: Plan, rows: list[Row]) -> str:
    """One table row per (workload, variant), the reference last in each workload."""
    lines = [
        "# batchproof compare",
        "",
        f"Signers `{plan.signers}`, size `{plan.size}`, {plan.seeds} seed(s). Identical = placed on the node the "
        "reference picks for the same state; regret = reference's best total minus its total for the batched node. "
        "A hint rate in parentheses is upstream's (v1.37.2, batching as g3) on the same scenarios.",
        "",
        HEADER,
        "|" + " --- |" * 12,
    ]
    for r in rows:
        lines.append(
            f"| {r.workload} | {r.variant} | {_pods(r)} | {r.strict_identical:.1%} | {r.tie_identical:.1%} | "
            f"{r.wrongly_failed} | {r.regret_p50}/{r.regret_p99}/{r.regret_max} | {_hint_rate(r)} | {_flushes(r)} | "
            f"{_calls(r)} | {_pre_score_nodes(r)} | {r.time_per_pod_us:g} |"
        )
    unsafe = sum(r.unsafe for r in rows)
    lines += ["", f"Unsafe placements (fail the full Filter set): {unsafe}.", ""]
    return "\n".join(lines)


def _figure(title: str, width: float = 7.5, height: float = 4.0) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415 (matplotlib only when plotting)
    from matplotlib.figure import Figure  # noqa: PLC0415

    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_title(title)
    return figure, axes


def _save(figure: Any, path: Path) -> None:
    figure.savefig(path, format="png", metadata={"Software": None})


def _variants(rows: list[Row]) -> list[str]:
    return list(dict.fromkeys(r.variant for r in rows))


def plot_cost_vs_divergence(rows: list[Row], path: Path) -> None:
    """Per variant over all workloads: plugin calls per pod against the share of pods placed differently."""
    figure, axes = _figure(PLOTS["cost_vs_divergence"])
    for position, variant in enumerate(_variants(rows)):
        mine = [r for r in rows if r.variant == variant]
        pods = sum(r.pods for r in mine) or 1
        calls = sum(sum(r.calls_per_pod[name] for name in CALLS) * r.pods for r in mine) / pods
        diverged = sum((1 - r.strict_identical) * r.pods for r in mine) / pods
        axes.scatter([calls], [diverged * 100], s=40)
        offset = (4, 4 + 9 * (position % 4))  # variants that coincide stay readable
        axes.annotate(variant, (calls, diverged * 100), textcoords="offset points", xytext=offset, fontsize=8)
    axes.set_xlabel("plugin calls per pod (Filter + PreScore + Score + NormalizeScore)")
    axes.set_ylabel("% of pods not placed as the reference")
    _save(figure, path)


def plot_hint_rate(rows: list[Row], path: Path) -> None:
    """Grouped bars: hint rate per workload and variant."""
    variants = [v for v in _variants(rows) if v != REFERENCE]
    workloads = list(dict.fromkeys(r.workload for r in rows))
    figure, axes = _figure(PLOTS["hint_rate"], width=9.0)
    width = 0.8 / max(len(variants), 1)
    for i, variant in enumerate(variants):
        rates = {r.workload: r.hint_rate for r in rows if r.variant == variant}
        xs = [j + i * width for j in range(len(workloads))]
        axes.bar(xs, [rates.get(w, 0.0) * 100 for w in workloads], width=width, label=variant)
    axes.set_xticks(
        [j + 0.4 - width / 2 for j in range(len(workloads))], workloads, rotation=20, ha="right", fontsize=8
    )
    axes.set_ylabel("% of pods placed by a hint")
    axes.legend(fontsize=7, ncol=4)
    _save(figure, path)


def plot_regret(rows: list[Row], path: Path) -> None:
    """Box plot of the non-zero regrets per variant over all workloads (count of zero regrets in the label)."""
    variants = [v for v in _variants(rows) if v != REFERENCE]
    figure, axes = _figure(PLOTS["regret"])
    data, labels = [], []
    for variant in variants:
        regrets = [x for r in rows if r.variant == variant for x in r.regrets]
        nonzero = [x for x in regrets if x > 0]
        data.append(nonzero or [0])
        labels.append(f"{variant}\n{len(nonzero)}/{len(regrets)} >0")
    axes.boxplot(data, tick_labels=labels)
    axes.tick_params(axis="x", labelsize=7)
    axes.set_ylabel("regret (total score points, non-zero only)")
    _save(figure, path)


def render_html(plan: Plan, rows: list[Row], plots: bool) -> str:
    """A self-contained page: the table and the plots beside it (relative PNG links)."""
    head = ["workload", "variant", "pods", "identical", "tie-aware", "wrongly failed", "regret p50/p99/max"]
    head += ["hint rate", "flushes", "calls/pod F/PS/S/N", "PreScore nodes/pod", "µs/pod"]
    body = []
    for r in rows:
        cells = [r.workload, r.variant, _pods(r), f"{r.strict_identical:.1%}", f"{r.tie_identical:.1%}"]
        cells += [str(r.wrongly_failed), f"{r.regret_p50}/{r.regret_p99}/{r.regret_max}", _hint_rate(r)]
        cells += [_flushes(r), _calls(r), _pre_score_nodes(r), f"{r.time_per_pod_us:g}"]
        body.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    figures = "".join(
        f'<figure><img src="plots/{name}.png" alt="{html.escape(title)}">'
        f"<figcaption>{html.escape(title)}</figcaption></figure>"
        for name, title in PLOTS.items()
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>batchproof compare</title><style>"
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;font-size:13px}"
        "td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}td:nth-child(-n+2){text-align:left}"
        "figure{display:inline-block;margin:1em}</style></head><body><h1>batchproof compare</h1>"
        f"<p>Signers <code>{html.escape(plan.signers)}</code>, size <code>{plan.size}</code>, {plan.seeds} seed(s).</p>"
        "<table><tr>"
        + "".join(f"<th>{html.escape(h)}</th>" for h in head)
        + "</tr>"
        + "".join(body)
        + "</table>"
        + (figures if plots else "")
        + "</body></html>\n"
    )


def write_report(plan: Plan, rows: list[Row], out: Path, *, plots: bool = True) -> list[Path]:
    """compare.json, compare.md, compare.html and (with ``plots``) plots/*.png under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "compare.json", out / "compare.md", out / "compare.html"]
    written[0].write_text(json.dumps(to_json(plan, rows), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    written[1].write_text(render_markdown(plan, rows), encoding="utf-8")
    written[2].write_text(render_html(plan, rows, plots), encoding="utf-8")
    if plots:
        (out / "plots").mkdir(exist_ok=True)
        for name, draw in (
            ("cost_vs_divergence", plot_cost_vs_divergence),
            ("hint_rate", plot_hint_rate),
            ("regret", plot_regret),
        ):
            path = out / "plots" / f"{name}.png"
            draw(rows, path)
            written.append(path)
    return written
