"""Overlapping image patches, shuffled, split, z-scored per pixel, and cached on disk."""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from vsc.config import DataConfig
from vsc.data.download import download_images_mat
from vsc.data.images import (
    DataError,
    load_bundled,
    load_folder,
    load_images_mat,
    load_raw_float32_folder,
)
from vsc.data.synthetic import GroundTruth, make_synthetic
from vsc.io import atomic_path

CACHE_FORMAT = 1  # bump when extraction changes, so stale caches are not read


# Olshausen's ten whitened 512 x 512 scenes as his 1996 sparsenet-tcl program shipped them:
# the same scenes as IMAGES.mat, but not the same bytes (another scale, orientation unknown).
SPARSENET_TCL_NAME = "olshausen-sparsenet-tcl"


@dataclass
class PatchSet:
    """train [n_train, P*P] and val [n_val, P*P] float32, z-scored with the training
    patches' per-pixel mean and std ([P*P] each); meta records what produced them."""

    train: np.ndarray
    val: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    meta: dict
    truth: GroundTruth | None = None  # the known generator of synthetic patches

    @property
    def dataset(self) -> str:
        return self.meta["dataset"]


def dataset_name(config: DataConfig) -> str:
    """How tables and figures name the data."""
    if config.source == "bundled":
        return "bundled-photographs"
    if config.source == "images_mat":
        return "IMAGES.mat"
    if config.source == "sparsenet_tcl":
        return SPARSENET_TCL_NAME
    if config.source == "synthetic":
        sc = config.synthetic
        return f"synthetic:{sc.atoms}{sc.n_atoms}-active{sc.active}-snr{sc.snr_db:g}dB"
    return f"folder:{Path(config.path).name}"


def load_images(config: DataConfig) -> list[np.ndarray]:
    """The whitened images named by the config (downloading IMAGES.mat if asked)."""
    if config.source == "bundled":
        return load_bundled()
    if not config.path:
        raise DataError(f"config key 'data.path' is required when data.source is "
                        f"'{config.source}'")
    if config.source == "images_mat":
        if config.download and not Path(config.path).exists():
            download_images_mat(config.url, config.path, config.checksum)
        return load_images_mat(config.path, config.patch_size)
    if config.source == "sparsenet_tcl":
        return load_raw_float32_folder(config.path, config.patch_size)
    return load_folder(config.path, config.patch_size)


def _source_fingerprint(config: DataConfig) -> str:
    """Changes when the input images change (content hash, or file sizes and times)."""
    if config.source == "bundled":
        # the installed versions, read without importing the packages (2.4 s here)
        from importlib.metadata import version
        return f"skimage {version('scikit-image')} sklearn {version('scikit-learn')}"
    path = Path(config.path or "")
    if config.source == "images_mat":
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"
    if not path.is_dir():
        return "missing"
    if config.source == "sparsenet_tcl":  # ten MB: hashed, so a copy elsewhere is the same set
        digest = hashlib.sha256()
        for file in sorted(p for p in path.iterdir() if p.name.startswith("image")):
            digest.update(file.name.encode() + b"\0" + file.read_bytes())
        return digest.hexdigest()
    return ";".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}"
                    for p in sorted(path.iterdir()))


def _settings(config: DataConfig) -> dict:
    keep = {k: v for k, v in asdict(config).items() if k not in ("cache_dir", "download", "url",
                                                                    "checksum")}
    return {"format": CACHE_FORMAT, **keep, "fingerprint": _source_fingerprint(config)}


def _positions(images: list[np.ndarray], image_ids: np.ndarray, size: int) -> np.ndarray:
    """All top-left corners of size x size patches in the given images: [M, 3] (img, r, c)."""
    blocks = []
    for i in image_ids:
        h, w = images[i].shape
        if h < size or w < size:
            raise DataError(f"image {i} is {h}x{w}, smaller than the {size}x{size} patches")
        r, c = np.meshgrid(np.arange(h - size + 1), np.arange(w - size + 1), indexing="ij")
        blocks.append(np.stack([np.full(r.size, i), r.ravel(), c.ravel()], axis=1))
    return np.concatenate(blocks)


