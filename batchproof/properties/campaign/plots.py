"""The report's plots as PNG files: findings over time, examples per second and budget per property.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no display, no global state), so
they render on a headless machine and the HTML report that shows them works offline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

PLOTS_DIR = "plots"
PLOTS = {
    "findings_over_time": "Findings over time",
    "examples_per_second": "Examples per second per property",
    "budget": "Seconds spent per property",
}


def _figure(title: str, height: float = 3.0) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415 (matplotlib only when plotting)
    from matplotlib.figure import Figure  # noqa: PLC0415

    figure = Figure(figsize=(7.0, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_title(title)
    return figure, axes


def _save(figure: Any, path: Path) -> None:
    figure.savefig(path, format="png", metadata={"Software": None})


def _findings_over_time(doc: dict[str, Any], path: Path) -> None:
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415 (matplotlib only when plotting)

    figure, axes = _figure(PLOTS["findings_over_time"])
    points = doc["run"].get("findings_over_time") or []
    elapsed = float(doc["run"].get("elapsed_seconds") or 0.0)
    xs = [0.0] + [float(p["seconds"]) for p in points] + [max(elapsed, points[-1]["seconds"] if points else 0.0)]
    ys = [0] + [int(p["findings"]) for p in points] + [len(points)]
    axes.step(xs, ys, where="post", color="#b03a2e")
    axes.set_xlabel("seconds since the campaign started")
    axes.set_ylabel("findings")
    axes.set_ylim(bottom=0)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    if not points:
        axes.text(0.5, 0.5, "no findings", transform=axes.transAxes, ha="center", va="center")
    _save(figure, path)


def _per_property(doc: dict[str, Any], key: str, path: Path, label: str) -> None:
    values: dict[str, float] = doc["run"]["budget"][key]
    names = list(values)
    figure, axes = _figure(PLOTS[path.stem], height=max(2.0, 0.4 * len(names) + 1.2))
    axes.barh(names, [values[n] for n in names], color="#2e86c1")
    axes.invert_yaxis()
    axes.set_xlabel(label)
    _save(figure, path)


def write_plots(doc: dict[str, Any], directory: Path) -> dict[str, str]:
    """Render every plot of a report.json document under ``directory/plots``; name -> path relative to it."""
    out_dir = directory / PLOTS_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {name: out_dir / f"{name}.png" for name in PLOTS}
    _findings_over_time(doc, paths["findings_over_time"])
    _per_property(doc, "examples_per_second", paths["examples_per_second"], "examples per second")
    _per_property(doc, "seconds", paths["budget"], "seconds")
    return {name: f"{PLOTS_DIR}/{path.name}" for name, path in paths.items()}
