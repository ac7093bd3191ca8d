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
    workflow/rules/grid.smk (GROUPS)."""

    role: str
    source: str
    files: tuple[str, ...] = ("final.json",)

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
    (lines) and summary bullet (a line or None) from the first table."""

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
    return Input("runs", f"folders:{group}", files or ("final.json",))


LINEAR, DNN, ANALYSES, GROUNDTRUTH = "Figures", "DNN generator", "Analyses", \
    "Ground-truth benchmark"

SUMMARIES: tuple[Summary, ...] = (
    Summary("table1", "vsc.summarise:table1",
            (_runs("table1", "final.json", "metrics.csv", "val_losses.npz"),),
            "table1.rst", "Table 1",
            tables=("table1.csv", "table1.md", "table1.tex", "linear_curves.csv",
                    "ordering.csv"),
            keys=("method", "J")),
    Summary("dictionaries", "vsc.summarise:dictionaries",
            (_runs("table1", "final.json", "dictionary.npy"), Input("config", CONFIG)),
            "dictionaries.rst", LINEAR, figures=("dictionaries",)),
    Summary("table1_plot", "vsc.summarise:table1_plot",
            (Input("table", "results:table1.csv"),),
            "table1_plot.rst", LINEAR, figures=("table1",)),
    Summary("val_loss", "vsc.summarise:val_loss",
            (Input("curves", "results:linear_curves.csv"),),
            "val_loss.rst", LINEAR, figures=("val_loss",)),
    Summary("dictionary_learning", "vsc.summarise:dictionary_learning",
            (Input("curves", "results:linear_curves.csv"), Input("table", "results:table1.csv")),
            "dictionary_learning.rst", LINEAR, figures=("dictionary_learning",)),
    Summary("snapshots", "vsc.summarise:snapshots",
            (_runs("snapshot_runs", "final.json", "snapshots.npz"),),
            "snapshots.rst", LINEAR, figures=("snapshots",)),
    Summary("dnn_metrics", "vsc.summarise:dnn_metrics",
            (_runs("dnn"), Input("recovered", "folders:recovered", ("recovered.json",)),
             Input("baselines", "results:dnn_baselines.json")),
            "dnn_metrics.rst", DNN, tables=("dnn_metrics.csv",),
            keys=("method", "latents", "target_sparsity", "J"),
            section="vsc.report:dnn_section"),
    Summary("recovered_dictionaries", "vsc.summarise:recovered_dictionaries",
            (Input("recovered", "folders:recovered_figure", ("recovered.npy", "recovered.json")),),
            "recovered_dictionaries.rst", DNN, figures=("recovered_dictionaries",)),
    Summary("snr", "vsc.summarise:snr", (Input("analyses", "files:snr"),),
            "snr.rst", ANALYSES, tables=("snr.csv",), figures=("snr",),
            keys=("method", "J", "seed"), section="vsc.report:snr_section"),
    Summary("sampling", "vsc.summarise:sampling",
            (_runs("sampling"), Input("consistency", "files:consistency")),
            "sampling.rst", ANALYSES, tables=("sampling.csv",), figures=("sampling",),
            keys=("method", "estimator", "J", "seed"), section="vsc.report:sampling_section"),
    Summary("dnn_sweep", "vsc.summarise:dnn_sweep", (_runs("dnn_sweep"), Input("config", CONFIG)),
            "dnn_sweep.rst", DNN, tables=("dnn_sweep.csv",), figures=("dnn_sweep",),
            keys=("sweep", "method", "latents", "target_sparsity", "J"),
            section="vsc.report:sweep_section"),
    Summary("groundtruth", "vsc.summarise:groundtruth", (_runs("groundtruth"),),
            "groundtruth.rst", GROUNDTRUTH, tables=("groundtruth.csv",), figures=("groundtruth",),
            keys=("method", "J", "seed"), section="vsc.report:groundtruth_section",
            finding="vsc.report:groundtruth_finding"),
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
