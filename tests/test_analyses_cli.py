"""Every analysis command takes --run only and works on every kind of run the workflow
makes: a Table 1 run, a ground-truth benchmark run (synthetic patches and the groundtruth
overrides), a DNN run and a DNN sweep point (--set overrides). Each reopens its run from the
folder alone: the preset file is gone before the analyses start."""

import json

import numpy as np

from tests.conftest import tiny_config_dict
from tests.test_dnn import _cfg as dnn_config
from vsc.config import config_from_dict, groundtruth_config, sweep_point_overrides, with_overrides
from vsc.dnn import train_dnn
from vsc.linear import LinearExperiment, train_linear
from vsc_bench.cli import main


def _analyse(*argv: str, out) -> dict:
    assert main([*argv, "--out", str(out)]) == 0
    return json.loads(out.read_text())


def test_linear_analyses_reopen_table1_and_groundtruth_runs(tmp_path):
    raw = tiny_config_dict(tmp_path)
    raw["groundtruth"] = {"n_train": 300, "n_val": 60, "epochs": 1}
    raw["data"]["synthetic"] = {"n_atoms": 16, "active": 2}
    table1 = config_from_dict(raw)
    runs = {"table1": table1, "groundtruth": groundtruth_config(table1)}
    for name, cfg in runs.items():
        train_linear(cfg, "thresholded_laplacian", 2, 0, tmp_path / name, progress=False)
    for name in runs:
        run = str(tmp_path / name)
        snr = _analyse("snr", "--run", run, "--passes", "3", "--batches", "1",
                       out=tmp_path / f"{name}_snr.json")
        consistency = _analyse("consistency", "--run", run, "--inputs", "7",
                               out=tmp_path / f"{name}_consistency.json")
        assert snr["status"] == consistency["status"] == "finished"
        assert snr["J"] == consistency["J"] == 2 and len(consistency["jaccard"]) == 7
        exp, final, _ = LinearExperiment.reopen(run)
        assert len(exp.validation_patches()) == (60 if name == "groundtruth" else 100)
        assert final["dataset"].startswith("synthetic") == (name == "groundtruth")


def test_recover_reopens_a_dnn_run_and_a_sweep_point(tmp_path):
    cfg = dnn_config(tmp_path, epochs=1)
    point = with_overrides(cfg, sweep_point_overrides(cfg, 4, 0.2))
    for name, run_cfg in (("dnn", cfg), ("sweep", point)):
        train_dnn(run_cfg, "thresholded_gaussian", 2, 0, tmp_path / name, progress=False)
        assert main(["recover", "--run", str(tmp_path / name),
                     "--out-dir", str(tmp_path / f"{name}_recovered")]) == 0
        recovered = json.loads((tmp_path / f"{name}_recovered" / "recovered.json").read_text())
        assert recovered["method"] == "thresholded_gaussian" and recovered["J"] == 2
        atoms = np.load(tmp_path / f"{name}_recovered" / "recovered.npy")
        assert atoms.shape == (3 * 32 * 32, run_cfg.dnn.latents)  # the sweep point's 4
