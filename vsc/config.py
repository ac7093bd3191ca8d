"""Typed, validated configuration for every vsc command.

YAML presets in ``config/`` are parsed into the frozen dataclasses below. Every field carries
its valid range as metadata, which serves two purposes: :func:`load_config` checks values and
rejects unknown keys (naming the dotted key), and :func:`json_schema` emits the JSON schema
that the Snakefile validates against, so the schema can never drift from the code.

This module must not import torch: Snakemake imports it while building the DAG.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from vsc.catalogue import DNN_FAMILIES, FAMILY_NAMES, METHOD_NAMES
from vsc.errors import UserError

# The names a config accepts come from the catalogue (vsc/catalogue.py).
FamilyName = Literal[FAMILY_NAMES]  # type: ignore[valid-type]
MethodName = Literal[METHOD_NAMES]  # type: ignore[valid-type]
IMAGES_MAT_URL = "https://rctn.org/bruno/sparsenet/IMAGES.mat"
# The digest the sparsenet page's IMAGES.mat is known by. Its MD5 is what is on public record;
# a mirror's file, or a SHA-256 computed from a verified copy, goes in data.checksum.
IMAGES_MAT_CHECKSUM = "md5:b20cb33935e95b556cb83bef5e9afcf1"


class ConfigError(UserError, ValueError):
    """A configuration value is missing, unknown or out of range; the message names the key."""


def param(default: Any = dataclasses.MISSING, *, help: str, ge: float | None = None,
          gt: float | None = None, le: float | None = None, lt: float | None = None,
          min_items: int | None = None, factory: Any = None) -> Any:
    """A dataclass field with a description and an optional valid range."""
    meta = {"help": help, "ge": ge, "gt": gt, "le": le, "lt": lt, "min_items": min_items}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


# --------------------------------------------------------------------------- sections


@dataclass(frozen=True)
class CelebaConfig:
    """CelebA aligned images for the DNN experiment (docs/method.md section 6)."""

    root: str | None = param(
        None, help="folder holding img_align_celeba/ (or img_align_celeba.zip) and "
        "list_eval_partition.txt")
    max_train: int = param(150000, ge=1, help="training images used (the first ones)")
    max_test: int | None = param(None, ge=1, help="test images used (default: all)")
    crop: int = param(140, ge=1, help="side of the centre crop in pixels")
    image_size: int = param(64, ge=8, help="side after resizing (the networks expect 64)")
    recovery_size: int = param(32, ge=4, help="side of the images a dictionary is fitted to")
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
    recovery benchmark): ``active`` atoms per patch with Laplacian amplitudes, plus noise."""

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

    source: Literal["bundled", "images_mat", "folder", "synthetic"] = param(
        "bundled", help="bundled: photographs shipped with scikit-image/scikit-learn, whitened; "
        "images_mat: Olshausen's IMAGES.mat at `path`; folder: any PNG/JPEG/TIFF folder at "
        "`path`; synthetic: patches from a known dictionary (data.synthetic)")
    path: str | None = param(None, help="IMAGES.mat file or image folder (for images_mat/folder)")
    download: bool = param(False, help="download IMAGES.mat from `url` to `path` if it is missing")
    url: str = param(IMAGES_MAT_URL, help="where IMAGES.mat is downloaded from")
    checksum: str = param(IMAGES_MAT_CHECKSUM, help="'<algorithm>:<hex digest>' a downloaded "
                          "IMAGES.mat must have (e.g. sha256:... for a mirror)")
    patch_size: int = param(16, ge=2, help="side of the square patches in pixels")
    n_train: int = param(80000, ge=1, help="number of training patches")
    n_val: int = param(16000, ge=1, help="number of validation patches")
    split: Literal["faithful", "by_image"] = param(
        "faithful", help="faithful: shuffle all patches then split (validation overlaps training, "
        "as the reference); by_image: validation patches come from held-out images")
    seed: int = param(0, ge=0, help="seed of the patch shuffle")
    cache_dir: str = param("resources/patches", help="where extracted patch sets are cached")
    celeba: CelebaConfig = param(help="CelebA (DNN experiment)", factory=CelebaConfig)
    standin: StandinConfig = param(help="synthetic CelebA stand-in", factory=StandinConfig)
    synthetic: SyntheticConfig = param(help="patches from a known dictionary",
                                       factory=SyntheticConfig)


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
        "torch", help="how learned thresholds are drawn: torch: torch.distributions.Gamma "
        "(the reference's); marsaglia_tsang: vectorised rejection sampler with the implicit "
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

    families: list[FamilyName] = param(help="families of the grid", min_items=1,
                                       factory=lambda: list(FAMILY_NAMES))
    samples: list[int] = param(help="J values of the grid", min_items=1, ge=1,
                               factory=lambda: [1, 20])
    seeds: list[int] = param(help="seeds of the grid", min_items=1, ge=0, factory=lambda: [0])
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
        False, help="on CUDA, let the training iterations' float32 matrix products use "
        "TensorFloat-32 (faster, about 3 significant digits per product; validation stays "
        "float32); no effect on a CPU. scripts/device_check.sh measures what it changes")


