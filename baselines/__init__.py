"""Baselines scored with the same Table 1 metric as the variational runs."""
