"""What a paper reader sees in the figures: legible legends, no legend entry without a mark,
atoms large enough to read, histograms that fit their data, the paper's values named by the
data they come from. Figures are caught before they are written (``plots.save``)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.image import AxesImage

from vsc import plots

PROVENANCE = {"dataset": "bundled-photographs", "preset": "unit"}


@pytest.fixture
def figures(monkeypatch) -> list[plt.Figure]:
    """Every figure a plot function makes, drawn but not written."""
    caught: list[plt.Figure] = []

    def keep(fig, stem):
        fig.canvas.draw()
        caught.append(fig)
        return []
    monkeypatch.setattr(plots, "save", keep)
    return caught


def table1(dataset: str = "bundled-photographs") -> pd.DataFrame:
    rows = [{"method": m, "J": j, "val_loss_mean": 200.0 + j, "val_loss_std": np.nan,
             "val_loss_ci_low": 190.0 + j, "val_loss_ci_high": 210.0 + j, "n_diverged": 0,
             "n_seeds": 1, "fista_val_loss_mean": 110.0, "dataset": dataset, "preset": "unit"}
            for m in ("thresholded_laplacian", "gaussian") for j in (1, 20)]
    rows.append({"method": "sklearn_lasso_cd", "J": 1, "val_loss_mean": 80.0,
                 "val_loss_std": np.nan, "n_diverged": 0, "n_seeds": 1, "dataset": dataset,
                 "preset": "unit"})
    return pd.DataFrame(rows)


def curves() -> pd.DataFrame:
    rows = [{"method": "thresholded_laplacian", "seed": 0, "J": 1, "epoch": e,
             "iteration": 100 * e, "val_loss": 300.0 / e, "atom_norm_mean": 1.0 + e,
             "val_recon": 120.0 - e, **PROVENANCE} for e in (1, 2, 3)]
    rows.append({"method": "sklearn_lasso_cd", "seed": 0, "J": 1, "epoch": 1,
                 "iteration": 70, "val_loss": 80.0, "atom_norm_mean": 10.0,
                 "val_recon": 40.0, **PROVENANCE})
    return pd.DataFrame(rows)


def every_text_size(fig: plt.Figure) -> list[float]:
    legends = [ax.get_legend() for ax in fig.axes] + list(fig.legends)
    texts = [t for legend in legends if legend for t in legend.get_texts()]
    for ax in fig.axes:
        texts += [*ax.texts, ax.title, *ax.get_xticklabels(), *ax.get_yticklabels()]
    return [t.get_fontsize() for t in texts if t.get_text()]


def drawn_labels(fig: plt.Figure) -> set[str]:
    """Labels of artists that put something on the canvas."""
    labels = set()
    for ax in fig.axes:
        for line in ax.get_lines():
            if len(line.get_xdata()) and (line.get_marker() not in ("None", None, "")
                                          or line.get_linestyle() not in ("None", "")):
                labels.add(line.get_label())
        for artist in ax.patches + ax.collections:
            labels.add(artist.get_label())
        for container in ax.containers:
            if len(container):
                labels.add(container.get_label())
    return labels


def legend_entries(fig: plt.Figure) -> list[str]:
    legends = [ax.get_legend() for ax in fig.axes] + list(fig.legends)
    return [t.get_text() for legend in legends if legend for t in legend.get_texts()]


def check_readable(fig: plt.Figure) -> None:
    assert min(every_text_size(fig)) >= plots.LEGEND_PT
    missing = set(legend_entries(fig)) - drawn_labels(fig)
    assert not missing, f"legend entries without a mark: {missing}"


def test_table1_curves_and_learning_figures_are_readable(figures):
    plots.plot_table1(table1(), "unused")
    plots.plot_curves(curves(), "unused")
    plots.plot_dictionary_learning(curves(), 127.0, "unused")
    for fig in figures:
        check_readable(fig)
    # the one-evaluation scikit-learn run is drawn as a level across the panel
    assert any("one evaluation" in text for text in legend_entries(figures[1]))


@pytest.mark.parametrize(("dataset", "expected"), [("bundled-photographs", "paper, IMAGES.mat"),
                                                   ("IMAGES.mat", "paper")])
def test_the_papers_values_are_named_by_their_data(figures, dataset, expected):
    plots.plot_table1(table1(dataset), "unused")
    entries = legend_entries(figures[0])
    assert f"{expected}, J=1" in entries


def test_snr_marks_the_paper_only_where_it_has_a_value(figures):
    table = pd.DataFrame([{"method": "gaussian", "J": j, "status": "finished",
                           "encoder_snr_mean": 1.0, "dictionary_snr_mean": 0.2,
                           "reference_encoder_snr": ref, "reference_dictionary_snr": np.nan,
                           **PROVENANCE} for j, ref in ((1, 0.234), (20, np.nan))])
    plots.plot_snr(table, "unused")
    check_readable(figures[0])
    assert "paper, IMAGES.mat" in legend_entries(figures[0])
    plots.plot_snr(table.assign(reference_encoder_snr=np.nan), "unused")
    assert not any(e.startswith("paper") for e in legend_entries(figures[1]))


def test_dnn_sweep_lists_the_paper_only_where_drawn(figures):
    rows = [{"sweep": "latents", "method": "gaussian", "latents": n, "target_sparsity": 0.1,
             "mse_per_pixel_mean": 0.01, "mse_per_pixel_std": 0.0,
             "multi_information_bits_mean": 30.0, "multi_information_bits_std": 0.0,
             "paper_mse_per_pixel": np.nan, "dataset": "standin", "preset": "unit"}
            for n in (16, 32)]
    plots.plot_dnn_sweep(pd.DataFrame(rows), "unused")
    check_readable(figures[0])
    rows[1].update(latents=512, paper_mse_per_pixel=0.0179)
    plots.plot_dnn_sweep(pd.DataFrame(rows), "unused")
    check_readable(figures[1])
    assert any(e.startswith("paper") for e in legend_entries(figures[1]))


def test_jaccard_histogram_spans_its_data(figures):
    table = pd.DataFrame([{"method": "thresholded_laplacian", "J": j, "estimator": "max",
                           "status": "finished", "val_loss": 200.0, **PROVENANCE}
                          for j in (1, 20)])
    rng = np.random.default_rng(0)
    consistency = [{"method": "thresholded_laplacian", "J": 20, "estimator": e,
                    "jaccard": list(rng.uniform(0.03, 0.08, 50))} for e in ("max", "avg")]
    plots.plot_sampling(table, consistency, "unused")
    check_readable(figures[0])
    low, high = figures[0].axes[1].get_xlim()
    assert 0.0 <= low < 0.03 and 0.08 < high < 0.2


def pixels_per_atom_pixel(fig: plt.Figure) -> list[float]:
    scales = []
    for ax in fig.axes:
        for image in ax.get_images():
            assert isinstance(image, AxesImage)
            width = image.get_array().shape[1]
            scales.append(ax.get_window_extent().width / width)
    return scales


def test_atoms_get_at_least_four_png_pixels_per_pixel(figures, tmp_path):
    rng = np.random.default_rng(0)
    atoms = rng.standard_normal((256, 256))
    for method in ("thresholded_laplacian", "fista"):
        np.save(tmp_path / f"{method}.npy", atoms)
    finals = pd.DataFrame([{"method": m, "J": 1, "seed": 0, "run_dir": str(tmp_path / m),
                            **PROVENANCE} for m in ("thresholded_laplacian", "fista")])
    for m in ("thresholded_laplacian", "fista"):
        (tmp_path / m).mkdir()
        np.save(tmp_path / m / "dictionary.npy", atoms)
    plots.plot_dictionaries(finals, "unused")
    plots.plot_snapshots({"Thresholded Laplacian J=1": {0: atoms, 300: atoms, 600: atoms}},
                         "data: x", "unused")
    plots.plot_recovered({"Gaussian": rng.standard_normal((3 * 32 * 32, 40))}, "data: x",
                         "unused")
    for fig in figures:
        scales = pixels_per_atom_pixel(fig)
        assert scales and min(scales) * plots.DPI / fig.dpi >= plots.ATOM_PX - 1e-6
        assert min(every_text_size(fig)) >= plots.LEGEND_PT
    # the dictionary panels say how many of the atoms they show
    assert "64 largest of 256 atoms" in figures[0]._suptitle.get_text()


def test_every_atom_panel_draws_its_separators_the_same_way():
    grid = plots.atom_grid(np.ones((64, 10)), max_atoms=9)
    assert grid.shape == (3 * 8 + 2, 3 * 8 + 2)
    assert np.isnan(grid[8, :]).all() and np.isnan(grid[:, 8]).all()
    assert tuple(plots.GREY.get_bad()[:3]) == (1.0, 1.0, 1.0)  # white, in every panel
