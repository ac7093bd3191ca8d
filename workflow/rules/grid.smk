# The run grid: every run folder and analysis output the preset asks for, named through
# run_dir (common.smk). The rule files only match these names.

SEED0 = CFG.linear.seeds[0]

# Table 1: the variational grid, FISTA and scikit-learn, on the preset's patches.
LINEAR_RUNS = [
    run_dir("linear", family, seed, j)
    for family in CFG.linear.families
    for j in CFG.linear.samples
    for seed in CFG.linear.seeds
]
FISTA_RUNS = [run_dir("linear", "fista", seed) for seed in CFG.fista.seeds]
SKLEARN_RUNS = [run_dir("linear", "sklearn", seed) for seed in CFG.sklearn.seeds]
TABLE1_RUNS = LINEAR_RUNS + FISTA_RUNS + SKLEARN_RUNS


def linear_bundles():
    """The Table 1 runs grouped into bundles of workflow.bundle_size runs of one J (families
    and seeds mixed): [(name, J, [(family, seed, run folder)])]. Empty when runs train alone.
    """
    size = CFG.workflow.bundle_size
    if size == 1:
        return []
    bundles = []
    for j in CFG.linear.samples:
        runs = [
            (family, seed, run_dir("linear", family, seed, j))
            for family in CFG.linear.families
            for seed in CFG.linear.seeds
        ]
        for i in range(0, len(runs), size):
            bundles.append((f"linear_bundle_J{j}_{i // size}", j, runs[i : i + size]))
    return bundles


# Gradient SNR of the first seed's runs.
SNR_GRID = [
    (f, j)
    for f in CFG.snr.families
    if f in CFG.linear.families
    for j in CFG.linear.samples
]
SNR_FILES = [f"{RESULTS}/snr/{f}_J{j}.json" for f, j in SNR_GRID]

# Sampling studies: validation loss against J, max against avg, support consistency.
J_STUDY_RUNS = [
    run_dir("linear", f, SEED0, j)
    for f in CFG.sampling.j_families
    if f in CFG.linear.families
    for j in CFG.sampling.j_values
]
ESTIMATOR_RUNS = [
    run_dir(
        "linear",
        CFG.sampling.estimator_family,
        SEED0,
        j,
        estimator=None if estimator == "max" else estimator,
    )
    for j in CFG.sampling.estimator_j
    for estimator in ("max", "avg")
]
SAMPLING_RUNS = list(dict.fromkeys(J_STUDY_RUNS + ESTIMATOR_RUNS))
CONSISTENCY_FILES = [
    f"{RESULTS}/consistency/{os.path.basename(run)}.json" for run in ESTIMATOR_RUNS
]

# The ground-truth benchmark: every method on patches from a known dictionary.
GT = CFG.groundtruth
GROUNDTRUTH_RUNS = [
    run_dir("groundtruth", method, seed, j)
    for method in GT.methods
    if method in FAMILY_NAMES
    for j in GT.samples
    for seed in GT.seeds
] + [
    run_dir("groundtruth", method, seed)
    for method in ("fista", "sklearn")
    if method in GT.methods
    for seed in GT.seeds
]

# The DNN generator, the dictionaries recovered from its codes, and its sweeps.
DNN_GRID = [
    (family, j, seed)
    for family in CFG.dnn.families
    for j in CFG.dnn.samples
    for seed in CFG.dnn.seeds
]
DNN_RUNS = [run_dir("dnn", f, s, j) for f, j, s in DNN_GRID]
RECOVERED = f"{RESULTS}/recovered"  # a folder per DNN run, named as the run


def recovered_dir(run):
    return f"{RECOVERED}/{os.path.basename(run)}"


RECOVERED_DIRS = [recovered_dir(run) for run in DNN_RUNS]
# the figure shows the first J and seed of each family named in dnn.recovery_families
FIGURE_RECOVERED = [
    recovered_dir(run_dir("dnn", f, CFG.dnn.seeds[0], CFG.dnn.samples[0]))
    for f in CFG.dnn.recovery_families
    if f in CFG.dnn.families
]


def sweep_run_dir(family, latents, sparsity, seed):
    """A DNN sweep point's run folder: the main grid's run where the setting is the main one
    (J = dnn.samples[0]), else one named by its code size and target sparsity."""
    j = CFG.dnn.samples[0]
    if (
        latents == CFG.dnn.latents
        and sparsity == CFG.dnn.family.threshold.target_sparsity
        and family in CFG.dnn.families
        and seed in CFG.dnn.seeds
    ):
        return run_dir("dnn", family, seed, j)
    return run_dir("dnn", family, seed, j, point=(latents, f"{sparsity:g}"))


SWEEP = CFG.dnn_sweep
MAIN_SPARSITY = CFG.dnn.family.threshold.target_sparsity
SWEEP_RUNS = list(
    dict.fromkeys(
        [
            sweep_run_dir(f, n, MAIN_SPARSITY, s)
            for f in SWEEP.families
            for n in SWEEP.latents
            for s in SWEEP.seeds
        ]
        + [
            sweep_run_dir(f, CFG.dnn.latents, p, s)
            for f in SWEEP.families
            if f not in SPARSITY_FREE_FAMILIES
            for p in SWEEP.target_sparsity
            for s in SWEEP.seeds
        ]
    )
)
if SWEEP.target_sparsity and set(SWEEP.families) - set(SPARSITY_FREE_FAMILIES):
    try:  # the sparsity sweep cannot run with an explicit lambda0: say so before any job
        sweep_point_overrides(CFG, CFG.dnn.latents, SWEEP.target_sparsity[0])
    except ConfigError as err:
        stop_on_config_error(err)


# The groups that the summaries' inputs name (vsc/summaries.py: folders:<group> and
# files:<group>).
GROUPS = {
    "table1": TABLE1_RUNS,
    "snapshot_runs": LINEAR_RUNS + FISTA_RUNS,
    "snr": SNR_FILES,
    "sampling": SAMPLING_RUNS,
    "consistency": CONSISTENCY_FILES,
    "groundtruth": GROUNDTRUTH_RUNS,
    "dnn": DNN_RUNS,
    "recovered": RECOVERED_DIRS,
    "recovered_figure": FIGURE_RECOVERED,
    "dnn_sweep": SWEEP_RUNS,
}
