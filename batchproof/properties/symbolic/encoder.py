"""Build Z3 terms either over fresh symbols (to prove or search) or over one concrete valuation.

A plugin encoding is written once against :class:`Encoder`. With ``concrete=False`` pod and
node fields are fresh Z3 constants and opaque relations (does toleration *t* tolerate taint *x*,
does a node selector term match a node) are uninterpreted functions, so an ``unsat`` answer holds
for *every* interpretation of them. With ``concrete=True`` every field is a literal taken from a
real object and every uninterpreted function is evaluated by the real helper it stands for, so
the same encoding yields plain numbers that can be compared with the real plugin (the
model-vs-reality property).

Opaque values (label maps, tolerations, terms, volume sources, ...) live in a :class:`Domain`:
symbolically an integer index into the domain's *catalog* of concrete values; concretely an
interned id (catalog values keep their catalog index). A symbolic model is turned back into
objects by reading catalog entries, and :meth:`Encoder.tables` pins every uninterpreted function
over catalog arguments to the real helper's table, so counterexamples are realisable.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import product
from typing import Any, Literal

import z3

from batchproof.model.framework.status import Code

# Effective result codes shared by every encoding and by the replay of real plugins.
SUCCESS = 0
ERROR = 1
UNSCHEDULABLE = 2
UNRESOLVABLE = 3
SKIP = 4
CODES: dict[Code, int] = {
    Code.SUCCESS: SUCCESS,
    Code.ERROR: ERROR,
    Code.UNSCHEDULABLE: UNSCHEDULABLE,
    Code.UNSCHEDULABLE_AND_UNRESOLVABLE: UNRESOLVABLE,
    Code.SKIP: SKIP,
    Code.PENDING: UNSCHEDULABLE,
    Code.WAIT: UNSCHEDULABLE,
}
CODE_NAMES = {SUCCESS: "Success", ERROR: "Error", UNSCHEDULABLE: "Unschedulable", UNRESOLVABLE: "Unresolvable"}
CODE_NAMES[SKIP] = "Skip"
MAX_TABLE = 4096  # largest argument product tabulated for one function

Kind = Literal["int", "bool"]
Expr = Any  # z3.ExprRef; Z3 ships no type information


class OutOfModel(Exception):
    """A concrete object uses a field the symbolic model does not cover (e.g. pod-level resources)."""


@dataclass(frozen=True, slots=True)
class Domain:
    """A named set of opaque values with a catalog of concrete representatives.

    ``key`` maps a value to what equality means for it (e.g. the signer's canonical JSON), so two
    objects that sign alike intern to the same id.
    """

    name: str
    catalog: tuple[Any, ...]
    key: Callable[[Any], Hashable] = field(default=lambda value: value)

    def __post_init__(self) -> None:
        keys = [self.key(value) for value in self.catalog]
        if len(set(keys)) != len(keys):
            raise ValueError(f"domain {self.name}: catalog entries must be distinct")


@dataclass(frozen=True, slots=True)
class _Function:
    name: str
    impl: Callable[..., Any]
    args: tuple[Domain | Kind, ...]
    ret: Domain | Kind
    decl: Any


def _sort(kind: Domain | Kind) -> Any:
    return z3.BoolSort() if kind == "bool" else z3.IntSort()


def _literal(kind: Kind, value: Any) -> Expr:
    return z3.BoolVal(bool(value)) if kind == "bool" else z3.IntVal(int(value))


def go_div(numerator: Expr, denominator: Expr) -> Expr:
    """Go's int64 division (truncation toward zero), guarded: 0 when the denominator is 0."""
    n, d = numerator, denominator
    magnitude = z3.If(n >= 0, n, -n) / z3.If(d >= 0, d, -d)
    return z3.If(d == 0, 0, z3.If((n >= 0) == (d >= 0), magnitude, -magnitude))


def z_min(a: Expr, b: Expr) -> Expr:
    """The smaller of two integer terms."""
    return z3.If(a <= b, a, b)


def z_max(a: Expr, b: Expr) -> Expr:
    """The larger of two integer terms."""
    return z3.If(a >= b, a, b)


def any_of(items: Iterable[Expr]) -> Expr:
    """Disjunction (False for none)."""
    terms = list(items)
    return z3.Or(*terms) if terms else z3.BoolVal(False)


def all_of(items: Iterable[Expr]) -> Expr:
    """Conjunction (True for none)."""
    terms = list(items)
    return z3.And(*terms) if terms else z3.BoolVal(True)


def total(items: Iterable[Expr]) -> Expr:
    """Sum (0 for none)."""
    terms = list(items)
    return z3.Sum(*terms) if terms else z3.IntVal(0)


class Encoder:
    """Creates fields and functions symbolically or concretely; collects side constraints.

    Args:
        concrete: literals and real helpers instead of fresh constants and uninterpreted functions.

    """

    def __init__(self, *, concrete: bool) -> None:
        self.concrete = concrete
        self.side: list[Expr] = []
        self.preferences: list[Expr] = []  # simplest values first: absent flags, zeros, first catalog entry
        self.fields: dict[str, Expr] = {}  # every symbolic field by name
        self._ids: dict[str, dict[Hashable, int]] = {}
        self._values: dict[str, list[Any]] = {}
        self._functions: dict[str, _Function] = {}
        self._ints: list[Expr] = []
        self._opaque: list[Expr] = []
        self._applications: list[tuple[_Function, tuple[Expr, ...], Expr]] = []  # over integer arguments

    # -- fields -----------------------------------------------------------------------------
    def integer(self, name: str, lo: int, hi: int, value: int | None = None) -> Expr:
        """An integer field in [lo, hi] (symbolic), or the literal ``value`` (concrete)."""
        if self.concrete:
            if value is None:
                raise ValueError(f"{name}: a concrete encoder needs a value")
            return z3.IntVal(value)
        var = z3.Int(name)
        self.side.append(z3.And(var >= lo, var <= hi))
        self._ints.append(var == lo)
        self.fields[name] = var
        return var

    def flag(self, name: str, value: bool | None = None) -> Expr:
        """A boolean field."""
        if self.concrete:
            if value is None:
                raise ValueError(f"{name}: a concrete encoder needs a value")
            return z3.BoolVal(value)
        var = z3.Bool(name)
        self.preferences.append(z3.Not(var))
        self.fields[name] = var
        return var

    def opaque(self, domain: Domain, name: str, value: Any = None) -> Expr:
        """An opaque field: a catalog index (symbolic) or the interned id of ``value`` (concrete)."""
        if self.concrete:
            return self.const(domain, value)
        var = z3.Int(name)
        self.side.append(z3.And(var >= 0, var < len(domain.catalog)))
        self._opaque.append(var == 0)
        self.fields[name] = var
        return var

    def const(self, domain: Domain, value: Any) -> Expr:
        """The id of a known value (catalog values have their catalog index in both modes)."""
        return z3.IntVal(self._intern(domain, value))

    def _table(self, domain: Domain) -> dict[Hashable, int]:
        ids = self._ids.get(domain.name)
        if ids is None:
            ids = {domain.key(v): i for i, v in enumerate(domain.catalog)}
            self._ids[domain.name] = ids
            self._values[domain.name] = list(domain.catalog)
        return ids

    def _intern(self, domain: Domain, value: Any) -> int:
        ids = self._table(domain)
        key = domain.key(value)
        found = ids.get(key)
        if found is None:
            if not self.concrete:
                raise OutOfModel(f"{domain.name}: {value!r} is not in the catalog")
            found = len(self._values[domain.name])
            ids[key] = found
            self._values[domain.name].append(value)
        return found

    def value_of(self, domain: Domain, ident: int) -> Any:
        """The value behind an id (a catalog entry when symbolic)."""
        self._table(domain)
        return self._values[domain.name][ident]

    # -- functions ----------------------------------------------------------------------------
    def fn(
        self, name: str, impl: Callable[..., Any], args: Sequence[Domain | Kind], ret: Domain | Kind
    ) -> Callable[..., Expr]:
        """An uninterpreted function (symbolic) or ``impl`` lifted to literals (concrete).

        ``impl`` receives the values behind opaque arguments and plain ints/bools otherwise. It
        must be total: concrete evaluation applies it eagerly, also in branches a guard discards.
        The first registration of a name wins, so encodings may call this where they need it.
        """
        known = self._functions.get(name)
        if known is None:
            decl = None if self.concrete else z3.Function(name, *[_sort(a) for a in args], _sort(ret))
            known = _Function(name, impl, tuple(args), ret, decl)
            self._functions[name] = known
        function = known
        if not self.concrete:
            if "int" not in function.args:
                return function.decl  # type: ignore[no-any-return]

            def record(*terms: Expr) -> Expr:
                application = function.decl(*terms)
                self._applications.append((function, terms, application))
                return application

            return record

        def apply(*terms: Expr) -> Expr:
            values = [self._decode(kind, term) for kind, term in zip(function.args, terms, strict=True)]
            return self._result(function.ret, function.impl(*values))

        return apply

    def _result(self, kind: Domain | Kind, value: Any) -> Expr:
        if isinstance(kind, Domain):
            return self.const(kind, value)
        return _literal(kind, value)

    def _decode(self, kind: Domain | Kind, term: Expr) -> Any:
        simple = z3.simplify(term)
        if kind == "bool":
            return z3.is_true(simple)
        number = simple.as_long()
        return number if kind == "int" else self.value_of(kind, number)

    def tables(self) -> list[Expr]:
        """Pin every function over finite arguments to its real table on the catalogs."""
        pinned: list[Expr] = []
        for function in self._functions.values():
            ranges: list[list[tuple[Expr, Any]]] = []
            for kind in function.args:
                if kind == "int":
                    break
                if kind == "bool":
                    ranges.append([(z3.BoolVal(b), b) for b in (False, True)])
                else:
                    ranges.append([(z3.IntVal(i), v) for i, v in enumerate(kind.catalog)])
            else:
                size = 1
                for options in ranges:
                    size *= len(options)
                if size > MAX_TABLE:
                    continue
                for combo in product(*ranges):
                    result = self._result(function.ret, function.impl(*[value for _, value in combo]))
                    pinned.append(function.decl(*[term for term, _ in combo]) == result)
        return pinned

    def repairs(self, model: Any) -> list[Expr]:
        """Lemmas for applications over integer arguments whose value in ``model`` is not the helper's.

        Functions with integer arguments cannot be tabulated, so a model may interpret them
        freely; each lemma pins one application at the model's argument values, and re-solving
        with the lemmas (:func:`~batchproof.properties.symbolic.completeness.realise`) converges
        to a model whose every application agrees with the real helper.
        """
        lemmas = []
        for function, terms, application in self._applications:
            values = [model.eval(term, model_completion=True) for term in terms]
            plain = [self._model_value(kind, value) for kind, value in zip(function.args, values, strict=True)]
            expected = self._result(function.ret, function.impl(*plain))
            if not z3.is_true(z3.simplify(model.eval(application, model_completion=True) == expected)):
                guard = z3.And(*(term == value for term, value in zip(terms, values, strict=True)))
                lemmas.append(z3.Implies(guard, application == expected))
        return lemmas

    def _model_value(self, kind: Domain | Kind, value: Any) -> Any:
        if kind == "bool":
            return z3.is_true(value)
        number = int(value.as_long())
        return number if kind == "int" else kind.catalog[number]

    def simplest(self, *, alike: tuple[str, str] | None = None) -> list[Expr]:
        """Preferred values, most important first.

        Flags off first (absent containers, ports, terms: the smallest structure), then, with
        ``alike = (a, b)``, fields ``a.X`` and ``b.X`` equal (two pods differ only where they
        must), then first catalog entries, then lower bounds.
        """
        same = []
        if alike is not None:
            first, second = alike
            for name, var in self.fields.items():
                if name.startswith(f"{first}."):
                    twin = self.fields.get(f"{second}.{name[len(first) + 1 :]}")
                    if twin is not None:
                        same.append(var == twin)
        return [*self.preferences, *same, *self._opaque, *self._ints]

    # -- reading a model -----------------------------------------------------------------------
    @staticmethod
    def read_int(model: Any, term: Expr) -> int:
        """An integer term's value in a model (0 when unconstrained)."""
        value = model.eval(term, model_completion=True)
        return int(value.as_long())

    @staticmethod
    def read_bool(model: Any, term: Expr) -> bool:
        """A boolean term's value in a model (False when unconstrained)."""
        return bool(z3.is_true(model.eval(term, model_completion=True)))

    def read_opaque(self, model: Any, domain: Domain, term: Expr) -> Any:
        """An opaque term's catalog value in a model."""
        return domain.catalog[self.read_int(model, term)]

    @staticmethod
    def evaluate(term: Expr) -> int | bool:
        """A concrete term's Python value."""
        simple = z3.simplify(term)
        if z3.is_bool(simple):
            return bool(z3.is_true(simple))
        return int(simple.as_long())
