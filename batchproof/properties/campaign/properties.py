"""The property set a campaign runs, and the one the plugin-author check runs.

Each property is a strategy plus a check that turns one example into candidate findings and a
reducer that makes a finding small; its weight is its share of a time budget.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from hypothesis import strategies as st

from batchproof.model.errors import BatchproofError
from batchproof.model.objects import DEFAULT_SCHEDULER_NAME, ContainerPort, Pod
from batchproof.model.profiles import PluginSpec, Profile
from batchproof.model.validation.names import qualified_name
from batchproof.properties.audit.readset import ReadSetAudit, audit_plugin
from batchproof.properties.audit.steer import balanced_pair_cases, steered_pair_cases
from batchproof.properties.campaign.config import CampaignConfig
from batchproof.properties.campaign.discovery import Discovered, clusters_with_keys, discover, pods_with_keys
from batchproof.properties.campaign.evidence import Candidate, Subject, Tally, lockstep_candidates, pair_candidates
from batchproof.properties.campaign.literals import Literals, literals_of
from batchproof.properties.campaign.loader import load_plugin
from batchproof.properties.campaign.reduce import reduce_lockstep, reduce_pair
from batchproof.properties.campaign.searches import (
    all_plugin_pairs,
    gap_searches,
    lockstep_scenarios,
    preferring_scenarios,
    signable_pods,
)
from batchproof.properties.inputs import choose_profile
from batchproof.properties.lockstep import BatchingOptions, Scenario
from batchproof.properties.signatures import SIGNABLE_PLUGINS, PairCase, pair_cases
from batchproof.properties.strategies.clusters import clusters
from batchproof.properties.strategies.objects import lean_pods, pods
from batchproof.properties.strategies.resizing import resizing_scenarios
from batchproof.properties.strategies.surface import surface_pods

Check = Callable[[Any, Tally], list[Candidate]]
AUDIT_EXAMPLES = 120
MAX_LITERAL_KEYS = 24
PAIR_PATH = "equal signature, different pods"
HINT_PATH = "hinted placement"


@dataclass(frozen=True, slots=True)
class CampaignProperty:
    """A named search: strategy, check, reducer of its findings, time weight and the path it must reach."""

    name: str
    description: str
    strategy: st.SearchStrategy[Any]
    check: Check
    reduce: Callable[[Candidate], Candidate]
    weight: int = 1
    required_path: str = ""


def campaign_profile(config: CampaignConfig) -> Profile:
    """The chosen profile with the chosen signers, scheduling the generated pods' scheduler name.

    Raises:
        BatchproofError: the profile or configuration file is not usable.

    """
    profile = choose_profile(
        config=config.config_file,
        profile=None if config.config_file else config.profile,
        signers=config.signers,
        feature_gates="",
        profile_name=config.profile_name,
        out_of_tree=(load_plugin(config.plugin.ref, config.plugin.args).info.name,) if config.plugin else (),
    )
    return replace(profile, scheduler_name=DEFAULT_SCHEDULER_NAME)


def _pair_property(
    name: str,
    description: str,
    *,
    subjects: tuple[Subject, ...],
    config: CampaignConfig,
    strategy: st.SearchStrategy[PairCase],
    weight: int,
) -> CampaignProperty:
    def check(case: PairCase, tally: Tally) -> list[Candidate]:
        out: list[Candidate] = []
        for subject in subjects:
            out += pair_candidates(name, subject, config.signers, case, tally)
        return out

    def reduce(candidate: Candidate) -> Candidate:
        # Only the finding's own plugin can keep its key: the others' candidates are not looked at.
        own = tuple(s for s in subjects if s.title == candidate.key.plugin) or subjects

        def check_own(case: PairCase, tally: Tally) -> list[Candidate]:
            return [c for subject in own for c in pair_candidates(name, subject, config.signers, case, tally)]

        return reduce_pair(candidate, check_own)

    return CampaignProperty(name, description, strategy, check, reduce, weight, PAIR_PATH)


def _lockstep_property(
    name: str, description: str, strategy: st.SearchStrategy[Scenario], weight: int, subject: Subject | None = None
) -> CampaignProperty:
    def check(scenario: Scenario, tally: Tally) -> list[Candidate]:
        return lockstep_candidates(name, scenario, tally, subject=subject)

    def reduce(candidate: Candidate) -> Candidate:
        return reduce_lockstep(candidate, check)

    return CampaignProperty(name, description, strategy, check, reduce, weight, HINT_PATH)


def campaign_properties(config: CampaignConfig) -> list[CampaignProperty]:
    """Signature consistency (targeted gap searches and all plugins) and lockstep properties."""
    profile = campaign_profile(config)
    options = BatchingOptions(variant=config.variant)
    out: list[CampaignProperty] = []
    for gap, (plugin, strategy) in gap_searches(config.seed).items():
        out.append(
            _pair_property(
                f"signature/{gap}",
                f"equal {plugin.title} signatures mean equal {plugin.title} results (targeted search)",
                subjects=(Subject.of(plugin),),
                config=config,
                strategy=strategy,
                weight=1,
            )
        )
    out.append(
        _pair_property(
            "signature/all-plugins",
            "equal signatures mean equal results, for every signable in-tree plugin",
            subjects=tuple(Subject.of(p) for p in SIGNABLE_PLUGINS),
            config=config,
            strategy=all_plugin_pairs(config.seed),
            weight=2,
        )
    )
    out.append(
        _lockstep_property(
            "lockstep/normalization",
            "one-pod-per-node runs with preferred node affinity place pods as the reference does (§10.2)",
            preferring_scenarios(profile=profile, options=options, pool_seed=config.seed),
            3,
        )
    )
    out.append(
        _lockstep_property(
            "lockstep/equivalence",
            "generated workloads without events place pods as the reference does, and safely",
            lockstep_scenarios(profile=profile, options=options, events=False, pool_seed=config.seed),
            2,
        )
    )
    out.append(
        _lockstep_property(
            "lockstep/resizing",
            "pods hinted from a batch while nodes are resized between them: stale cached scores (§10.1), ties (§10.5)",
            resizing_scenarios(profiles=(profile,), options=options),
            1,
        )
    )
    out.append(
        _lockstep_property(
            "lockstep/events",
            "workloads with node, pod and clock events between pods: safety and classified divergences",
            lockstep_scenarios(profile=profile, options=options, events=True, pool_seed=config.seed),
            2,
        )
    )
    return _selected(out, config)


def _selected(properties: list[CampaignProperty], config: CampaignConfig) -> list[CampaignProperty]:
    if not config.properties:
        return properties
    names = [p.name for p in properties]
    unknown = [n for n in config.properties if n not in names]
    if unknown:
        raise BatchproofError(f"--property: unknown property {unknown[0]!r}; known: {', '.join(names)}")
    return [p for p in properties if p.name in config.properties]


def _one_per_node(pod: Pod) -> Pod:
    if not pod.containers:  # a mutant may have lost its only container
        return pod
    port = ContainerPort(container_port=8080, host_port=8080, protocol="TCP")
    first = pod.containers[0]
    return replace(pod, containers=(replace(first, ports=(*first.ports, port)), *pod.containers[1:]))


@st.composite
def _interleaved(draw: st.DrawFn, cases: st.SearchStrategy[PairCase], profile: Profile) -> Scenario:
    case = draw(cases)
    # The pair alternating, or its first pod alone (a plugin that depends on other pods shows there).
    templates = [case.first, case.second] if draw(st.booleans()) else [case.first, case.first]
    if draw(st.booleans()):
        templates = [_one_per_node(t) for t in templates]
    count = draw(st.integers(2, 6))
    queue = tuple(
        replace(templates[i % 2], name=f"run-{i}", uid=f"uid-run-{i}", node_name="", nominated_node_name="")
        for i in range(count)
    )
    return Scenario(case.cluster, queue, (profile,), (), BatchingOptions(variant="renormalize"))


def plugin_profile(config: CampaignConfig, name: str) -> Profile:
    """The chosen profile, strict in-tree signers, with the plugin added at every point it implements."""
    assert config.plugin is not None
    base = campaign_profile(config).with_signers("strict")
    profile = replace(base, multi_point=(*base.multi_point, PluginSpec(name, config.plugin.weight)))
    return profile.with_plugin_args(name, config.plugin.args) if config.plugin.args else profile


@dataclass(frozen=True, slots=True)
class PluginSurface:
    """What the plugin-author check learns before it generates: keys, literals, the audit."""

    subject: Subject
    found: Discovered
    literals: Literals
    audit: ReadSetAudit

    def pods(self, base: st.SearchStrategy[Pod]) -> st.SearchStrategy[Pod]:
        """``base`` over the whole pod surface, with the keys and literals the plugin uses."""
        surface = surface_pods(base, strings=self.literals.strings, numbers=self.literals.numbers)
        return pods_with_keys(surface, self.found)


def plugin_surface(config: CampaignConfig) -> PluginSurface:
    """The plugin under check, the keys and literals it uses, and its read-set audit (same seed, same audit)."""
    assert config.plugin is not None
    loaded = load_plugin(config.plugin.ref, config.plugin.args)
    subject = Subject(loaded.info.name, dict(config.plugin.args), "", config.plugin.ref)
    plugin = subject.build("strict")
    literals = literals_of(plugin)
    found = discover(plugin, values=literals.strings)
    # Keys read from nodes only on a branch the probe pods never take (``"spare" in labels`` for
    # critical pods) are still among the literals: nodes may carry any of them.
    extra = tuple(k for k in literals.strings if not qualified_name(k) and k not in found.node_labels)
    found = replace(found, node_labels=found.node_labels + extra[:MAX_LITERAL_KEYS])
    surface = PluginSurface(subject, found, literals, ReadSetAudit(subject.name))
    cases = st.tuples(clusters_with_keys(clusters(max_nodes=4), found), surface.pods(pods()))
    audit = audit_plugin(plugin, cases, examples=AUDIT_EXAMPLES, seed_value=config.seed)
    return replace(surface, audit=audit)


def plugin_properties(config: CampaignConfig) -> tuple[list[CampaignProperty], Discovered]:
    """The plugin-author check: its signature against its own results, and placement equivalence.

    Pods cover the whole surface with the plugin's keys and literals; pairs are generic mutants,
    mutants with two numbers moved in opposite directions (lossy fragments such as sums stay
    equal), and, when the read-set audit found fields read but never signed, mutants changed
    exactly there.
    """
    learned = plugin_surface(config)
    subject, found, audit = learned.subject, learned.found, learned.audit
    cluster = clusters_with_keys(clusters(min_nodes=2, max_nodes=4, max_existing_pods=2), found)
    arms = [
        pair_cases(first=learned.pods(lean_pods()), max_mutations=1, cluster=cluster),
        pair_cases(first=learned.pods(pods()), max_mutations=2, cluster=cluster),
        balanced_pair_cases(first=learned.pods(pods(max_containers=3)), cluster=cluster),
    ]
    targets = audit.unsigned_paths()
    if targets:
        # Pods the audit saw make an unsigned read come first: a read made only on a branch
        # (a label with one value) is reached again from them.
        witnesses = audit.witness_pods()
        base = st.one_of(st.sampled_from(witnesses), learned.pods(pods())) if witnesses else learned.pods(pods())
        steered = steered_pair_cases(first=base, targets=targets, cluster=cluster, strings=found.all_values)
        arms += [steered, steered]  # half the pairs where the audit points
    pairs = st.one_of(*arms)
    signature = _pair_property(
        "plugin/signature",
        f"equal {subject.name} signatures mean equal {subject.name} Filter and Score results",
        subjects=(subject,),
        config=config.with_(signers="strict"),
        strategy=pairs,
        weight=1,
    )
    runs = _interleaved(
        pair_cases(first=learned.pods(signable_pods()), max_mutations=1, cluster=cluster),
        plugin_profile(config, subject.name),
    )
    placement = _lockstep_property(
        "plugin/placement",
        f"with {subject.name} in the profile (strict in-tree signers, re-normalisation) batching places pods "
        "as the reference does",
        runs,
        1,
        subject=subject,
    )
    return _selected([signature, placement], config), found
