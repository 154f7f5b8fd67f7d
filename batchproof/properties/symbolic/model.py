"""What every symbolic plugin model provides, and the set/multiset equalities fragments need.

A model describes one plugin (with fixed args) as functions of the pod and node fields it reads:

* ``fresh_pod``/``fresh_cluster`` make a bounded symbolic pod and cluster (the *shape*);
  ``pod_of``/``cluster_of`` make the same structures from real objects (any size);
* ``fragment`` says, part by part, what it means for two pods' SignPod fragments to be equal in a
  signer mode; each part is implied by real fragment equality (tests check this), so an
  ``unsat`` answer over these parts is sound;
* ``result`` gives the plugin's effective verdict on a node (``filter``: the PreFilter/Filter
  code a framework would act on), its PreScore status and raw score (``score``), or the status
  and normalised scores of every node (``normalized``), as codes of :mod:`.encoder`;
* ``decode_pod``/``decode_cluster`` turn a Z3 model back into objects for replay.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

import z3

from batchproof.model.framework.interfaces import SignerMode
from batchproof.model.objects import Pod
from batchproof.properties.signatures import PluginUnderTest
from batchproof.properties.symbolic.encoder import Encoder, Expr, all_of, any_of, go_div, total
from batchproof.properties.world import Cluster

Property = Literal["filter", "score", "normalized"]
PROPERTIES: tuple[Property, ...] = ("filter", "score", "normalized")


@dataclass(frozen=True, slots=True)
class Slot:
    """One element of a bounded list field: whether it is present, and the values that identify it."""

    present: Expr
    key: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Part:
    """One part of fragment equality, named after the pod field it covers (unsat cores name these)."""

    name: str
    equal: Expr


def same_key(a: Slot, b: Slot) -> Expr:
    """The two slots carry equal values."""
    return all_of(x == y for x, y in zip(a.key, b.key, strict=True))


def covered(a: Sequence[Slot], b: Sequence[Slot]) -> Expr:
    """Every present slot of ``a`` has a present slot of ``b`` with the same value."""
    return all_of(z3.Implies(x.present, any_of(z3.And(y.present, same_key(x, y)) for y in b)) for x in a)


def set_equal(a: Sequence[Slot], b: Sequence[Slot]) -> Expr:
    """The present values of ``a`` and ``b`` form the same set."""
    return z3.And(covered(a, b), covered(b, a))


def count(slots: Sequence[Slot], like: Slot) -> Expr:
    """How many present slots carry ``like``'s value."""
    return total(z3.If(z3.And(s.present, same_key(s, like)), 1, 0) for s in slots)


def multiset_equal(a: Sequence[Slot], b: Sequence[Slot]) -> Expr:
    """The present values of ``a`` and ``b`` form the same multiset."""
    return all_of(z3.Implies(x.present, count(a, x) == count(b, x)) for x in (*a, *b))


@dataclass(frozen=True, slots=True)
class ClusterVars:
    """A symbolic or concrete cluster: per-node structures plus whatever the model keeps globally."""

    nodes: tuple[Any, ...]
    extra: Any = None
    world: Any = None  # what real helpers need concretely (a Snapshot), or a catalog world


class SymbolicModel(ABC):
    """One plugin (with fixed args) as a symbolic function of the fields it reads."""

    title: str = ""
    plugin: str = ""
    args: Mapping[str, Any] = MappingProxyType({})
    properties: tuple[Property, ...] = ("filter",)
    nodes: int = 1
    shape: str = ""
    trivial: str = ""

    @property
    def subject(self) -> PluginUnderTest:
        """The real plugin this models."""
        return PluginUnderTest(self.plugin, dict(self.args), self.title if self.title != self.plugin else "")

    @abstractmethod
    def fresh_pod(self, enc: Encoder, prefix: str) -> Any:
        """A bounded symbolic pod."""

    @abstractmethod
    def fresh_cluster(self, enc: Encoder) -> ClusterVars:
        """A bounded symbolic cluster of ``self.nodes`` nodes."""

    @abstractmethod
    def pod_of(self, enc: Encoder, pod: Pod) -> Any:
        """A concrete pod's fields.

        Raises:
            OutOfModel: the pod uses a field the model does not cover.

        """

    @abstractmethod
    def cluster_of(self, enc: Encoder, cluster: Cluster) -> ClusterVars:
        """A concrete cluster's fields (snapshot node order).

        Raises:
            OutOfModel: the cluster uses something the model does not cover.

        """

    @abstractmethod
    def fragment(self, enc: Encoder, a: Any, b: Any, mode: SignerMode) -> list[Part]:
        """Parts whose conjunction is implied by equal fragments of ``a`` and ``b`` in ``mode``."""

    @abstractmethod
    def result(self, enc: Encoder, pod: Any, cluster: ClusterVars, prop: Property, node: int) -> tuple[Expr, ...]:
        """The effective result ``prop`` on node ``node`` (all nodes for ``normalized``)."""

    @abstractmethod
    def decode_pod(self, enc: Encoder, model: Any, pod: Any, name: str) -> Pod:
        """The pod a Z3 model describes."""

    @abstractmethod
    def decode_cluster(self, enc: Encoder, model: Any, cluster: ClusterVars) -> Cluster:
        """The cluster a Z3 model describes."""

    def reads(self, enc: Encoder, pod: Any, prop: Property) -> tuple[Expr, ...] | None:
        """The pod-dependent terms ``result`` reads, when the model is written that way.

        Contract: if this returns a tuple, ``result`` depends on the pod only through it, so equal
        reads imply equal results and completeness can be proved on the (linear) reads alone.
        """
        return None

    def signable(self, enc: Encoder, pod: Any) -> Expr:
        """Whether SignPod succeeds (refused pods never batch, so completeness ignores them)."""
        return z3.BoolVal(True)

    def assumptions(self, enc: Encoder, pod: Any) -> Expr:
        """Facts every valid pod satisfies that the proof relies on (documented per model)."""
        return z3.BoolVal(True)


def default_normalize(raws: Sequence[Expr], *, reverse: bool, zero: Expr | None = None) -> list[Expr]:
    """helper.DefaultNormalizeScore(100, reverse) over the nodes' raw scores (maximum starts at 0).

    Works on integer terms, or on bit-vector terms when ``zero`` is a bit-vector 0.
    """
    highest: Expr = z3.IntVal(0) if zero is None else zero
    for raw in raws:
        highest = z3.If(raw > highest, raw, highest)
    out = []
    for raw in raws:
        scaled = go_div(100 * raw, highest)
        if reverse:
            out.append(z3.If(highest == 0, 100, 100 - scaled))
        else:
            out.append(z3.If(highest == 0, raw, scaled))
    return out
