"""Compare the model's plugin answers with upstream's, one extension point at a time.

Both sides are brought to what the framework makes of them before comparing, because that is
what scheduling depends on: a PreFilter ``Skip`` means Filter never runs (every node passes),
a PreScore ``Skip`` means Score never runs (0 everywhere); a plugin that lacks a point is the same
as one whose point answers Success with nothing. Reasons are compared exactly except for
``Error`` statuses, whose text is Go error formatting.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from batchproof.model.framework.evaluate import PluginEvaluation
from batchproof.model.framework.status import Code, Status

SUCCESS = "Success"
SKIP = "Skip"
ERROR = "Error"


@dataclass(frozen=True, slots=True)
class Disagreement:
    """One point where model and upstream differ."""

    plugin: str
    aspect: str
    node: str
    model: Any
    upstream: Any

    def describe(self) -> str:
        """One line for a person."""
        where = f" on {self.node}" if self.node else ""
        return f"{self.plugin} {self.aspect}{where}: model {_short(self.model)} | upstream {_short(self.upstream)}"

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "plugin": self.plugin,
            "aspect": self.aspect,
            "node": self.node,
            "model": self.model,
            "upstream": self.upstream,
        }


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 300 else text[:297] + "..."


def _status(status: Status | None) -> dict[str, Any]:
    if status is None:
        return {"code": SUCCESS, "reasons": []}
    return {"code": status.code.value, "reasons": list(status.reasons)}


def _comparable(status: dict[str, Any], *, reasons: bool = True) -> dict[str, Any]:
    if status["code"] == ERROR or not reasons:
        return {"code": status["code"]}
    return {"code": status["code"], "reasons": list(status.get("reasons") or [])}


def _effective_filter(
    pre: dict[str, Any], filters: dict[str, dict[str, Any]], nodes: list[str], *, reasons: bool = True
) -> dict[str, dict[str, Any]] | None:
    """Per-node Filter outcome as the framework sees it; None when PreFilter rejected the pod."""
    if pre["code"] == SKIP:
        return {key: _comparable({"code": SUCCESS, "reasons": []}, reasons=reasons) for key in nodes}
    if pre["code"] != SUCCESS:
        return None
    passed = {"code": SUCCESS, "reasons": []}
    return {node: _comparable(filters.get(node, passed), reasons=reasons) for node in nodes}


def compare_plugin(
    model: PluginEvaluation, upstream: dict[str, Any], nodes: list[str], *, reasons: bool = True
) -> list[Disagreement]:
    """Every disagreement between the model's and upstream's answer for one plugin.

    With ``reasons=False`` only what placement depends on counts: codes, node sets and scores.
    """
    name = model.plugin
    out: list[Disagreement] = []
    model_pre = _status(model.pre_filter)
    upstream_pre = dict(upstream.get("preFilter") or {"code": SUCCESS, "reasons": []})
    if _comparable(model_pre, reasons=reasons) != _comparable(upstream_pre, reasons=reasons) and not {
        model_pre["code"],
        upstream_pre["code"],
    } <= {
        SUCCESS,
        SKIP,
    }:
        out.append(
            Disagreement(
                name,
                "preFilter status",
                "",
                _comparable(model_pre, reasons=reasons),
                _comparable(upstream_pre, reasons=reasons),
            )
        )
    model_result = (
        None
        if model.pre_filter_result is None or model.pre_filter_result.node_names is None
        else sorted(model.pre_filter_result.node_names)
    )
    upstream_result = (upstream_pre.get("result") or {}).get("nodeNames") if upstream_pre.get("result") else None
    if model_result != upstream_result:
        out.append(Disagreement(name, "preFilter result", "", model_result, upstream_result))
    model_filter = _effective_filter(
        model_pre, {n: _status(s) for n, s in model.filter.items()}, nodes, reasons=reasons
    )
    upstream_filter = _effective_filter(upstream_pre, upstream.get("filter") or {}, nodes, reasons=reasons)
    if model_filter is not None and upstream_filter is not None:
        for node in nodes:
            if model_filter[node] != upstream_filter[node]:
                out.append(Disagreement(name, "filter", node, model_filter[node], upstream_filter[node]))
    out.extend(_compare_scores(model, upstream))
    out.extend(_compare_sign(model, upstream))
    return out


def _compare_scores(model: PluginEvaluation, upstream: dict[str, Any]) -> list[Disagreement]:
    name = model.plugin
    upstream_pre = (upstream.get("preScore") or {"code": SUCCESS}).get("code", SUCCESS)
    model_pre = SUCCESS if model.pre_score is None else model.pre_score.code.value
    if model_pre != upstream_pre and not {model_pre, upstream_pre} <= {SUCCESS, SKIP}:
        return [Disagreement(name, "preScore status", "", model_pre, upstream_pre)]
    score = upstream.get("score") or {}
    out: list[Disagreement] = []
    upstream_codes = {n: s["code"] for n, s in (score.get("statuses") or {}).items()}
    model_codes = {n: s.code.value for n, s in model.score_statuses.items() if s.code is not Code.SUCCESS}
    if upstream_codes != model_codes:
        out.append(Disagreement(name, "score status", "", model_codes, upstream_codes))
        return out
    for kind, model_values, upstream_values in (
        ("raw score", model.raw, score.get("raw") or {}),
        ("normalized score", model.normalized, score.get("normalized") or {}),
    ):
        model_eff = {} if model_pre == SKIP else dict(model_values)
        upstream_eff = {} if upstream_pre == SKIP else dict(upstream_values)
        for node in sorted(set(model_eff) | set(upstream_eff)):
            if model_eff.get(node, 0) != upstream_eff.get(node, 0):
                out.append(Disagreement(name, kind, node, model_eff.get(node, 0), upstream_eff.get(node, 0)))
    return out


def _compare_sign(model: PluginEvaluation, upstream: dict[str, Any]) -> list[Disagreement]:
    name = model.plugin
    sign = upstream.get("sign")
    model_code = None if model.sign_status is None else model.sign_status.code.value
    if sign is None and model_code is None:
        return []
    upstream_code = None if sign is None else sign["code"]
    if model_code != upstream_code:
        return [Disagreement(name, "sign status", "", model_code, upstream_code)]
    if sign is None or upstream_code != SUCCESS:
        return []
    model_fragments = {f.key: canonical(f.value) for f in model.fragments or ()}
    upstream_fragments = {k: canonical(v) for k, v in (sign.get("fragments") or {}).items()}
    out = []
    for key in sorted(set(model_fragments) | set(upstream_fragments)):
        if model_fragments.get(key, "<absent>") != upstream_fragments.get(key, "<absent>"):
            out.append(
                Disagreement(
                    name,
                    f"fragment {key}",
                    "",
                    model_fragments.get(key, "<absent>"),
                    upstream_fragments.get(key, "<absent>"),
                )
            )
    return out


def canonical(value: Any) -> Any:
    """A JSON value as plain data (tuples become lists), the way Go would marshal it."""
    return json.loads(json.dumps(value, sort_keys=True, default=_default))


def _default(value: Any) -> Any:
    if hasattr(value, "to_json"):
        return value.to_json()
    if isinstance(value, frozenset | set):
        return sorted(value)
    if hasattr(value, "items"):
        return dict(value.items())
    raise TypeError(f"not JSON: {type(value).__name__}")


def compare_signature(model: bytes | None, upstream: str | None) -> list[Disagreement]:
    """The framework's aggregated signatures, compared as JSON."""
    model_json = None if model is None else json.loads(model)
    upstream_json = None if upstream is None else json.loads(upstream)
    if model_json == upstream_json:
        return []
    return [Disagreement("<framework>", "signature", "", model_json, upstream_json)]
