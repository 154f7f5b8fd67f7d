"""Turn one generated example into candidate findings, with the evidence to write and replay them.

Two kinds: an equal-signature *pair* whose plugin results differ (reduced to the pod fields that
matter), and a *lockstep* run whose first divergence (or unsafe placement) is classified.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from hypothesis import currently_in_test_context, target

from batchproof.model.errors import BatchproofError
from batchproof.model.framework.features import FeatureGates
from batchproof.model.framework.interfaces import PluginContext, SignerMode, implements
from batchproof.model.manifests.encode import encode_pod
from batchproof.model.manifests.load import load_objects
from batchproof.model.objects import Pod
from batchproof.model.plugins.registry import DEFAULT_REGISTRY, Registry
from batchproof.model.scheduling import Decision
from batchproof.properties.campaign.findings import NONE, FindingKey, differing_paths, field_names, revert
from batchproof.properties.campaign.loader import plugin_info
from batchproof.properties.classify import classify
from batchproof.properties.lockstep import LockstepRun, Scenario, run_lockstep
from batchproof.properties.mutate import Path
from batchproof.properties.pairs import Difference, compare_plugin, plugin_signature
from batchproof.properties.signatures import PairCase, PluginUnderTest


@dataclass(frozen=True, slots=True)
class Subject:
    """A plugin under test: in-tree by registry name, or out-of-tree by ``MODULE:OBJECT``."""

    name: str
    args: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""
    ref: str | None = None

    @classmethod
    def of(cls, plugin: PluginUnderTest) -> Subject:
        """An in-tree plugin of the property suite."""
        return cls(plugin.name, dict(plugin.args), plugin.label)

    @property
    def title(self) -> str:
        """The label, or the plugin name."""
        return self.label or self.name

    def registry(self) -> Registry:
        """The default registry, plus the out-of-tree plugin when there is one."""
        if self.ref is None:
            return DEFAULT_REGISTRY
        return Registry({self.name: plugin_info(self.ref)})

    def build(self, signers: SignerMode, features: FeatureGates | None = None) -> Any:
        """Instantiate the plugin."""
        context = PluginContext(features=features or FeatureGates(), signers=signers)
        return self.registry().create(self.name, dict(self.args), context)

    def to_json(self) -> dict[str, Any]:
        """Plain data for finding.json."""
        return {"name": self.name, "args": dict(self.args), "label": self.label, "ref": self.ref}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Subject:
        """The inverse of :meth:`to_json`."""
        return cls(data["name"], dict(data.get("args") or {}), data.get("label", ""), data.get("ref"))


@dataclass(frozen=True, slots=True)
class PairEvidence:
    """An equal-signature pair (reduced to the differences that matter) and what differs."""

    subject: Subject
    signers: SignerMode
    case: PairCase
    differences: tuple[Difference, ...]
    paths: tuple[Path, ...]


@dataclass(frozen=True, slots=True)
class LockstepEvidence:
    """A lockstep scenario, the pod index where it went wrong, and why."""

    scenario: Scenario
    index: int
    cls: str
    detail: str
    seed_paths: tuple[Path, ...] = ()
    subject: Subject | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A finding before it is written: its key and its evidence."""

    key: FindingKey
    evidence: PairEvidence | LockstepEvidence


Tally = Counter[str]


def check_pair(
    subject: Subject, signers: SignerMode, case: PairCase, features: FeatureGates | None = None
) -> tuple[bool, list[Difference]]:
    """Whether the plugin signs both pods equally (non-nil), and every result that differs then.

    Status differences in the reason text alone, and those the framework makes nothing of
    (:func:`same_effect`), are left out.
    """
    plugin = subject.build(signers, features)
    signature = plugin_signature(plugin, case.first)
    equal = signature is not None and signature == plugin_signature(plugin, case.second)
    if not equal or case.first == case.second:
        return equal, []
    differences = compare_plugin(plugin, case.first, case.second, case.cluster.snapshot(features))
    return True, [d for d in differences if not reasons_only(d) and not same_effect(d)]


def _code(status: Any) -> str | None:
    return str(status[0]) if isinstance(status, tuple) and status else None


def same_effect(difference: Difference) -> bool:
    """A difference the framework makes nothing of, as upstream/compare.py judges upstream's answers.

    PreFilter or PreScore ``Skip`` against ``Success`` (what they skip is compared on its own), a
    Filter that did not run because PreFilter skipped it against one that passed, and a Score
    that did not run because PreScore skipped it against 0.
    """
    first, second = difference.first, difference.second
    if difference.point in ("preFilter", "preScore"):
        return {_code(first), _code(second)} == {"Skip", "Success"}
    if None not in (first, second):
        return False
    ran = first if first is not None else second
    if difference.point == "filter":
        return _code(ran) == "Success"
    if difference.point == "raw":
        return isinstance(ran, tuple) and len(ran) == 2 and ran[0] == 0 and _code(ran[1]) == "Success"
    return difference.point == "normalized" and ran == 0


def reasons_only(difference: Difference) -> bool:
    """A status difference in the reason text alone (same code): it cannot change a placement."""
    first, second = difference.first, difference.second
    return (
        difference.point in ("preFilter", "filter", "preScore")
        and isinstance(first, tuple)
        and isinstance(second, tuple)
        and bool(first)
        and bool(second)
        and first[0] == second[0]
    )


