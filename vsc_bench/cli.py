"""The `vsc` command line: every workflow rule calls one of these subcommands."""

from __future__ import annotations

import argparse
import os
import sys
import typing
from collections.abc import Callable, Sequence

from vsc.allocator import keep_freed_memory
from vsc.config import Config, ConfigError

COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable]] = {}


def command(name: str, help: str, setup: Callable[[argparse.ArgumentParser], None]):
    """Register the decorated ``fn(args)`` as subcommand ``name``; ``setup`` adds its
    arguments to the subcommand's parser."""
    def register(fn):
        COMMANDS[name] = (help, setup, fn)
        return fn
    return register


def at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: an integer no smaller than ``minimum``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {value}")
        return value
    parse.__name__ = "integer"  # argparse names the type in its message
    return parse


def config_args(parser: argparse.ArgumentParser) -> None:
    """--config and its --set overrides (every training command)."""
    parser.add_argument("--config", required=True, help="YAML preset, e.g. config/config.yaml")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        dest="overrides", help="override one config key for this run, e.g. "
                        "--set linear.estimator=avg (dotted key, YAML value; repeatable; "
                        "recorded in the run's config.json)")


def run_args(family: bool = False, samples: bool = False):
    """Arguments shared by the training commands. Output flags, in every command: --run is a
    run folder, --out a file, --out-dir a folder of several files, --figure a figure stem,
    --figure-dir a folder of figures."""
    def setup(parser: argparse.ArgumentParser) -> None:
        config_args(parser)
        if family:
            parser.add_argument("--family", required=True, help="variational family name")
        if samples:
            parser.add_argument("--samples", "-J", type=at_least(1), required=True,
                                help="samples J")
        parser.add_argument("--seed", type=at_least(0), required=True, help="seed of the run")
        parser.add_argument("--run", required=True,
                            help="run folder to write (resumed if interrupted)")
        parser.add_argument("--no-progress", action="store_true", help="no per-epoch lines")
        parser.add_argument("--replace-stale", action="store_true",
                            help="if --run holds a run made with a different config, delete its "
                            "run files and start again (default: stop with an error)")
    return setup


def _load(args) -> Config:
    """The preset of --config with the --set overrides applied."""
    from vsc.config import load_config, with_overrides

    return with_overrides(load_config(args.config), args.overrides)


def _train(train: Callable, args, *positional) -> None:
    """Load the config, run ``train`` (every trainer has this signature) and print a one-line
    summary of final.json."""
    _print_summary(train(_load(args), *positional, args.seed, args.run,
                         progress=not args.no_progress, replace_stale=args.replace_stale))


def _print_summary(final: dict) -> None:
    """One line per trained run: its identity and what final.json says."""
    scores = " ".join(f"{k}={final[k]}" for k in ("val_loss", "mse_per_pixel") if k in final)
    print(f"{final['method']} J={final['J']} seed={final['seed']}: "
          f"status={final['status']} {scores} "
          f"frac_nonzero={final.get('frac_nonzero')} wall={final['wall_seconds']:.1f}s")


@command("linear", "train one linear variational sparse-coding run",
         run_args(family=True, samples=True))
def _linear(args) -> None:
    from vsc.linear import train_linear

    _train(train_linear, args, args.family, args.samples)


def _bundle_args(p: argparse.ArgumentParser) -> None:
    config_args(p)
    p.add_argument("--samples", "-J", type=at_least(1), required=True, help="samples J")
    p.add_argument("--run", nargs=3, action="append", required=True,
                   metavar=("FAMILY", "SEED", "DIR"),
                   help="one run of the bundle: its family, seed and run folder (repeat)")
    p.add_argument("--no-progress", action="store_true", help="no per-epoch lines")
    p.add_argument("--replace-stale", action="store_true", help="as for vsc linear")


@command("linear-bundle", "train several linear runs at one J together (one stacked "
         "computation, each run in its own folder)", _bundle_args)
def _linear_bundle(args) -> None:
    from vsc.linear import train_linear_bundle

    runs = []
    for family, seed, out in args.run:
        try:
            runs.append((family, at_least(0)(seed), out))
        except argparse.ArgumentTypeError as err:
            raise ConfigError(f"--run {family} {seed} {out}: the seed {err}") from None
    finals = train_linear_bundle(_load(args), args.samples, runs, progress=not args.no_progress,
                                 replace_stale=args.replace_stale)
    for final in finals:
        _print_summary(final)


@command("dnn", "train one DNN-generator run (stand-in images or CelebA)",
         run_args(family=True, samples=True))