@dataclass(frozen=True)
class FistaConfig:
    """The FISTA baseline and its dictionary learning (docs/method.md section 5)."""

    seeds: list[int] = param(help="seeds of the FISTA runs", ge=0, factory=lambda: [0])
    lam: float = param(20.0, ge=0, help="final sparsity penalty")
    lam_start_fraction: float = param(0.1, gt=0, le=1, help="warm-up start as a fraction of lam")
    lam_step_fraction: float = param(1e-4, ge=0, help="warm-up step per iteration (fraction)")
    max_iter: int = param(500, ge=1, help="FISTA iterations at most")
    tol: float = param(1e-3, gt=0, help="relative-change stopping tolerance")
    stopping: Literal["batch", "per_signal"] = param(
        "batch", help="batch: the reference's relative change of the whole batch; per_signal: "
        "each signal stops on its own relative change")


@dataclass(frozen=True)
class SklearnConfig:
    """scikit-learn MiniBatchDictionaryLearning baseline, scored with the Table 1 metric."""

    seeds: list[int] = param(help="seeds of the scikit-learn runs", ge=0, factory=lambda: [0])
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
    """The ground-truth recovery benchmark: every method learns its dictionary from patches
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
    families: list[FamilyName] = param(
        help="families of the grid", min_items=1, factory=lambda: list(DNN_FAMILIES))
    samples: list[int] = param(help="J values of the grid", min_items=1, ge=1,
                               factory=lambda: [10])
    seeds: list[int] = param(help="seeds of the grid", min_items=1, ge=0, factory=lambda: [0])
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
    recovery_families: list[FamilyName] = param(
        help="families whose recovered dictionaries are drawn side by side",
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
    bundle_size: int = param(1, ge=1, help="Table 1 linear runs (of one J) trained together "
                             "in one job as one stacked computation (vsc linear-bundle): on a "
                             "GPU, one small run leaves the device idle; 1: a job per run")


@dataclass(frozen=True)
class Config:
    """A whole preset."""

    preset: str = param("custom", help="name shown in tables and figures")
    notes: list[str] = param(
        help="what a reader must know about this preset's numbers (e.g. that its variational "
        "dictionaries have not formed yet), printed in the report and under the figures",
        factory=list)
    device: Literal["auto", "cpu", "cuda"] = param("auto", help="auto: CUDA when available")
    results_dir: str = param("results", help="where run folders and tables are written")
    figures_dir: str = param("figures", help="where figures are written")
    data: DataConfig = param(help="natural-image patches", factory=DataConfig)
    family: FamilyConfig = param(help="variational families", factory=FamilyConfig)
    linear: LinearConfig = param(help="linear experiment", factory=LinearConfig)
    fista: FistaConfig = param(help="FISTA baseline", factory=FistaConfig)
    sklearn: SklearnConfig = param(help="scikit-learn baseline", factory=SklearnConfig)
    dnn: DnnConfig = param(help="DNN generator experiment", factory=DnnConfig)
    snr: SnrConfig = param(help="gradient SNR analysis", factory=SnrConfig)
    sampling: SamplingConfig = param(help="sampling studies", factory=SamplingConfig)
    groundtruth: GroundTruthConfig = param(help="ground-truth recovery benchmark",
                                           factory=GroundTruthConfig)
    dnn_sweep: DnnSweepConfig = param(help="DNN sweeps over code size and target sparsity",
                                      factory=DnnSweepConfig)
    workflow: WorkflowConfig = param(help="resources of workflow rules", factory=WorkflowConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def digest(self, experiment: str = "linear") -> str:
        """Short hash of the settings that change the numbers of an ``experiment``'s runs
        ('linear' or 'dnn'; 'patches': the linear experiment's patch set alone). The grid
        (which families, J and seeds exist), resources, output places and the other
        experiment's settings are left out, so growing the grid or tuning one experiment
        keeps the other's finished runs valid."""
        settings = self.to_dict()
        data = settings.pop("data")
        for key in _NOT_IN_DIGEST:
            settings.pop(key)
        for section in ("linear", "fista", "sklearn", "dnn"):
            for key in ("families", "samples", "seeds", "recovery_families"):
                settings[section].pop(key, None)
        images = {k: data.pop(k) for k in ("celeba", "standin")}
        synthetic = data.pop("synthetic")
        if data["source"] == "synthetic":  # else it changes nothing the runs compute
            data["synthetic"] = synthetic
        for key in ("cache_dir", "download", "url", "checksum"):
            data.pop(key)
        if experiment == "linear":
            chosen = {k: settings[k] for k in ("device", "family", "linear", "fista", "sklearn")}
            chosen["data"] = data
        elif experiment == "patches":
            chosen = {"data": data}
        elif experiment == "dnn":
            chosen = {"device": settings["device"], "dnn": settings["dnn"], "data": images}
        else:
            raise ValueError(f"unknown experiment {experiment!r}")
        for path, default in _DIGEST_OMITS_AT_DEFAULT:
            section = chosen
            for key in path[:-1]:
                section = section.get(key, {})
            if section.get(path[-1], default) == default:
                section.pop(path[-1], None)
        if experiment != "patches":
            chosen["numbers_version"] = NUMBERS_VERSION
        text = json.dumps(chosen, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


_NOT_IN_DIGEST = ("workflow", "results_dir", "figures_dir", "preset", "notes")
# Settings added after run folders were published: left out of the digest at their default,
# which is the behaviour before they existed, so those folders stay valid.
_DIGEST_OMITS_AT_DEFAULT = ((("family", "threshold", "gamma_sampler"), "torch"),
                            (("dnn", "family", "threshold", "gamma_sampler"), "torch"),
                            (("linear", "tf32"), False))
# Raised whenever the code changes the numbers a run computes from the same settings, so that
# run folders made by an earlier version count as stale (2: the spike-and-slab KL on the raw
# encoder heads).
NUMBERS_VERSION = 2


# --------------------------------------------------------------------------- parsing


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _is_optional(tp: Any) -> tuple[bool, Any]:
    args = typing.get_args(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return True, rest[0]
    return False, tp


def _check_range(value: float, meta: dict, key: str) -> None:
    for bound, ok, word in (("ge", lambda v, b: v >= b, ">="), ("gt", lambda v, b: v > b, ">"),
                            ("le", lambda v, b: v <= b, "<="), ("lt", lambda v, b: v < b, "<")):
        b = meta.get(bound)
        if b is not None and not ok(value, b):
            raise ConfigError(f"config key '{key}' must be {word} {b}, got {value}")


FLOAT_TEXT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def _convert(value: Any, tp: Any, meta: dict, key: str) -> Any:
    optional, tp = _is_optional(tp)
    if value is None:
        if optional:
            return None
        raise ConfigError(f"config key '{key}' must not be empty (null)")
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise ConfigError(f"config key '{key}' must be a mapping, got {value!r}")
        return _build(tp, value, key + ".")
    if origin is Literal:
        choices = typing.get_args(tp)
        if value not in choices:
            raise ConfigError(f"config key '{key}' must be one of {list(choices)}, got {value!r}")
        return value
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(f"config key '{key}' must be a list, got {value!r}")
        if meta.get("min_items") and len(value) < meta["min_items"]:
            raise ConfigError(f"config key '{key}' needs at least {meta['min_items']} item(s)")
        (item_tp,) = typing.get_args(tp)
        item_meta = {k: v for k, v in meta.items() if k != "min_items"}
        return [_convert(v, item_tp, item_meta, f"{key}[{i}]") for i, v in enumerate(value)]
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"config key '{key}' must be true or false, got {value!r}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"config key '{key}' must be an integer, got {value!r}")
        _check_range(value, meta, key)
        return value
    if tp is float:
        if isinstance(value, str) and FLOAT_TEXT.fullmatch(value.strip()):
            value = float(value)  # PyYAML (YAML 1.1) reads 1e-3 as text; YAML 1.2 a number
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"config key '{key}' must be a number, got {value!r}")
        _check_range(float(value), meta, key)
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(f"config key '{key}' must be a string, got {value!r}")
        return value
    raise TypeError(f"unsupported config type {tp} for {key}")  # a bug in this module


def _build(cls: type, raw: dict[str, Any], prefix: str = "") -> Any:
    hints = _hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise ConfigError(f"unknown config key '{prefix}{unknown[0]}' (valid keys here: "
                          f"{', '.join(sorted(fields))})")
    kwargs = {name: _convert(raw[name], hints[name], dict(fields[name].metadata),
                             prefix + name) for name in raw}
    return cls(**kwargs)


def with_estimator(config: Config, estimator: str | None) -> Config:
    """The config with linear.estimator replaced (None keeps it)."""
    if estimator is None:
        return config
    return dataclasses.replace(config,
                               linear=dataclasses.replace(config.linear, estimator=estimator))


STUDIES = ("linear", "groundtruth")


def study_config(config: Config, study: str) -> Config:
    """The config a linear-generator study's runs use: 'linear' (Table 1 and its analyses)
    is the config itself; 'groundtruth' swaps in the synthetic patches and the overrides of
    the groundtruth section."""
    if study == "linear":
        return config
    if study != "groundtruth":
        raise ValueError(f"unknown study {study!r} (one of {', '.join(STUDIES)})")
    gt = config.groundtruth

    def pick(override, default):
        return default if override is None else override

    data = dataclasses.replace(config.data, source="synthetic",
                               n_train=pick(gt.n_train, config.data.n_train),
                               n_val=pick(gt.n_val, config.data.n_val))
    linear = dataclasses.replace(config.linear, epochs=pick(gt.epochs, config.linear.epochs),
                                 encoder_lr=pick(gt.encoder_lr, config.linear.encoder_lr))
    sklearn = dataclasses.replace(config.sklearn,
                                  epochs=pick(gt.sklearn_epochs, config.sklearn.epochs))
    return dataclasses.replace(config, data=data, linear=linear, sklearn=sklearn)




def with_dnn_point(config: Config, latents: int | None = None,
                   target_sparsity: float | None = None) -> Config:
    """The config with dnn.latents and/or the DNN target sparsity replaced (None keeps them).
    The sparsity sets both lambda0's target and the spike-and-slab prior, as the paper's
    "10% target sparsity (through lambda0 or the spike prior)"."""
    if latents is not None and latents < 1:
        raise ConfigError(f"--latents must be >= 1, got {latents}")
    if target_sparsity is not None and not 0 < target_sparsity < 1:
        raise ConfigError(f"--target-sparsity must be in (0, 1), got {target_sparsity}")
    dnn = config.dnn
    if latents is not None:
        dnn = dataclasses.replace(dnn, latents=latents)
    if target_sparsity is not None:
        family = dnn.family
        if family.threshold.lambda0_gaussian or family.threshold.lambda0_laplacian:
            raise ConfigError("a target-sparsity sweep sets lambda0 through "
                              "dnn.family.threshold.target_sparsity: remove the explicit "
                              "dnn.family.threshold.lambda0_gaussian / lambda0_laplacian")
        family = dataclasses.replace(
            family,
            threshold=dataclasses.replace(family.threshold, target_sparsity=target_sparsity),
            prior=dataclasses.replace(family.prior, spike_probability=target_sparsity))
        dnn = dataclasses.replace(dnn, family=family)
    return dataclasses.replace(config, dnn=dnn)


def config_from_dict(raw: dict[str, Any]) -> Config:
    """Validate a nested mapping and return the typed config (defaults fill missing keys)."""
    if not isinstance(raw, dict):
        raise ConfigError("a config must be a mapping of keys to values")
    return _build(Config, raw)


def load_config(path: str | Path) -> Config:
    """Read and validate a YAML preset; errors name the file and the offending key."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist")
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as err:
        raise ConfigError(f"config file {path} is not valid YAML: {err}") from err
    try:
        return config_from_dict(raw)
    except ConfigError as err:
        raise ConfigError(f"{path}: {err}") from None


# --------------------------------------------------------------------------- schema


def _schema_for(tp: Any, meta: dict) -> dict[str, Any]:
    optional, tp = _is_optional(tp)
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        schema = json_schema(tp)
    elif origin is Literal:
        schema = {"enum": list(typing.get_args(tp))}
    elif origin is list:
        (item_tp,) = typing.get_args(tp)
        item_meta = {k: v for k, v in meta.items() if k != "min_items"}
        schema = {"type": "array", "items": _schema_for(item_tp, item_meta)}
        if meta.get("min_items"):
            schema["minItems"] = meta["min_items"]
    else:
        schema = {"type": {bool: "boolean", int: "integer", float: "number", str: "string"}[tp]}
        for ours, theirs in (("ge", "minimum"), ("gt", "exclusiveMinimum"),
                             ("le", "maximum"), ("lt", "exclusiveMaximum")):
            if meta.get(ours) is not None:
                schema[theirs] = meta[ours]
    if optional:
        schema = {"anyOf": [schema, {"type": "null"}]}
    if meta.get("help"):
        schema["description"] = meta["help"]
    return schema


def json_schema(cls: type = Config) -> dict[str, Any]:
    """JSON schema (draft 2020-12) equivalent to the dataclass validation."""
    hints = _hints(cls)
    props = {f.name: _schema_for(hints[f.name], dict(f.metadata)) for f in dataclasses.fields(cls)}
    schema: dict[str, Any] = {"type": "object", "additionalProperties": False,
                              "properties": props}
    if cls is Config:
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                  "description": "vsc-bench preset (generated by `vsc schema`; do not edit)",
                  **schema}
    return schema