def pair_candidates(prop: str, subject: Subject, signers: SignerMode, case: PairCase, tally: Tally) -> list[Candidate]:
    """A signature-gap candidate when an equal-signature pair gets different results.

    Every pod difference whose removal keeps the pair inconsistent is removed first, so the
    finding names only the fields that matter.
    """
    equal, differences = check_pair(subject, signers, case)
    if not equal:
        tally["signature differs or refused"] += 1
        return []
    if case.first == case.second:
        return []
    tally["equal signature, different pods"] += 1
    if not differences:
        return []
    if not (expressible(case.first) and expressible(case.second)):
        tally["not expressible as manifests"] += 1
        return []
    tally["equal signature, different results"] += 1
    second = case.second
    for path in differing_paths(case.first, case.second):
        trial = revert(case.first, second, path)
        if trial in (case.first, second):
            continue
        still_equal, still_different = check_pair(subject, signers, replace(case, second=trial))
        if still_equal and still_different:
            second, differences = trial, still_different
    paths = tuple(differing_paths(case.first, second))
    key = FindingKey(prop, "signature-gap", subject.title, field_names(list(paths)))
    reduced = replace(case, second=second)
    return [Candidate(key, PairEvidence(subject, signers, reduced, tuple(differences), paths))]


def expressible(pod: Pod) -> bool:
    """Whether the pod survives writing and reading back as a manifest.

    The mutator can make values the API rejects, such as an unknown protocol; such pairs are not
    findings, since no reproducer could show them.
    """
    try:
        loaded = load_objects([encode_pod(pod)], source="<finding>").pods
    except BatchproofError:
        return False
    return loaded == [pod]


def count_paths(tally: Tally, run: LockstepRun) -> None:
    """Interesting paths of a lockstep run: hints, rescoring, flush reasons, divergences."""
    for decision in run.batched:
        if decision.path == "hint":
            tally["hinted placement"] += 1
        if decision.rescored:
            tally["rescored"] += 1
        if decision.flush_reason:
            tally[f"flush {decision.flush_reason}"] += 1
    if run.divergences:
        tally["divergence"] += 1


def hint_margin(run: LockstepRun) -> float | None:
    """How far the closest hinted placement was from diverging (Hypothesis targets it).

    The fresh total of the hinted node minus the best other fresh total; negative when the hint
    was not the best node.
    """
    margins = []
    for fresh, batched in zip(run.reference, run.batched, strict=True):
        totals = fresh.total_scores()
        if batched.path != "hint" or batched.node not in totals:
            continue
        others = [v for name, v in totals.items() if name != batched.node]
        margins.append(totals[batched.node] - max(others, default=0))
    return float(min(margins)) if margins else None


def normalising_plugins(scenario: Scenario, decision: Decision) -> str:
    """Score plugins with NormalizeScore whose raw scores differ across the scored nodes."""
    profile = next((p for p in scenario.profiles if p.scheduler_name == _scheduler(scenario, decision)), None)
    if profile is None or not decision.scores:
        return NONE
    framework = profile.build()
    names = sorted(s.plugin.name for s in framework.score_plugins if implements(s.plugin, "normalize_score"))
    varied = [n for n in names if len({s.raw_scores.get(n) for s in decision.scores}) > 1]
    return "+".join(varied) or NONE


def _scheduler(scenario: Scenario, decision: Decision) -> str:
    for pod in scenario.pods:
        if pod.key == decision.pod:
            return pod.scheduler_name
    return ""


def seeding_pod(scenario: Scenario, index: int) -> Pod:
    """The pod whose batch a hinted pod rode on: the last earlier pod of another template, or the first."""
    pods = scenario.pods
    target = _template(pods[index])
    for earlier in reversed(pods[:index]):
        if _template(earlier) != target:
            return earlier
    return pods[0]


def _template(pod: Pod) -> Pod:
    return replace(pod, name="", uid="")


CROSS_POD = "cross-pod"


def lockstep_candidates(
    prop: str, scenario: Scenario, tally: Tally, *, subject: Subject | None = None
) -> list[Candidate]:
    """Unsafe placements and the run's first divergence, classified (spec §10).

    With ``subject`` (the plugin-author check) a divergence no spec cause explains is the
    plugin's: class ``placement``, keyed by the pod fields that differ from the seeding pod, or
    ``cross-pod`` when no field differs (one finding, whatever the pods).
    """
    plugin = subject.name if subject is not None else None
    run = run_lockstep(scenario)
    count_paths(tally, run)
    margin = hint_margin(run)
    if margin is not None and currently_in_test_context():
        target(-margin, label="closeness of a hinted placement to diverging")
    if scenario.events:
        tally["with events"] += 1
    out: list[Candidate] = []
    if run.unsafe:
        bad = run.unsafe[0]
        index = next((i for i, p in enumerate(scenario.pods) if bad.startswith(p.key + " ")), 0)
        evidence = LockstepEvidence(scenario, index, "unsafe", bad, subject=subject)
        out.append(Candidate(FindingKey(prop, "unsafe", plugin or NONE), evidence))
    if run.divergences:
        first = run.divergences[0]
        cls = classify(scenario, first)
        if plugin is not None and cls == "unexplained":
            cls = "placement"
        culprit = plugin or (
            normalising_plugins(scenario, run.reference[first.index]) if cls == "normalization" else NONE
        )
        seed_paths: tuple[Path, ...] = ()
        fields = NONE
        if plugin is not None:
            seeding = _template(seeding_pod(scenario, first.index))
            seed_paths = tuple(differing_paths(seeding, _template(scenario.pods[first.index])))
            fields = field_names(list(seed_paths))
            if cls == "placement" and not seed_paths:
                # The pod is identical to the one whose batch it used, yet placed elsewhere: the
                # plugin's results depend on the pods placed before it (no fragment can fix that).
                cls = CROSS_POD
        detail = f"{first.pod}: reference {first.reference_node}, batched {first.batched_node} ({first.path})"
        key = FindingKey(prop, cls, culprit, fields)
        out.append(Candidate(key, LockstepEvidence(scenario, first.index, cls, detail, seed_paths, subject)))
    return out
