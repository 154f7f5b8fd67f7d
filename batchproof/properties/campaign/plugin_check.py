"""The plugin author's check: an out-of-tree plugin's SignPod against its own Filter and Score.

It runs two properties (``plugin/signature``: equal-signature pairs must get equal results;
``plugin/placement``: with the plugin in the profile, batching must place pods as the reference
does) as a campaign, and explains each failure as the pod fields that differ, the results that
differ, and the fragment SignPod would need to cover them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, TextIO

from batchproof.properties.audit.readset import ReadSetAudit, render_audit
from batchproof.properties.campaign.config import CampaignConfig
from batchproof.properties.campaign.discovery import Discovered
from batchproof.properties.campaign.findings import Finding
from batchproof.properties.campaign.loader import LoadedPlugin, load_plugin
from batchproof.properties.campaign.properties import plugin_surface
from batchproof.properties.campaign.report import Report, detection_line
from batchproof.properties.campaign.runner import run_campaign

SPEC_UNSIGNED = "§1.3"


@dataclass(frozen=True, slots=True)
class PluginCheck:
    """The verdict on one plugin: the campaign report, the keys it reads, and whether it signs at all."""

    loaded: LoadedPlugin
    discovered: Discovered
    audit: ReadSetAudit
    report: Report | None

    @property
    def signs(self) -> bool:
        """Whether the plugin implements SignPod (without it, no profile containing it batches)."""
        return "sign_pod" in self.loaded.points

    @property
    def passed(self) -> bool:
        """No finding, no internal error."""
        return self.signs and self.report is not None and self.report.exit_code == 0

    def to_json(self) -> dict[str, Any]:
        """The ``check-plugin --format json`` document."""
        return {
            "plugin": self.loaded.info.name,
            "ref": self.loaded.ref,
            "points": list(self.loaded.points),
            "signs": self.signs,
            "reads": self.discovered.to_json(),
            "audit": self.audit.to_json(),
            "passed": self.passed,
            "report": self.report.to_json() if self.report is not None else None,
        }


def check_plugin(config: CampaignConfig, *, stream: TextIO | None = None) -> PluginCheck:
    """Load the plugin of ``config.plugin`` and run its check (skipped when it cannot sign).

    Raises:
        BatchproofError: the plugin reference, its args or the profile are not usable.

    """
    assert config.plugin is not None
    loaded = load_plugin(config.plugin.ref, config.plugin.args)
    learned = plugin_surface(config)
    discovered, audit = learned.found, learned.audit
    if "sign_pod" not in loaded.points:
        return PluginCheck(loaded, discovered, audit, None)
    return PluginCheck(loaded, discovered, audit, run_campaign(config, stream=stream))


def _reads(found: Discovered) -> str:
    parts = []
    for label, keys in (
        ("pod labels", found.pod_labels),
        ("pod annotations", found.pod_annotations),
        ("node labels", found.node_labels),
        ("node annotations", found.node_annotations),
        ("extended resources", found.resources),
    ):
        if keys:
            parts.append(f"{label} {', '.join(keys)}")
    return "; ".join(parts) or "no label, annotation or extended-resource keys"


def _failure(number: int, finding: Finding) -> list[str]:
    details = finding.details
    out = [f"failure {number} ({finding.key.property}, {finding.key.cls}):"]
    values = details.get("field_values") or {}
    if values:
        for path, pair in values.items():
            out.append(f"  field that differs: {path}: {json.dumps(pair['first'])} vs {json.dumps(pair['second'])}")
    elif details.get("fields"):
        out.append(f"  fields that differ from the pod whose batch it used: {', '.join(details['fields'])}")
    for difference in details.get("differences", [])[:5]:
        where = f" on {difference['node']}" if difference.get("node") else ""
        first, second = json.dumps(difference["first"]), json.dumps(difference["second"])
        out.append(f"  result that differs: {difference['plugin']} {difference['point']}{where}: {first} vs {second}")
    if finding.kind == "lockstep":
        out.append(
            f"  placement that differs: {details.get('pod')}: reference {details.get('reference_node')}, "
            f"batched {details.get('batched_node')} ({details.get('batched_path')})"
        )
    if details.get("fragment"):
        out.append(f"  fix: SignPod must return {details['fragment']}")
    if details.get("cross_pod"):
        out.append(f"  fix: {details['cross_pod']}")
    out.append(f"  replay: {finding.replay}")
    return out


def render_check(check: PluginCheck) -> str:
    """The plugin author's summary."""
    name = check.loaded.info.name
    lines = [
        f"plugin {name} ({check.loaded.ref}): {'PASS' if check.passed else 'FAIL'}",
        f"  extension points: {', '.join(check.loaded.points)}",
        f"  reads: {_reads(check.discovered)}",
        *render_audit(check.audit),
    ]
    if not check.signs:
        lines.append(
            f"  {name} does not implement sign_pod: any profile containing it never batches (spec {SPEC_UNSIGNED})"
        )
        return "\n".join(lines)
    report = check.report
    assert report is not None
    for prop in report.properties:
        paths = ", ".join(f"{k}: {v}" for k, v in sorted(prop["paths"].items()))
        lines.append(f"  {prop['name']}: {prop['examples']} examples ({paths or 'no interesting path'})")
    for number, finding in enumerate(report.findings, start=1):
        lines += _failure(number, finding)
        detection = report.detections.get(finding.id)
        if detection is not None:
            lines.append(f"  {detection_line(detection)}")
    if report.findings and report.config.stop_at_first:
        lines.append("  stopped at the first confirmed gap (--keep-going searches on)")
    for error in report.errors():
        lines.append(f"  internal error: {error}")
    stopped_early = bool(report.findings) and report.config.stop_at_first
    for prop_name in () if stopped_early else report.vacuous():
        lines.append(f"  warning: {prop_name} never reached its interesting path")
    directory = report.config.report_dir
    lines.append(f"report: {directory / 'report.md'}")
    return "\n".join(lines)