def _dnn(args) -> None:
    from vsc.dnn import train_dnn

    _train(train_dnn, args, args.family, args.samples)


def _recover_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--run", required=True, help="a finished DNN run folder (its own "
                   "config.json says how it was made)")
    p.add_argument("--out-dir", required=True,
                   help="folder for recovered.npy and recovered.json")
    p.add_argument("--center", action="store_true",
                   help="subtract mean image and code before the fit (the paper does not)")


@command("recover", "fit a linear dictionary to a DNN run's codes (and score it on the "
         "stand-in)", _recover_args)
def _recover(args) -> None:
    from vsc.recovery import recover

    result = recover(args.run, args.out_dir, center=args.center)
    print({k: v for k, v in result.items() if k not in ("dataset", "preset")})


@command("fista", "train the FISTA dictionary-learning baseline", run_args())
def _fista(args) -> None:
    from baselines.dictionary_learning import train_fista

    _train(train_fista, args)


@command("sklearn", "fit scikit-learn's MiniBatchDictionaryLearning and score it",
         run_args())
def _sklearn(args) -> None:
    from baselines.sklearn_baseline import train_sklearn

    _train(train_sklearn, args)


def _patches_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", required=True, help="YAML preset")
    p.add_argument("--out", required=True, help="manifest JSON to write")


@command("patches", "extract (or find in the cache) the patch set of a config", _patches_args)
def _patches(args) -> None:
    from vsc.config import load_config
    from vsc.data.patches import load_patches
    from vsc.io import write_json

    patches = load_patches(load_config(args.config).data)
    write_json(args.out, {**patches.meta, "n_train": len(patches.train),
                          "n_val": len(patches.val), "n_pixels": patches.train.shape[1]})
    print(f"{patches.dataset}: {len(patches.train)} training and {len(patches.val)} "
          f"validation patches of {patches.train.shape[1]} pixels")


@command("celeba", "check that CelebA is where data.celeba.root says and readable; write what "
         "was found", _patches_args)
def _celeba(args) -> None:
    from vsc.config import load_config
    from vsc.data.celeba import check_celeba
    from vsc.io import write_json

    found = check_celeba(load_config(args.config).data.celeba)
    write_json(args.out, found)
    print(f"{found['dataset']} at {found['images_from']}: {found['image_width']}x"
          f"{found['image_height']} images, crop {found['crop']}, {found['n_train']} training "
          f"and {found['n_test']} test images")


def _dnn_baselines_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", required=True, help="YAML preset")
    p.add_argument("--out", required=True, help="JSON to write (e.g. results/dnn_baselines.json)")


@command("dnn-baselines", "MSE of the mean training image and of PCA with dnn.latents "
         "components on the DNN experiment's test images", _dnn_baselines_args)
def _dnn_baselines(args) -> None:
    from vsc.config import load_config
    from vsc.dnn import image_set
    from vsc.image_baselines import image_baselines
    from vsc.io import write_json

    config = load_config(args.config)
    found = image_baselines(config, image_set(config))
    write_json(args.out, found)
    print(f"{found['dataset']}: mean image {found['mean_image_mse']:.4f}, PCA with "
          f"{found['pca_components']} components {found['pca_mse']:.4f} (MSE per pixel on "
          f"{found['n_test']} test images)")


def _download_args(p: argparse.ArgumentParser) -> None:
    from vsc.config import IMAGES_MAT_CHECKSUM, IMAGES_MAT_URL

    p.add_argument("--url", default=IMAGES_MAT_URL, help="where to download from")
    p.add_argument("--checksum", default=IMAGES_MAT_CHECKSUM,
                   help="'<algorithm>:<hex digest>' the file must have (default: %(default)s)")
    p.add_argument("--out", required=True, help="destination, e.g. resources/IMAGES.mat")


@command("download-images", "download Olshausen's IMAGES.mat and verify it", _download_args)
def _download(args) -> None:
    from vsc.data.download import download_images_mat

    print(f"saved and verified {download_images_mat(args.url, args.out, args.checksum)}")


def _recovered_figure_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--recovered", nargs="+", required=True, help="folders of vsc recover")
    p.add_argument("--figure", required=True, help="figure path without extension")
    p.add_argument("--layout", choices=["top_random", "rank_strata"], default="top_random",
                   help="top_random: the paper's figure; rank_strata: the reference notebook's")


@command("recovered-figure", "recovered dictionaries side by side", _recovered_figure_args)
def _recovered_figure(args) -> None:
    from vsc import plots
    from vsc.recovery import recovered_panels

    panels, provenance = recovered_panels(args.recovered)
    print(plots.plot_recovered(panels, provenance, args.figure, layout=args.layout))


