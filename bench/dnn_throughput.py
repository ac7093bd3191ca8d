"""Training images per second of the DNN generator (paper architecture, 512 latents, J = 10),
for the Gaussian and Thresholded Gaussian+Gamma families, and the projected GPU-hours of the
paper's CelebA grid (6 families x 3 seeds x 300 epochs of 150,000 images).

    python bench/dnn_throughput.py [--batch 500] [--iterations 3] [--device auto]

On CUDA it times bfloat16 mixed precision and float32 side by side. Random images stand in
for CelebA (speed does not depend on pixel values); data loading is not included.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from linear_throughput import seconds

from vsc.allocator import keep_freed_memory
from vsc.config import Config, DnnConfig
from vsc.dnn import DnnExperiment, ImageSet

PAPER_IMAGES_PER_RUN = 300 * 150_000
PAPER_RUNS = 6 * 3


class RandomImages(ImageSet):
    name = "random"

    def __init__(self, n: int) -> None:
        self.n_train = n
        self.data = torch.rand(n, 3, 64, 64)

    def train_batches(self, order, batch_size):
        for i in range(len(order) // batch_size):
            yield self.data[order[i * batch_size:(i + 1) * batch_size]]


def images_per_second(family: str, batch: int, iterations: int, samples: int, device: str,
                      amp: bool) -> float:
    config = Config(device=device, dnn=DnnConfig(batch_size=batch, epochs=10, amp=amp))
    images = RandomImages(batch * (iterations + 1))
    exp = DnnExperiment(config, family, samples, 0, images)
    images.n_train = batch  # the epoch the images offer: one warm-up iteration
    exp.train_epoch(0)
    images.n_train = batch * iterations
    return batch * iterations / seconds(lambda: exp.train_epoch(1), exp.device)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    keep_freed_memory()  # as every vsc command does
    cuda = torch.cuda.is_available() and args.device != "cpu"
    name = torch.cuda.get_device_name() if cuda else f"CPU, {torch.get_num_threads()} threads"
    print(f"torch {torch.__version__} on {name}; batch {args.batch}, J = {args.samples}, "
          "512 latents, paper widths")
    rates = []
    for family in ("gaussian", "thresholded_gaussian_gamma"):
        for amp in ([True, False] if cuda else [False]):
            rate = images_per_second(family, args.batch, args.iterations, args.samples,
                                     args.device, amp)
            rates.append(rate)
            hours = PAPER_IMAGES_PER_RUN / rate / 3600
            print(f"{family:28s} {'bf16 autocast' if amp else 'float32':14s} "
                  f"{rate:9.1f} images/s  -> {hours:8.1f} h per paper run")
    best = max(rates)
    print(f"paper CelebA grid ({PAPER_RUNS} runs x {PAPER_IMAGES_PER_RUN:,} images): "
          f"{PAPER_RUNS * PAPER_IMAGES_PER_RUN / best / 3600:.0f} device-hours at the best rate "
          f"here ({np.round(best, 1)} images/s)")


if __name__ == "__main__":
    main()
