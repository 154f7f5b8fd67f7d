"""``batchproof check-plugin MODULE:OBJECT``: check an out-of-tree plugin's signature fragments.

Generated equal-signature pod pairs must get equal Filter and Score results from the plugin, and
with the plugin added to the profile batching must place pods where the reference does. Each
failure names the pod fields that differ, the results that differ and the fragment SignPod
would need. Exit 0 when the plugin passes, 1 when it fails, 2 on bad input.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from typing import Any

from batchproof.model.errors import BatchproofError
from batchproof.properties.campaign.config import PluginRef
from batchproof.properties.campaign.plugin_check import check_plugin, render_check
from batchproof.properties.cli.campaign_cmd import add_common, config_from
from batchproof.properties.cli.inputs import parse_args_json
from batchproof.properties.cli.render import dumps

DEFAULT_CHECK_REPORT = ".batchproof/check-plugin"
DEFAULT_CHECK_BUDGET = 30.0


def add_parser(sub: Any) -> None:
    """Register the ``check-plugin`` subcommand."""
    parser = sub.add_parser("check-plugin", help="check an out-of-tree plugin's SignPod", description=__doc__)
    parser.add_argument("plugin", metavar="MODULE:OBJECT", nargs="?", help="a PluginInfo, plugin class or instance")
    parser.add_argument(
        "--go",
        metavar="DIR_OR_MODULE",
        help="a Go plugin's module directory, or module path[@version], checked as it is through the oracle",
    )
    parser.add_argument(
        "--factory", metavar="PKG.New", help="Go factory: import path and function (default MODULE.New)"
    )
    parser.add_argument("--name", help="Go plugin name (default: the package's `const Name`)")
    parser.add_argument("--keep-going", action="store_true", help="keep searching after the first confirmed gap")
    parser.add_argument("--args", help="plugin args as a JSON object")
    parser.add_argument("--weight", type=int, default=1, help="score weight in the profile (default 1)")
    add_common(parser, report=DEFAULT_CHECK_REPORT)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Check the plugin and print the verdict; exit 1 when it fails."""
    if args.budget is None and args.max_examples is None:
        args.budget = DEFAULT_CHECK_BUDGET
    if (args.go is None) == (args.plugin is None):
        raise BatchproofError(
            "check-plugin: give either MODULE:OBJECT (a Python plugin) or --go DIR_OR_MODULE (a Go plugin)"
        )
    if args.go is not None:
        return run_go(args)
    plugin = PluginRef(args.plugin, parse_args_json(args.args) or {}, max(args.weight, 1))
    config = replace(
        config_from(args, signers="strict", variant="renormalize", plugin=plugin), stop_at_first=not args.keep_going
    )
    result = check_plugin(config, stream=sys.stderr if args.format == "text" else None)
    print(dumps(result.to_json()) if args.format == "json" else render_check(result))
    return 0 if result.passed else 1


def run_go(args: argparse.Namespace) -> int:
    """Build the Go plugin into the oracle, check it and print the verdict."""
    from batchproof.properties.upstream.go_check import check_go_plugin, render_go_check  # noqa: PLC0415
    from batchproof.upstream.client import Oracle  # noqa: PLC0415
    from batchproof.upstream.goplugin import build_with_plugin, inspect  # noqa: PLC0415

    plugin = inspect(args.go, factory=args.factory, name=args.name)
    with Oracle(build_with_plugin(plugin)) as oracle:
        result = check_go_plugin(
            oracle,
            plugin,
            args=parse_args_json(args.args),
            examples=args.max_examples or 100_000,
            seed_value=args.seed,
            budget=None if args.max_examples else args.budget,
            keep_going=args.keep_going,
        )
    print(dumps(result.to_json()) if args.format == "json" else render_go_check(result))
    return 0 if result.passed else 1
