"""``batchproof check-plugin MODULE:OBJECT``: check an out-of-tree plugin's signature fragments.

Generated equal-signature pod pairs must get equal Filter and Score results from the plugin, and
with the plugin added to the profile batching must place pods where the reference does. Each
failure names the pod fields that differ, the results that differ and the fragment SignPod
would need. Exit 0 when the plugin passes, 1 when it fails, 2 on bad input.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

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
    parser.add_argument("plugin", metavar="MODULE:OBJECT", help="a PluginInfo, plugin class or instance")
    parser.add_argument("--args", help="plugin args as a JSON object")
    parser.add_argument("--weight", type=int, default=1, help="score weight in the profile (default 1)")
    add_common(parser, report=DEFAULT_CHECK_REPORT)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Check the plugin and print the verdict; exit 1 when it fails."""
    if args.budget is None and args.max_examples is None:
        args.budget = DEFAULT_CHECK_BUDGET
    plugin = PluginRef(args.plugin, parse_args_json(args.args) or {}, max(args.weight, 1))
    config = config_from(args, signers="strict", variant="renormalize", plugin=plugin)
    result = check_plugin(config, stream=sys.stderr if args.format == "text" else None)
    print(dumps(result.to_json()) if args.format == "json" else render_check(result))
    return 0 if result.passed else 1
