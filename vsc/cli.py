"""The `vsc` command line: every workflow rule calls one of these subcommands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from vsc.config import ConfigError

COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable]] = {}


def command(name: str, help: str):
    """Register ``fn(args)`` as a subcommand whose arguments ``setup(parser)`` declares."""
    def wrap(setup):
        def register(fn):
            COMMANDS[name] = (help, setup, fn)
            return fn
        return register
    return wrap


def _run_args(parser: argparse.ArgumentParser, family: bool = False, samples: bool = False
              ) -> None:
    parser.add_argument("--config", required=True, help="YAML preset, e.g. config/config.yaml")
    if family:
        parser.add_argument("--family", required=True, help="variational family name")
    if samples:
        parser.add_argument("--samples", "-J", type=int, required=True, help="samples J")
    parser.add_argument("--seed", type=int, required=True, help="seed of the run")
    parser.add_argument("--out", required=True, help="run folder to write (resumed if present)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


@command("linear", "train one linear variational sparse-coding run")
def _linear_args(p):
    _run_args(p, family=True, samples=True)


@_linear_args
def _linear(args) -> None:
    from vsc.config import load_config
    from vsc.linear import train_linear

    final = train_linear(load_config(args.config), args.family, args.samples, args.seed,
                         args.out, progress=not args.no_progress)
    _report(final)


@command("fista", "train the FISTA dictionary-learning baseline")
def _fista_args(p):
    _run_args(p)


@_fista_args
def _fista(args) -> None:
    from baselines.dictionary_learning import train_fista
    from vsc.config import load_config

    _report(train_fista(load_config(args.config), args.seed, args.out,
                        progress=not args.no_progress))


@command("sklearn", "fit scikit-learn's MiniBatchDictionaryLearning and score it")
def _sklearn_args(p):
    _run_args(p)


@_sklearn_args
def _sklearn(args) -> None:
    from baselines.sklearn_baseline import train_sklearn
    from vsc.config import load_config

    _report(train_sklearn(load_config(args.config), args.seed, args.out))


def _report(final: dict | None) -> None:
    if final:
        print(f"{final['method']} J={final['samples']} seed={final['seed']}: "
              f"status={final['status']} val_loss={final.get('val_loss')} "
              f"frac_nonzero={final.get('frac_nonzero')} wall={final['wall_seconds']:.1f}s")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vsc", description="Variational sparse coding with learned thresholding: "
        "training runs, baselines, aggregation and figures.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_text, setup, fn) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        setup(p)
        p.set_defaults(func=fn)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from vsc.data.images import DataError

    try:
        args.func(args)
    except (ConfigError, DataError, ValueError, FileNotFoundError) as err:
        print(f"vsc {args.command}: error: {err}", file=sys.stderr)
        return 2
    return 0
