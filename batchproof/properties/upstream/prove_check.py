"""``prove`` counterexamples replayed on the real plugins, each with its upstream verdict."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from batchproof.properties.symbolic.model import SymbolicModel
from batchproof.properties.symbolic.results import ProveReport
from batchproof.properties.upstream.confirm import ORACLE_MISSING, confirm_pair, not_checked, open_oracle
from batchproof.upstream.protocol import OracleError


def with_upstream_verdicts(report: ProveReport, models: Sequence[SymbolicModel]) -> ProveReport:
    """The report with every counterexample's upstream verdict (one oracle process for all)."""
    if not any(r.counterexample is not None for r in report.results):
        return report
    by_title = {m.title or m.plugin: m for m in models}
    oracle = open_oracle()
    try:
        results = []
        for result in report.results:
            example = result.counterexample
            if example is None:
                results.append(result)
                continue
            model = by_title.get(result.plugin)
            if oracle is None:
                verdict = not_checked(ORACLE_MISSING)
            elif model is None:
                verdict = not_checked(f"no symbolic model titled {result.plugin}")
            else:
                try:
                    verdict = confirm_pair(
                        oracle,
                        plugin=model.plugin,
                        args=dict(model.args),
                        first=example.first,
                        second=example.second,
                        cluster=example.cluster,
                    )
                except OracleError as error:
                    verdict = not_checked(f"the oracle could not replay it: {error}")
            results.append(replace(result, upstream=verdict.to_json()))
        return replace(report, results=tuple(results))
    finally:
        if oracle is not None:
            oracle.stop()
