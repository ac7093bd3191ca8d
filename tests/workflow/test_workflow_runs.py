"""Real runs of the workflow on the tiny preset: outputs, idempotence, resume after a kill."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
import yaml

from tests.workflow.helpers import REPO, snakemake, snakemake_command
from vsc.catalogue import FAMILY_NAMES
from vsc.summaries import SUMMARIES

pytestmark = pytest.mark.slow
TEST_CONFIG = str(REPO / "config" / "test.yaml")


# Output folders a user might name: a space, a quote, a dollar sign and a command
# substitution. Every value reaching a shell is quoted, so nothing in them runs.
HOSTILE = "res ult's $HOME $(touch PWNED)"


def test_tiny_preset_end_to_end_then_nothing_to_do(tmp_path):
    places = ["--config", f"results_dir={HOSTILE}/test", f"figures_dir={HOSTILE}/figures"]
    result = snakemake("--cores", "2", "--configfile", TEST_CONFIG, *places, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    results, figures = tmp_path / HOSTILE / "test", tmp_path / HOSTILE / "figures"
    assert not list(tmp_path.rglob("PWNED")) and not (REPO / "PWNED").exists()
    for name in ("table1.csv", "table1.md", "table1.tex", "linear_curves.csv", "REPORT.md",
                 "dnn_metrics.csv", "snr.csv", "sampling.csv", "groundtruth.csv",
                 "dnn_sweep.csv"):
        assert (results / name).stat().st_size > 0
    dnn = pd.read_csv(results / "dnn_metrics.csv")
    assert dnn.method.tolist()[-2:] == ["mean_image", "pca"]  # the baselines, last
    assert len(dnn) == 6 + 2 and dnn.mse_per_pixel_mean.notna().all()
    assert dnn.recovered_fraction_mean.iloc[:6].between(0, 1).all()
    groundtruth = pd.read_csv(results / "groundtruth.csv")  # two scikit-learn coders, one run
    assert sorted(groundtruth.method) == ["fista", "sklearn_lasso_cd", "sklearn_omp",
                                          "thresholded_laplacian"]
    assert groundtruth.recovered_fraction.between(0, 1).all()
    sweep = pd.read_csv(results / "dnn_sweep.csv")
    assert sorted(sweep.groupby("sweep").size().items()) == [("latents", 4), ("sparsity", 2)]
    assert sweep.mse_per_pixel_mean.notna().all()
    for stem in ("dictionaries", "table1", "val_loss", "dictionary_learning", "snapshots",
                 "recovered_dictionaries", "snr", "sampling", "groundtruth", "dnn_sweep"):
        for ext in ("png", "pdf"):
            assert (figures / f"{stem}.{ext}").stat().st_size > 0
    table = pd.read_csv(results / "table1.csv")
    # families x J, FISTA, two scikit-learn coders, the zero code at each J
    assert len(table) == 7 * 2 + 1 + 2 + 2
    assert table.val_loss_mean.notna().all()
    # the fresh numbers agree with the reference results shipped for this preset
    compared = subprocess.run([sys.executable, "-m", "vsc_bench", "compare", str(results),
                               str(REPO / "results" / "reference" / "test")],
                              capture_output=True, text=True, cwd=REPO)
    assert compared.returncode == 0, compared.stdout[-3000:] + compared.stderr
    runs = [run for study in ("linear", "dnn", "groundtruth")
            for run in (results / "runs" / study).iterdir()]
    # linear grid, extra J of the J study, one avg run; DNN grid and 3 sweep runs; benchmark
    assert len(runs) == 16 + 2 + 1 + 6 + 3 + 3
    for run in runs:
        assert json.loads((run / "final.json").read_text())["preset"] == "test"
    again = snakemake("-n", "--configfile", TEST_CONFIG, *places, cwd=tmp_path)
    assert "Nothing to be done" in again.stdout + again.stderr
    report = snakemake("--report", "report.html", "--configfile", TEST_CONFIG, *places,
                       cwd=tmp_path)
    assert report.returncode == 0, report.stderr[-3000:]
    assert "ERROR/" not in report.stderr  # captions are reStructuredText: no stray markup
    html = (tmp_path / "report.html").read_text(errors="replace")
    assert len(html) > 10_000
    # every summary's caption comes from its record (vsc/summaries.py), through params
    for summary in SUMMARIES:
        assert " ".join(summary.caption.split()[:6]) in html, summary.name


def test_changed_setting_reruns_the_runs_it_affects_in_one_invocation(tmp_path):
    results = tmp_path / "results" / "test"
    target = str((results / "groundtruth.csv").relative_to(tmp_path))
    cfg = yaml.safe_load(open(TEST_CONFIG))
    config = tmp_path / "changed.yaml"

    def run(*extra):
        config.write_text(yaml.safe_dump(cfg))
        return snakemake(target, *extra, "--configfile", str(config), cwd=tmp_path)

    assert run("--cores", "2").returncode == 0
    finals = sorted((results / "runs" / "groundtruth").glob("*/final.json"))
    assert len(finals) == 3
    cfg["dnn"]["lr"] = 0.01  # not a setting of the benchmark's runs: nothing to redo
    assert "Nothing to be done" in run("-n").stdout
    cfg["groundtruth"]["n_val"] = 80
    rerun = run("--cores", "2")
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    for final in finals:
        recorded = json.loads((final.parent / "config.json").read_text())["config"]
        assert recorded["data"]["n_val"] == 80
    assert "Nothing to be done" in run("-n").stdout


def test_killed_training_job_resumes_without_redoing_finished_ones(tmp_path):
    cfg = yaml.safe_load(open(TEST_CONFIG))
    cfg["linear"].update(families=["gaussian", "laplacian"], samples=[1], epochs=150)
    (tmp_path / "long.yaml").write_text(yaml.safe_dump(cfg))
    runs = tmp_path / "results" / "test" / "runs" / "linear"
    done, killed = runs / "gaussian_J1_seed0", runs / "laplacian_J1_seed0"
    args = ["--cores", "1", "--configfile", str(tmp_path / "long.yaml")]

    def target(run):  # relative, as the rules' outputs are; targets go before --configfile
        return str((run / "final.json").relative_to(tmp_path))

    first = snakemake(target(done), *args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    stamp = (done / "final.json").stat().st_mtime_ns

    proc = subprocess.Popen(snakemake_command(target(killed), *args), cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        metrics = killed / "metrics.csv"
        if metrics.exists() and len(pd.read_csv(metrics)) >= 3:
            break
        time.sleep(0.2)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("the training job never reached epoch 3")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (killed / "final.json").exists() and (killed / "checkpoint.pt").exists()

    assert snakemake("--unlock", *args, cwd=tmp_path).returncode == 0
    resumed = snakemake(target(done), target(killed), *args,
                        "--rerun-incomplete", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert (done / "final.json").stat().st_mtime_ns == stamp  # not redone
    log = (tmp_path / "results" / "test" / "logs" / "linear" / "laplacian_J1_seed0.log")
    assert "from its checkpoint at epoch" in log.read_text()
    assert "from its checkpoint at epoch 0" not in log.read_text()
    final = json.loads((killed / "final.json").read_text())
    assert final["status"] == "finished" and final["epochs_completed"] == 150


def test_bundled_table1_runs_give_the_reference_numbers(tmp_path):
    """With workflow.bundle_size the Table 1 runs train as bundle jobs and give exactly the
    numbers of runs trained one by one (the shipped reference); a rerun after one run's
    files are lost retrains nothing: the bundle's finished runs rewrite their files from
    their checkpoints."""
    config = yaml.safe_load(open(TEST_CONFIG))
    config["workflow"] = {**config.get("workflow", {}), "bundle_size": 4}
    path = tmp_path / "bundled.yaml"
    path.write_text(yaml.safe_dump(config))
    result = snakemake("results/test/table1.csv", "--cores", "2", "--configfile", str(path),
                       cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "rule linear_bundle_J3_1:" in result.stdout + result.stderr
    fresh = pd.read_csv(tmp_path / "results" / "test" / "table1.csv")
    shipped = pd.read_csv(REPO / "results" / "reference" / "test" / "table1.csv")
    columns = ["method", "J", "val_loss_mean", "frac_nonzero_mean"]
    fresh, shipped = (table[table.method.isin(FAMILY_NAMES)][columns].reset_index(drop=True)
                      for table in (fresh, shipped))
    assert len(fresh) == 7 * 2
    pd.testing.assert_frame_equal(fresh, shipped)
    run = tmp_path / "results" / "test" / "runs" / "linear" / "gaussian_J3_seed0"
    (run / "final.json").unlink()
    again = snakemake(str(run.relative_to(tmp_path) / "final.json"), "--cores", "2",
                      "--configfile", str(path), cwd=tmp_path)
    assert again.returncode == 0, again.stderr[-3000:]
    log = (tmp_path / "results" / "test" / "logs" / "linear" / "linear_bundle_J3_0.log")
    assert " it/s " not in log.read_text()  # no epoch was trained again (only "resuming")
    assert json.loads((run / "final.json").read_text())["status"] == "finished"


def test_real_face_overlay_runs_the_dnn_rules_alone(tmp_path):
    """config/celeba.yaml over the test preset, on a folder of half-size faces without a
    partition file at resources/celeba: the dnn_report target trains the DNN grid, its
    baselines and recovered dictionaries, and trains nothing of Table 1."""
    from tests.data.test_celeba import write_faces

    write_faces(tmp_path / "resources" / "celeba", 60, width=89, height=109)
    small = tmp_path / "small.yaml"  # the test preset's networks again, two families
    small.write_text(yaml.safe_dump({"dnn": {
        "latents": 8, "width": 0.125, "batch_size": 8, "epochs": 1, "eval_every": 0,
        "families": ["gaussian", "thresholded_gaussian_gamma"]}}))
    configs = ["--configfile", TEST_CONFIG, str(REPO / "config" / "celeba.yaml"), str(small)]
    result = snakemake("dnn_report", "--cores", "2", *configs, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    results = tmp_path / "results" / "celeba-subset"
    dnn = pd.read_csv(results / "dnn_metrics.csv")
    assert dnn.method.tolist() == ["gaussian", "thresholded_gaussian_gamma", "mean_image",
                                   "pca"]
    assert (dnn.dataset == "celeba-subset (60 images, own split)").all()
    report = (results / "DNN_REPORT.md").read_text()
    assert "Mean training image (no code)" in report and "mean training image scores" in report
    assert (tmp_path / "figures" / "celeba-subset" / "recovered_dictionaries.png").is_file()
    assert sorted(p.name for p in (results / "runs").iterdir()) == ["dnn"]
    again = snakemake("dnn_report", "-n", *configs, cwd=tmp_path)
    assert "Nothing to be done" in again.stdout + again.stderr


def test_a_failed_training_job_is_retried_with_more_resources_and_resumes(tmp_path):
    """workflow.retries: the training process dies mid-run (killed alone, Snakemake lives);
    the job starts again with twice the memory and runtime and resumes from its checkpoint."""
    cfg = yaml.safe_load(open(TEST_CONFIG))
    cfg["linear"].update(families=["laplacian"], samples=[1], epochs=150)
    cfg["workflow"].update(retries=1)
    (tmp_path / "long.yaml").write_text(yaml.safe_dump(cfg))
    run = tmp_path / "results" / "test" / "runs" / "linear" / "laplacian_J1_seed0"
    target = str((run / "final.json").relative_to(tmp_path))
    proc = subprocess.Popen(snakemake_command(target, "--cores", "1", "--configfile",
                                              str(tmp_path / "long.yaml")),
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        metrics = run / "metrics.csv"
        if metrics.exists() and len(pd.read_csv(metrics)) >= 3:
            break
        time.sleep(0.2)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("the training job never reached epoch 3")
    # the training process alone, as a cluster's out-of-memory or time-limit kill would
    subprocess.run(["pkill", "-9", "-f", f"vsc_bench linear .*{run.relative_to(tmp_path)}"],
                   check=True)
    output, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, output[-3000:]
    mems = re.findall(r"mem_mb=(\d+)", output)
    assert str(cfg["workflow"]["mem_mb"]) in mems and str(2 * cfg["workflow"]["mem_mb"]) in mems
    log = (tmp_path / "results" / "test" / "logs" / "linear" / "laplacian_J1_seed0.log")
    assert "from its checkpoint at epoch" in log.read_text()
    assert json.loads((run / "final.json").read_text())["epochs_completed"] == 150
