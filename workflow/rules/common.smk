# Shared names: the validated config, the run grid, output paths, the vsc command.

import os
import shlex
import sys

from vsc.catalogue import FAMILY_NAMES, SPARSITY_FREE_FAMILIES
from vsc.config import STUDIES, ConfigError, config_from_dict, study_config
from vsc.results import BENCHMARK_FILE

try:
    CFG = config_from_dict(config)  # the same validation the CLI does, with typed defaults
except ConfigError as err:
    # one line naming the file and the key, exit status 2 (as `vsc`), no traceback
    files = ", ".join(map(str, workflow.configfiles)) or "the config"
    sys.stderr.write(f"snakemake: error: {files}: {err}\n")
    sys.exit(2)

RESULTS = CFG.results_dir
FIGURES = CFG.figures_dir
RUNS = f"{RESULTS}/runs/linear"
LOGS = f"{RESULTS}/logs"
RESOLVED_CONFIG = f"{RESULTS}/config.yaml"
# The patch set's manifest is named by the digest of its settings: a change makes a new name,
# which Snakemake treats as a missing input, so the runs reading it rerun in the same
# invocation (a params trigger on an ancient input would only take effect in the next).
PATCHES = f"{RESULTS}/data/patches-{CFG.digest('patches')}.json"
# The digest of the settings that change a run's numbers: a rule whose params change reruns,
# while growing the grid or changing resources leaves finished runs alone.
DIGEST = CFG.digest("linear")
DIGEST_DNN = CFG.digest("dnn")

# Files every training run declares. checkpoint.pt is deliberately NOT declared: Snakemake
# deletes the declared outputs of an interrupted job, and the checkpoint must survive that
# for the rerun to resume instead of starting over.
RUN_FILES = ["final.json", "metrics.csv", "dictionary.npy", "config.json"]
DNN_RUN_FILES = ["final.json", "metrics.csv", "config.json"]  # a DNN has no dictionary
BENCHMARK = BENCHMARK_FILE  # in the run folder it measured; the report's cost table reads it

# vsc from this checkout. The interpreter is Snakemake's own (so `.venv/bin/snakemake` works
# without activating the venv), except under --sdm conda, where the rule's env provides
# `python` with the dependencies and PYTHONPATH provides the suite.
USES_CONDA = any(m.name == "CONDA" for m in workflow.deployment_settings.deployment_method)
PYTHON = "python" if USES_CONDA else shlex.quote(sys.executable)
VSC = f"PYTHONPATH={shlex.quote(workflow.basedir)}${{PYTHONPATH:+:$PYTHONPATH}} {PYTHON} -m vsc_bench"
ENV = "../envs/vsc.yaml"

LINEAR_RUNS = [f"{RUNS}/{family}_J{j}_seed{seed}" for family in CFG.linear.families
               for j in CFG.linear.samples for seed in CFG.linear.seeds]
FISTA_RUNS = [f"{RUNS}/fista_seed{seed}" for seed in CFG.fista.seeds]
SKLEARN_RUNS = [f"{RUNS}/sklearn_seed{seed}" for seed in CFG.sklearn.seeds]
ALL_RUNS = LINEAR_RUNS + FISTA_RUNS + SKLEARN_RUNS


def run_outputs(pattern, snapshots=True):
    """The declared files of a run folder; runs with a training loop (variational, FISTA)
    also keep dictionary snapshots, the one-shot scikit-learn run does not."""
    names = RUN_FILES + (["snapshots.npz"] if snapshots else [])
    return {name.split(".")[0]: f"{pattern}/{name}" for name in names}


def study_rules():
    """The linear-generator studies, each with its own copy of the training rules (defined in
    a loop), so the job list names the study (linear, groundtruth_linear, ...) and each copy's
    inputs and digest are plain values. Yields (study, rule name prefix, run folder root,
    inputs, digest): 'linear' reads the preset's extracted patch set, 'groundtruth' generates
    its synthetic patches inside the run (see study_config)."""
    for study in STUDIES:
        inputs = {"config": ancient(RESOLVED_CONFIG)}
        if study == "linear":
            inputs["patches"] = ancient(PATCHES)
        yield (study, "" if study == "linear" else f"{study}_", f"{RESULTS}/runs/{study}",
               inputs, study_config(CFG, study).digest("linear"))


def training_resources(runtime):
    """Resources of a training job; a GPU only where the preset asks for one."""
    res = {"mem_mb": CFG.workflow.mem_mb, "runtime": runtime}
    if CFG.workflow.gpu:
        res["gpu"] = 1
    return res


wildcard_constraints:
    family="|".join(FAMILY_NAMES),
    samples=r"\d+",
    seed=r"\d+",


def sweep_run_dir(family, latents, sparsity, seed):
    """A DNN sweep point's run folder: the main grid's run where the setting is the main one
    (J = dnn.samples[0]), else one named by its code size and target sparsity."""
    runs, j = f"{RESULTS}/runs/dnn", CFG.dnn.samples[0]
    if (latents == CFG.dnn.latents and sparsity == CFG.dnn.family.threshold.target_sparsity
            and family in CFG.dnn.families and seed in CFG.dnn.seeds):
        return f"{runs}/{family}_J{j}_seed{seed}"
    return f"{runs}/{family}_J{j}_seed{seed}_latents{latents}_sparsity{sparsity:g}"


def write_resolved_config(path=RESOLVED_CONFIG, log_path=None):
    """Write the validated config, every default filled in, as YAML, unless the file already
    says exactly that (atomically, so a job never reads half a file)."""
    if log_path:
        with open(log_path, "w") as fh:
            fh.write(f"preset {CFG.preset}, digest {DIGEST}\n")
    import yaml

    text = yaml.safe_dump(CFG.to_dict(), sort_keys=False)
    if os.path.isfile(path):
        with open(path) as fh:
            if fh.read() == text:
                return
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(f"{path}.tmp", "w") as fh:
        fh.write(text)
    os.replace(f"{path}.tmp", path)
