"""Run ``batchproof`` with the campaign commands, whether or not main.py registers them yet."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from batchproof.model.errors import BatchproofError
from batchproof.properties.cli import campaign_cmd, check_plugin_cmd, replay_cmd
from batchproof.properties.cli import main as main_module

COMMANDS = {"campaign": campaign_cmd, "replay": replay_cmd, "check-plugin": check_plugin_cmd}


def parser() -> argparse.ArgumentParser:
    built = main_module.build_parser()
    sub = next(a for a in built._actions if isinstance(a, argparse._SubParsersAction))
    for name, module in COMMANDS.items():
        if name not in sub.choices:
            module.add_parser(sub)
    return built


def run(argv: Sequence[str], *, plots: bool = False) -> int:
    """``main()`` with the campaign commands registered; campaigns skip their plots unless ``plots``."""
    argv = list(argv)
    if argv[:1] == ["campaign"] and not plots:
        argv.append("--no-plots")  # matplotlib costs a second per campaign; test_html_report draws them
    try:
        args = parser().parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        return int(args.run(args))
    except BatchproofError as error:
        print(f"batchproof: error: {error}", file=sys.stderr)
        return main_module.EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
