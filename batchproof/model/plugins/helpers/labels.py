"""Label selectors (apimachinery labels and metav1.LabelSelectorAsSelector) and label validation."""

from __future__ import annotations

import re
from collections.abc import Mapping

from batchproof.model.objects import LabelSelector, LabelSelectorRequirement

_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_NAME_PART = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


class InvalidSelector(ValueError):
    """A selector that cannot be turned into a labels.Selector (upstream returns an error)."""


def is_valid_label_value(value: str) -> bool:
    """validation.IsValidLabelValue: at most 63 characters of [A-Za-z0-9-_.], alnum at the ends."""
    return len(value) <= 63 and bool(_LABEL_VALUE.match(value))


def is_qualified_name(key: str) -> bool:
    """validation.IsQualifiedName: optional DNS-subdomain prefix, then a 63-character name."""
    prefix, _, name = key.rpartition("/")
    if "/" in key and (not prefix or len(prefix) > 253 or not _DNS_SUBDOMAIN.match(prefix)):
        return False
    return 0 < len(name) <= 63 and bool(_NAME_PART.match(name))


def requirement_matches(requirement: LabelSelectorRequirement, labels: Mapping[str, str]) -> bool:
    """One set-based requirement against a label map."""
    op = requirement.operator
    if op == "In":
        return requirement.key in labels and labels[requirement.key] in requirement.values
    if op == "NotIn":
        return requirement.key not in labels or labels[requirement.key] not in requirement.values
    if op == "Exists":
        return requirement.key in labels
    if op == "DoesNotExist":
        return requirement.key not in labels
    raise InvalidSelector(f"{op!r} is not a valid label selector operator")


def validate_selector(selector: LabelSelector) -> None:
    """LabelSelectorAsSelector's validation.

    Raises:
        InvalidSelector: an invalid key, value or operator.

    """
    for key, value in selector.match_labels.items():
        if not is_qualified_name(key):
            raise InvalidSelector(f"invalid label key {key!r}")
        if not is_valid_label_value(value):
            raise InvalidSelector(f"invalid label value: {value!r}")
    for requirement in selector.match_expressions:
        if not is_qualified_name(requirement.key):
            raise InvalidSelector(f"invalid label key {requirement.key!r}")
        if requirement.operator in ("In", "NotIn"):
            if not requirement.values:
                raise InvalidSelector(
                    f"values: for 'in', 'notin' operators, values set can't be empty ({requirement.key})"
                )
        elif requirement.operator in ("Exists", "DoesNotExist"):
            if requirement.values:
                raise InvalidSelector(
                    f"values: values set must be empty for exists and does not exist ({requirement.key})"
                )
        else:
            raise InvalidSelector(f"{requirement.operator!r} is not a valid label selector operator")
        for value in requirement.values:
            if not is_valid_label_value(value):
                raise InvalidSelector(f"invalid label value: {value!r}")


def selector_matches(selector: LabelSelector | None, labels: Mapping[str, str]) -> bool:
    """A LabelSelector against labels; None matches nothing and an empty selector everything."""
    if selector is None:
        return False
    for key, value in selector.match_labels.items():
        if labels.get(key) != value or key not in labels:
            return False
    return all(requirement_matches(r, labels) for r in selector.match_expressions)


def selector_is_empty(selector: LabelSelector | None) -> bool:
    """labels.Selector.Empty(): a non-nil selector with no requirements."""
    return selector is not None and not selector.match_labels and not selector.match_expressions


def labels_match_map(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    """labels.SelectorFromSet: every key/value of ``selector`` is in ``labels``."""
    return all(key in labels and labels[key] == value for key, value in selector.items())
