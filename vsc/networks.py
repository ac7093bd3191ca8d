"""Encoders: a trunk that maps a signal to features, and one linear head per family output."""

from __future__ import annotations

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


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


__all__ = ["Encoder", "count_parameters", "mlp", "mlp_encoder"]
