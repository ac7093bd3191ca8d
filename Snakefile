"""vsc-bench: reproduce "Variational Sparse Coding with Learned Thresholding" (ICML 2022).

    snakemake --cores 2                                   # quick preset (config/config.yaml)
    snakemake --cores 8 --configfile config/paper.yaml    # paper scale
    snakemake --profile profiles/slurm --configfile config/paper.yaml   # on a SLURM cluster

The grid comes from the config; every rule calls the `vsc` command line. Nothing here
imports torch: vsc.config is plain Python.
"""

import os
import sys

from snakemake.utils import min_version

min_version("9.0")
sys.path.insert(
    0, workflow.basedir
)  # vsc.config, also when the workflow's env lacks vsc

# The quick preset is the default. A preset given with --configfile replaces it instead of
# being merged over it, so every preset means exactly what its file says.
if not workflow.overwrite_configfiles:

    configfile: os.path.join(workflow.basedir, "config", "config.yaml")


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/grid.smk"
include: "workflow/rules/training.smk"
include: "workflow/rules/analyses.smk"
include: "workflow/rules/summaries.smk"
include: "workflow/rules/report.smk"


report: "workflow/report/workflow.rst"


onstart:
    write_resolved_config()  # bring an existing results/config.yaml up to date


# On a cluster a GPU is a per-submission resource: --resources gpu=1 (profiles/slurm) caps
# what each (group) job asks for, not how many GPU jobs are queued at once.
resource_scopes:
    gpu="local",


# Light jobs run where Snakemake runs, also under the cluster profile, with the profile's
# default-resources: the summaries (localrule in summaries.smk), the report, and the data
# checks and download (cluster nodes often have no internet).
localrules:
    all,
    resolved_config,
    reproduction_report,
    dnn_report,


rule all:
    default_target: True
    input:
        SUMMARY_FILES,
        REPORT,
