"""Command-line entry point: one module per subcommand under ``benchmark.commands``.

Every :class:`~benchmark.core.errors.UserError` becomes one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
from collections.abc import Sequence

from benchmark.core.errors import EXIT_USER_ERROR, UserError
from benchmark.core.version import __version__

COMMANDS = ("list", "run", "calibrate", "simulate", "fit", "score", "predict", "cache",
            "compare", "leaderboard", "validate", "submit", "physiology")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m benchmark",
                                  description="NeuroDepth: how deep is a neuron?")
    top.add_argument("--version", action="version", version=f"neurodepth {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"benchmark.commands.{name}")
        cmd = sub.add_parser(name, help=module.HELP, description=module.__doc__)
        module.add_arguments(cmd)
        cmd.set_defaults(handler=module.main)
    return top


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM (``kill``, a batch system's time limit) stops a run like Ctrl-C: queued work
    is cancelled, running shards finish or are discarded whole, and the store is kept."""
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _terminate)
    try:
        return int(args.handler(args) or 0)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("interrupted: finished work is kept; rerun the same command to resume",
              file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (``list | head``): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    finally:
        from benchmark.simulation import executors

        executors.close_clients()
