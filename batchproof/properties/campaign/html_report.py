"""report.html: the campaign report for a person, one self-contained page beside its PNG plots.

Summary, plots, a per-property table, and per finding its reproducer (the manifests inline),
replay command and decision diff. No scripts, no remote assets: it reads the same offline.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

from batchproof.properties.campaign.findings import CLASS_SPEC, Finding, upstream_line
from batchproof.properties.campaign.plots import PLOTS, write_plots
from batchproof.properties.campaign.report import Report, detection_line, unreached_message

MANIFEST_LIMIT = 20_000  # characters of one reproducer file shown inline
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
pre { background: #f7f7f7; padding: 0.6em; overflow-x: auto; font-size: 0.85em; }
.finding { border-top: 2px solid #ddd; margin-top: 1.5em; }
.bad { color: #b03a2e; font-weight: bold; }
img { max-width: 100%; }
"""


def _table(head: list[str], rows: list[list[str]]) -> str:
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def _summary(report: Report, doc: dict[str, Any]) -> list[str]:
    config = doc["campaign"]
    limit = (
        f"{config['max_examples']} examples per property"
        if config["max_examples"]
        else f"{config['budget_seconds']:g}s budget"
    )
    out = [
        "<h2>Summary</h2>",
        f"<p>Profile <code>{escape(str(config['profile']))}</code>, signers <code>{escape(config['signers'])}</code>, "
        f"variant <code>{escape(config['variant'])}</code>, seed {config['seed']}, {escape(limit)}, "
        f"{report.config.workers} worker(s), {report.elapsed:.1f}s.</p>",
    ]
    classes = report.classes()
    if classes:
        rows = [[escape(c), escape(CLASS_SPEC.get(c, "")), str(n)] for c, n in classes.items()]
        out.append(_table(["class", "spec", "findings"], rows))
    else:
        out.append("<p>No findings.</p>")
    code = report.exit_code
    allowed = ", ".join(report.config.allow) or "none"
    out.append(
        f"<p>Allowed classes: {escape(allowed)}. Exit code: <span class='{'bad' if code else ''}'>{code}</span>.</p>"
    )
    notes = [f"internal error in {e}" for e in report.errors()]
    notes += [f"property {n} never reached its interesting path" for n in report.vacuous()]
    if report.unreached():
        notes.append(unreached_message(report))
    if report.shared is not None and report.shared.get("outage"):
        notes.append(f"shared database {report.shared['url']} went away: {report.shared['outage']}")
    if notes:
        out.append("<ul>" + "".join(f"<li class='bad'>{escape(n)}</li>" for n in notes) + "</ul>")
    return out


def _plots(plots: dict[str, str] | None) -> list[str]:
    if not plots:
        return ["<h2>Plots</h2>", "<p>Plots were not rendered for this run (<code>--no-plots</code>).</p>"]
    out = ["<h2>Plots</h2>"]
    for name, title in PLOTS.items():
        if name in plots:
            image = f"<img src='{escape(plots[name])}' alt='{escape(title)}'>"
            out.append(f"<figure>{image}<figcaption>{escape(title)}</figcaption></figure>")
    return out


def _properties(report: Report, doc: dict[str, Any]) -> list[str]:
    budget = doc["run"]["budget"]
    rows = []
    for p in report.properties:
        name = p["name"]
        paths = ", ".join(f"{k}: {v}" for k, v in sorted(p["paths"].items())) or "-"
        rows.append(
            [
                f"<code>{escape(name)}</code>",
                str(p["examples"]),
                str(len(p["findings"])),
                escape(paths),
                f"{budget['seconds'][name]:.1f}",
                f"{budget['share'][name]:.0%}",
                f"{budget['examples_per_second'][name]:g}",
            ]
        )
    head = ["property", "examples", "findings", "interesting paths", "seconds", "share", "examples/s"]
    return ["<h2>Properties</h2>", f"<p>Budget: {escape(budget['mode'])}.</p>", _table(head, rows)]


def _reproducer(directory: Path) -> list[str]:
    out = []
    if not directory.is_dir():
        return ["<p>(the reproducer directory is missing)</p>"]
    for path in sorted(directory.iterdir()):
        if (
            not path.is_file()
            or path.suffix not in (".yaml", ".json")
            or path.name in ("finding.json", "detection.json")
        ):
            continue
        text = path.read_text(errors="replace")
        if len(text) > MANIFEST_LIMIT:
            text = text[:MANIFEST_LIMIT] + "\n... (truncated)"
        out.append(f"<details><summary><code>{escape(path.name)}</code></summary><pre>{escape(text)}</pre></details>")
    return out


def _finding(report: Report, finding: Finding) -> list[str]:
    key = finding.key
    details = finding.details
    facts = [
        f"property <code>{escape(key.property)}</code>",
        f"class <b>{escape(key.cls)}</b> ({escape(finding.spec)} {escape(str(details.get('title', '')))})",
        f"plugin <code>{escape(key.plugin)}</code>",
        f"field <code>{escape(key.field)}</code>",
        escape(finding.summary),
    ]
    if details.get("found_by"):
        facts.append(f"found first by <code>{escape(str(details['found_by']))}</code>")
    detection = report.detections.get(finding.id)
    if detection is not None:
        facts.append(escape(detection_line(detection)))
    if finding.replayed:
        facts.append("replayed from the example database")
    facts.append(escape(upstream_line(finding)))
    diff = json.dumps(details.get("diff", {}), indent=2, sort_keys=True)
    return [
        f"<section class='finding' id='{escape(finding.id)}'><h3>{escape(finding.id)}</h3>",
        "<ul>" + "".join(f"<li>{f}</li>" for f in facts) + "</ul>",
        "<h4>Replay</h4>",
        f"<pre>{escape(finding.replay)}</pre>",
        "<h4>Reproducer</h4>",
        *_reproducer(report.config.report_dir / finding.directory),
        "<h4>Decision diff</h4>",
        f"<pre>{escape(diff)}</pre>",
        "</section>",
    ]


def render_html(report: Report, plots: dict[str, str] | None = None) -> str:
    """The whole page; ``plots`` maps plot names to image paths relative to the report directory."""
    doc = report.to_json()
    body = [
        "<h1>batchproof campaign report</h1>",
        *(
            ["<p class='bad'>Interrupted: the report covers what was found before the interruption.</p>"]
            if report.interrupted
            else []
        ),
        *_summary(report, doc),
        *_plots(plots),
        *_properties(report, doc),
        "<h2>Findings</h2>",
    ]
    if not report.findings:
        body.append("<p>None.</p>")
    for finding in report.findings:
        body += _finding(report, finding)
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>batchproof campaign report</title><style>{STYLE}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def write_html(report: Report, directory: Path, *, plots: bool) -> Path:
    """Write report.html (and, with ``plots``, its PNGs under ``plots/``); returns its path."""
    images = write_plots(report.to_json(), directory) if plots else None
    path = directory / "report.html"
    path.write_text(render_html(report, images))
    return path
