"""Fragment completeness: two pods with equal fragments must get equal results.

For a plugin, a signer mode and a property, Z3 is asked for two signable pods whose fragment parts
are all equal and a cluster where the property's result differs:

1. with every opaque relation uninterpreted: ``unsat`` proves completeness within the model for
   *all* interpretations, and the unsat core names the fragment parts the proof needed;
2. on ``sat``, the same query with the relations pinned to the real helpers' tables over the
   catalogs: a model there is decoded into concrete pods and nodes and replayed through the real
   plugin; the real plugin either confirms it (a counterexample: a real signature gap) or not
   (a model bug). No realisation over the catalogs, or a Z3 ``unknown``, is reported as unknown.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

from batchproof.model.errors import PluginFailure
from batchproof.model.framework.interfaces import SignerMode
from batchproof.model.manifests.encode import encode_pod
from batchproof.properties.symbolic.encoder import Encoder, any_of
from batchproof.properties.symbolic.model import Property, SymbolicModel
from batchproof.properties.symbolic.replay import replay
from batchproof.properties.symbolic.results import Counterexample, ProofResult, ProveReport
from batchproof.properties.symbolic.solver import DEFAULT_LIMITS, Clock, Limits, Outcome, shrink, solve
from batchproof.properties.symbolic.stored import rejection, stored_cluster, stored_pod

POD_NAME = "p"
REPAIR_ROUNDS = 20
NO_FRAGMENT = "no fragment needed: the result does not depend on the pod"
NOT_REALISED = "abstract counterexample only: none over the catalogs (not proved)"
DROPPED = "dropped: the realised objects fail API-server validation"


def _paths(a: Any, b: Any, prefix: str) -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[str] = []
        for key in sorted(set(a) | set(b)):
            out += _paths(a.get(key), b.get(key), f"{prefix}.{key}" if prefix else key)
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [p for i, (x, y) in enumerate(zip(a, b, strict=True)) for p in _paths(x, y, f"{prefix}[{i}]")]
    return [] if a == b else [prefix]


def differing_fields(first: Any, second: Any) -> tuple[str, ...]:
    """Manifest paths where two pods differ (``spec.containers[1].resources.requests.cpu``)."""
    return tuple(_paths(encode_pod(first), encode_pod(second), ""))


def realise(enc: Encoder, constraints: list[Any], preferences: list[Any], limits: Limits = DEFAULT_LIMITS) -> Outcome:
    """A simple model in which every uninterpreted function agrees with its real helper.

    Functions over catalogs are pinned by the caller (:meth:`Encoder.tables`); those over integers
    are repaired lazily: each round adds a lemma per disagreeing application and solves again.
    """
    lemmas: list[Any] = []
    for _ in range(REPAIR_ROUNDS):
        outcome = shrink([*constraints, *lemmas], preferences, limits)
        if outcome.answer != "sat":
            return outcome
        repairs = enc.repairs(outcome.model)
        if not repairs:
            return outcome
        lemmas += repairs
    return Outcome("unknown", 0.0, reason=f"integer functions still disagree after {REPAIR_ROUNDS} rounds")


def check(
    model: SymbolicModel,
    signers: SignerMode,
    prop: Property,
    limits: Limits = DEFAULT_LIMITS,
    *,
    clock: Clock = time.perf_counter,
) -> ProofResult:
    """Prove or refute fragment completeness of one property."""
    started = clock()
    enc = Encoder(concrete=False)
    first, second = model.fresh_pod(enc, "first"), model.fresh_pod(enc, "second")
    cluster = model.fresh_cluster(enc)
    parts = model.fragment(enc, first, second, signers)
    left = model.result(enc, first, cluster, prop, 0)
    right = model.result(enc, second, cluster, prop, 0)
    setting = [
        *enc.side,
        model.signable(enc, first),
        model.signable(enc, second),
        model.assumptions(enc, first),
        model.assumptions(enc, second),
    ]
    base = [*setting, any_of(x != y for x, y in zip(left, right, strict=True))]

    def result(status: Any, **extra: Any) -> ProofResult:
        return ProofResult(model.title, signers, prop, status, clock() - started, **extra)

    read_a, read_b = model.reads(enc, first, prop), model.reads(enc, second, prop)
    if read_a is not None and read_b is not None:
        # The result is a function of the reads: equal reads already prove it (linear, fast).
        reads_differ = any_of(x != y for x, y in zip(read_a, read_b, strict=True))
        outcome = solve([*setting, reads_differ], parts, limits, clock=clock)
        if outcome.answer == "unsat":
            return result("proved", core=outcome.core, detail=model.trivial)
    outcome = solve(base, parts, limits, clock=clock)
    if outcome.answer == "unsat":
        return result("proved", core=outcome.core, detail=model.trivial or ("" if outcome.core else NO_FRAGMENT))
    if outcome.answer == "unknown":
        return result("unknown", detail=f"z3: {outcome.reason}")
    pinned = [*base, *(p.equal for p in parts), *enc.tables()]
    realised = realise(enc, pinned, enc.simplest(alike=("first", "second")), limits)
    if realised.answer != "sat":
        return result("unknown", detail=NOT_REALISED if realised.answer == "unsat" else f"z3: {realised.reason}")
    pod_a = stored_pod(model.decode_pod(enc, realised.model, first, POD_NAME))
    pod_b = stored_pod(model.decode_pod(enc, realised.model, second, POD_NAME))
    world = stored_cluster(model.decode_cluster(enc, realised.model, cluster))
    rejected = rejection(pod_a, pod_b, world)
    if rejected is not None:  # never report a finding on objects no cluster can hold
        return result("unknown", detail=f"{DROPPED}: {rejected}")
    try:
        replayed = replay(model, signers, prop, first=pod_a, second=pod_b, cluster=world)
    except PluginFailure as failure:  # the plugin crashed on a realised case: neither proof nor gap
        return result("unknown", detail=f"replay failed: {failure}")
    example = Counterexample(
        pod_a,
        pod_b,
        world,
        world.nodes[0].name,
        replayed.first,
        replayed.second,
        replayed.equal_signatures,
        differing_fields(pod_a, pod_b),
    )
    if replayed.confirmed:
        return result("counterexample", counterexample=example)
    symbolic = (
        f"model predicted {[Encoder.evaluate(realised.model.eval(t, True)) for t in left]} vs "
        f"{[Encoder.evaluate(realised.model.eval(t, True)) for t in right]}"
    )
    return result("model-bug", counterexample=example, detail=symbolic)


def prove(
    models: Iterable[SymbolicModel],
    signers: Sequence[SignerMode],
    limits: Limits = DEFAULT_LIMITS,
    *,
    clock: Clock = time.perf_counter,
) -> ProveReport:
    """Every property of every model in every signer mode."""
    started = clock()
    results = [
        check(model, mode, prop, limits, clock=clock)
        for model in models
        for mode in signers
        for prop in model.properties
    ]
    settings = {"signers": list(signers), "timeout_ms": limits.timeout_ms, "memory_mb": limits.memory_mb}
    return ProveReport(tuple(results), clock() - started, settings)
