"""Encoders: a trunk that maps a signal to features, and one linear head per family output."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from torch import Tensor, nn


def mlp(n_inputs: int, hidden: Sequence[int]) -> nn.Sequential:
    """Linear + ReLU layers n_inputs -> hidden[0] -> ... -> hidden[-1]."""
    layers: list[nn.Module] = []
    for width in hidden:
        layers += [nn.Linear(n_inputs, width), nn.ReLU()]
        n_inputs = width
    return nn.Sequential(*layers)


class Encoder(nn.Module):
    """x [N, ...] -> {head: [N, K]}: a shared trunk then one linear layer per head name."""

    def __init__(self, trunk: nn.Module, n_features: int, heads: Sequence[str],
                 n_latents: int) -> None:
        super().__init__()
        self.trunk = trunk
        self.heads = nn.ModuleDict({name: nn.Linear(n_features, n_latents) for name in heads})

    def forward(self, x: Tensor) -> dict[str, Tensor]:
        features = self.trunk(x)
        return {name: head(features) for name, head in self.heads.items()}


def mlp_encoder(n_inputs: int, hidden: Sequence[int], heads: Sequence[str],
                n_latents: int) -> Encoder:
    """The linear experiment's encoder: MLP 256-512-1024-512-256 with ReLUs, then heads."""
    if not hidden:
        raise ValueError("encoder_hidden needs at least one layer width")
    return Encoder(mlp(n_inputs, hidden), hidden[-1], heads, n_latents)


def _channels(base: Sequence[int], width: float) -> list[int]:
    return [max(1, round(c * width)) for c in base]


def conv_trunk(width: float = 1.0, in_channels: int = 3) -> tuple[nn.Sequential, int]:
    """The 64x64 encoder body of docs/method.md section 6: five 4x4 convolutions with batch norm
    and ReLU, 3-64-64-128-256-256 channels (times ``width``), stride 2, padding 1 except the
    last (padding 0), so 64 -> 32 -> 16 -> 8 -> 4 -> 1. Returns (trunk, feature size):
    [N, 3, 64, 64] -> [N, F]."""
    widths = _channels([64, 64, 128, 256, 256], width)
    layers: list[nn.Module] = []
    for i, out in enumerate(widths):
        layers += [nn.Conv2d(in_channels, out, 4, stride=2, padding=0 if i == 4 else 1),
                   nn.BatchNorm2d(out), nn.ReLU()]
        in_channels = out
    layers.append(nn.Flatten())
    return nn.Sequential(*layers), widths[-1]


def conv_encoder(heads: Sequence[str], n_latents: int, width: float = 1.0) -> Encoder:
    """[N, 3, 64, 64] images in [0, 1] -> {head: [N, K]}."""
    trunk, n_features = conv_trunk(width)
    return Encoder(trunk, n_features, heads, n_latents)


class ConvDecoder(nn.Module):
    """Codes [..., K] -> images [..., 3, 64, 64] in (0, 1): a linear layer to 256 x 2 x 2,
    then five 4x4 transposed convolutions (stride 2) with batch norm and ReLU,
    128-128-64-64-3 channels (times ``width``; 3 stays 3), sigmoid output."""

    def __init__(self, n_latents: int, width: float = 1.0, out_channels: int = 3) -> None:
        super().__init__()
        widths = [*_channels([256, 128, 128, 64, 64], width), out_channels]
        self.first = widths[0]
        self.project = nn.Linear(n_latents, widths[0] * 2 * 2)
        layers: list[nn.Module] = []
        for i, (c_in, c_out) in enumerate(itertools.pairwise(widths)):
            layers.append(nn.ConvTranspose2d(c_in, c_out, 4, stride=2, padding=1))
            last = i == len(widths) - 2
            layers += [nn.Sigmoid()] if last else [nn.BatchNorm2d(c_out), nn.ReLU()]
        self.body = nn.Sequential(*layers)

    def forward(self, z: Tensor) -> Tensor:
        lead = z.shape[:-1]
        x = self.project(z.reshape(-1, z.shape[-1])).view(-1, self.first, 2, 2)
        out = self.body(x)
        return out.view(*lead, *out.shape[1:])


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


__all__ = ["Encoder", "count_parameters", "mlp", "mlp_encoder"]
