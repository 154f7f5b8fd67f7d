"""Keep the encodings honest: evaluate a model on real objects and compare with the real plugin.

:func:`observe` runs a model concretely (every field a literal, every uninterpreted
function the real helper) on a pod and a cluster, runs the real plugin through
:func:`batchproof.model.framework.evaluate.evaluate_plugin`, and lists where they differ.
:func:`fragment_parts` evaluates a model's fragment parts on two real pods, so tests can check that
equal real signatures imply every part (what makes an ``unsat`` answer sound).
"""

from __future__ import annotations

from dataclasses import dataclass

from batchproof.model.framework.interfaces import SignerMode
from batchproof.model.objects import Pod
from batchproof.properties.pairs import plugin_signature
from batchproof.properties.symbolic.encoder import SKIP, SUCCESS, Encoder
from batchproof.properties.symbolic.model import Property, SymbolicModel
from batchproof.properties.symbolic.replay import real_result
from batchproof.properties.world import Cluster


@dataclass(frozen=True, slots=True)
class Observation:
    """One property on one node: the model's value and the real plugin's."""

    plugin: str
    prop: str
    node: str
    model: tuple[int, ...]
    real: tuple[int, ...]

    @property
    def agrees(self) -> bool:
        """Model and plugin give the same value."""
        return self.model == self.real

    @property
    def trivial(self) -> bool:
        """The plugin passed the node and scored nothing (what a do-nothing model would also say)."""
        return all(value in (SUCCESS, SKIP, 0) for value in self.real)

    def describe(self) -> str:
        """One line."""
        return f"{self.plugin} {self.prop} on {self.node}: model {list(self.model)} vs real {list(self.real)}"


def model_result(model: SymbolicModel, pod: Pod, cluster: Cluster, prop: Property, node: int) -> tuple[int, ...]:
    """The model's result, evaluated concretely.

    Raises:
        OutOfModel: the pod or cluster uses something the model does not cover.

    """
    enc = Encoder(concrete=True)
    pod_vars = model.pod_of(enc, pod)
    cluster_vars = model.cluster_of(enc, cluster)
    return tuple(int(Encoder.evaluate(term)) for term in model.result(enc, pod_vars, cluster_vars, prop, node))


def observe(model: SymbolicModel, pod: Pod, cluster: Cluster) -> list[Observation]:
    """Every property on every node (once for ``normalized``): the model's and the plugin's value.

    Raises:
        OutOfModel: the pod or cluster uses something the model does not cover.

    """
    plugin = model.subject.build("strict")
    names = [info.name for info in cluster.snapshot().node_infos()]
    out = []
    for prop in model.properties:
        for index in range(1 if prop == "normalized" else len(names)):
            ours = model_result(model, pod, cluster, prop, index)
            theirs = real_result(plugin, pod, cluster.snapshot(), prop, index)
            out.append(Observation(model.title, prop, names[index], ours, theirs))
    return out


def disagreements(model: SymbolicModel, pod: Pod, cluster: Cluster) -> list[Observation]:
    """The observations where model and plugin differ.

    Raises:
        OutOfModel: the pod or cluster uses something the model does not cover.

    """
    return [o for o in observe(model, pod, cluster) if not o.agrees]


def equal_signatures(model: SymbolicModel, signers: SignerMode, first: Pod, second: Pod) -> bool:
    """The real plugin signs both pods, identically."""
    plugin = model.subject.build(signers)
    signature = plugin_signature(plugin, first)
    return signature is not None and signature == plugin_signature(plugin, second)


def fragment_parts(model: SymbolicModel, signers: SignerMode, first: Pod, second: Pod) -> dict[str, bool]:
    """Each fragment part of the model, evaluated on two real pods.

    Raises:
        OutOfModel: a pod uses something the model does not cover.

    """
    enc = Encoder(concrete=True)
    a, b = model.pod_of(enc, first), model.pod_of(enc, second)
    return {part.name: bool(Encoder.evaluate(part.equal)) for part in model.fragment(enc, a, b, signers)}
