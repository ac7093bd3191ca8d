"""A family written outside the clone (the worked example of docs/extending.md, taken from
the page itself) trains through the test preset's workflow and has its rows in Table 1,
without a tracked file of the repository changing."""

import json
import re
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from tests.workflow.helpers import REPO, snakemake

pytestmark = pytest.mark.slow


def example_family_source() -> str:
    page = (REPO / "docs" / "extending.md").read_text()
    return re.search(r"```python\n(\"\"\"A Gaussian slab.*?)```", page, re.DOTALL).group(1)


def tracked_state() -> str:
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                          capture_output=True, text=True, check=True).stdout


def test_a_family_from_outside_the_clone_reaches_table1(tmp_path):
    before = tracked_state()
    priors = tmp_path / "priors"
    priors.mkdir()
    (priors / "hard_concrete.py").write_text(example_family_source())
    overlay = priors / "with_hard_concrete.yaml"
    overlay.write_text(yaml.safe_dump({
        "extra_families": [f"{priors / 'hard_concrete.py'}:HardConcreteGaussian"],
        "linear": {"families": ["thresholded_laplacian", "hard_concrete_gaussian"]},
        "family": {"options": {"hard_concrete_gaussian": {"open_cost": 0.5}}},
    }))
    work = tmp_path / "work"
    work.mkdir()
    result = snakemake("results/test/table1.csv", "--cores", "2", "--configfile",
                       str(REPO / "config" / "test.yaml"), str(overlay), cwd=work)
    assert result.returncode == 0, result.stderr[-3000:]
    table = pd.read_csv(work / "results" / "test" / "table1.csv")
    ours = table[table.method == "hard_concrete_gaussian"]
    assert sorted(ours.J) == [1, 3] and ours.val_loss_mean.notna().all()
    assert set(ours.label) == {"Hard-concrete Gaussian (L0)"}
    assert ours.paper_val_loss.isna().all()  # the paper has no value for it
    assert (ours.frac_nonzero_mean < 1).all()  # the gate closes some latents exactly
    markdown = (work / "results" / "test" / "table1.md").read_text()
    assert "Hard-concrete Gaussian (L0)" in markdown
    # its run folder reopens by itself: the analysis registers the family from config.json
    run = work / "results" / "test" / "runs" / "linear" / "hard_concrete_gaussian_J3_seed0"
    recorded = json.loads((run / "config.json").read_text())
    options = recorded["config"]["family"]["options"]
    assert options == {"hard_concrete_gaussian": {"open_cost": 0.5}}
    consistency = subprocess.run(
        [sys.executable, "-m", "vsc_bench", "consistency", "--run", str(run), "--inputs", "20",
         "--out", str(tmp_path / "jaccard.json")], cwd=work, capture_output=True, text=True,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert consistency.returncode == 0, consistency.stderr[-2000:]
    assert tracked_state() == before


@pytest.mark.parametrize(("spec", "message"), [
    ("no_colon_here", "must be 'package.module:Class'"),
    ("json:JSONDecoder", "is not a subclass of vsc.families.Family"),
    ("/nowhere/prior.py:Prior", "is not a file"),
    ("vsc_no_such_module:Prior", "importing vsc_no_such_module failed"),
])
def test_a_bad_extra_family_is_one_line_naming_the_key(tmp_path, spec, message):
    preset = tmp_path / "bad.yaml"
    preset.write_text(yaml.safe_dump({"extra_families": [spec]}))
    result = snakemake("-n", "--configfile", str(preset), cwd=tmp_path)
    assert result.returncode == 2
    line = result.stderr.strip().splitlines()[-1]
    assert "extra_families[0]" in line and message in line, result.stderr[-1000:]
