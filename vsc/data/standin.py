"""A CelebA stand-in with a known generator, so that dictionary recovery can be scored.

Images are x = clip(0.5 + sum_k a_k d_k + noise, 0, 1) with ``active`` of ``n_atoms`` fixed
ground-truth atoms d_k per image (smooth coloured blobs modulated by oriented gratings, RGB
64x64) and Laplacian amplitudes a_k. Everything is generated from the seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vsc.config import StandinConfig

SIZE = 64
NAME = "standin (synthetic sparse images)"


@dataclass
class StandinImages:
    """train [N, 3, 64, 64] and test [M, 3, 64, 64] float32 in [0, 1]; atoms [A, 3, 64, 64]
    (the ground truth, before clipping); test_codes [M, A] the true sparse codes."""

    train: np.ndarray
    test: np.ndarray
    atoms: np.ndarray
    test_codes: np.ndarray


def ground_truth_atoms(n_atoms: int, rng: np.random.Generator, size: int = SIZE) -> np.ndarray:
    """[n_atoms, 3, size, size] localized coloured gratings, unit Frobenius norm each."""
    yy, xx = np.mgrid[0:size, 0:size] / size
    atoms = np.empty((n_atoms, 3, size, size))
    for k in range(n_atoms):
        cy, cx = rng.uniform(0.2, 0.8, 2)
        sigma = rng.uniform(0.08, 0.2)
        theta, freq, phase = rng.uniform(0, np.pi), rng.uniform(1.0, 4.0), rng.uniform(0, 2 * np.pi)
        envelope = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * sigma**2))
        grating = np.cos(2 * np.pi * freq * ((xx - cx) * np.cos(theta) + (yy - cy) * np.sin(theta))
                         + phase)
        colour = rng.normal(size=3)
        atom = colour[:, None, None] * (envelope * (0.5 + 0.5 * grating))[None]
        atoms[k] = atom / np.linalg.norm(atom)
    return atoms


def _images(n: int, atoms: np.ndarray, config: StandinConfig, rng: np.random.Generator
            ) -> tuple[np.ndarray, np.ndarray]:
    n_atoms = len(atoms)
    codes = np.zeros((n, n_atoms))
    for i in range(n):
        chosen = rng.choice(n_atoms, size=min(config.active, n_atoms), replace=False)
        codes[i, chosen] = rng.laplace(scale=config.amplitude, size=len(chosen))
    # atoms have unit norm over 3 x 64 x 64 values; scale so an amplitude of 1 spans ~0.5
    flat = codes @ atoms.reshape(n_atoms, -1) * np.sqrt(atoms[0].size) / 8
    flat += rng.normal(scale=config.noise, size=flat.shape)
    images = np.clip(0.5 + flat, 0, 1).reshape(n, *atoms.shape[1:])
    return images.astype(np.float32), codes


def make_standin(config: StandinConfig) -> StandinImages:
    """The stand-in image set of a config (deterministic)."""
    rng = np.random.default_rng(config.seed)
    atoms = ground_truth_atoms(config.n_atoms, rng)
    train, _ = _images(config.n_train, atoms, config, rng)
    test, test_codes = _images(config.n_test, atoms, config, rng)
    return StandinImages(train=train, test=test, atoms=atoms.astype(np.float32),
                         test_codes=test_codes)


def downsample(images: np.ndarray, size: int) -> np.ndarray:
    """Block-average [..., C, S, S] images to [..., C, size, size] (S a multiple of size)."""
    s = images.shape[-1]
    if s % size:
        raise ValueError(f"cannot block-average {s}x{s} images to {size}x{size}")
    f = s // size
    return images.reshape(*images.shape[:-2], size, f, size, f).mean(axis=(-1, -3))
