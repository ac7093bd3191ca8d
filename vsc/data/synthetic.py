"""Patches with a known generator, for the ground-truth benchmark.

x = c (A a) + noise: a [K] has exactly ``active`` non-zero entries per patch, at random
atoms, with Laplacian amplitudes; A [P, K] holds unit-norm atoms; one global factor c makes
the clean signal's variance 1 per pixel on average, the scale of the z-scored natural
patches, so the Table 1 penalty (lam = 20) means the same here. A global factor keeps every
atom's direction, so recovered atoms can be compared with A by their cosines. Gaussian noise
is added at ``snr_db`` (signal power over noise power, per pixel). No z-scoring.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vsc.config import ConfigError, DataConfig, SyntheticConfig

MAX_DRAWS_PER_ATOM = 1000


@dataclass
class GroundTruth:
    """atoms [P, K] unit-norm true dictionary; val_codes [n_val, K] the true codes of the
    validation patches, in the patches' scale."""

    atoms: np.ndarray
    val_codes: np.ndarray


def gabor_atom(size: int, rng: np.random.Generator) -> np.ndarray:
    """One [size*size] unit-norm Gabor-like atom: random position, orientation, frequency,
    phase and width, like the atoms learned from natural images."""
    yy, xx = np.mgrid[0:size, 0:size].astype(float)
    cx, cy = rng.uniform(2, size - 2, 2)
    theta, phase = rng.uniform(0, np.pi), rng.uniform(0, 2 * np.pi)
    freq, sigma = rng.uniform(0.08, 0.35), rng.uniform(1.5, 4.0)
    u = (xx - cx) * np.cos(theta) + (yy - cy) * np.sin(theta)
    envelope = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * sigma**2))
    atom = (envelope * np.cos(2 * np.pi * freq * u + phase)).ravel()
    return atom / np.linalg.norm(atom)


def true_dictionary(config: SyntheticConfig, size: int) -> np.ndarray:
    """[size*size, n_atoms] unit-norm atoms, every pair with |cos| <= max_coherence.

    Drawn one by one, rejecting candidates too close to an earlier atom. With a coherence
    cap of 0.5 (60 degrees apart), an atom within 0.9 of one true atom is below 0.9 to all
    others, so a match above the recovery threshold is never ambiguous."""
    rng = np.random.default_rng(config.seed)
    atoms = np.empty((size * size, config.n_atoms))
    for k in range(config.n_atoms):
        for _ in range(MAX_DRAWS_PER_ATOM):
            atom = (gabor_atom(size, rng) if config.atoms == "gabor"
                    else _unit(rng.normal(size=size * size)))
            if k == 0 or np.abs(atoms[:, :k].T @ atom).max() <= config.max_coherence:
                break
        else:
            raise ConfigError(
                f"could not draw {config.n_atoms} {config.atoms} atoms of {size}x{size} with "
                f"|cos| <= {config.max_coherence} (stuck at atom {k}); raise "
                "data.synthetic.max_coherence or lower data.synthetic.n_atoms")
        atoms[:, k] = atom
    return atoms


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def sparse_codes(n: int, n_atoms: int, active: int, rng: np.random.Generator) -> np.ndarray:
    """[n, n_atoms] codes with exactly ``active`` Laplace(0, 1) entries per row."""
    codes = np.zeros((n, n_atoms))
    chosen = np.argsort(rng.random((n, n_atoms)), axis=1)[:, :active]
    np.put_along_axis(codes, chosen, rng.laplace(size=(n, active)), axis=1)
    return codes


def make_synthetic(config: DataConfig) -> tuple[np.ndarray, np.ndarray, GroundTruth]:
    """Training patches [n_train, P] and validation patches [n_val, P] (float32) with their
    ground truth, generated from ``config.synthetic`` (deterministic)."""
    sc, size = config.synthetic, config.patch_size
    if sc.active > sc.n_atoms:
        raise ConfigError(f"data.synthetic.active ({sc.active}) exceeds data.synthetic.n_atoms "
                         f"({sc.n_atoms})")
    atoms = true_dictionary(sc, size)
    rng = np.random.default_rng([sc.seed, config.seed])
    codes = sparse_codes(config.n_train + config.n_val, sc.n_atoms, sc.active, rng)
    clean = codes @ atoms.T
    scale = 1.0 / np.sqrt(np.mean(clean**2))  # unit signal power per pixel
    noise_std = 10 ** (-sc.snr_db / 20)
    x = scale * clean + rng.normal(scale=noise_std, size=clean.shape)
    x, codes = x.astype(np.float32), scale * codes
    truth = GroundTruth(atoms=atoms.astype(np.float32),
                        val_codes=codes[config.n_train:].astype(np.float32))
    return x[:config.n_train], x[config.n_train:], truth
