"""Every summary a workflow run writes, declared once: its name, what it reads, the tables
and figures it writes, its caption, its report section and the columns `vsc compare` joins
its table on. The workflow (one rule per record, rule all, local rules), the `vsc summary`
command, the reproduction report and `vsc compare` all loop over ``SUMMARIES``; a new
figure is one module (its ``make`` function) and one record here.

Plain Python (no torch, no matplotlib): the Snakefile imports it while building the DAG.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CONFIG = "config"  # an Input source: the resolved preset (results/config.yaml)


@dataclass(frozen=True)
class Input:
    """What a summary reads under the name ``role``. ``source`` is one of
    ``folders:<group>`` (run or recovery folders of a workflow group; the rule waits for
    ``files`` in each, the command gets the folders), ``files:<group>`` (analysis outputs of
    a workflow group), ``results:<file>`` (a file in the results folder, e.g. another
    summary's table) or ``config`` (the resolved preset). The workflow's groups are named in
    workflow/rules/grid.smk (GROUPS). ``optional``: the summary can be made without it."""

    role: str
    source: str
    files: tuple[str, ...] = ("final.json",)
    optional: bool = False

    @property
    def kind(self) -> str:
        return self.source.split(":", 1)[0]

    @property
    def target(self) -> str:
        return self.source.split(":", 1)[-1]


@dataclass(frozen=True)
class Summary:
    """One summary. ``make`` is "module:function", called as ``function(job: Job) -> str``
    (what to print); it writes every file of ``tables`` (into the results folder) and
    ``figures`` (stems, PNG and PDF each, into the figures folder). ``keys``: the columns
    that identify a row of the first table (compared by `vsc compare`; none: not compared).
    ``section`` / ``finding``: "module:function" giving the reproduction report's section
    (lines) and summary bullet (a line or None) from the first table. ``caption`` (reST) and
    ``category`` place its first table and its PNGs in Snakemake's HTML report."""

    name: str
    make: str
    inputs: tuple[Input, ...]
    caption: str
    category: str
    tables: tuple[str, ...] = ()
    figures: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    section: str | None = None
    finding: str | None = None

    @property
    def table(self) -> str | None:
        """The summary's own table (the first of ``tables``), if it writes one."""
        return self.tables[0] if self.tables else None

    @property
    def rule(self) -> str:
        """The workflow rule that makes it."""
        return f"{self.name}_summary"


def _runs(group: str, *files: str) -> Input:
    """Run folders of a workflow group, waiting for ``files`` in each (final.json)."""
    return Input("runs", f"folders:{group}", files or ("final.json",))


LINEAR, DNN, ANALYSES, GROUNDTRUTH = ("Figures", "DNN generator", "Analyses",
                                     "Ground-truth benchmark")

SUMMARIES: tuple[Summary, ...] = (
    Summary(
        name="table1", make="vsc.summarise:table1",
        inputs=(_runs("table1", "final.json", "metrics.csv", "val_losses.npz"),),
        tables=("table1.csv", "table1.md", "table1.tex", "linear_curves.csv", "ordering.csv"),
        keys=("method", "J"),
        category="Table 1",
        caption=('Table 1: mean validation loss (``1/2 ||x - A b||^2 + 20 ||b||_1``) per method '
                 "and J over seeds, next to the paper's value and our ratio to it. The ratio means "
                 "something only for IMAGES.mat at the paper's settings; elsewhere compare the "
                 'ordering of methods. The ``zero_code`` rows give what b = 0 scores on the same '
                 'validation patches; ``fista_val_loss_mean`` is exact inference (FISTA) on each '
                 "method's own dictionary, ``atom_norm_mean_mean`` its mean atom norm and "
                 '``lambda0`` the threshold each run used.')),
    Summary(
        name="dictionaries", make="vsc.summarise:dictionaries",
        inputs=(_runs("table1", "final.json", "dictionary.npy"), Input("config", CONFIG)),
        figures=("dictionaries",),
        category=LINEAR,
        caption=('The dictionary learned by each method (lowest seed), atoms sorted by norm, '
                 'largest first. Atoms are never renormalised, so their norm (in the panel titles) '
                 'grows during training.')),
    Summary(
        name="table1_plot", make="vsc.summarise:table1_plot",
        inputs=(Input("table", "results:table1.csv"),),
        figures=("table1",),
        category=LINEAR,
        caption=('Validation loss per method on a log scale, J = 1 and J = 20 side by side; '
                 "horizontal ticks mark the paper's values, grey crosses exact inference (FISTA) "
                 "on each method's own dictionary, and the dashed line the zero code (b = 0): a "
                 'method above it scores worse than reconstructing nothing.')),
    Summary(
        name="val_loss", make="vsc.summarise:val_loss",
        inputs=(Input("curves", "results:linear_curves.csv"),),
        figures=("val_loss",),
        category=LINEAR,
        caption=('Validation loss per epoch for every run, one panel per J.')),
    Summary(
        name="dictionary_learning", make="vsc.summarise:dictionary_learning",
        inputs=(Input("curves", "results:linear_curves.csv"),
                Input("table", "results:table1.csv")),
        figures=("dictionary_learning",),
        category=LINEAR,
        caption=('When the dictionaries form: for every run, the mean atom norm (left) and the '
                 "validation reconstruction error of the method's own codes, ``1/2 ||x - A b||^2`` "
                 '(right, log scale), against the training iteration. The dashed black line is the '
                 "zero code's error: a dictionary whose codes stay near it has not learned "
                 'anything yet. J = 1 solid, J = 20 dashed.')),
    Summary(
        name="snapshots", make="vsc.summarise:snapshots",
        inputs=(_runs("snapshot_runs", "final.json", "snapshots.npz"),),
        figures=("snapshots",),
        category=LINEAR,
        caption=("The thresholded Laplacian's (J = 1) and FISTA's dictionaries at a few iterations "
                 'of training, from their random unit-norm start to the end of the run, atoms '
                 'sorted by norm: the iteration at which oriented, localised atoms appear is the '
                 'one to read off.')),
    Summary(
        name="dnn_metrics", make="vsc.summarise:dnn_metrics",
        inputs=(_runs("dnn"), Input("recovered", "folders:recovered", ("recovered.json",)),
                Input("baselines", "results:dnn_baselines.json", optional=True)),
        tables=("dnn_metrics.csv",),
        keys=("method", "latents", "target_sparsity", "J"),
        section="vsc.report:dnn_section",
        category=DNN,
        caption=('DNN generator: per-pixel MSE of the max-ELBO reconstruction (J = 20) on test '
                 'images per method, fraction of non-zero codes, and, on the stand-in data, how '
                 'many ground-truth atoms the recovered linear dictionary matches (absolute cosine '
                 'above 0.9, one-to-one). The last two rows are baselines on the same test images: '
                 'the mean training image (no code) and PCA with as many components as the code '
                 "has latents. The paper's CelebA values are comparable only for CelebA at 512 "
                 'latents.')),
    Summary(
        name="recovered_dictionaries", make="vsc.summarise:recovered_dictionaries",
        inputs=(Input("recovered", "folders:recovered_figure",
                      ("recovered.npy", "recovered.json")),),
        figures=("recovered_dictionaries",),
        category=DNN,
        caption=('Linear dictionaries recovered from DNN codes by least squares (A = C_sr '
                 'pinv(C_rr)); first row the atoms of largest norm, bottom row random atoms.')),
    Summary(
        name="snr", make="vsc.summarise:snr",
        inputs=(Input("analyses", "files:snr"),),
        tables=("snr.csv",),
        figures=("snr",),
        keys=("method", "J", "seed"),
        section="vsc.report:snr_section",
        category=ANALYSES,
        caption=('Gradient signal-to-noise ratio (absolute mean over standard deviation per '
                 'parameter element over stochastic passes, averaged) of the encoder and the '
                 "dictionary for trained runs at J = 1 and J = 20, with the paper's encoder values "
                 "marked. The reference's dictionary values are dominated by a 1e-9 epsilon and "
                 'are not comparable in size (see vsc/snr.py).')),
    Summary(
        name="sampling", make="vsc.summarise:sampling",
        inputs=(_runs("sampling"), Input("consistency", "files:consistency")),
        tables=("sampling.csv",),
        figures=("sampling",),
        keys=("method", "estimator", "J", "seed"),
        section="vsc.report:sampling_section",
        category=ANALYSES,
        caption=('Sampling studies: validation loss against the number of samples J (max '
                 'selection), and the support consistency across the J samples of one input (mean '
                 'pairwise Jaccard index, self-pairs excluded) for the thresholded Laplacian '
                 'trained with max against avg selection.')),
    Summary(
        name="dnn_sweep", make="vsc.summarise:dnn_sweep",
        inputs=(_runs("dnn_sweep"), Input("config", CONFIG)),
        tables=("dnn_sweep.csv",),
        figures=("dnn_sweep",),
        keys=("sweep", "method", "latents", "target_sparsity", "J"),
        section="vsc.report:sweep_section",
        category=DNN,
        caption=('DNN generator sweeps: per-pixel MSE of the max-ELBO reconstruction (J = 20) and '
                 'the multi-information of the codes, against the code size (at the main target '
                 'sparsity) and against the target sparsity (at the main code size; lambda0 and '
                 'the spike-and-slab prior both follow it). Families whose codes ignore the target '
                 'sparsity (Gaussian) appear as a dashed level from their main-setting run. The '
                 "paper's CelebA values exist only at 512 latents and 10% sparsity and are marked "
                 'there.')),
    Summary(
        name="groundtruth", make="vsc.summarise:groundtruth",
        inputs=(_runs("groundtruth"),),
        tables=("groundtruth.csv",),
        figures=("groundtruth",),
        keys=("method", "J", "seed"),
        section="vsc.report:groundtruth_section",
        finding="vsc.report:groundtruth_finding",
        category=GROUNDTRUTH,
        caption=('Ground-truth benchmark: every method learns a dictionary from synthetic patches '
                 'generated by a known one (unit-norm Gabor-like atoms, a fixed number of '
                 'Laplacian-amplitude coefficients per patch, Gaussian noise at a chosen SNR; see '
                 'data.synthetic). Recovered fraction: true atoms matched one-to-one (Hungarian '
                 'assignment on absolute cosine) with absolute cosine above 0.9. Support precision '
                 "and recall compare the non-zeros of each method's validation codes with the true "
                 'supports, through the same assignment.')),
)
BY_NAME: dict[str, Summary] = {summary.name: summary for summary in SUMMARIES}
# the reproduction report's sections: summaries with a table and a section, in this order
REPORTED: tuple[Summary, ...] = tuple(s for s in SUMMARIES if s.section)
COMPARED: dict[str, tuple[str, ...]] = {s.table: s.keys for s in SUMMARIES if s.keys}


def function(spec: str) -> Callable:
    """The function a "module:function" spec names (imported on first use)."""
    module, name = spec.split(":")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class Job:
    """One summary to make: its record, its inputs by role (run folders, files, a config
    path) and where its tables and figures go."""

    summary: Summary
    inputs: dict[str, list[str]]
    results_dir: Path
    figures_dir: Path

    def paths(self, role: str) -> list[str]:
        """Every path given for ``role`` (empty if none)."""
        return self.inputs.get(role, [])

    def path(self, role: str) -> str | None:
        """The one path given for ``role`` (None if none)."""
        paths = self.paths(role)
        return paths[0] if paths else None

    def table(self, name: str | None = None) -> Path:
        """Where the table ``name`` (default: the summary's own) is written."""
        return self.results_dir / (name or self.summary.table)

    def figure(self, stem: str | None = None) -> Path:
        """The figure path without extension (default: the summary's first figure)."""
        return self.figures_dir / (stem or self.summary.figures[0])

    def run(self) -> str:
        return function(self.summary.make)(self)
