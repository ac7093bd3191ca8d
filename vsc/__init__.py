"""vsc: Variational Sparse Coding with Learned Thresholding, as a library."""

__version__ = "0.1.0"