def _summary_args(p: argparse.ArgumentParser) -> None:
    from vsc.summaries import BY_NAME

    p.epilog = "inputs by summary: " + "; ".join(
        f"{s.name}: " + ", ".join(f"{i.role} ({i.source})" for i in s.inputs)
        for s in BY_NAME.values())
    p.add_argument("name", choices=list(BY_NAME), metavar="NAME",
                   help="which summary (vsc/summaries.py): " + ", ".join(BY_NAME))
    p.add_argument("--input", nargs="+", action="append", default=[], metavar=("ROLE", "PATH"),
                   help="what the summary reads under ROLE (its record's inputs; run folders "
                   "for runs, files otherwise); repeat per role")
    p.add_argument("--out-dir", help="where its tables go, e.g. results (if it writes any)")
    p.add_argument("--figure-dir", help="where its figures go, e.g. figures (if it draws any)")


@command("summary", "one summary of vsc/summaries.py: its tables and figures from run "
         "folders and analysis outputs", _summary_args)
def _summary(args) -> None:
    from pathlib import Path

    from vsc.summaries import BY_NAME, Job

    summary = BY_NAME[args.name]
    roles = [item.role for item in summary.inputs]
    inputs: dict[str, list[str]] = {}
    for role, *paths in args.input:
        if role not in roles:
            raise ConfigError(f"vsc summary {summary.name}: --input {role} is not one of its "
                              f"inputs ({', '.join(roles)})")
        inputs.setdefault(role, []).extend(paths)
    missing = [i.role for i in summary.inputs if not i.optional and not inputs.get(i.role)]
    if missing:
        raise ConfigError(f"vsc summary {summary.name} needs --input {missing[0]} PATH… "
                          f"({', '.join(f'{i.role} ({i.source})' for i in summary.inputs)})")
    for flag, folder, files in (("--out-dir", args.out_dir, summary.tables),
                                ("--figure-dir", args.figure_dir, summary.figures)):
        if files and not folder:
            raise ConfigError(f"vsc summary {summary.name} writes {', '.join(files)}: give "
                              f"{flag}")
    print(Job(summary, inputs, Path(args.out_dir or "."), Path(args.figure_dir or ".")).run())


def _report_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--table", help="table1.csv (without it: a report of the DNN experiment "
                   "alone, from the dnn_metrics summary and the DNN --runs)")
    p.add_argument("--runs", nargs="+", required=True, help="the run folders behind the table")
    p.add_argument("--summary", nargs=2, action="append", default=[], metavar=("NAME", "CSV"),
                   help="a summary's table whose section the report shows (vsc/summaries.py "
                   "names those with a section); repeat, optional")
    p.add_argument("--ordering-table", help="ordering.csv of the table1 summary: Kendall's tau "
                   "with its bootstrap interval (optional; without it tau has no interval)")
    p.add_argument("--config", help="the resolved config, named in the report (its notes are "
                   "printed in the summary)")
    p.add_argument("--out", required=True, help="Markdown file to write")


@command("report", "the reproduction report: ours next to the paper's, claims, ordering",
         _report_args)
def _report(args) -> None:
    import pandas as pd

    from vsc.aggregate import read_costs, read_finals
    from vsc.config import load_config
    from vsc.io import write_text
    from vsc.report import build_dnn_report, build_report
    from vsc.summaries import REPORTED

    reported = {s.name for s in REPORTED}
    sections = {}
    for name, path in args.summary:
        if name not in reported:
            raise ConfigError(f"vsc report: --summary {name} is not a summary with a report "
                              f"section (one of {', '.join(sorted(reported))})")
        sections[name] = pd.read_csv(path)
    notes = load_config(args.config).notes if args.config else ()
    if not args.table:
        if "dnn_metrics" not in sections:
            raise ConfigError("vsc report needs --table (Table 1) or --summary dnn_metrics CSV "
                              "(a report of the DNN experiment alone); give one")
        text = build_dnn_report(sections["dnn_metrics"], read_finals(args.runs),
                                args.config, notes=notes, costs=read_costs(args.runs))
    else:
        ordering = pd.read_csv(args.ordering_table) if args.ordering_table else None
        text = build_report(pd.read_csv(args.table), read_finals(args.runs), sections,
                            args.config, notes=notes, costs=read_costs(args.runs),
                            ordering=ordering)
    write_text(args.out, text)
    print(text)


