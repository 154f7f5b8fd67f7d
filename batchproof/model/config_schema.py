"""Strict decoding of KubeSchedulerConfiguration v1: unknown fields are errors with their path.

The field names are those of k8s.io/kube-scheduler/config/v1/types.go; upstream decodes the file
strictly (``strict decoding error: unknown field "..."``). Sections batchproof does not model
(leaderElection, clientConnection, extenders) and plugin args (each plugin decodes its own) are
not descended into.
"""

from __future__ import annotations

from batchproof.model.manifests.reader import Reader

POINTS = (
    "preEnqueue",
    "queueSort",
    "preFilter",
    "filter",
    "postFilter",
    "preScore",
    "score",
    "reserve",
    "permit",
    "preBind",
    "bind",
    "postBind",
    "multiPoint",
    "placementGenerate",
    "placementScore",
    "podGroupPostFilter",
)
TOP_LEVEL = (
    "apiVersion",
    "kind",
    "parallelism",
    "leaderElection",
    "clientConnection",
    "enableProfiling",
    "enableContentionProfiling",
    "percentageOfNodesToScore",
    "podInitialBackoffSeconds",
    "podMaxBackoffSeconds",
    "profiles",
    "extenders",
    "delayCacheUntilActive",
)
PROFILE = ("schedulerName", "percentageOfNodesToScore", "plugins", "pluginConfig")
PLUGIN_SET = ("enabled", "disabled")
PLUGIN = ("name", "weight")
PLUGIN_CONFIG = ("name", "args")


def check_known_fields(body: Reader) -> None:
    """Raise at the first field the v1 types do not have.

    Raises:
        ManifestError: a field is unknown; the message names its path as upstream does.

    """
    _only(body, TOP_LEVEL)
    for profile in body["profiles"].items():
        _only(profile.mapping(), PROFILE)
        plugins = profile["plugins"].mapping()
        _only(plugins, POINTS)
        for point in POINTS:
            section = plugins[point].mapping()
            _only(section, PLUGIN_SET)
            for part in PLUGIN_SET:
                for plugin in section[part].items():
                    _only(plugin.mapping(), PLUGIN)
        for entry in profile["pluginConfig"].items():
            _only(entry.mapping(), PLUGIN_CONFIG)


def _only(reader: Reader, known: tuple[str, ...]) -> None:
    for key in reader.value:
        if key not in known:
            child = reader.child(str(key))
            raise child.fail(f'strict decoding error: unknown field "{child.path}"')
