"""Node selector terms (k8s.io/component-helpers/scheduling/corev1/nodeaffinity).

Terms are ORed, requirements inside a term ANDed; a term with no requirements matches nothing;
a term that fails to parse (invalid value, bad Gt/Lt operand, bad field) never matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from batchproof.model.objects import Node, NodeSelectorRequirement, NodeSelectorTerm
from batchproof.model.plugins.helpers.labels import is_qualified_name, is_valid_label_value

NAME_FIELD = "metadata.name"


_GO_INT = re.compile(r"^[+-]?[0-9]+$")
_INT64 = 2**63


def _parse_int(text: str) -> int | None:
    """strconv.ParseInt(text, 10, 64): ASCII digits with an optional sign, within int64."""
    if not _GO_INT.match(text):
        return None
    value = int(text)
    return value if -_INT64 <= value < _INT64 else None


def _expression_valid(requirement: NodeSelectorRequirement) -> bool:
    op = requirement.operator
    if not is_qualified_name(requirement.key):
        return False
    if op in ("In", "NotIn"):
        return bool(requirement.values) and all(is_valid_label_value(v) for v in requirement.values)
    if op in ("Exists", "DoesNotExist"):
        return not requirement.values
    if op in ("Gt", "Lt"):
        value = requirement.values[0] if len(requirement.values) == 1 else ""
        return is_valid_label_value(value) and _parse_int(value) is not None
    return False


def expression_matches(requirement: NodeSelectorRequirement, labels: Mapping[str, str]) -> bool:
    """One matchExpressions requirement against node labels (assumes it is valid)."""
    op = requirement.operator
    present = requirement.key in labels
    if op == "In":
        return present and labels[requirement.key] in requirement.values
    if op == "NotIn":
        return not present or labels[requirement.key] not in requirement.values
    if op == "Exists":
        return present
    if op == "DoesNotExist":
        return not present
    if not present:
        return False
    actual = _parse_int(labels[requirement.key])
    bound = _parse_int(requirement.values[0])
    if actual is None or bound is None:
        return False
    return actual > bound if op == "Gt" else actual < bound


def _field_valid(requirement: NodeSelectorRequirement) -> bool:
    return requirement.operator in ("In", "NotIn") and len(requirement.values) == 1


def field_matches(requirement: NodeSelectorRequirement, node: Node) -> bool:
    """One matchFields requirement: In/NotIn with one value against the node's fields.

    Only metadata.name exists; any other key reads as "".
    """
    actual = node.name if requirement.key == NAME_FIELD else ""
    if requirement.operator == "In":
        return actual == requirement.values[0]
    return actual != requirement.values[0]


def term_is_valid(term: NodeSelectorTerm) -> bool:
    """Whether the term parses (an invalid term never matches)."""
    return all(_expression_valid(r) for r in term.match_expressions) and all(_field_valid(r) for r in term.match_fields)


def term_matches(term: NodeSelectorTerm, node: Node) -> bool:
    """A single term: non-empty, valid, and every requirement holds."""
    if not term.match_expressions and not term.match_fields:
        return False
    if not term_is_valid(term):
        return False
    return all(expression_matches(r, node.labels) for r in term.match_expressions) and all(
        field_matches(r, node) for r in term.match_fields
    )


def terms_match(terms: Iterable[NodeSelectorTerm], node: Node) -> bool:
    """Any term matches (NodeSelector semantics)."""
    return any(term_matches(term, node) for term in terms)
