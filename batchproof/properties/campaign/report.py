"""The campaign report as data, and its JSON and Markdown renderings.

Everything outside the ``run`` section (timing, database replays, directories) is a function of
the configuration and seed, so two count-bounded runs give the same report apart from ``run``.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from batchproof.properties.campaign.config import CampaignConfig
from batchproof.properties.campaign.detection import Detection, over_time
from batchproof.properties.campaign.findings import CLASS_SPEC, Finding, upstream_line, upstream_verdict

DETERMINISTIC_PROPERTY_FIELDS = ("description", "examples", "calls", "chunks", "paths", "findings", "error")


@dataclass(frozen=True, slots=True)
class Report:
    """A finished (or interrupted) campaign."""

    config: CampaignConfig
    properties: tuple[dict[str, Any], ...]
    findings: tuple[Finding, ...]
    started: str
    elapsed: float
    interrupted: bool = False
    failure: str | None = None
    detections: dict[str, Detection] = field(default_factory=dict)
    shared: dict[str, Any] | None = None

    def outside_allow(self) -> list[Finding]:
        """Findings whose class is not in ``--allow``."""
        return [f for f in self.findings if f.key.cls not in self.config.allow]

    def errors(self) -> list[str]:
        """Properties that stopped on an internal error, as ``name: message``."""
        out = [f"{p['name']}: {p['error']}" for p in self.properties if p.get("error")]
        return [*out, f"campaign: {self.failure}"] if self.failure else out

    def vacuous(self) -> list[str]:
        """Properties that never reached the path they exist to check."""
        return [p["name"] for p in self.properties if p.get("required_path") and not p["paths"].get(p["required_path"])]

    def unreached(self) -> list[str]:
        """Vacuous properties that fail the run (all of them, unless ``--allow-unreached``)."""
        return [] if self.config.allow_unreached else self.vacuous()

    @property
    def exit_code(self) -> int:
        """0 when every finding's class is allowed, every property reached its path and nothing failed, else 1."""
        return 1 if self.outside_allow() or self.errors() or self.unreached() or self.interrupted else 0

    def budget(self) -> dict[str, Any]:
        """How the time was spent: seconds, share, chunks and examples per second per property."""
        seconds = {p["name"]: round(float(p.get("seconds", 0.0)), 3) for p in self.properties}
        total = sum(seconds.values())
        return {
            "mode": "count" if self.config.deadline is None and self.config.budget is None else "adaptive",
            "seconds": seconds,
            "share": {name: round(value / total, 4) if total else 0.0 for name, value in seconds.items()},
            "chunks": {p["name"]: int(p.get("chunks", 0)) for p in self.properties},
            "examples_per_second": {
                p["name"]: round(int(p.get("examples", 0)) / seconds[p["name"]], 1) if seconds[p["name"]] else 0.0
                for p in self.properties
            },
        }

    def upstream_verdicts(self) -> dict[str, int]:
        """How many findings the real scheduler code reproduces, does not reproduce, or was not asked about."""
        return dict(sorted(Counter(upstream_verdict(f)["verdict"] for f in self.findings).items()))

    def classes(self) -> dict[str, int]:
        """Finding count per class."""
        return dict(sorted(Counter(f.key.cls for f in self.findings).items()))

    def to_json(self) -> dict[str, Any]:
        """The report.json document."""
        properties = {
            p["name"]: {
                **{k: p.get(k) for k in DETERMINISTIC_PROPERTY_FIELDS},
                "required_path": p.get("required_path") or None,
                "reached_required_path": bool(p["paths"].get(p.get("required_path") or "", 0))
                if p.get("required_path")
                else None,
            }
            for p in self.properties
        }
        return {
            "campaign": {**self.config.describe(), "properties": [p["name"] for p in self.properties]},
            "summary": {
                "findings": len(self.findings),
                "classes": self.classes(),
                "upstream": self.upstream_verdicts(),
                "outside_allow": len(self.outside_allow()),
                "errors": self.errors(),
                "vacuous": self.vacuous(),
                "allow_unreached": self.config.allow_unreached,
                "exit_code": self.exit_code,
            },
            "properties": properties,
            "findings": [f.to_json() for f in self.findings],
            "run": {
                "started": self.started,
                "elapsed_seconds": round(self.elapsed, 3),
                "interrupted": self.interrupted,
                "workers": self.config.workers,
                "report_directory": self.config.report,
                "database_directory": str(self.config.database_dir()) if self.config.db else None,
                "replayed_from_database": {p["name"]: p.get("replayed", 0) for p in self.properties},
                "property_seconds": {p["name"]: p.get("seconds", 0.0) for p in self.properties},
                "detection": {k: d.to_json() for k, d in sorted(self.detections.items())},
                "findings_over_time": over_time(self.detections),
                "shared_database": self.shared,
                "budget": self.budget(),
            },
        }


