# Shared names: the validated config, the run grid, output paths, the vsc command.

import json
import os
import shlex

from vsc.config import ConfigError, config_from_dict

try:
    CFG = config_from_dict(config)  # the same validation the CLI does, with typed defaults
except ConfigError as err:
    raise WorkflowError(f"invalid config: {err}") from None

RESULTS = CFG.results_dir
FIGURES = CFG.figures_dir
RUNS = f"{RESULTS}/runs/linear"
LOGS = f"{RESULTS}/logs"
RESOLVED_CONFIG = f"{RESULTS}/config.yaml"
PATCHES = f"{RESULTS}/data/patches.json"
# The digest of the settings that change a run's numbers: a rule whose params change reruns,
# while growing the grid or changing resources leaves finished runs alone.
DIGEST = CFG.digest()

# Files every training run declares. checkpoint.pt is deliberately NOT declared: Snakemake
# deletes the declared outputs of an interrupted job, and the checkpoint must survive that
# for the rerun to resume instead of starting over.
RUN_FILES = ["final.json", "metrics.csv", "dictionary.npy", "config.json"]

# vsc from this checkout, also inside a --sdm conda env that only holds the dependencies.
VSC = f"PYTHONPATH={shlex.quote(workflow.basedir)}${{PYTHONPATH:+:$PYTHONPATH}} python -m vsc"
ENV = "../envs/vsc.yaml"

LINEAR_RUNS = [f"{RUNS}/{family}_J{j}_seed{seed}" for family in CFG.linear.families
               for j in CFG.linear.samples for seed in CFG.linear.seeds]
FISTA_RUNS = [f"{RUNS}/fista_seed{seed}" for seed in CFG.fista.seeds]
SKLEARN_RUNS = [f"{RUNS}/sklearn_seed{seed}" for seed in CFG.sklearn.seeds]
ALL_RUNS = LINEAR_RUNS + FISTA_RUNS + SKLEARN_RUNS


def run_outputs(pattern):
    return {name.split(".")[0]: f"{pattern}/{name}" for name in RUN_FILES}


def training_resources(runtime):
    """Resources of a training job; a GPU only where the preset asks for one."""
    res = {"mem_mb": CFG.workflow.mem_mb, "runtime": runtime}
    if CFG.workflow.gpu:
        res["gpu"] = 1
    return res


wildcard_constraints:
    family="|".join(CFG.linear.families),
    samples=r"\d+",
    seed=r"\d+",


def write_resolved_config(path, log_path):
    """Write the validated config, every default filled in, as YAML."""
    import yaml

    with open(path, "w") as fh:
        yaml.safe_dump(CFG.to_dict(), fh, sort_keys=False)
    with open(log_path, "w") as fh:
        fh.write(f"preset {CFG.preset}, digest {DIGEST}\n")
