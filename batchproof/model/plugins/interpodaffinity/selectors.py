"""metav1.LabelSelectorAsSelector with apimachinery's exact error messages.

InterPodAffinity reports selector errors verbatim ("parsing pod: requiredAffinityTerms:
values[0][service]: Invalid value: ..."), so this module reproduces the messages of
staging/src/k8s.io/apimachinery/pkg/labels/selector.go (NewRequirement),
pkg/apis/meta/v1/helpers.go (LabelSelectorAsSelector), pkg/util/validation/validation.go
(IsQualifiedName, IsValidLabelValue) and pkg/util/validation/field/errors.go (Error, ToAggregate).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from batchproof.model.objects import LabelSelector, LabelSelectorRequirement
from batchproof.model.plugins.helpers.labels import requirement_matches

_QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_QUALIFIED_NAME_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
)
_LABEL_VALUE_FMT = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?"
_LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)
_DNS1123_SUBDOMAIN_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
_DNS1123_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character"
)
_QUALIFIED_NAME_RE = re.compile(f"^{_QUALIFIED_NAME_FMT}$")
_LABEL_VALUE_RE = re.compile(f"^{_LABEL_VALUE_FMT}$")
_DNS1123_SUBDOMAIN_RE = re.compile(f"^{_DNS1123_SUBDOMAIN_FMT}$")
_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


class SelectorError(ValueError):
    """A selector apimachinery refuses to convert; ``str()`` is the upstream error text."""


@dataclass(frozen=True, slots=True)
class Selector:
    """A parsed labels.Selector: ``requirements`` None is labels.Nothing(), () is Everything()."""

    requirements: tuple[LabelSelectorRequirement, ...] | None

    @property
    def empty(self) -> bool:
        """labels.Selector.Empty(): true for Everything(), false for Nothing()."""
        return self.requirements == ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        """labels.Selector.Matches: every requirement holds (Nothing matches no label set)."""
        if self.requirements is None:
            return False
        return all(requirement_matches(r, labels) for r in self.requirements)


NOTHING = Selector(None)
EVERYTHING = Selector(())


def go_quote(text: str) -> str:
    """strconv.Quote for the printable and common control characters (fmt's %q)."""
    escapes = {'"': '\\"', "\\": "\\\\", "\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r"}
    escapes |= {"\t": "\\t", "\v": "\\v"}
    out = []
    for char in text:
        if char in escapes:
            out.append(escapes[char])
        elif not char.isprintable():
            out.append(f"\\x{ord(char):02x}" if ord(char) < 0x80 else f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _regex_error(message: str, fmt: str, *examples: str) -> str:
    """validation.RegexError, including its doubled space after each example."""
    if not examples:
        return f"{message} (regex used for validation is '{fmt}')"
    listed = " or ".join(f"'{example}', " for example in examples)
    return f"{message} (e.g. {listed}regex used for validation is '{fmt}')"


def _max_len_error(length: int) -> str:
    return f"must be no more than {length} characters"


def qualified_name_errors(key: str) -> list[str]:
    """validation.IsQualifiedName: an optional DNS-subdomain prefix and a 63-character name."""
    errors: list[str] = []
    parts = key.split("/")
    name_regex = _regex_error(_QUALIFIED_NAME_MSG, _QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
    if len(parts) > 2:
        return [
            f"a qualified name {name_regex} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            errors.append("prefix part must be non-empty")
        else:
            if len(prefix) > 253:
                errors.append("prefix part " + _max_len_error(253))
            if not _DNS1123_SUBDOMAIN_RE.match(prefix):
                errors.append(
                    "prefix part " + _regex_error(_DNS1123_SUBDOMAIN_MSG, _DNS1123_SUBDOMAIN_FMT, "example.com")
                )
    if not name:
        errors.append("name part must be non-empty")
    elif len(name) > 63:
        errors.append("name part " + _max_len_error(63))
    if not _QUALIFIED_NAME_RE.match(name):
        errors.append("name part " + name_regex)
    return errors


def label_value_errors(value: str) -> list[str]:
    """validation.IsValidLabelValue."""
    errors: list[str] = []
    if len(value) > 63:
        errors.append(_max_len_error(63))
    if not _LABEL_VALUE_RE.match(value):
        errors.append(_regex_error(_LABEL_VALUE_MSG, _LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errors


def _go_string_slice(values: tuple[str, ...]) -> str:
    return "[]string{" + ", ".join(go_quote(v) for v in values) + "}"


def aggregate_message(messages: list[str]) -> str:
    """utilerrors.NewAggregate(...).Error(): one message alone, else "[a, b]" without duplicates."""
    unique = list(dict.fromkeys(messages))
    return unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"


def _requirement(key: str, operator: str, values: tuple[str, ...]) -> LabelSelectorRequirement:
    """labels.NewRequirement: the requirement, or SelectorError with the field-error aggregate."""
    errors: list[str] = []
    key_errors = qualified_name_errors(key)
    if key_errors:
        errors.append(f"key: Invalid value: {go_quote(key)}: {'; '.join(key_errors)}")
    if operator in ("In", "NotIn") and not values:
        errors.append(
            f"values: Invalid value: {_go_string_slice(values)}: for 'in', 'notin' operators, values set can't be empty"
        )
    if operator == "Equals" and len(values) != 1:
        errors.append(
            f"values: Invalid value: {_go_string_slice(values)}: exact-match compatibility requires one single value"
        )
    if operator in ("Exists", "DoesNotExist") and values:
        errors.append(
            f"values: Invalid value: {_go_string_slice(values)}: values set must be empty for exists and does not exist"
        )
    for index, value in enumerate(values):
        value_errors = label_value_errors(value)
        if value_errors:
            errors.append(f"values[{index}][{key}]: Invalid value: {go_quote(value)}: {'; '.join(value_errors)}")
    if errors:
        raise SelectorError(aggregate_message(errors))
    return LabelSelectorRequirement(key, "In" if operator == "Equals" else operator, values)


def label_selector_as_selector(selector: LabelSelector | None) -> Selector:
    """metav1.LabelSelectorAsSelector: None is Nothing, an empty selector Everything.

    matchLabels are checked in key order (Go walks the map in random order, so with several
    invalid labels upstream may report any one of them).

    Raises:
        SelectorError: an invalid key, value or operator, with the upstream message.

    """
    if selector is None:
        return NOTHING
    if not selector.match_labels and not selector.match_expressions:
        return EVERYTHING
    requirements = [_requirement(key, "Equals", (selector.match_labels[key],)) for key in sorted(selector.match_labels)]
    for expression in selector.match_expressions:
        if expression.operator not in _OPERATORS:
            raise SelectorError(f"{go_quote(expression.operator)} is not a valid label selector operator")
        requirements.append(_requirement(expression.key, expression.operator, expression.values))
    return Selector(tuple(requirements))
