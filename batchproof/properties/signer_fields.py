"""A signer's own field list, and signers that drop exactly one of those fields.

The fields of a plugin's signature are read off what its ``sign_pod`` returns for a corpus of
pods: every fragment key, and inside each fragment value every map key, every position of a
fixed-size tuple (``[ip, protocol, port]``) and the fields of JSON documents embedded as strings
(NodeAffinity's canonical terms). :class:`DroppingSigner` wraps a plugin so that its signer
forgets one such field, the bug a maintainer makes when a signer misses something its plugin
reads; the signature-consistency property must catch every one of them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from batchproof.model.framework.features import FeatureGates
from batchproof.model.framework.interfaces import SignerMode, SignFragment
from batchproof.model.framework.status import Status
from batchproof.model.objects import Pod
from batchproof.model.plugins.helpers.signers import canonical_json

# A path step: ("key", name) into a map, ("each",) over a list, ("pos", i) into a fixed-size
# tuple, ("json",) into a JSON document held in a string.
Step = tuple[Any, ...]
FieldPath = tuple[str, tuple[Step, ...]]  # (fragment key, steps inside its value)


def _is_tuple_list(value: list[Any]) -> bool:
    lengths = {len(item) for item in value if isinstance(item, list)}
    return bool(value) and all(isinstance(item, list) for item in value) and len(lengths) == 1


def _decoded(value: str) -> Any:
    if not value.startswith(("{", "[")):
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def _walk(value: Any, prefix: tuple[Step, ...], out: set[tuple[Step, ...]]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            path = (*prefix, ("key", key))
            out.add(path)
            _walk(item, path, out)
    elif isinstance(value, list):
        if _is_tuple_list(value):
            for item in value:
                for position, element in enumerate(item):
                    path = (*prefix, ("each",), ("pos", position))
                    out.add(path)
                    _walk(element, path, out)
        else:
            for item in value:
                _walk(item, (*prefix, ("each",)), out)
    elif isinstance(value, str):
        document = _decoded(value)
        if isinstance(document, (dict, list)):
            _walk(document, (*prefix, ("json",)), out)


def signer_fields(plugin: Any, pods: Iterable[Pod]) -> list[FieldPath]:
    """Every field the plugin's signer put into the signatures of ``pods``, sorted."""
    found: set[FieldPath] = set()
    for pod in pods:
        fragments, status = plugin.sign_pod(pod)
        if not status.is_success:
            continue
        for fragment in fragments or ():
            found.add((fragment.key, ()))
            inner: set[tuple[Step, ...]] = set()
            _walk(fragment.value, (), inner)
            found.update((fragment.key, steps) for steps in inner)
    return sorted(found, key=describe_field)


def describe_field(field: FieldPath) -> str:
    """``v1.Pod.Spec.Tolerations[].effect``-style name of a field path."""
    key, steps = field
    text = key
    for step in steps:
        if step[0] == "key":
            text += f".{step[1]}"
        elif step[0] == "each":
            text += "[]"
        elif step[0] == "pos":
            text += f"<{step[1]}>"
        else:
            text += "{json}"
    return text


def _drop(value: Any, steps: tuple[Step, ...]) -> Any:
    """``value`` with the field at ``steps`` removed wherever it occurs."""
    head, rest = steps[0], steps[1:]
    if head[0] == "key":
        if not isinstance(value, dict) or head[1] not in value:
            return value
        if not rest:
            return {k: v for k, v in value.items() if k != head[1]}
        return {**value, head[1]: _drop(value[head[1]], rest)}
    if head[0] == "each":
        if not isinstance(value, list):
            return value
        if rest and rest[0][0] == "pos":
            position, after = rest[0][1], rest[1:]
            return [
                (item[:position] + item[position + 1 :]) if not after else _replace_at(item, position, after)
                for item in value
                if isinstance(item, list)
            ]
        return [_drop(item, rest) if rest else item for item in value]
    if head[0] == "json":
        document = _decoded(value) if isinstance(value, str) else None
        if document is None:
            return value
        return canonical_json(_drop(document, rest))
    return value


def _replace_at(item: list[Any], position: int, steps: tuple[Step, ...]) -> list[Any]:
    if position >= len(item):
        return item
    return [*item[:position], _drop(item[position], steps), *item[position + 1 :]]


@dataclass(frozen=True, slots=True)
class DroppingSigner:
    """A plugin under test whose signer forgets one field; everything else is the real plugin."""

    subject: Any  # a PluginUnderTest
    field: FieldPath

    @property
    def title(self) -> str:
        """The plugin's label and the dropped field."""
        return f"{self.subject.title} without {describe_field(self.field)}"

    def build(self, signers: SignerMode, features: FeatureGates | None = None) -> Any:
        """The real plugin, wrapped so that ``sign_pod`` drops the field."""
        return _Dropping(self.subject.build(signers, features), self.field)


class _Dropping:
    """Delegates every extension point to the wrapped plugin except ``sign_pod``."""

    def __init__(self, inner: Any, field: FieldPath) -> None:
        self._inner = inner
        self._field = field
        self.name = inner.name

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def sign_pod(self, pod: Pod) -> tuple[tuple[SignFragment, ...] | None, Status]:
        fragments, status = self._inner.sign_pod(pod)
        if fragments is None:
            return fragments, status
        key, steps = self._field
        kept = []
        for fragment in fragments:
            if fragment.key != key:
                kept.append(fragment)
            elif steps:
                kept.append(SignFragment(key, _drop(fragment.value, steps)))
        return tuple(kept), status
