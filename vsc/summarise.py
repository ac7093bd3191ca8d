"""The make functions of the built-in summaries (declared in vsc/summaries.py): each reads
its job's inputs, writes its tables and figures, and returns what `vsc summary` prints."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from vsc import plots
from vsc.aggregate import read_finals
from vsc.io import atomic_path, read_json
from vsc.summaries import Job


def publish(job: Job, table: pd.DataFrame,
            plot: Callable[[pd.DataFrame, str], list] | None = None) -> str:
    """Write ``table`` as the job's table (atomically) and draw ``plot(table, stem)`` as its
    figure; the table and the figure's files as text."""
    with atomic_path(job.table()) as tmp:
        table.to_csv(tmp, index=False)
    text = table.to_string(index=False)
    if plot is not None:
        text += "\n" + str(plot(table, str(job.figure())))
    return text


def _notes(job: Job) -> tuple[str, ...]:
    from vsc.config import load_config

    config = job.path("config")
    return load_config(config).notes if config else ()


def _written(paths: list) -> str:
    return "\n".join(map(str, paths))


def table1(job: Job) -> str:
    from vsc.aggregate import table1_markdown, write_table1

    return table1_markdown(write_table1(job.paths("runs"), job.results_dir))


def dictionaries(job: Job) -> str:
    return _written(plots.plot_dictionaries(read_finals(job.paths("runs")), job.figure(),
                                            _notes(job)))


def table1_plot(job: Job) -> str:
    return _written(plots.plot_table1(pd.read_csv(job.path("table")), job.figure()))


def val_loss(job: Job) -> str:
    return _written(plots.plot_curves(pd.read_csv(job.path("curves")), job.figure()))


def dictionary_learning(job: Job) -> str:
    from vsc.aggregate import zero_code_level

    level = zero_code_level(pd.read_csv(job.path("table")))
    return _written(plots.plot_dictionary_learning(pd.read_csv(job.path("curves")), level,
                                                   job.figure()))


def snapshots(job: Job) -> str:
    from vsc.aggregate import snapshot_panels

    finals = read_finals(job.paths("runs"))
    return _written(plots.plot_snapshots(snapshot_panels(finals), plots.provenance_line(finals),
                                         job.figure()))


def dnn_metrics(job: Job) -> str:
    from vsc.aggregate import dnn_table, read_recovered

    baselines = read_json(job.path("baselines")) if job.path("baselines") else None
    return publish(job, dnn_table(read_finals(job.paths("runs")),
                                  read_recovered(job.paths("recovered")), baselines))


def recovered_dictionaries(job: Job) -> str:
    from vsc.recovery import recovered_panels

    panels, provenance = recovered_panels(job.paths("recovered"))
    return str(plots.plot_recovered(panels, provenance, job.figure()))


def snr(job: Job) -> str:
    return publish(job, pd.DataFrame([read_json(f) for f in job.paths("analyses")]),
                   plots.plot_snr)


def sampling(job: Job) -> str:
    from vsc.aggregate import sampling_table

    consistency = [read_json(f) for f in job.paths("consistency")]
    return publish(job, sampling_table(read_finals(job.paths("runs")), consistency),
                   lambda table, stem: plots.plot_sampling(table, consistency, stem))


def dnn_sweep(job: Job) -> str:
    from vsc.aggregate import dnn_sweep_table
    from vsc.config import load_config

    dnn = load_config(job.path("config")).dnn
    table = dnn_sweep_table(read_finals(job.paths("runs")), dnn.latents,
                            dnn.family.threshold.target_sparsity)
    return publish(job, table, plots.plot_dnn_sweep)


def groundtruth(job: Job) -> str:
    from vsc.aggregate import groundtruth_table

    return publish(job, groundtruth_table(read_finals(job.paths("runs"))),
                   plots.plot_groundtruth)