def _fence(value: Any, limit: int = 4000) -> str:
    text = json.dumps(value, indent=2, sort_keys=True)
    if len(text) > limit:
        text = text[:limit] + "\n... (truncated; the full diff is in finding.json)"
    return f"```json\n{text}\n```"


def render_markdown(report: Report) -> str:
    """report.md: summary, per-property table, and one section per finding."""
    config = report.config.describe()
    lines = [
        "# batchproof campaign report",
        "",
        f"Profile `{config['profile']}`, signers `{config['signers']}`, variant `{config['variant']}`, "
        f"seed {config['seed']}, "
        + (
            f"{config['max_examples']} examples per property"
            if config["max_examples"]
            else f"{config['budget_seconds']:g}s budget"
        )
        + f", {report.config.workers} worker(s), {report.elapsed:.1f}s.",
        "",
    ]
    if report.interrupted:
        lines += ["**Interrupted**: the report covers what was found before the interruption.", ""]
    classes = report.classes()
    lines += ["## Summary", ""]
    if classes:
        lines += ["| class | spec | findings |", "| --- | --- | --- |"]
        for cls, count in classes.items():
            spec = CLASS_SPEC.get(cls, "")
            lines.append(f"| {cls} | {spec} | {count} |")
    else:
        lines.append("No findings.")
    allowed = ", ".join(report.config.allow) or "none"
    lines += ["", f"Allowed classes: {allowed}. Exit code: {report.exit_code}.", ""]
    for error in report.errors():
        lines.append(f"- internal error in {error}")
    for name in report.vacuous():
        lines.append(f"- property {name} never reached its interesting path")
    if report.unreached():
        lines.append(f"- {unreached_message(report)}")
    lines += [
        "## Properties",
        "",
        "| property | examples | findings | interesting paths |",
        "| --- | --- | --- | --- |",
    ]
    for p in report.properties:
        paths = ", ".join(f"{k}: {v}" for k, v in sorted(p["paths"].items())) or "-"
        lines.append(f"| {p['name']} | {p['examples']} | {len(p['findings'])} | {paths} |")
    budget = report.budget()
    lines += [
        "",
        "## Budget",
        "",
        f"Time per property ({budget['mode']}): "
        + (
            "each property runs to its example count."
            if budget["mode"] == "count"
            else "shared by what each still finds."
        ),
        "",
        "| property | seconds | share | chunks | examples/s |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, seconds in budget["seconds"].items():
        share, chunks, rate = budget["share"][name], budget["chunks"][name], budget["examples_per_second"][name]
        lines.append(f"| {name} | {seconds:.1f} | {share:.0%} | {chunks} | {rate:g} |")
    lines += ["", "## Findings", ""]
    for finding in report.findings:
        lines += _finding_section(finding, report.detections.get(finding.id))
    return "\n".join(lines).rstrip() + "\n"


def detection_line(detection: Detection) -> str:
    """``found after 3.2s and 410 examples (1.1s, 120 examples into its property)``."""
    how = "replayed from the database" if detection.replayed else "found"
    return (
        f"{how} after {detection.seconds:.1f}s and {detection.examples} examples "
        f"({detection.property_seconds:.1f}s, {detection.property_examples} examples into its property)"
    )


def _finding_section(finding: Finding, detection: Detection | None = None) -> list[str]:
    key = finding.key
    details = finding.details
    out = [
        f"### {finding.id}",
        "",
        f"- property: `{key.property}`",
        f"- class: **{key.cls}** ({finding.spec} {details.get('title', '')})".rstrip(),
        f"- plugin: `{key.plugin}`",
        f"- field: `{key.field}`",
        f"- {finding.summary}",
        f"- manifests: `{finding.directory}/`",
    ]
    if details.get("fields"):
        out.append(f"- fields that differ: {', '.join(f'`{f}`' for f in details['fields'])}")
    if details.get("fragment"):
        out.append(f"- fix: {details['fragment']}")
    if details.get("reproduces_from_manifests") is False:
        out.append("- warning: the written manifests did not reproduce this finding")
    out.append(f"- {upstream_line(finding)}")
    if finding.replayed:
        out.append("- replayed from the example database")
    if details.get("found_by"):
        out.append(f"- found first by `{details['found_by']}`")
    if detection is not None:
        out.append(f"- {detection_line(detection)}")
    out += [
        "",
        "Replay:",
        "",
        f"```\n{finding.replay}\n```",
        "",
        "Decision diff:",
        "",
        _fence(details.get("diff", {})),
        "",
    ]
    return out


def unreached_message(report: Report) -> str:
    """Why a run whose properties never reached their paths fails, and how to accept it."""
    names = report.unreached()
    paths = sorted({p["required_path"] for p in report.properties if p["name"] in names})
    return (
        f"the campaign cannot test what it claims: {', '.join(names)} never reached "
        f"{' / '.join(repr(p) for p in paths)} under profile {report.config.describe()['profile']} "
        "(nothing batches there?); pass --allow-unreached to accept"
    )


def write_report(report: Report, directory: Path) -> tuple[Path, Path]:
    """Write report.json and report.md; returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    json_path = directory / "report.json"
    md_path = directory / "report.md"
    json_path.write_text(json.dumps(report.to_json(), indent=2, sort_keys=True) + "\n")
    md_path.write_text(render_markdown(report))
    return json_path, md_path


def render_text(report: Report, json_path: Path, md_path: Path) -> str:
    """The terminal summary printed at the end of a campaign."""
    examples = sum(int(p.get("examples", 0)) for p in report.properties)
    lines = [
        f"{len(report.findings)} findings from {examples} examples over {len(report.properties)} properties "
        f"in {report.elapsed:.0f}s"
    ]
    for cls, count in report.classes().items():
        spec = CLASS_SPEC.get(cls, "")
        allowed = " (allowed)" if cls in report.config.allow else ""
        lines.append(f"  {cls} ({spec}): {count}{allowed}" if spec else f"  {cls}: {count}{allowed}")
    for finding in report.findings:
        what = " ".join(part for part in (finding.key.plugin, finding.key.field) if part != "-")
        lines.append(f"  [{finding.key.cls} {finding.spec}] {finding.key.property}: {what or finding.summary}")
        lines.append(f"      {upstream_line(finding)}")
        lines.append(f"      {finding.replay}")
    verdicts = report.upstream_verdicts()
    if report.findings:
        lines.append(
            f"  upstream reproduces {verdicts.get('reproduces', 0)} of {len(report.findings)} findings "
            f"({verdicts.get('does not reproduce', 0)} do not, {verdicts.get('not checked', 0)} not checked)"
        )
    for error in report.errors():
        lines.append(f"  internal error: {error}")
    for name in report.vacuous():
        lines.append(f"  warning: {name} never reached its interesting path")
    if report.unreached():
        lines.append(f"  error: {unreached_message(report)}")
    if report.shared is not None and report.shared.get("outage"):
        lines.append(f"  shared database {report.shared['url']} went away during the run; later findings are local")
    lines += [f"report: {md_path}", f"        {json_path}"]
    return "\n".join(lines)
