"""``batchproof`` entry point: subcommands, exit codes (0 ok, 1 finding or internal error, 2 bad input)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from batchproof.model.errors import BatchproofError
from batchproof.properties.cli import (
    campaign_cmd,
    check_plugin_cmd,
    compare_cmd,
    eval_cmd,
    prove_cmd,
    replay_cmd,
    schedule_cmd,
    upstream_cmd,
)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2

Command = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line with exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"batchproof: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser."""
    parser = _Parser(prog="batchproof", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    eval_cmd.add_parser(sub)
    schedule_cmd.add_parser(sub)
    prove_cmd.add_parser(sub)
    campaign_cmd.add_parser(sub)
    replay_cmd.add_parser(sub)
    check_plugin_cmd.add_parser(sub)
    upstream_cmd.add_parser(sub)
    compare_cmd.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a subcommand; never lets a traceback reach the user."""
    parser = build_parser()
    args = parser.parse_args(argv)
    command: Command = args.run
    try:
        return command(args)
    except BatchproofError as error:
        print(f"batchproof: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # Output into a closed pipe (e.g. `| head`): stop quietly; point stdout at devnull so the
        # interpreter's final flush does not complain either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("batchproof: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # an internal bug: one line, exit 1
        print(f"batchproof: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
