"""Shared plugin helpers as a specification: label and node selectors, tolerations, normalisation, Go math.

Upstream: apimachinery labels/selector.go and metav1 LabelSelectorAsSelector; component-helpers
scheduling/corev1/nodeaffinity; core/v1 toleration.go; plugins/helper/normalize_score.go.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import (
    LabelSelector,
    LabelSelectorRequirement,
    Node,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    Taint,
    Toleration,
)
from batchproof.model.plugins.helpers.gomath import go_div, go_round
from batchproof.model.plugins.helpers.labels import (
    InvalidSelector,
    is_qualified_name,
    is_valid_label_value,
    labels_match_map,
    selector_is_empty,
    selector_matches,
    validate_selector,
)
from batchproof.model.plugins.helpers.node_selectors import term_is_valid, term_matches, terms_match
from batchproof.model.plugins.helpers.normalize import default_normalize_score
from batchproof.model.plugins.helpers.taints import find_untolerated_taint, tolerates, tolerations_tolerate

LABELS = FrozenDict({"zone": "z1", "disk": "ssd", "cores": "8"})


def req(key: str, operator: str, *values: str) -> LabelSelectorRequirement:
    return LabelSelectorRequirement(key, operator, values)


# -- label selectors ----------------------------------------------------------------------------------
def test_a_nil_selector_matches_nothing_and_an_empty_one_everything() -> None:
    assert not selector_matches(None, LABELS)
    assert not selector_matches(None, {})
    assert selector_matches(LabelSelector(), LABELS)
    assert selector_matches(LabelSelector(), {})
    assert selector_is_empty(LabelSelector())
    assert not selector_is_empty(None)
    assert not selector_is_empty(LabelSelector(match_labels=FrozenDict({"a": "b"})))


def test_match_labels_require_every_pair() -> None:
    assert selector_matches(LabelSelector(match_labels=FrozenDict({"zone": "z1", "disk": "ssd"})), LABELS)
    assert not selector_matches(LabelSelector(match_labels=FrozenDict({"zone": "z1", "disk": "hdd"})), LABELS)
    assert not selector_matches(LabelSelector(match_labels=FrozenDict({"gpu": ""})), LABELS)
    assert selector_matches(LabelSelector(match_labels=FrozenDict({"gpu": ""})), {"gpu": ""})


@pytest.mark.parametrize(
    ("requirement", "matches"),
    [
        (req("zone", "In", "z1", "z2"), True),
        (req("zone", "In", "z2"), False),
        (req("absent", "In", "z1"), False),
        (req("zone", "NotIn", "z2"), True),
        (req("zone", "NotIn", "z1"), False),
        (req("absent", "NotIn", "z1"), True),
        (req("zone", "Exists"), True),
        (req("absent", "Exists"), False),
        (req("zone", "DoesNotExist"), False),
        (req("absent", "DoesNotExist"), True),
    ],
)
def test_set_based_operators(requirement: LabelSelectorRequirement, matches: bool) -> None:
    assert selector_matches(LabelSelector(match_expressions=(requirement,)), LABELS) is matches


def test_match_labels_and_expressions_are_anded() -> None:
    selector = LabelSelector(match_labels=FrozenDict({"zone": "z1"}), match_expressions=(req("disk", "In", "hdd"),))
    assert not selector_matches(selector, LABELS)


def test_an_unknown_operator_is_an_invalid_selector() -> None:
    with pytest.raises(InvalidSelector):
        selector_matches(LabelSelector(match_expressions=(req("zone", "Gt", "1"),)), LABELS)


@pytest.mark.parametrize(
    "selector",
    [
        LabelSelector(match_labels=FrozenDict({"bad key!": "v"})),
        LabelSelector(match_labels=FrozenDict({"k": "-bad"})),
        LabelSelector(match_expressions=(req("k", "In"),)),
        LabelSelector(match_expressions=(req("k", "NotIn"),)),
        LabelSelector(match_expressions=(req("k", "Exists", "v"),)),
        LabelSelector(match_expressions=(req("k", "DoesNotExist", "v"),)),
        LabelSelector(match_expressions=(req("k", "Gt", "1"),)),
        LabelSelector(match_expressions=(req("k", "In", "v" * 64),)),
    ],
)
def test_invalid_selectors_are_rejected_by_validation(selector: LabelSelector) -> None:
    with pytest.raises(InvalidSelector):
        validate_selector(selector)


def test_a_valid_selector_passes_validation() -> None:
    validate_selector(
        LabelSelector(
            match_labels=FrozenDict({"example.com/app": "web", "empty": ""}),
            match_expressions=(req("tier", "In", "a", "b"), req("x", "Exists")),
        )
    )


@pytest.mark.parametrize(
    ("value", "valid"),
    [("", True), ("a", True), ("a-b_c.d", True), ("v" * 63, True), ("v" * 64, False), ("-a", False), ("a.", False)],
)
def test_label_values(value: str, valid: bool) -> None:
    assert is_valid_label_value(value) is valid


@pytest.mark.parametrize(
    ("key", "valid"),
    [
        ("app", True),
        ("example.com/app", True),
        ("k" * 63, True),
        ("k" * 64, False),
        ("", False),
        ("/app", False),
        ("Example.com/app", False),
        ("a/b/c", False),
        ("example.com/", False),
    ],
)
def test_qualified_names(key: str, valid: bool) -> None:
    assert is_qualified_name(key) is valid


def test_a_label_map_selector_needs_every_pair() -> None:
    assert labels_match_map({}, LABELS)
    assert labels_match_map({"zone": "z1"}, LABELS)
    assert not labels_match_map({"zone": "z2"}, LABELS)
    assert not labels_match_map({"absent": ""}, LABELS)


# -- node selector terms ---------------------------------------------------------------------------------
NODE = Node("node-1", labels=LABELS)


def expr(key: str, operator: str, *values: str) -> NodeSelectorRequirement:
    return NodeSelectorRequirement(key, operator, values)


def term(*expressions: NodeSelectorRequirement, fields: tuple[NodeSelectorRequirement, ...] = ()) -> NodeSelectorTerm:
    return NodeSelectorTerm(match_expressions=expressions, match_fields=fields)


def test_an_empty_term_matches_nothing_and_no_terms_match_nothing() -> None:
    assert not term_matches(term(), NODE)
    assert not terms_match([], NODE)
    assert not terms_match([term()], NODE)


def test_terms_are_ored_and_requirements_anded() -> None:
    wrong_zone = term(expr("zone", "In", "z2"))
    both = term(expr("zone", "In", "z1"), expr("disk", "In", "ssd"))
    half = term(expr("zone", "In", "z1"), expr("disk", "In", "hdd"))
    assert terms_match([wrong_zone, both], NODE)
    assert not terms_match([wrong_zone, half], NODE)


@pytest.mark.parametrize(
    ("requirement", "matches"),
    [
        (expr("zone", "In", "z1"), True),
        (expr("zone", "NotIn", "z1"), False),
        (expr("absent", "NotIn", "z1"), True),
        (expr("disk", "Exists"), True),
        (expr("disk", "DoesNotExist"), False),
        (expr("cores", "Gt", "4"), True),
        (expr("cores", "Gt", "8"), False),
        (expr("cores", "Lt", "9"), True),
        (expr("cores", "Lt", "8"), False),
        (expr("absent", "Gt", "1"), False),
        (expr("absent", "Lt", "1"), False),
        (expr("zone", "Gt", "1"), False),  # the node label is not an integer
    ],
)
def test_node_selector_operators(requirement: NodeSelectorRequirement, matches: bool) -> None:
    assert term_matches(term(requirement), NODE) is matches


@pytest.mark.parametrize(
    "requirement",
    [
        expr("cores", "Gt", "four"),
        expr("cores", "Gt", "1", "2"),
        expr("cores", "Lt"),
        expr("zone", "In"),
        expr("zone", "NotIn"),
        expr("zone", "Exists", "z1"),
        expr("zone", "Equals", "z1"),
        expr("bad key!", "Exists"),
        expr("zone", "In", "-z1"),
    ],
)
def test_an_invalid_term_never_matches_but_other_terms_still_can(requirement: NodeSelectorRequirement) -> None:
    invalid = term(expr("zone", "In", "z1"), requirement)
    assert not term_is_valid(invalid)
    assert not term_matches(invalid, NODE)
    assert not terms_match([invalid], NODE)
    assert terms_match([invalid, term(expr("zone", "In", "z1"))], NODE)


def test_a_not_in_term_that_fails_to_parse_does_not_match_an_unlabelled_node() -> None:
    assert not term_matches(term(expr("absent", "NotIn")), Node("bare"))


def test_match_fields_select_on_metadata_name() -> None:
    assert term_matches(term(fields=(expr("metadata.name", "In", "node-1"),)), NODE)
    assert not term_matches(term(fields=(expr("metadata.name", "In", "node-2"),)), NODE)
    assert term_matches(term(fields=(expr("metadata.name", "NotIn", "node-2"),)), NODE)
    assert not term_matches(term(fields=(expr("metadata.name", "NotIn", "node-1"),)), NODE)


def test_match_fields_and_expressions_in_one_term_are_anded() -> None:
    name = (expr("metadata.name", "In", "node-1"),)
    assert term_matches(term(expr("zone", "In", "z1"), fields=name), NODE)
    assert not term_matches(term(expr("zone", "In", "z2"), fields=name), NODE)


@pytest.mark.parametrize(
    "field",
    [
        expr("metadata.namespace", "In", "node-1"),
        expr("metadata.name", "In", "node-1", "node-2"),
        expr("metadata.name", "In"),
        expr("metadata.name", "Exists"),
        expr("metadata.name", "Gt", "1"),
    ],
)
def test_only_single_valued_in_or_not_in_on_metadata_name_is_a_valid_field(field: NodeSelectorRequirement) -> None:
    assert not term_matches(term(fields=(field,)), NODE)


def test_a_negative_gt_bound_is_not_a_valid_label_value_so_the_term_never_matches() -> None:
    assert not term_matches(term(expr("cores", "Gt", "-1")), NODE)


@pytest.mark.parametrize(
    ("labels", "requirement"),
    [
        ({"cores": "1_000"}, expr("cores", "Gt", "5")),
        ({"cores": "8"}, expr("cores", "Lt", "1_000")),
        ({"cores": "8"}, expr("cores", "Lt", str(2**63))),
        ({"cores": str(2**63)}, expr("cores", "Gt", "5")),
    ],
)
def test_gt_and_lt_parse_integers_like_go_parse_int(
    labels: dict[str, str], requirement: NodeSelectorRequirement
) -> None:
    assert not term_matches(term(requirement), Node("n", labels=FrozenDict(labels)))


# -- tolerations -------------------------------------------------------------------------------------------
TAINT = Taint("dedicated", "gpu", "NoSchedule")


@pytest.mark.parametrize(
    ("toleration", "tolerated"),
    [
        (Toleration("dedicated", "Equal", "gpu", "NoSchedule"), True),
        (Toleration("dedicated", "", "gpu", "NoSchedule"), True),  # empty operator means Equal
        (Toleration("dedicated", "Equal", "cpu", "NoSchedule"), False),
        (Toleration("dedicated", "Exists", "", "NoSchedule"), True),
        (Toleration("dedicated", "Exists"), True),  # empty effect matches every effect
        (Toleration("dedicated", "Exists", "", "NoExecute"), False),
        (Toleration("other", "Exists"), False),
        (Toleration("", "Exists"), True),  # empty key with Exists tolerates everything
        (Toleration("", "Exists", "", "PreferNoSchedule"), False),
        (Toleration("dedicated", "Gt", "gpu"), False),  # unknown operator
        (Toleration("dedicated"), False),  # Equal with empty value against value "gpu"
    ],
)
def test_toleration_matching(toleration: Toleration, tolerated: bool) -> None:
    assert tolerates(toleration, TAINT) is tolerated


def test_any_toleration_may_tolerate_a_taint() -> None:
    assert tolerations_tolerate([Toleration("other", "Exists"), Toleration("dedicated", "Exists")], TAINT)
    assert not tolerations_tolerate([], TAINT)


def test_find_untolerated_taint_returns_the_first_included_untolerated_taint() -> None:
    taints = [
        Taint("soft", "", "PreferNoSchedule"),
        Taint("ok", "", "NoSchedule"),
        Taint("first", "", "NoSchedule"),
        Taint("second", "", "NoExecute"),
    ]
    hard = lambda taint: taint.effect in ("NoSchedule", "NoExecute")  # noqa: E731
    assert find_untolerated_taint(taints, [Toleration("ok", "Exists")], hard) == taints[2]
    assert find_untolerated_taint(taints, [Toleration("", "Exists")], hard) is None


# -- DefaultNormalizeScore ----------------------------------------------------------------------------------
def normalized(scores: dict[str, int], *, reverse: bool, max_priority: int = 100) -> dict[str, int]:
    table = dict(scores)
    default_normalize_score(table, reverse=reverse, max_priority=max_priority)
    return table


def test_normalize_scales_by_the_maximum_with_truncating_division() -> None:
    assert normalized({"a": 1, "b": 2, "c": 3}, reverse=False) == {"a": 33, "b": 66, "c": 100}


def test_reverse_normalize_subtracts_from_max_priority() -> None:
    assert normalized({"a": 1, "b": 2, "c": 3}, reverse=True) == {"a": 67, "b": 34, "c": 0}


def test_all_zero_scores_stay_zero_or_all_become_max_priority_when_reversed() -> None:
    assert normalized({"a": 0, "b": 0}, reverse=False) == {"a": 0, "b": 0}
    assert normalized({"a": 0, "b": 0}, reverse=True) == {"a": 100, "b": 100}
    assert normalized({}, reverse=True) == {}


def test_normalize_honours_max_priority() -> None:
    assert normalized({"a": 5, "b": 10}, reverse=False, max_priority=10) == {"a": 5, "b": 10}


def test_all_negative_scores_count_as_a_zero_maximum() -> None:
    assert normalized({"a": -5, "b": -3}, reverse=False) == {"a": -5, "b": -3}
    assert normalized({"a": -5, "b": -3}, reverse=True) == {"a": 100, "b": 100}


@given(st.dictionaries(st.sampled_from("abcdef"), st.integers(0, 10**6), min_size=1), st.booleans())
def test_normalized_non_negative_scores_lie_in_0_to_100(scores: dict[str, int], reverse: bool) -> None:
    assert all(0 <= value <= 100 for value in normalized(scores, reverse=reverse).values())


# -- Go integer and rounding semantics -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("numerator", "denominator", "quotient"),
    [(7, 2, 3), (-7, 2, -3), (7, -2, -3), (-7, -2, 3), (0, 5, 0), (6, 3, 2), (-1, 100, 0)],
)
def test_go_div_truncates_toward_zero(numerator: int, denominator: int, quotient: int) -> None:
    assert go_div(numerator, denominator) == quotient


@pytest.mark.parametrize(
    ("value", "rounded"),
    [(0.5, 1), (1.5, 2), (2.5, 3), (-0.5, -1), (-2.5, -3), (2.4999, 2), (-2.4999, -2), (31 / 8, 4), (0.0, 0)],
)
def test_go_round_rounds_half_away_from_zero(value: float, rounded: int) -> None:
    assert go_round(value) == rounded


@pytest.mark.parametrize(("value", "rounded"), [(0.49999999999999994, 0), (float(2**52 + 1), 2**52 + 1)])
def test_go_round_has_no_double_rounding(value: float, rounded: int) -> None:
    assert go_round(value) == rounded
