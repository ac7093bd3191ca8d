# Shared names: the validated config, output places, the one helper that names run folders,
# the vsc command and the resources of training jobs.

import os
import shlex
import sys
from collections import namedtuple

import yaml

from vsc.catalogue import FAMILY_NAMES, SPARSITY_FREE_FAMILIES
from vsc.config import (
    ConfigError,
    as_set_flags,
    config_from_dict,
    groundtruth_overrides,
    sweep_point_overrides,
    with_overrides,
)
from vsc.results import BENCHMARK_FILE, declared_files
from vsc.summaries import BY_NAME, CONFIG, REPORTED, SUMMARIES


def stop_on_config_error(err):
    """One line naming the config file and the key, exit status 2 (as `vsc`), no traceback."""
    files = ", ".join(map(str, workflow.configfiles)) or "the config"
    sys.stderr.write(f"snakemake: error: {files}: {err}\n")
    sys.exit(2)


try:
    CFG = config_from_dict(
        config
    )  # the same validation the CLI does, with typed defaults
except ConfigError as err:
    stop_on_config_error(err)

RESULTS = CFG.results_dir
FIGURES = CFG.figures_dir
# Checked once, here: every other character of a path is quoted where it reaches a shell,
# but braces are Snakemake's wildcards and a line break cannot be a file name in a log.
for _key, _path in (("results_dir", RESULTS), ("figures_dir", FIGURES)):
    if any(c in _path for c in "{}\n\r"):
        stop_on_config_error(
            ConfigError(
                f"config key '{_key}' ({_path!r}) must not contain braces or line breaks; "
                "choose another folder name"
            )
        )
LOGS = f"{RESULTS}/logs"
RESOLVED_CONFIG = f"{RESULTS}/config.yaml"

# How a changed setting reaches the jobs: every job that computes numbers carries the digest
# of the settings they depend on (vsc/config/digest.py) as a param, so Snakemake's params
# trigger reruns it, and the run itself replaces its stale folder (--replace-stale); growing
# the grid or changing resources leaves finished runs alone. The patch set, an input of the
# runs rather than a run, is named by its digest instead: a change makes a new name, which
# the runs reading it see as a missing input in the same invocation (a params trigger on an
# ancient input would only take effect in the next).
PATCHES = f"{RESULTS}/data/patches-{CFG.digest('patches')}.json"
DIGEST = CFG.digest("linear")
DIGEST_DNN = CFG.digest("dnn")
BENCHMARK = (
    BENCHMARK_FILE  # in the run folder it measured; the report's cost table reads it
)

# vsc from this checkout. The interpreter is Snakemake's own (so `.venv/bin/snakemake` works
# without activating the venv), except under --sdm conda, where the rule's env provides
# `python` with the dependencies and PYTHONPATH provides the suite.
USES_CONDA = any(
    m.name == "CONDA" for m in workflow.deployment_settings.deployment_method
)
PYTHON = "python" if USES_CONDA else shlex.quote(sys.executable)
VSC = f"PYTHONPATH={shlex.quote(workflow.basedir)}${{PYTHONPATH:+:$PYTHONPATH}} {PYTHON} -m vsc_bench"
ENV = "../envs/vsc.yaml"


def run_dir(study, method, seed, samples=None, estimator=None, point=None):
    """The one place a run folder is named: results/runs/<study>/<method>[_J<J>][_<estimator>]
    _seed<seed>[_latents<n>_sparsity<p>]. ``study`` is linear, groundtruth or dnn; ``point``
    is a DNN sweep point (code size, target sparsity). Wildcard patterns pass '{family}' etc.
    """
    name = str(method)
    if samples is not None:
        name += f"_J{samples}"
    if estimator is not None:
        name += f"_{estimator}"
    name += f"_seed{seed}"
    if point is not None:
        name += f"_latents{point[0]}_sparsity{point[1]}"
    return f"{RESULTS}/runs/{study}/{name}"


def run_outputs(folder, dictionary=True, snapshots=True):
    """The declared files of a run folder (vsc.results.declared_files), keyed by stem."""
    return {
        name.split(".")[0]: f"{folder}/{name}"
        for name in declared_files(dictionary=dictionary, snapshots=snapshots)
    }


def finals(folders):
    return [f"{folder}/final.json" for folder in folders]


# The summaries (vsc/summaries.py): one rule each in summaries.smk.


def summary_inputs(summary):
    """{role: paths} of a summary's inputs: run folders, files, results, the config."""
    paths = {}
    for item in summary.inputs:
        if item.kind in ("folders", "files"):
            paths[item.role] = GROUPS[item.target]
        elif item.kind == "results":
            paths[item.role] = [f"{RESULTS}/{item.target}"]
        elif item.source == CONFIG:
            paths[item.role] = [RESOLVED_CONFIG]
        else:
            raise ValueError(
                f"summary {summary.name}: unknown input source {item.source!r}"
            )
    return paths


