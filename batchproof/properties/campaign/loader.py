"""Load an out-of-tree plugin named ``MODULE:OBJECT`` and register it for a run.

``OBJECT`` may be a :class:`~batchproof.model.plugins.registry.PluginInfo`, a plugin class
(constructed with no arguments, with ``args``, or with ``args, context``, whichever its
``__init__`` takes) or a plugin instance. The working directory is importable, as for pytest,
so ``examples.plugins.good:PLUGIN`` works from a checkout.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from batchproof.model.errors import BatchproofError
from batchproof.model.framework.interfaces import EXTENSION_POINTS, PluginContext
from batchproof.model.plugins.registry import DEFAULT_REGISTRY, PluginInfo, Registry


class PluginLoadError(BatchproofError):
    """``MODULE:OBJECT`` does not name a usable plugin."""


@dataclass(frozen=True, slots=True)
class LoadedPlugin:
    """The plugin's registry entry and the extension points it implements."""

    ref: str
    info: PluginInfo
    points: tuple[str, ...]


def _import(ref: str) -> Any:
    module_name, sep, attribute = ref.partition(":")
    if not sep or not module_name or not attribute:
        raise PluginLoadError(f"plugin {ref!r}: expected MODULE:OBJECT, e.g. examples.plugins.good:PLUGIN")
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise PluginLoadError(f"plugin {ref!r}: cannot import module {module_name!r}: {error}") from None
    except Exception as error:
        raise PluginLoadError(
            f"plugin {ref!r}: importing {module_name!r} raised {type(error).__name__}: {error}"
        ) from None
    value = module
    for part in attribute.split("."):
        if not hasattr(value, part):
            raise PluginLoadError(f"plugin {ref!r}: module {module_name!r} has no attribute {attribute!r}")
        value = getattr(value, part)
    return value


def _construct(cls: type, args: Mapping[str, Any], context: PluginContext) -> Any:
    try:
        parameters = [
            p
            for p in inspect.signature(cls).parameters.values()
            if p.default is inspect.Parameter.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        parameters = []
    if len(parameters) >= 2:
        return cls(args, context)
    if len(parameters) == 1:
        return cls(args)
    return cls()


def _info(ref: str, value: Any) -> PluginInfo:
    if isinstance(value, PluginInfo):
        return value
    if inspect.isclass(value):
        name = getattr(value, "name", None) or value.__name__
        return PluginInfo(str(name), lambda args, context: _construct(value, args, context))
    if isinstance(getattr(value, "name", None), str):
        return PluginInfo(value.name, lambda args, context: value)
    raise PluginLoadError(
        f"plugin {ref!r}: {type(value).__name__} is not a plugin (expected a PluginInfo, a class or an instance with "
        "a name)"
    )


def plugin_info(ref: str) -> PluginInfo:
    """The registry entry ``MODULE:OBJECT`` names (imported, not built).

    Raises:
        PluginLoadError: the reference, the import or the object is not usable.

    """
    return _info(ref, _import(ref))


def load_plugin(ref: str, args: Mapping[str, Any] | None = None) -> LoadedPlugin:
    """Import and check ``MODULE:OBJECT``; builds it once to learn its extension points.

    Raises:
        PluginLoadError: the reference, the import or the object is not usable.

    """
    info = plugin_info(ref)
    try:
        plugin = Registry({info.name: info}).create(info.name, dict(args or {}), PluginContext())
    except BatchproofError:
        raise
    except Exception as error:
        raise PluginLoadError(f"plugin {ref!r}: building it raised {type(error).__name__}: {error}") from None
    if not isinstance(getattr(plugin, "name", None), str):
        raise PluginLoadError(f"plugin {ref!r}: the plugin object has no string attribute 'name'")
    points = tuple(p for p in EXTENSION_POINTS if callable(getattr(plugin, p, None)))
    if not set(points) & {"pre_filter", "filter", "pre_score", "score"}:
        raise PluginLoadError(f"plugin {ref!r}: {plugin.name} implements no PreFilter, Filter, PreScore or Score")
    return LoadedPlugin(ref, info, points)


@contextmanager
def registered(info: PluginInfo, registry: Registry = DEFAULT_REGISTRY) -> Iterator[None]:
    """Make ``info`` available to profiles built with the default registry for the duration.

    The lockstep harness builds profiles with the default registry, so an out-of-tree plugin is
    registered there while it is checked, and whatever held its name before is put back.
    """
    extra: dict[str, PluginInfo] = getattr(registry, "_extra", {})
    before = extra.get(info.name)
    registry.register(info)
    try:
        yield
    finally:
        if before is None:
            extra.pop(info.name, None)
        else:
            extra[info.name] = before
