"""Load ``KubeSchedulerConfiguration`` (kubescheduler.config.k8s.io/v1) files into profiles.

Plugins are merged onto upstream's default MultiPoint set as the v1 defaulting does
(pkg/scheduler/apis/config/v1/defaults.go): ``multiPoint.enabled`` adds or re-weights,
``disabled`` (with ``*`` for all defaults) removes, per-point ``enabled`` adds at that point.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from batchproof.model.config_schema import check_known_fields
from batchproof.model.errors import ManifestError
from batchproof.model.frozen import FrozenDict
from batchproof.model.manifests.load import read_documents
from batchproof.model.manifests.reader import Reader
from batchproof.model.objects import DEFAULT_SCHEDULER_NAME
from batchproof.model.plugins.registry import DEFAULT_REGISTRY, NON_SCHEDULING_PLUGINS
from batchproof.model.profiles import DEFAULT_MULTI_POINT, POINTS, PluginSpec, Profile

API_VERSION = "kubescheduler.config.k8s.io/v1"


def _spec(reader: Reader) -> PluginSpec:
    body = reader.mapping()
    name = body["name"].string()
    if not name:
        raise body["name"].fail("a plugin needs a name")
    # No rule on the weight: kube-scheduler's config validation has none, and the framework's
    # getValidScoreWeights only turns 0 into 1 (pkg/scheduler/framework/runtime/framework.go), so a
    # negative weight subtracts the plugin's score, as upstream.
    return PluginSpec(name, body["weight"].integer())


def _names(reader: Reader) -> frozenset[str]:
    return frozenset(_spec(item).name for item in reader.items())


def profile_from(reader: Reader, *, percentage: int | None) -> Profile:
    """One entry of ``profiles``."""
    body = reader.mapping()
    plugins = body["plugins"].mapping()
    multi = plugins["multiPoint"].mapping()
    disabled_multi = _names(multi["disabled"])
    multi_point = [] if "*" in disabled_multi else [s for s in DEFAULT_MULTI_POINT if s.name not in disabled_multi]
    for spec in multi["enabled"].list_of(_spec):
        existing = [i for i, s in enumerate(multi_point) if s.name == spec.name]
        if existing:
            multi_point[existing[0]] = spec
        else:
            multi_point.append(spec)
    enabled: dict[str, tuple[PluginSpec, ...]] = {}
    disabled: dict[str, frozenset[str]] = {}
    for point in POINTS:
        section = plugins[point].mapping()
        if section["enabled"].present:
            enabled[point] = section["enabled"].list_of(_spec)
        if section["disabled"].present:
            disabled[point] = _names(section["disabled"])
    args: dict[str, Any] = {}
    for item in body["pluginConfig"].items():
        entry = item.mapping()
        name = entry["name"].string()
        # validation.go validatePluginConfig: a name twice is a Duplicate; a name no enabled plugin
        # has (even "") is ignored, as the framework does.
        if name in args:
            raise item.fail(f'Duplicate value: "{name}"')
        raw_args = entry["args"].mapping().value
        args[name] = {k: v for k, v in raw_args.items() if k not in ("apiVersion", "kind")}
    own = body["percentageOfNodesToScore"].optional_integer()
    value = own if own is not None else percentage
    if value is not None and not 0 <= value <= 100:
        raise body["percentageOfNodesToScore"].fail(f"must be between 0 and 100, got {value}")
    return Profile(
        scheduler_name=body["schedulerName"].string(DEFAULT_SCHEDULER_NAME),
        multi_point=tuple(multi_point),
        enabled=FrozenDict(enabled),
        disabled=FrozenDict(disabled),
        plugin_args=FrozenDict(args),
        percentage_of_nodes_to_score=value,
    )


def load_config(path: str | Path, *, out_of_tree: Iterable[str] = ()) -> list[Profile]:
    """Every profile of a KubeSchedulerConfiguration file (a default profile when none is listed).

    ``out_of_tree`` names plugins loaded beside the in-tree ones (``check-plugin``'s plugin).

    Raises:
        ManifestError: the file is malformed; the message names the document and field.
        ManifestError: a profile names a plugin batchproof does not have (the field is named too).

    """
    documents = read_documents(path)
    if len(documents) != 1:
        raise ManifestError(
            str(path), None, "", f"expected one KubeSchedulerConfiguration document, got {len(documents)}"
        )
    body = Reader(documents[0], str(path), 1, "").mapping()
    if body["kind"].string() != "KubeSchedulerConfiguration":
        raise body["kind"].fail(f"expected KubeSchedulerConfiguration, got {body['kind'].value!r}")
    if body["apiVersion"].string() != API_VERSION:
        raise body["apiVersion"].fail(f"expected {API_VERSION}, got {body['apiVersion'].value!r}")
    check_known_fields(body)
    percentage = body["percentageOfNodesToScore"].optional_integer()
    profiles = body["profiles"].list_of(lambda r: profile_from(r, percentage=percentage))
    if not profiles:
        profiles = (profile_from(Reader({}, str(path), 1, "profiles[0]"), percentage=percentage),)
    has_extenders = bool(body["extenders"].value)
    names = [p.scheduler_name for p in profiles]
    if len(set(names)) != len(names):
        raise body["profiles"].fail(f"duplicate schedulerName among {names}")
    if has_extenders:
        profiles = tuple(replace(p, has_extenders=True) for p in profiles)
    for index, profile in enumerate(profiles):
        _check_plugin_names(body["profiles"].child(index), profile, str(path), frozenset(out_of_tree))
    return list(profiles)


def _check_plugin_names(reader: Reader, profile: Profile, path: str, out_of_tree: frozenset[str]) -> None:
    """An unknown plugin at any extension point is an error naming the file, profile and field.

    Upstream fails scheduler start-up the same way (runtime/framework.go: "plugin %q does not exist").
    """
    known = {*DEFAULT_REGISTRY.names(), *NON_SCHEDULING_PLUGINS, *out_of_tree}
    plugins = reader.mapping()["plugins"].mapping()
    for point in ("multiPoint", *POINTS):
        for item in plugins[point].mapping()["enabled"].items():
            field = item.mapping()["name"]
            if field.string() not in known:
                raise field.fail(
                    f"profile {profile.scheduler_name!r}: plugin {field.string()!r} does not exist in batchproof "
                    "(an out-of-tree plugin: check it with `batchproof check-plugin MODULE:OBJECT --config "
                    f"{path}`, which loads it)"
                )