def _cut(images: list[np.ndarray], positions: np.ndarray, size: int) -> np.ndarray:
    """Patches at the given positions: [M, 3] -> [M, size*size] float64."""
    out = np.empty((len(positions), size * size))
    for i in np.unique(positions[:, 0]):
        rows = positions[:, 0] == i
        windows = np.lib.stride_tricks.sliding_window_view(images[i], (size, size))
        out[rows] = windows[positions[rows, 1], positions[rows, 2]].reshape(-1, size * size)
    return out


def _take(pool: np.ndarray, n: int, rng: np.random.Generator, what: str) -> np.ndarray:
    if len(pool) < n:
        raise DataError(f"only {len(pool)} patches are available for {what}, but {n} were "
                        f"asked for; lower data.n_train / data.n_val or add images")
    return pool[rng.permutation(len(pool))[:n]]


def extract_patches(images: list[np.ndarray], config: DataConfig) -> PatchSet:
    """Every overlapping patch, shuffled with ``config.seed`` and split by name:

    faithful: all patches shuffled, the first n_train train and the next n_val validate
        (validation patches overlap training patches, as in the reference);
    by_image: images shuffled, a held-out share of them supplies only validation patches.
    """
    size, rng = config.patch_size, np.random.default_rng(config.seed)
    if config.split == "faithful":
        chosen = _take(_positions(images, np.arange(len(images)), size),
                       config.n_train + config.n_val, rng, "training and validation")
        train_pos, val_pos = chosen[:config.n_train], chosen[config.n_train:]
    else:
        if len(images) < 2:
            raise DataError("data.split 'by_image' needs at least two images")
        order = rng.permutation(len(images))
        share = config.n_val / (config.n_train + config.n_val)
        n_val_images = min(len(images) - 1, max(1, round(share * len(images))))
        val_pos = _take(_positions(images, order[:n_val_images], size), config.n_val, rng,
                        f"validation (from {n_val_images} held-out images)")
        train_pos = _take(_positions(images, order[n_val_images:], size), config.n_train, rng,
                          "training")
    train, val = _cut(images, train_pos, size), _cut(images, val_pos, size)
    mean, std = train.mean(0), train.std(0)
    std[std == 0] = 1.0
    meta = {"dataset": dataset_name(config), "n_images": len(images), "split": config.split,
            "val_images": sorted(np.unique(val_pos[:, 0]).tolist()),
            "train_images": sorted(np.unique(train_pos[:, 0]).tolist())}
    return PatchSet(train=((train - mean) / std).astype(np.float32),
                    val=((val - mean) / std).astype(np.float32),
                    mean=mean.astype(np.float32), std=std.astype(np.float32), meta=meta)


def load_patches(config: DataConfig) -> PatchSet:
    """The patch set of a config, read from the cache when one with the same settings and
    the same input images exists, else extracted and cached (atomically)."""
    if config.source == "synthetic":  # generated in seconds: not cached
        return synthetic_patches(config)
    settings = _settings(config)
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]
    cache = Path(config.cache_dir) / f"patches-{digest}.npz"
    if cache.is_file():
        try:
            with np.load(cache, allow_pickle=False) as f:
                meta = json.loads(str(f["meta"]))
                return PatchSet(train=f["train"], val=f["val"], mean=f["mean"], std=f["std"],
                                meta=meta)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            pass  # a damaged cache is extracted again (and replaced) below
    patches = extract_patches(load_images(config), config)
    patches.meta.update(settings=settings, digest=digest)
    cache.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(cache) as tmp, open(tmp, "wb") as fh:
        np.savez(fh, train=patches.train, val=patches.val, mean=patches.mean, std=patches.std,
                 meta=np.array(json.dumps(patches.meta)))
    return patches


def synthetic_patches(config: DataConfig) -> PatchSet:
    """The synthetic patch set of a config (see vsc.data.synthetic), with its ground truth;
    not z-scored (mean 0 and std 1 stand in), so the true atoms keep their directions."""
    train, val, truth = make_synthetic(config)
    size = train.shape[1]
    meta = {"dataset": dataset_name(config), "split": "independent draws",
            "settings": asdict(config.synthetic)}
    return PatchSet(train=train, val=val, mean=np.zeros(size, np.float32),
                    std=np.ones(size, np.float32), meta=meta, truth=truth)