def analysis_args(*options: tuple[str, str]):
    """Arguments of the commands that analyse one finished linear run: --run, --out and the
    given integer options (default: the run's own setting)."""
    def setup(p: argparse.ArgumentParser) -> None:
        p.add_argument("--run", required=True, help="a finished linear run folder (its own "
                       "config.json says how it was made)")
        for flag, help_text in options:
            p.add_argument(flag, type=at_least(1), help=f"{help_text} (default: the run's)")
        p.add_argument("--out", required=True, help="JSON file to write")
    return setup


def _analyse(args, analysis: Callable) -> None:
    """Run ``analysis(run)`` and write its result as JSON (lists left out of the printed
    summary)."""
    from vsc.io import write_json

    result = analysis(args.run)
    write_json(args.out, result)
    print({k: v for k, v in result.items() if not isinstance(v, list)})


@command("snr", "gradient signal-to-noise ratio of a trained linear run",
         analysis_args(("--passes", "stochastic passes per validation batch (snr.passes)"),
                       ("--batches", "validation batches analysed (snr.batches)")))
def _snr(args) -> None:
    from vsc.snr import run_snr

    _analyse(args, lambda run: run_snr(run, args.passes, args.batches))


@command("consistency", "support consistency (Jaccard) across the J samples of each input",
         analysis_args(("--inputs", "validation inputs (sampling.consistency_inputs)")))
def _consistency(args) -> None:
    from vsc.consistency import support_consistency

    _analyse(args, lambda run: support_consistency(run, args.inputs))


def _schema_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", help="file to write (default: standard output)")


@command("schema", "print the JSON schema of the config (workflow/schemas/ is generated)",
         _schema_args)
def _schema(args) -> None:
    import json

    from vsc.config import config_schema
    from vsc.io import write_text

    text = json.dumps(config_schema(), indent=2) + "\n"
    if args.out:
        write_text(args.out, text)
    else:
        print(text, end="")


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line usage error (exit status 2, like every other input error)."""

    def error(self, message: str) -> typing.NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="vsc", description="Variational sparse coding with learned thresholding: "
        "training runs, baselines, aggregation and figures.")
    parser.add_argument("--debug", action="store_true",
                        help=f"show the traceback behind an input error (or set {DEBUG_ENV}=1)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                parser_class=_Parser)
    for name, (help_text, setup, fn) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        setup(p)
        p.set_defaults(func=fn)
    return parser


def _compare_args(p: argparse.ArgumentParser) -> None:
    from vsc.compare import DEFAULT_TOLERANCE

    p.add_argument("ours", help="results folder (holds table1.csv), e.g. results")
    p.add_argument("reference", help="reference folder, e.g. results/reference/quick")
    p.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE,
                   help="relative change of a Table 1 value that fails the comparison "
                   "(default %(default)s)")


@command("compare", "every number two results folders share, and whether Table 1 moved "
         "beyond a tolerance (exit status 1 if it did)", _compare_args)
def _compare(args) -> int:
    from vsc.compare import compare_results, format_comparison

    result = compare_results(args.ours, args.reference, args.tolerance)
    print(format_comparison(result, args.tolerance), end="")
    return 0 if result.ok else 1


DEBUG_ENV = "VSC_DEBUG"  # set to 1 to see the traceback behind a one-line error


def one_line(err: BaseException) -> str:
    """An error's message on one line (an OSError keeps the file it names)."""
    text = str(err) or type(err).__name__
    return " ".join(text.split())


def _user_error(err: BaseException) -> str | None:
    """The one-line message for an error caused by input, None for a bug."""
    import torch

    from vsc.errors import UserError

    if isinstance(err, UserError):  # ours: a ValueError from a library or a bug is not input
        return one_line(err)
    if isinstance(err, OSError):  # from the OS (it names the file), or ours (says what to do)
        hint = "; check the path and its permissions" if err.filename is not None else ""
        return one_line(err) + hint
    if isinstance(err, MemoryError | torch.OutOfMemoryError):
        return ("out of memory; lower -J or the config's batch size (" + one_line(err)
                + ")")
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand. Bad input is one line on stderr and exit status 2 (the traceback
    with --debug or VSC_DEBUG=1); anything else is a bug and keeps its traceback."""
    args = build_parser().parse_args(argv)
    keep_freed_memory()
    try:
        status = args.func(args)
    except (Exception, MemoryError) as err:  # sorted into input / bug below
        message = _user_error(err)
        if message is None or args.debug or os.environ.get(DEBUG_ENV) == "1":
            raise
        print(f"vsc {args.command}: error: {message}", file=sys.stderr)
        return 2
    return status or 0
