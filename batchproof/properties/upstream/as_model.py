"""Upstream answers as the model's ``PluginEvaluation``, so one set of checks reads both."""

from __future__ import annotations

from typing import Any

from batchproof.model.framework.evaluate import PluginEvaluation
from batchproof.model.framework.interfaces import PreFilterResult, SignFragment
from batchproof.model.framework.status import Code, Status


def status(document: dict[str, Any] | None) -> Status | None:
    """A ``{"code", "reasons"}`` document as a Status (None stays None)."""
    if document is None:
        return None
    return Status(Code(document["code"]), tuple(document.get("reasons") or ()))


def plugin_evaluation(answer: dict[str, Any]) -> PluginEvaluation:
    """One plugin's upstream answer (oracle/PROTOCOL.md, ``evaluate``) as a PluginEvaluation."""
    pre = answer.get("preFilter")
    result = None
    if pre is not None and pre.get("result") is not None:
        result = PreFilterResult(frozenset(pre["result"]["nodeNames"]))
    score = answer.get("score") or {}
    statuses = {node: Status() for node in score.get("raw") or {}}
    for node, doc in (score.get("statuses") or {}).items():
        statuses[node] = status(doc) or Status()
    sign = answer.get("sign")
    fragments = None
    if sign is not None and sign.get("fragments") is not None:
        fragments = tuple(SignFragment(key, value) for key, value in sorted(sign["fragments"].items()))
    return PluginEvaluation(
        plugin=answer["plugin"],
        pre_filter=status(pre),
        pre_filter_result=result,
        filter={node: status(doc) or Status() for node, doc in (answer.get("filter") or {}).items()},
        pre_score=status(answer.get("preScore")),
        score_statuses=statuses,
        raw=dict(score.get("raw") or {}),
        normalized=dict(score.get("normalized") or {}),
        normalize_status=status(score.get("normalizeStatus")),
        sign_status=status(sign),
        fragments=fragments,
    )
