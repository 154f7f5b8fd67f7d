"""NodeAffinity: spec.nodeSelector, required and preferred node affinity, and profile addedAffinity.

pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go, with the selector semantics of
staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go and the
requirement validation of apimachinery labels.NewRequirement (whose messages PreScore reports).

Parsing is modelled here rather than with ``helpers.node_selectors`` because upstream differs from
that helper in ways that change results: Gt/Lt operands are also validated as label values,
integers parse like Go's ``strconv.ParseInt`` (no ``_`` separators or spaces), and matchFields
keys other than ``metadata.name`` are legal (they read as the empty string).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from batchproof.model.cluster.node_info import NodeInfo
from batchproof.model.errors import ConfigError, ManifestError
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.interfaces import PluginContext, PreFilterResult, SignFragment
from batchproof.model.framework.status import SUCCESS, Status, error, skip, unresolvable
from batchproof.model.manifests.decode import node_affinity as decode_node_affinity
from batchproof.model.manifests.reader import Reader
from batchproof.model.objects import Node, NodeAffinity, NodeSelectorRequirement, NodeSelectorTerm, Pod
from batchproof.model.plugins.helpers.normalize import default_normalize_score
from batchproof.model.plugins.helpers.signers import (
    NODE_AFFINITY_SIGNER,
    NODE_SELECTOR_SIGNER,
    node_affinity_fragment,
    node_selector_fragment,
)
from batchproof.model.plugins.registry import PluginInfo

NAME = "NodeAffinity"
ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector"
ERR_REASON_ENFORCED = "node(s) didn't match scheduler-enforced node affinity"
ERR_REASON_CONFLICT = "pod affinity terms conflict"
PRE_FILTER_STATE_KEY = "PreFilter" + NAME
PRE_SCORE_STATE_KEY = "PreScore" + NAME
NAME_FIELD = "metadata.name"
# Strict mode only: upstream renders an absent ``required`` and ``required: {nodeSelectorTerms: []}``
# both as ``Required: []``, yet the first matches every node and the second none.
HAS_REQUIRED_SIGNER = "v1.Pod.Spec.Affinity.NodeAffinity.HasRequiredDuringScheduling()"

_NODE_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")
_FIELD_OPERATORS = ("In", "NotIn")
_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_NAME_RE = re.compile(_NAME_FMT)
_LABEL_VALUE_RE = re.compile(f"({_NAME_FMT})?")
_DNS1123_FMT = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
_DNS1123_RE = re.compile(_DNS1123_FMT)
_GO_INT_RE = re.compile(r"[+-]?[0-9]+")
_GO_ESCAPES = {"\a": r"\a", "\b": r"\b", "\f": r"\f", "\n": r"\n", "\r": r"\r", "\t": r"\t", "\v": r"\v"}
_NAME_ERR = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
)
_VALUE_ERR = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)
_DNS1123_ERR = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character"
)


# -- Go error rendering (apimachinery util/validation/field, util/errors) -------------------------
def _go_quote(text: str) -> str:
    """strconv.Quote."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char in _GO_ESCAPES:
            out.append(_GO_ESCAPES[char])
        elif char.isprintable():
            out.append(char)
        else:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def _go_strings(values: Sequence[str]) -> str:
    """``%#v`` of a []string (an empty list reads as the nil slice a manifest leaves it)."""
    if not values:
        return "[]string(nil)"
    return "[]string{" + ", ".join(_go_quote(v) for v in values) + "}"


def _regex_error(message: str, fmt: str, *examples: str) -> str:
    """validation.RegexError, double spaces included."""
    shown = "".join(f"{' or ' if i else ''}'{example}', " for i, example in enumerate(examples))
    return f"{message} (e.g. {shown}regex used for validation is '{fmt}')"


def _aggregate(messages: Iterable[str]) -> str:
    """errors.Flatten(errors.NewAggregate(...)).Error(): duplicates once, brackets when several."""
    unique = list(dict.fromkeys(messages))
    return unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"


