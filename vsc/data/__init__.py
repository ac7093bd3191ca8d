"""Data sources: natural images and their patches (linear experiment)."""
