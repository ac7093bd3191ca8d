"""The sections of a preset: one frozen dataclass per job, each field with its help text,
valid range and digest rule (vsc/config/fields.py). The YAML presets in config/ fill them in.

This module must not import torch: Snakemake imports it while building the DAG.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from vsc.catalogue import DNN_FAMILIES, FAMILY_NAMES, METHOD_NAMES
from vsc.config.fields import UNLESS_DEFAULT, Scalar, param, registered

# The names a config accepts come from the catalogue (vsc/catalogue.py), read when a config
# is checked: a family registered by extra_families is accepted from then on.
FamilyName = registered(FAMILY_NAMES, "family")
MethodName = registered(METHOD_NAMES, "method")
IMAGES_MAT_URL = "https://rctn.org/bruno/sparsenet/IMAGES.mat"
# The digest the sparsenet page's IMAGES.mat is known by. Its MD5 is what is on public record;
# a mirror's file, or a SHA-256 computed from a verified copy, goes in data.checksum.
IMAGES_MAT_CHECKSUM = "md5:b20cb33935e95b556cb83bef5e9afcf1"


@dataclass(frozen=True)
class CelebaConfig:
    """Aligned CelebA faces for the DNN experiment (docs/method.md section 6)."""

    root: str | None = param(
        None, help="CelebA's folder (img_align_celeba/ or img_align_celeba.zip, optionally "
        "list_eval_partition.txt), a folder of aligned images named by id, or a zip of them")
    max_train: int = param(150000, ge=1, help="training images used (the first ones)")
    max_test: int | None = param(None, ge=1, help="test images used (default: all)")
    crop: int = param(140, ge=1, help="side of the centre crop at the aligned width of 178 "
                      "pixels; scaled with the images' width (70 at half size)")
    image_size: int = param(64, ge=8, help="side after resizing (the networks expect 64)")
    recovery_size: int = param(32, ge=4, help="side of the images a dictionary is fitted to")
    split_seed: int = param(0, ge=0, digest=UNLESS_DEFAULT,
                            help="seed of the train/valid/test split (80/10/10) by image "
                            "id, used when list_eval_partition.txt is absent")
    num_workers: int = param(4, ge=0, help="DataLoader worker processes decoding JPEGs")


@dataclass(frozen=True)
class StandinConfig:
    """A CelebA stand-in with a known generator: RGB 64x64 images that are sparse
    combinations of fixed ground-truth atoms, plus noise (so recovery can be scored)."""

    n_train: int = param(2000, ge=1, help="training images")
    n_test: int = param(500, ge=1, help="test images")
    n_atoms: int = param(24, ge=1, help="ground-truth atoms")
    active: int = param(3, ge=1, help="atoms active in each image")
    amplitude: float = param(0.75, gt=0, help="scale of the Laplacian code amplitudes")
    noise: float = param(0.01, ge=0, help="standard deviation of the pixel noise")
    seed: int = param(0, ge=0, help="seed of atoms, codes and noise")


@dataclass(frozen=True)
class SyntheticConfig:
    """Patches generated from a known dictionary (data.source: synthetic; the ground-truth
    benchmark): ``active`` atoms per patch with Laplacian amplitudes, plus noise."""

    n_atoms: int = param(256, ge=1, help="atoms of the true dictionary")
    atoms: Literal["gabor", "random"] = param(
        "gabor", help="gabor: localized oriented gratings, like atoms learned from natural "
        "images; random: Gaussian random directions")
    max_coherence: float = param(0.5, gt=0, le=1, help="largest |cos| between two true atoms")
    active: int = param(10, ge=1, help="non-zero coefficients per patch")
    snr_db: float = param(20.0, help="signal-to-noise ratio of the patches in dB")
    seed: int = param(0, ge=0, help="seed of the true dictionary (codes and noise also use "
                      "data.seed)")


@dataclass(frozen=True)
class DataConfig:
    """Natural-image patches for the linear experiment (docs/method.md section 5), and the image
    sets of the DNN experiment (section 6)."""

    source: Literal["bundled", "images_mat", "sparsenet_tcl", "folder", "synthetic"] = param(
        "bundled", help="bundled: photographs shipped with scikit-image/scikit-learn, whitened; "
        "images_mat: Olshausen's IMAGES.mat at `path`; sparsenet_tcl: the raw big-endian "
        "float32 training set of Olshausen's sparsenet-tcl (image0 ... image9) in the folder "
        "`path`, already whitened; folder: any PNG/JPEG/TIFF folder at `path`; synthetic: "
        "patches from a known dictionary (data.synthetic)")
    path: str | None = param(None, help="IMAGES.mat file or image folder (for images_mat, "
                             "sparsenet_tcl and folder)")
    download: bool = param(False, digest=False,
                           help="download IMAGES.mat from `url` to `path` if it is missing")
    url: str = param(IMAGES_MAT_URL, digest=False, help="where IMAGES.mat is downloaded from")
    checksum: str = param(IMAGES_MAT_CHECKSUM, digest=False,
                          help="'<algorithm>:<hex digest>' a downloaded IMAGES.mat must have "
                          "(e.g. sha256:... for a mirror)")
    patch_size: int = param(16, ge=2, help="side of the square patches in pixels")
    n_train: int = param(80000, ge=1, help="number of training patches")
    n_val: int = param(16000, ge=1, help="number of validation patches")
    split: Literal["faithful", "by_image"] = param(
        "faithful", help="faithful: shuffle all patches then split (validation overlaps training, "
        "as the reference); by_image: validation patches come from held-out images")
    seed: int = param(0, ge=0, help="seed of the patch shuffle")
    cache_dir: str = param("resources/patches", digest=False,
                           help="where extracted patch sets are cached")
    celeba: CelebaConfig = param(help="CelebA (DNN experiment)", factory=CelebaConfig,
                                 experiments=("dnn",))
    standin: StandinConfig = param(help="synthetic CelebA stand-in", factory=StandinConfig,
                                   experiments=("dnn",))
    # Only synthetic patches depend on it.
    synthetic: SyntheticConfig = param(help="patches from a known dictionary",
                                       factory=SyntheticConfig,
                                       digest=lambda data: data.source == "synthetic")


@dataclass(frozen=True)
class PriorConfig:
    gaussian_variance: float = param(0.1, gt=0, help="variance of the N(0, v) prior")
    laplace_scale: float = param(0.1, gt=0, help="scale b0 of the Laplace(0, b0) prior")
    spike_probability: float = param(0.1, gt=0, lt=1, help="spike-and-slab prior P(active) a")


@dataclass(frozen=True)
class ThresholdConfig:
    target_sparsity: float = param(
        0.1, gt=0, lt=1, help="P(|prior sample| > lambda0): derives lambda0 when not given")
    lambda0_gaussian: float | None = param(
        None, gt=0, help="explicit lambda0 for thresholded Gaussian families (overrides target)")
    lambda0_laplacian: float | None = param(
        None, gt=0, help="explicit lambda0 for thresholded Laplacian families (overrides target)")
    straight_through: Literal["faithful", "identity"] = param(
        "faithful", help="faithful: mu and lambda inside T keep their gradient (d z/d mu = 2 on "
        "active entries, as the reference); identity: gradient 1 to mu and none to lambda")
    gamma_kl_weight: float = param(0.1, ge=0, help="weight of the Gamma KL of learned thresholds")
    gamma_prior_shape: float = param(3.0, gt=0, help="shape of the Gamma prior (mean lambda0)")
    gamma_sampler: Literal["torch", "marsaglia_tsang"] = param(
        "torch", digest=UNLESS_DEFAULT,
        help="how learned thresholds are drawn: torch: torch.distributions.Gamma (the "
        "reference's); marsaglia_tsang: vectorised rejection sampler with the implicit "
        "gradient only where it is needed, about 3x faster on a CPU (vsc/families/gamma.py); "
        "the same distribution, another random stream")


@dataclass(frozen=True)
class WarmupConfig:
    """Noise warm-up factor w of the Laplacian and spike-and-slab samplers."""

    start: float = param(0.1, gt=0, le=1, help="w before and during the hold")
    hold_iterations: int = param(1500, ge=0, help="iterations at w = start")
    step: float = param(2e-4, ge=0, help="increase of w per iteration after the hold (to 1)")


@dataclass(frozen=True)
class SpikeSlabConfig:
    selection: Literal["faithful_log", "logit"] = param(
        "faithful_log", help="faithful_log: relax with log(gamma) as the reference; logit: the "
        "binary Concrete with logit(gamma), so gamma is the activation probability")
    temperature_start: float = param(1.0, gt=0, help="initial relaxation temperature")
    temperature_decay: float = param(0.9995, gt=0, le=1, help="per-iteration multiplier")
    temperature_min: float = param(0.5, gt=0, help="temperature floor")


@dataclass(frozen=True)
class FamilyConfig:
    """Everything a variational family needs, shared by the linear and DNN generators."""

    prior: PriorConfig = param(help="priors of the base distributions", factory=PriorConfig)
    threshold: ThresholdConfig = param(help="thresholded families", factory=ThresholdConfig)
    warmup: WarmupConfig = param(help="noise warm-up", factory=WarmupConfig)
    spike_slab: SpikeSlabConfig = param(help="spike-and-slab", factory=SpikeSlabConfig)
    options: dict[str, dict[str, Scalar]] = param(
        factory=dict, digest=UNLESS_DEFAULT,
        help="settings of families from outside the repository (extra_families), by family: "
        "{family name: {option: value}}; each such family declares its options and their "
        "defaults on its class (docs/extending.md)")


@dataclass(frozen=True)
class ScheduleConfig:
    """One-cycle learning rate: linear warm-up from lr/div, cosine decay to lr/div/final_div."""

    warmup_fraction: float = param(0.05, ge=0, lt=1, help="fraction of iterations warming up")
    div_factor: float = param(25.0, ge=1, help="initial lr = lr / div_factor")
    final_div_factor: float = param(1e4, ge=1, help="final lr = lr / div_factor / this")
    horizon_iterations: int | None = param(
        None, ge=1, help="iterations the schedule spans (null: the run's own length); a run "
        "shorter than this follows the first part of the longer schedule, as a longer run "
        "stopped early would")


@dataclass(frozen=True)
class LinearConfig:
    """The linear-generator experiment (docs/method.md section 5)."""

    families: list[FamilyName] = param(help="families of the grid", min_items=1, digest=False,
                                       factory=lambda: list(FAMILY_NAMES))
    samples: list[int] = param(help="J values of the grid", min_items=1, ge=1, digest=False,
                               factory=lambda: [1, 20])
    seeds: list[int] = param(help="seeds of the grid", min_items=1, ge=0, digest=False,
                             factory=lambda: [0])
    latents: int = param(256, ge=1, help="dictionary size K")
    epochs: int = param(300, ge=1, help="training epochs")
    batch_size: int = param(100, ge=1, help="patches per iteration")
    kl_weight: float = param(0.01, ge=0, help="weight of the KL term")
    estimator: Literal["max", "avg", "iwae"] = param(
        "max", help="how the J samples' losses are combined in training")
    eval_samples: int | None = param(None, ge=1, help="J at validation (default: the run's J)")
    eval_lambda: float = param(20.0, ge=0, help="lambda of the Table 1 metric")
    val_batch_size: int = param(2000, ge=1, help="validation patches per forward pass")
    encoder_hidden: list[int] = param(help="MLP hidden widths", ge=1,
                                      factory=lambda: [512, 1024, 512, 256])
    encoder_lr: float = param(0.01, gt=0, help="peak encoder learning rate (SGD)")
    encoder_momentum: float = param(0.9, ge=0, lt=1, help="Nesterov momentum")
    schedule: ScheduleConfig = param(help="encoder lr schedule", factory=ScheduleConfig)
    dict_lr: float = param(0.5, gt=0, help="dictionary SGD learning rate")
    dict_lr_decay: float = param(0.99, gt=0, le=1, help="dictionary lr multiplier per epoch")
    dict_weight_decay: float = param(1e-4, ge=0, help="dictionary decay c in -2 c A")
    fista_eval_every: int = param(
        1, ge=0, help="score FISTA codes on the run's own dictionary every this many epochs "
        "and at the last (0: never)")
    snapshot_every: int = param(
        0, ge=0, help="keep a copy of the dictionary every this many epochs in the run's "
        "snapshots.npz, besides the initial and the final one (0: only those two)")
    tf32: bool = param(
        False, digest=UNLESS_DEFAULT,
        help="on CUDA, let the training iterations' float32 matrix products use "
        "TensorFloat-32 (faster, about 3 significant digits per product; validation stays "
        "float32); no effect on a CPU. scripts/device_check.sh measures what it changes")


@dataclass(frozen=True)
class FistaConfig:
    """The FISTA baseline and its dictionary learning (docs/method.md section 5)."""

    seeds: list[int] = param(help="seeds of the FISTA runs", ge=0, digest=False,
                             factory=lambda: [0])
    lam: float = param(20.0, ge=0, help="final sparsity penalty")
    lam_start_fraction: float = param(0.1, gt=0, le=1, help="warm-up start as a fraction of lam")
    lam_step_fraction: float = param(1e-4, ge=0, help="warm-up step per iteration (fraction)")
    max_iter: int = param(500, ge=1, help="FISTA iterations at most")
    tol: float = param(1e-3, gt=0, help="relative-change stopping tolerance")
    stopping: Literal["batch", "per_signal"] = param(
        "batch", help="batch: the reference's relative change of the whole batch; per_signal: "
        "each signal stops on its own relative change")
    restart: bool = param(
        False, digest=UNLESS_DEFAULT,
        help="adaptive momentum restart per signal (O'Donoghue and Candes): the same codes at "
        "the tolerance in about half the iterations on coherent dictionaries; false: the "
        "reference's FISTA")


@dataclass(frozen=True)
class SklearnConfig:
    """scikit-learn MiniBatchDictionaryLearning baseline, scored with the Table 1 metric."""

    seeds: list[int] = param(help="seeds of the scikit-learn runs", ge=0, digest=False,
                             factory=lambda: [0])
    transform_algorithms: list[Literal["lasso_lars", "lasso_cd", "omp"]] = param(
        help="sparse_encode algorithms for the validation codes", min_items=1,
        factory=lambda: ["lasso_cd"])
    epochs: int = param(10, ge=1, help="passes over the training patches")
    batch_size: int = param(256, ge=1, help="mini-batch size")
    atom_norm: float = param(
        10.0, gt=0, help="scikit-learn keeps atoms at norm <= 1 while ours grow; it is trained at "
        "alpha = lam / atom_norm and scored with atoms x atom_norm, codes / atom_norm, which is "
        "our objective at lam for a dictionary whose atoms have this norm")
    omp_nonzero: int = param(20, ge=1, help="non-zeros per code for omp")


@dataclass(frozen=True)
class SnrConfig:
    """Gradient signal-to-noise ratio of trained linear runs (vsc snr)."""

    families: list[FamilyName] = param(
        help="families whose runs are analysed (those also in linear.families)",
        factory=lambda: ["gaussian", "spike_slab", "thresholded_laplacian"])
    passes: int = param(1000, ge=2, help="stochastic passes per validation batch")
    batches: int = param(10, ge=1, help="validation batches analysed")


@dataclass(frozen=True)
class SamplingConfig:
    """Sampling studies on the linear experiment (their runs share the linear settings)."""

    j_families: list[FamilyName] = param(
        help="families trained at every J of j_values",
        factory=lambda: ["thresholded_laplacian", "spike_slab"])
    j_values: list[int] = param(help="J of the validation-loss-against-J study", ge=1,
                                factory=lambda: [1, 2, 5, 10, 20, 50])
    estimator_family: FamilyName = param("thresholded_laplacian",
                                         help="family of the max against avg study")
    estimator_j: list[int] = param(help="J of the max against avg study", ge=2,
                                   factory=lambda: [20, 100])
    consistency_inputs: int = param(1000, ge=1, help="validation inputs of the support "
                                    "consistency (Jaccard) analysis")


@dataclass(frozen=True)
class GroundTruthConfig:
    """The ground-truth benchmark: every method learns its dictionary from patches
    generated by a known one (data.synthetic), with the linear, fista and sklearn settings;
    the keys below override those for this benchmark only (null keeps them)."""

    methods: list[MethodName] = param(
        help="families, fista and sklearn: the methods that learn a dictionary", min_items=1,
        factory=lambda: list(METHOD_NAMES))
    samples: list[int] = param(help="J of the variational runs", min_items=1, ge=1,
                               factory=lambda: [1, 20])
    seeds: list[int] = param(help="seeds of the runs", min_items=1, ge=0, factory=lambda: [0])
    n_train: int | None = param(None, ge=1, help="training patches (null: data.n_train)")
    n_val: int | None = param(None, ge=1, help="validation patches (null: data.n_val)")
    epochs: int | None = param(None, ge=1, help="epochs of the variational and FISTA runs "
                               "(null: linear.epochs)")
    sklearn_epochs: int | None = param(None, ge=1, help="epochs of the scikit-learn run "
                                       "(null: sklearn.epochs)")
    encoder_lr: float | None = param(
        None, gt=0, help="peak encoder learning rate of the variational runs (null: "
        "linear.encoder_lr); a short run warms up fast and may need a lower peak")


def _dnn_family_defaults() -> FamilyConfig:
    # CelebA: the spike-and-slab temperature anneals down to 0.005 (docs/method.md section 2)
    return FamilyConfig(spike_slab=SpikeSlabConfig(temperature_min=0.005))


@dataclass(frozen=True)
class DnnConfig:
    """The convolutional generator (docs/method.md section 6)."""

    dataset: Literal["standin", "celeba"] = param(
        "standin", help="standin: the synthetic image set with known atoms; celeba: CelebA at "
        "data.celeba.root")
    families: list[FamilyName] = param(help="families of the grid", min_items=1, digest=False,
                                       factory=lambda: list(DNN_FAMILIES))
    samples: list[int] = param(help="J values of the grid", min_items=1, ge=1, digest=False,
                               factory=lambda: [10])
    seeds: list[int] = param(help="seeds of the grid", min_items=1, ge=0, digest=False,
                             factory=lambda: [0])
    latents: int = param(512, ge=1, help="code size")
    width: float = param(1.0, gt=0, help="channel multiplier of encoder and decoder "
                         "(1: the paper's 64-64-128-256-256 / 128-128-64-64)")
    epochs: int = param(300, ge=1, help="training epochs")
    batch_size: int = param(500, ge=1, help="images per iteration")
    lr: float = param(3e-4, gt=0, help="peak Adam learning rate")
    betas: list[float] = param(help="Adam betas", ge=0, lt=1, factory=lambda: [0.5, 0.999])
    weight_decay: float = param(1e-5, ge=0, help="Adam weight decay")
    schedule: ScheduleConfig = param(help="one-cycle schedule", factory=ScheduleConfig)
    kl_weight: float = param(1e-3, ge=0, help="weight of the KL term")
    estimator: Literal["max", "avg", "iwae"] = param("max", help="training estimator")
    eval_samples: int = param(20, ge=1, help="J of the max-ELBO reconstruction at validation")
    eval_every: int = param(1, ge=0, help="evaluate on the test images every this many epochs "
                            "and at the last (0: only at the last)")
    recovery_samples: int = param(50, ge=1, help="J when encoding for dictionary recovery")
    baseline_fit_images: int = param(20000, ge=2, digest=False,
                                     help="training images the mean-image and PCA baselines "
                                     "are fitted to (the first ones)")
    recovery_families: list[FamilyName] = param(
        help="families whose recovered dictionaries are drawn side by side", digest=False,
        factory=lambda: ["gaussian", "thresholded_gaussian_gamma"])
    amp: bool = param(True, help="mixed precision (bfloat16 autocast) on CUDA")
    family: FamilyConfig = param(help="family settings of the DNN experiment",
                                 factory=_dnn_family_defaults)


@dataclass(frozen=True)
class DnnSweepConfig:
    """DNN runs against code size (at the dnn section's target sparsity) and against target
    sparsity (at dnn.latents), with the dnn section's other settings, J = dnn.samples[0]."""

    families: list[FamilyName] = param(
        help="families swept (those whose codes ignore the target sparsity, gaussian and "
        "laplacian, are left out of the sparsity sweep)", min_items=1,
        factory=lambda: list(DNN_FAMILIES))
    latents: list[int] = param(help="code sizes", ge=1, factory=lambda: [64, 512, 1024, 2048])
    target_sparsity: list[float] = param(
        help="target fractions of active latents (lambda0 and the spike prior follow them)",
        gt=0, lt=1, factory=lambda: [0.05, 0.1, 0.2, 0.5])
    seeds: list[int] = param(help="seeds of the sweep runs", min_items=1, ge=0,
                             factory=lambda: [0])


@dataclass(frozen=True)
class WorkflowConfig:
    gpu: bool = param(False, help="request a GPU for training rules (cluster profiles)")
    threads: int = param(1, ge=1, help="threads per training job")
    mem_mb: int = param(4000, ge=100, help="memory per training job in MB")
    runtime_linear: int = param(30, ge=1, help="minutes per linear training job")
    runtime_fista: int = param(30, ge=1, help="minutes per FISTA training job")
    runtime_dnn: int = param(60, ge=1, help="minutes per DNN training job")
    runtime_analysis: int = param(30, ge=1, help="minutes per GPU analysis job (gradient "
                                  "SNR of a linear run, dictionary recovery of a DNN run)")
    retries: int = param(1, ge=0, help="times a failed training or analysis job is started "
                         "again (it resumes from its checkpoint), with its memory and runtime "
                         "multiplied by the attempt number")
    bundle_size: int = param(1, ge=1, help="Table 1 linear runs (of one J) trained together "
                             "in one job as one stacked computation (vsc linear-bundle): on a "
                             "GPU, one small run leaves the device idle; 1: a job per run")


@dataclass(frozen=True)
class Config:
    """A whole preset. A section enters the digests its ``experiments`` name; those naming
    none (the analyses, the resources, output places) enter no digest."""

    preset: str = param("custom", help="name shown in tables and figures")
    notes: list[str] = param(
        help="what a reader must know about this preset's numbers (e.g. that its variational "
        "dictionaries have not formed yet), printed in the report and under the figures",
        factory=list)
    device: Literal["auto", "cpu", "cuda"] = param("auto", help="auto: CUDA when available",
                                                   experiments=("linear", "dnn"))
    deterministic: bool = param(
        False, digest=UNLESS_DEFAULT, experiments=("linear", "dnn"),
        help="deterministic GPU runs: PyTorch's deterministic algorithms and a fixed cuBLAS "
        "workspace, so a rerun on the same GPU gives the same numbers (slower; CPU runs are "
        "deterministic anyway)")
    extra_families: list[str] = param(
        help="variational families from outside the repository, each 'package.module:Class' "
        "(importable, e.g. via PYTHONPATH) or 'path/to/file.py:Class'; the class declares its "
        "name, label and sparse, and its name can then be used wherever a family is named. "
        "Importing a module runs its code: name only modules you trust",
        factory=list, digest=False)
    results_dir: str = param("results", help="where run folders and tables are written")
    figures_dir: str = param("figures", help="where figures are written")
    data: DataConfig = param(help="natural-image patches", factory=DataConfig,
                             experiments=("linear", "patches"))
    family: FamilyConfig = param(help="variational families", factory=FamilyConfig,
        experiments=("linear",))
    linear: LinearConfig = param(help="linear experiment", factory=LinearConfig,
        experiments=("linear",))
    fista: FistaConfig = param(help="FISTA baseline", factory=FistaConfig,
        experiments=("linear",))
    sklearn: SklearnConfig = param(help="scikit-learn baseline", factory=SklearnConfig,
        experiments=("linear",))
    dnn: DnnConfig = param(help="DNN generator experiment", factory=DnnConfig,
        experiments=("dnn",))
    snr: SnrConfig = param(help="gradient SNR analysis", factory=SnrConfig)
    sampling: SamplingConfig = param(help="sampling studies", factory=SamplingConfig)
    groundtruth: GroundTruthConfig = param(help="ground-truth benchmark",
                                           factory=GroundTruthConfig)
    dnn_sweep: DnnSweepConfig = param(help="DNN sweeps over code size and target sparsity",
                                      factory=DnnSweepConfig)
    workflow: WorkflowConfig = param(help="resources of workflow rules", factory=WorkflowConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def digest(self, experiment: str = "linear") -> str:
        """Short hash of the settings that change the numbers of an ``experiment``'s runs
        ('linear' or 'dnn'; 'patches': the linear experiment's patch set alone); each
        field's metadata says whether and where it counts (vsc/config/digest.py)."""
        from vsc.config.digest import config_digest

        return config_digest(self, experiment)
