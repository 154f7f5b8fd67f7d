"""Findings: what a campaign reports, the key it is deduplicated by, and the pod fields behind it.

A finding is keyed by (property, class, plugin, field). For equal-signature pairs the field is
the set of pod fields that still differ after every difference that does not matter was put
back, so two pairs that differ in the same relevant field are one finding.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from batchproof.model.frozen import FrozenDict
from batchproof.properties.mutate import Path, get, put, render_path
from batchproof.properties.signatures import field_of

NONE = "-"
# Spec references for classes and for the upstream signature gaps of spec §10.6.
CLASS_SPEC = {
    "stale-cache": "§10.1",
    "normalization": "§10.2",
    "sampling": "§10.4",
    "tie": "§10.5",
    "signature-gap": "§10.6",
    "unsafe": "§10 (invariant)",
}
CLASS_TITLES = {
    "stale-cache": "stale cached scores after events",
    "normalization": "normalisation over a changed node set",
    "sampling": "percentageOfNodesToScore sampling",
    "tie": "equal scores",
    "unsafe": "a placement fails the full Filter set",
    "placement": "the plugin makes batching place a pod elsewhere",
    "unexplained": "no spec cause removes it",
}
KNOWN_GAPS: tuple[tuple[str, str, str, str], ...] = (
    ("NodePorts", "ports", "§10.6.1", "host-port protocol and hostIP are not signed"),
    ("NodeResourcesFit", "containers", "§10.6.2", "per-container non-zero default requests"),
    ("NodeResourcesFit", "init_containers", "§10.6.2", "per-container non-zero default requests"),
    ("InterPodAffinity", "labels", "§10.6.3", "labels unsigned with ignorePreferredTermsOfExistingPods"),
    ("InterPodAffinity", "namespace", "§10.6.3", "the namespace is never signed"),
)


@dataclass(frozen=True, slots=True, order=True)
class FindingKey:
    """What findings are deduplicated by."""

    property: str
    cls: str
    plugin: str = NONE
    field: str = NONE

    def slug(self) -> str:
        """A file-name-safe, readable, unique identifier."""
        text = "--".join((self.property, self.cls, self.plugin, self.field))
        readable = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")[:90]
        digest = hashlib.sha256(text.encode()).hexdigest()[:8]
        return f"{readable}-{digest}"

    def to_json(self) -> dict[str, str]:
        """Plain data."""
        return {"property": self.property, "class": self.cls, "plugin": self.plugin, "field": self.field}


@dataclass(frozen=True, slots=True)
class Finding:
    """A deduplicated finding with its reproducer directory (relative to the report) and replay command."""

    key: FindingKey
    kind: str  # "pair" | "lockstep"
    summary: str
    spec: str
    directory: str
    replay: str
    details: dict[str, Any] = field(default_factory=dict)
    replayed: bool = False

    @property
    def id(self) -> str:
        """The finding's directory name."""
        return self.key.slug()

    def to_json(self) -> dict[str, Any]:
        """The report.json record."""
        return {
            "id": self.id,
            **self.key.to_json(),
            "kind": self.kind,
            "spec": self.spec,
            "summary": self.summary,
            "directory": self.directory,
            "replay": self.replay,
            "replayed_from_database": self.replayed,
            **self.details,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        """The inverse of :meth:`to_json`."""
        known = {"id", "property", "class", "plugin", "field", "kind", "spec", "summary", "directory", "replay"}
        known.add("replayed_from_database")
        key = FindingKey(data["property"], data["class"], data["plugin"], data["field"])
        details = {k: v for k, v in data.items() if k not in known}
        return cls(
            key,
            data["kind"],
            data["summary"],
            data["spec"],
            data["directory"],
            data["replay"],
            details,
            bool(data.get("replayed_from_database", False)),
        )


def spec_reference(cls: str, plugin: str, fields: str) -> tuple[str, str]:
    """The spec section and a short name for a class (and, for gaps, the known upstream gap)."""
    if cls == "signature-gap":
        for name, prefix, section, title in KNOWN_GAPS:
            if plugin.split("/", maxsplit=1)[0] == name and any(prefix in f.split(".") for f in fields.split(",")):
                return section, title
        return CLASS_SPEC[cls], "a pod field the plugin reads is not signed"
    return CLASS_SPEC.get(cls, ""), CLASS_TITLES.get(cls, cls)


def differing_paths(first: Any, second: Any, prefix: Path = ()) -> list[Path]:
    """The innermost paths where two frozen object trees differ, in a stable order."""
    if first == second:
        return []
    if (
        dataclasses.is_dataclass(first)
        and not isinstance(first, type)
        and type(first) is type(second)
        and not isinstance(first, FrozenDict)
    ):
        out: list[Path] = []
        for f in dataclasses.fields(first):
            out += differing_paths(getattr(first, f.name), getattr(second, f.name), (*prefix, ("attr", f.name)))
        return out
    if isinstance(first, tuple) and isinstance(second, tuple) and len(first) == len(second):
        out = []
        for index, (a, b) in enumerate(zip(first, second, strict=True)):
            out += differing_paths(a, b, (*prefix, ("index", index)))
        return out
    if isinstance(first, FrozenDict) and isinstance(second, FrozenDict):
        out = []
        for key in sorted(set(first) | set(second), key=repr):
            step = (*prefix, ("key", key))
            if key in first and key in second:
                out += differing_paths(first[key], second[key], step)
            else:
                out.append(step)
        return out
    return [prefix]


def revert(first: Any, second: Any, path: Path) -> Any:
    """``second`` with the value at ``path`` put back to ``first``'s (deleted where ``first`` has none)."""
    try:
        return put(second, path, get(first, path))
    except (KeyError, IndexError, TypeError, ValueError):
        return second


def field_names(paths: list[Path]) -> str:
    """Comma-separated field names without indices (``containers.ports.protocol``)."""
    names = sorted({field_of(render_path(p)) for p in paths})
    return ",".join(names) or NONE


NOT_REPLAYED = {"verdict": "not checked", "reason": "not replayed on upstream"}


def upstream_verdict(finding: Finding) -> dict[str, str]:
    """The finding's upstream verdict (``reproduces | does not reproduce | not checked``) and reason."""
    data = finding.details.get("upstream")
    return dict(data) if isinstance(data, dict) else dict(NOT_REPLAYED)


def upstream_line(finding: Finding) -> str:
    """``upstream: reproduces (why)``; a finding upstream does not reproduce is a model divergence."""
    data = upstream_verdict(finding)
    text = f"upstream: {data['verdict']} ({data['reason']})"
    if data["verdict"] == "does not reproduce":
        text += " - a model divergence, not an upstream bug"
    return text