def _child(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _qualified_name_errors(key: str) -> list[str]:
    """validation.IsQualifiedName (lengths in bytes, as Go counts them)."""
    parts = key.split("/")
    name_example = _regex_error(_NAME_ERR, _NAME_FMT, "MyName", "my.name", "123-abc")
    if len(parts) > 2:
        return [
            f"a qualified name {name_example} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    errors: list[str] = []
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            errors.append("prefix part must be non-empty")
        else:
            if len(prefix.encode()) > 253:
                errors.append("prefix part must be no more than 253 characters")
            if not _DNS1123_RE.fullmatch(prefix):
                errors.append("prefix part " + _regex_error(_DNS1123_ERR, _DNS1123_FMT, "example.com"))
    if not name:
        errors.append("name part must be non-empty")
    elif len(name.encode()) > 63:
        errors.append("name part must be no more than 63 characters")
    if not _NAME_RE.fullmatch(name):
        errors.append("name part " + name_example)
    return errors


def _label_value_errors(value: str) -> list[str]:
    """validation.IsValidLabelValue."""
    errors = ["must be no more than 63 characters"] if len(value.encode()) > 63 else []
    if not _LABEL_VALUE_RE.fullmatch(value):
        errors.append(_regex_error(_VALUE_ERR, f"({_NAME_FMT})?", "MyValue", "my_value", "12345"))
    return errors


def _go_int(text: str) -> int | None:
    """strconv.ParseInt(text, 10, 64), or None where Go returns an error."""
    if not _GO_INT_RE.fullmatch(text):
        return None
    value = int(text)
    return value if -(2**63) <= value < 2**63 else None


def _expression_errors(req: NodeSelectorRequirement, path: str) -> list[str]:
    """Parse errors of one expression (nodeSelectorRequirementsAsSelector, labels.NewRequirement)."""
    if req.operator not in _NODE_OPERATORS:
        supported = ", ".join(_go_quote(op) for op in _NODE_OPERATORS)
        return [f"{path}.operator: Unsupported value: {_go_quote(req.operator)}: supported values: {supported}"]
    errors: list[str] = []
    if key_errors := _qualified_name_errors(req.key):
        errors.append(f"{path}.key: Invalid value: {_go_quote(req.key)}: {'; '.join(key_errors)}")
    values = f"{path}.values"
    shown = _go_strings(req.values)
    if req.operator in ("In", "NotIn") and not req.values:
        errors.append(f"{values}: Invalid value: {shown}: for 'in', 'notin' operators, values set can't be empty")
    elif req.operator in ("Exists", "DoesNotExist") and req.values:
        errors.append(f"{values}: Invalid value: {shown}: values set must be empty for exists and does not exist")
    elif req.operator in ("Gt", "Lt"):
        if len(req.values) != 1:
            errors.append(f"{values}: Invalid value: {shown}: for 'Gt', 'Lt' operators, exactly one value is required")
        errors.extend(
            f"{values}[{i}]: Invalid value: {_go_quote(v)}: for 'Gt', 'Lt' operators, the value must be an integer"
            for i, v in enumerate(req.values)
            if _go_int(v) is None
        )
    for i, value in enumerate(req.values):
        if value_errors := _label_value_errors(value):
            errors.append(f"{values}[{i}][{req.key}]: Invalid value: {_go_quote(value)}: {'; '.join(value_errors)}")
    return errors


def _field_errors(req: NodeSelectorRequirement, path: str) -> list[str]:
    """Parse errors of one field requirement (nodeSelectorRequirementsAsFieldSelector; keys unchecked)."""
    if req.operator not in _FIELD_OPERATORS:
        supported = ", ".join(_go_quote(op) for op in _FIELD_OPERATORS)
        return [f"{path}.operator: Unsupported value: {_go_quote(req.operator)}: supported values: {supported}"]
    if len(req.values) != 1:
        return [f"{path}.values: Invalid value: {_go_strings(req.values)}: must have one element"]
    return []


# -- parsed selectors ---------------------------------------------------------------------------
def _expression_matches(req: NodeSelectorRequirement, labels: Mapping[str, str]) -> bool:
    """labels.Requirement.Matches for a requirement that parsed."""
    present = req.key in labels
    if req.operator == "In":
        return present and labels[req.key] in req.values
    if req.operator == "NotIn":
        return not present or labels[req.key] not in req.values
    if req.operator == "Exists":
        return present
    if req.operator == "DoesNotExist":
        return not present
    actual = _go_int(labels[req.key]) if present else None
    bound = _go_int(req.values[0])
    if actual is None or bound is None:
        return False
    return actual > bound if req.operator == "Gt" else actual < bound


@dataclass(frozen=True, slots=True)
class ParsedTerm:
    """A non-empty NodeSelectorTerm with its parse errors (a term with errors never matches)."""

    term: NodeSelectorTerm
    errors: tuple[str, ...]

    def matches(self, node: Node) -> bool:
        """nodeSelectorTerm.match: expressions on labels, fields on metadata.name (skipped if unnamed)."""
        if self.errors:
            return False
        if not all(_expression_matches(r, node.labels) for r in self.term.match_expressions):
            return False
        if not node.name:
            return True
        fields = {NAME_FIELD: node.name}
        return all((fields.get(r.key, "") == r.values[0]) == (r.operator == "In") for r in self.term.match_fields)


def parse_term(term: NodeSelectorTerm, path: str) -> ParsedTerm:
    """newNodeSelectorTerm: parse a term, collecting field errors under ``path``."""
    errors = [
        *(
            e
            for i, r in enumerate(term.match_expressions)
            for e in _expression_errors(r, f"{path}.matchExpressions[{i}]")
        ),
        *(e for i, r in enumerate(term.match_fields) for e in _field_errors(r, f"{path}.matchFields[{i}]")),
    ]
    return ParsedTerm(term, tuple(errors))


def _is_empty(term: NodeSelectorTerm) -> bool:
    return not term.match_expressions and not term.match_fields


def node_selector(terms: Sequence[NodeSelectorTerm], path: str = "") -> tuple[ParsedTerm, ...]:
    """NewLazyErrorNodeSelector: the non-empty terms, parsed (empty terms select nothing)."""
    base = _child(path, "nodeSelectorTerms")
    return tuple(parse_term(t, f"{base}[{i}]") for i, t in enumerate(terms) if not _is_empty(t))


def selector_matches(parsed: Sequence[ParsedTerm], node: Node) -> bool:
    """LazyErrorNodeSelector.Match: any term matches (terms with parse errors are skipped)."""
    return any(term.matches(node) for term in parsed)


@dataclass(frozen=True, slots=True)
class WeightedTerms:
    """PreferredSchedulingTerms: parsed terms with their weights (zero-weight and empty terms dropped)."""

    terms: tuple[tuple[int, ParsedTerm], ...]

    def score(self, node: Node) -> int:
        """Sum the weights of the matching terms."""
        return sum(weight for weight, term in self.terms if term.matches(node))


def preferred_terms(affinity: NodeAffinity, path: str = "") -> tuple[WeightedTerms, str | None]:
    """NewPreferredSchedulingTerms: the parsed terms, or the aggregated parse error message."""
    parsed = [
        (p.weight, parse_term(p.preference, f"{path}[{i}]"))
        for i, p in enumerate(affinity.preferred)
        if p.weight != 0 and not _is_empty(p.preference)
    ]
    errors = [e for _, term in parsed for e in term.errors]
    return WeightedTerms(tuple(parsed)), (_aggregate(errors) if errors else None)


@dataclass(frozen=True, slots=True)
class RequiredNodeAffinity:
    """GetRequiredNodeAffinity: spec.nodeSelector (None when empty) and the required terms (None when absent)."""

    node_selector: Mapping[str, str] | None
    terms: tuple[ParsedTerm, ...] | None

    @classmethod
    def of(cls, pod: Pod) -> RequiredNodeAffinity:
        """Parse a pod's nodeSelector and required node affinity."""
        affinity = _pod_node_affinity(pod)
        required = affinity.required if affinity else None
        return cls(pod.node_selector or None, None if required is None else node_selector(required))

    def matches(self, node: Node) -> bool:
        """Whether the node has every nodeSelector label and matches some required term."""
        labels = node.labels
        if self.node_selector and any(k not in labels or labels[k] != v for k, v in self.node_selector.items()):
            return False
        return self.terms is None or selector_matches(self.terms, node)


def _pod_node_affinity(pod: Pod) -> NodeAffinity | None:
    return pod.affinity.node_affinity if pod.affinity else None


def required_node_names(terms: Sequence[NodeSelectorTerm]) -> frozenset[str] | None:
    """PreFilter's node-name set: the union over terms of each term's ``metadata.name In`` intersection.

    None (all nodes) as soon as one term has no such requirement; an empty set means a conflict.
    """
    names: set[str] = set()
    for term in terms:
        term_names: set[str] | None = None
        for req in term.match_fields:
            if req.key == NAME_FIELD and req.operator == "In":
                term_names = set(req.values) if term_names is None else term_names & set(req.values)
        if term_names is None:
            return None
        names |= term_names
    return frozenset(names)


# -- the plugin -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class NodeAffinityArgs:
    """config.NodeAffinityArgs, parsed: the enforced selector and the added preferred terms."""

    added_required: tuple[ParsedTerm, ...] | None = None
    added_preferred: WeightedTerms | None = None


def parse_args(args: Mapping[str, Any]) -> NodeAffinityArgs:
    """Decode and validate NodeAffinityArgs (ValidateNodeAffinityArgs, with its field paths).

    Raises:
        ConfigError: an unknown field, a malformed addedAffinity or a term that does not parse.

    """
    unknown = sorted(set(args) - {"addedAffinity"})
    if unknown:
        raise ConfigError(f"{NAME}: {unknown[0]}: unknown field (NodeAffinityArgs has only addedAffinity)")
    try:
        added = decode_node_affinity(Reader(args.get("addedAffinity"), NAME, None, "addedAffinity"))
    except ManifestError as problem:
        raise ConfigError(str(problem)) from None
    if added is None:
        return NodeAffinityArgs()
    base = "addedAffinity.requiredDuringSchedulingIgnoredDuringExecution"
    required = None if added.required is None else node_selector(added.required, base)
    preferred, preferred_error = preferred_terms(added, "addedAffinity.preferredDuringSchedulingIgnoredDuringExecution")
    errors = [e for term in required or () for e in term.errors]
    if preferred_error is not None:
        errors.append(preferred_error)
    if errors:
        raise ConfigError(f"{NAME}: {_aggregate(errors)}")
    return NodeAffinityArgs(required, preferred if added.preferred else None)


class NodeAffinityPlugin:
    """PreFilter, Filter, PreScore, Score and NormalizeScore on node affinity; signs what it reads.

    Strict signing adds :data:`HAS_REQUIRED_SIGNER`; otherwise the upstream fragments already cover
    everything Filter and Score read (``addedAffinity`` is profile configuration). Pods whose
    preferred terms differ only in order sign alike and score alike; a broken term gives both an
    Error PreScore, though its message names the term's index.
    """

    name = NAME

    def __init__(self, args: NodeAffinityArgs, *, strict: bool) -> None:
        self.args = args
        self.strict = strict

    def pre_filter(
        self, state: CycleState, pod: Pod, nodes: Sequence[NodeInfo]
    ) -> tuple[PreFilterResult | None, Status]:
        """Skip when nothing is required; restrict to named nodes; reject conflicting names."""
        affinity = _pod_node_affinity(pod)
        required = affinity.required if affinity else None
        if required is None and self.args.added_required is None and not pod.node_selector:
            return None, skip()
        state.write(PRE_FILTER_STATE_KEY, RequiredNodeAffinity.of(pod))
        if not required:
            return None, SUCCESS
        names = required_node_names(required)
        if names is None:
            return None, SUCCESS
        if not names:
            return None, unresolvable(ERR_REASON_CONFLICT)
        return PreFilterResult(names), SUCCESS

    def filter(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> Status:
        """Check the enforced affinity, then the pod's selector and required terms (recomputed if needed)."""
        node = node_info.node
        if self.args.added_required is not None and not selector_matches(self.args.added_required, node):
            return unresolvable(ERR_REASON_ENFORCED)
        required = state.read(PRE_FILTER_STATE_KEY)
        if not isinstance(required, RequiredNodeAffinity):
            required = RequiredNodeAffinity.of(pod)
        return SUCCESS if required.matches(node) else unresolvable(ERR_REASON_POD)

    def pre_score(self, state: CycleState, pod: Pod, nodes: Sequence[NodeInfo]) -> Status:
        """Parse the pod's preferred terms: Error if one is broken, Skip if nothing is preferred."""
        preferred, status = _pod_preferred(pod)
        if not status.is_success:
            return status
        if preferred is None and self.args.added_preferred is None:
            return skip()
        state.write(PRE_SCORE_STATE_KEY, preferred)
        return SUCCESS

    def score(self, state: CycleState, pod: Pod, node_info: NodeInfo) -> tuple[int, Status]:
        """Sum the weights of matching preferred terms, the pod's and the added ones."""
        node = node_info.node
        count = self.args.added_preferred.score(node) if self.args.added_preferred else 0
        preferred = state.read(PRE_SCORE_STATE_KEY)
        if not isinstance(preferred, WeightedTerms):
            preferred, status = _pod_preferred(pod)
            if not status.is_success:
                return 0, status
        return count + (preferred.score(node) if preferred else 0), SUCCESS

    def normalize_score(self, state: CycleState, pod: Pod, scores: MutableMapping[str, int]) -> Status:
        """DefaultNormalizeScore(100, reverse=False)."""
        default_normalize_score(scores, reverse=False)
        return SUCCESS

    def sign_pod(self, pod: Pod) -> tuple[tuple[SignFragment, ...] | None, Status]:
        """NodeAffinitySigner and spec.nodeSelector; strict adds whether ``required`` is set."""
        fragments = [
            SignFragment(NODE_AFFINITY_SIGNER, node_affinity_fragment(pod)),
            SignFragment(NODE_SELECTOR_SIGNER, node_selector_fragment(pod)),
        ]
        if self.strict:
            affinity = _pod_node_affinity(pod)
            fragments.append(SignFragment(HAS_REQUIRED_SIGNER, affinity is not None and affinity.required is not None))
        return tuple(fragments), SUCCESS


def _pod_preferred(pod: Pod) -> tuple[WeightedTerms | None, Status]:
    """getPodPreferredNodeAffinity: None without preferred terms, an Error status if one is broken."""
    affinity = _pod_node_affinity(pod)
    if affinity is None or not affinity.preferred:
        return None, SUCCESS
    terms, problem = preferred_terms(affinity)
    return (None, error(problem)) if problem is not None else (terms, SUCCESS)


def _factory(args: Mapping[str, Any], context: PluginContext) -> NodeAffinityPlugin:
    return NodeAffinityPlugin(parse_args(args), strict=context.signers == "strict")


PLUGIN = PluginInfo(NAME, _factory)