def summary_waits_for(summary):
    """{role: files} the summary's rule waits for (the files inside each folder)."""
    files, given = {}, summary_inputs(summary)
    for item in summary.inputs:
        paths = given[item.role]
        if item.kind == "folders":
            paths = [f"{folder}/{name}" for folder in paths for name in item.files]
        elif item.source == CONFIG:
            paths = [ancient(RESOLVED_CONFIG)]
        files[item.role] = paths
    return files


def summary_flags(summary):
    """The command's --input flags, every value shell-quoted (a role without paths is left
    out)."""
    flags = []
    for role, paths in summary_inputs(summary).items():
        if paths:
            flags.append(" ".join(["--input", role, *map(shlex.quote, paths)]))
    return " ".join(flags)


def summary_files(summary):
    """Every file a summary writes: its tables, then PNG and PDF of each figure."""
    return [f"{RESULTS}/{name}" for name in summary.tables] + [
        f"{FIGURES}/{stem}.{ext}" for stem in summary.figures for ext in ("png", "pdf")
    ]


def summary_outputs(summary):
    """summary_files, with its first table and its PNGs in the Snakemake report."""
    # one caption file for all: it prints the rule's params.caption, the record's text
    caption, category = "../report/summary.rst", summary.category
    outputs = []
    for path in summary_files(summary):
        shown = path.endswith(".png") or (
            summary.table and path == f"{RESULTS}/{summary.table}"
        )
        entry = report(path, caption=caption, category=category) if shown else path
        outputs.append(entry)
    return outputs


def summary_dirs(wildcards, output):
    """--out-dir and --figure-dir of a summary rule: the folders of its tables and figures."""
    figures = [path for path in output if path.endswith((".png", ".pdf"))]
    tables = [path for path in output if path not in figures]
    flags = []
    for flag, paths in (("--out-dir", tables), ("--figure-dir", figures)):
        if paths:
            flags += [flag, shlex.quote(os.path.dirname(paths[0]))]
    return " ".join(flags)


def section_flags(summaries):
    """--summary NAME CSV for each summary, the path shell-quoted."""
    return " ".join(
        f"--summary {s.name} {shlex.quote(f'{RESULTS}/{s.table}')}" for s in summaries
    )


# The linear-generator studies: 'linear' reads the preset's patch set (Table 1 and its
# analyses); 'groundtruth' is the same config with the groundtruth section's overrides (the
# runs generate their synthetic patches themselves).
Study = namedtuple(
    "Study", "sets digest inputs"
)  # --set flags, run digest, rule inputs
STUDIES = {}
for _study, _overrides in (("linear", {}), ("groundtruth", groundtruth_overrides(CFG))):
    _inputs = {"config": ancient(RESOLVED_CONFIG)}
    if _study == "linear":
        _inputs["patches"] = ancient(PATCHES)
    STUDIES[_study] = Study(
        as_set_flags(_overrides),
        with_overrides(CFG, _overrides).digest("linear"),
        _inputs,
    )


# With GPUs, the short GPU analyses (gradient SNR, dictionary recovery) form one group, so a
# cluster profile can submit several as one job that runs them one after another on one GPU
# (profiles/slurm: group-components, and resources gpu=1 with the gpu scope "local" below).
# Local runs ignore groups.
GPU_ANALYSES = "gpu_analyses" if CFG.workflow.gpu else None


def training_resources(runtime):
    """Resources of a training job, growing with each attempt: these jobs resume from their
    checkpoint, so a retry (workflow.retries) after a job ran out of time or memory on a
    cluster continues with twice, then three times the limits. A GPU only where the preset
    asks for one. Light jobs run where Snakemake runs (localrules) with the profile's
    default-resources."""
    res = {
        "mem_mb": lambda wildcards, attempt: CFG.workflow.mem_mb * attempt,
        "runtime": lambda wildcards, attempt: runtime * attempt,
    }
    if CFG.workflow.gpu:
        res["gpu"] = 1
    return res


wildcard_constraints:
    family="|".join(FAMILY_NAMES),
    samples=r"\d+",
    seed=r"\d+",


# The validated config with every default filled in, as the jobs read it. The rule that
# writes it reads it from this process's environment (see resolved_config).
RESOLVED_TEXT = yaml.safe_dump(CFG.to_dict(), sort_keys=False)
RESOLVED_ENV = "VSC_RESOLVED_CONFIG"
os.environ[RESOLVED_ENV] = RESOLVED_TEXT


def write_resolved_config(path=RESOLVED_CONFIG):
    """Write RESOLVED_TEXT to ``path`` unless the file already says exactly that (atomically,
    so a job never reads half a file)."""
    if os.path.isfile(path):
        with open(path) as fh:
            if fh.read() == RESOLVED_TEXT:
                return
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(f"{path}.tmp", "w") as fh:
        fh.write(RESOLVED_TEXT)
    os.replace(f"{path}.tmp", path)
