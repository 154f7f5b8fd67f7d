"""Human-readable tables for CLI results (JSON output is the result's own ``to_json``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain left-aligned text table."""
    cells = [[str(h) for h in headers], *[[("-" if v is None else str(v)) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(value.ljust(widths[i]) for i, value in enumerate(row)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def dumps(document: Any) -> str:
    """Stable JSON for machines: sorted keys, two-space indent."""
    return json.dumps(document, indent=2, sort_keys=True)


def render_eval(document: dict[str, Any]) -> str:
    """The ``eval`` result as text."""
    pre = document["preFilter"]
    lines = [f"plugin: {document['plugin']}", f"preFilter: {pre['code']} {'; '.join(pre['reasons'])}".rstrip()]
    if pre.get("result"):
        lines.append(f"  nodes allowed: {', '.join(pre['result']['nodeNames'])}")
    raw = document["score"]["raw"]
    normalized = document["score"]["normalized"]
    names = list(dict.fromkeys([*document["filter"], *raw]))
    rows = []
    for name in names:
        verdict = document["filter"].get(name)
        rows.append(
            [
                name,
                verdict["code"] if verdict else None,
                "; ".join(verdict["reasons"]) if verdict else None,
                raw.get(name),
                normalized.get(name),
            ]
        )
    if rows:
        lines.append(table(["NODE", "FILTER", "REASONS", "RAW", "NORMALIZED"], rows))
    lines.append(f"preScore: {document['preScore']['code']}")
    sign = document["sign"]
    lines.append(f"sign: {sign['code']}")
    for key, value in (sign["fragments"] or {}).items():
        lines.append(f"  {key} = {json.dumps(value, sort_keys=True)}")
    return "\n".join(lines)


def render_schedule(document: dict[str, Any]) -> str:
    """The ``schedule`` result as text."""
    rows = [[p["pod"], p["node"], p["path"]] for p in document["placements"]]
    out = [f"scheduler: {document['scheduler']}", table(["POD", "NODE", "PATH"], rows)]
    metrics = document.get("metrics") or {}
    for name, value in metrics.items():
        out.append(f"{name}: {json.dumps(value, sort_keys=True)}")
    placed = sum(1 for p in document["placements"] if p["node"] is not None)
    out.append(f"{placed}/{len(rows)} pods placed")
    out.extend(f"  {p['pod']}: {p['reason']}" for p in document["placements"] if p.get("reason"))
    return "\n".join(out)
