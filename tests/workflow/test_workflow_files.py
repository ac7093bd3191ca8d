"""The workflow's static files: lint, dry runs, schema, pins, profiles, bad configs."""

import json
import re
from types import SimpleNamespace

import pytest
import yaml

from tests.workflow.helpers import REPO, job_count, snakemake
from vsc.catalogue import FAMILY_NAMES
from vsc.config import config_schema


def _pins(lines):
    pins = {}
    for line in lines:
        line = line.strip().lstrip("-").strip().strip('"').strip("',")
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower()] = version
    return pins


def test_snakefmt_leaves_the_workflow_as_it_is():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "snakefmt", "--check", "Snakefile",
                             "workflow/rules"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, "run `snakefmt Snakefile workflow/rules`: " + result.stderr


def test_lint_passes(tmp_path):
    result = snakemake("--lint", cwd=REPO)
    assert result.returncode == 0 and "good condition" in result.stdout + result.stderr


@pytest.mark.parametrize("preset, expected", [
    # resolved_config, patches, table1, five linear figures, report, all; linear runs, FISTA,
    # scikit-learn; DNN runs and their recovered dictionaries, dnn_baselines, dnn_metrics,
    # recovered_figure; SNR of
    # 3 families x 2 J and its summary; sampling studies (extra J runs, avg runs, consistency
    # of the max and avg runs, summary); DNN sweeps (runs off the main setting: code sizes
    # x families, sparsities x sparse families; summary); ground-truth benchmark (runs,
    # summary)
    ("config", 10 + 7 * 2 + 1 + 1 + 6 * 2 + 3 + 3 * 2 + 1 + 2 + 1 + 2 + 1
     + 2 * 1 + 1 * 2 + 1 + 7 + 2 + 1),
    ("test", 10 + 7 * 2 + 1 + 1 + 6 * 2 + 3 + 3 * 2 + 1 + 2 + 1 + 2 + 1
     + 1 * 2 + 1 * 1 + 1 + 3 + 1),
    # paper: also the IMAGES.mat download and the CelebA check; the 42 Table 1 runs in two
    # bundle jobs (one per J)
    ("paper", 2 + 10 + 2 + 3 + 3 + 6 * 3 * 2 + 3 + 3 * 2 + 1 + 2 * 4 + 3 + 4 + 1
     + 3 * 6 + 3 * 5 + 1 + 7 * 2 + 2 + 1),
])
def test_dry_run_of_every_preset(tmp_path, preset, expected):
    result = snakemake("-n", "--configfile", str(REPO / "config" / f"{preset}.yaml"),
                       cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert job_count(result.stdout) == expected


def test_paper_preset_trains_table1_in_bundle_jobs(tmp_path):
    result = snakemake("results/paper/table1.csv", "-n", "--profile",
                       str(REPO / "profiles" / "slurm"), "--configfile",
                       str(REPO / "config" / "paper.yaml"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    jobs = re.findall(r"^rule (\S+):", result.stdout, re.MULTILINE)
    assert sorted(j for j in jobs if j.startswith("linear")) == ["linear_bundle_J1_0",
                                                                "linear_bundle_J20_0"]
    # every Table 1 run of the grid (7 families x 3 seeds at each J) is a member of a bundle
    assert len(re.findall(r"--run \w+ \d+ \S+_J\d+_seed\d+", result.stdout)) == 7 * 2 * 3


def test_paper_table1_needs_no_celeba(tmp_path):
    result = snakemake("results/paper/table1.csv", "-n", "--configfile",
                       str(REPO / "config" / "paper.yaml"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "rule celeba:" not in result.stdout and "rule dnn:" not in result.stdout


def test_paper_dnn_outputs_without_celeba_stop_before_any_dnn_job(tmp_path):
    result = snakemake("results/paper/dnn_metrics.csv", "--cores", "1", "--configfile",
                       str(REPO / "config" / "paper.yaml"), cwd=tmp_path, timeout=300)
    assert result.returncode != 0
    log = (tmp_path / "results" / "paper" / "logs" / "celeba.log").read_text()
    assert log.count("\n") == 1 and "data.celeba.root" in log and "Traceback" not in log
    assert not (tmp_path / "results" / "paper" / "runs").exists()


def test_dag_is_built_without_torch(tmp_path):
    fake = tmp_path / "fake" / "torch"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('torch imported while building the DAG')")
    result = snakemake("-n", cwd=tmp_path, env={"PYTHONPATH": str(tmp_path / "fake")})
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.parametrize("yaml_text, key", [
    ("bogus: 1\n", "bogus"),
    ("linear: {epochs: ten}\n", "epochs"),
    ("linear: {families: [gaussian, cauchy]}\n", "cauchy"),
    ("family: {threshold: {target_sparsity: -0.1}}\n", "target_sparsity"),
])
def test_bad_config_is_rejected_at_start_up(tmp_path, yaml_text, key):
    (tmp_path / "bad.yaml").write_text(yaml_text)
    result = snakemake("-n", "--configfile", str(tmp_path / "bad.yaml"), cwd=tmp_path)
    assert result.returncode == 2
    # one line naming the file and the key, not a schema dump or a traceback
    assert result.stderr.count("\n") == 1, result.stderr
    assert key in result.stderr and "bad.yaml" in result.stderr
    assert not (tmp_path / "results").exists()


def test_schema_file_is_the_generated_one():
    on_disk = json.loads((REPO / "workflow" / "schemas" / "config.schema.json").read_text())
    assert on_disk == config_schema(), "run `vsc schema --out workflow/schemas/config.schema.json`"


def test_environment_files_agree_with_requirements():
    requirements = _pins((REPO / "requirements.txt").read_text().splitlines())
    environment = yaml.safe_load((REPO / "environment.yml").read_text())
    rule_env = yaml.safe_load((REPO / "workflow" / "envs" / "vsc.yaml").read_text())
    pyproject = (REPO / "pyproject.toml").read_text()
    for name, spec in (("environment.yml", environment), ("workflow/envs/vsc.yaml", rule_env)):
        pip = next(d["pip"] for d in spec["dependencies"] if isinstance(d, dict))
        pins = _pins(pip)
        assert pins, name
        for package, version in pins.items():
            assert requirements.get(package) == version, f"{name}: {package}=={version}"
        assert any(str(d).startswith("python=3.11") for d in spec["dependencies"]), name
    for package, version in _pins(re.findall(r'"([^"]+==[^"]+)"', pyproject)).items():
        assert requirements.get(package) == version, f"pyproject.toml: {package}"
    assert requirements["torch"] == "2.13.0"


def test_every_rule_names_the_conda_env():
    rules = (REPO / "workflow" / "rules").glob("*.smk")
    for path in rules:
        text = path.read_text()
        shell_rules = text.count("    shell:")
        assert text.count("    conda:") == shell_rules, f"{path.name}: a shell rule without conda"


def test_profiles():
    local = yaml.safe_load((REPO / "profiles" / "default" / "config.yaml").read_text())
    assert local["rerun-incomplete"] is True and local["printshellcmds"] is True
    slurm = yaml.safe_load((REPO / "profiles" / "slurm" / "config.yaml").read_text())
    # the status command is the plugin's choice (sacct where accounting exists)
    assert slurm["executor"] == "slurm" and "slurm-status-command" not in slurm
    text = (REPO / "profiles" / "slurm" / "config.yaml").read_text()
    assert all(f"# {key}:" in text for key in ("slurm_account", "slurm_partition", "gpu_model"))
    assert {"mem_mb", "runtime"} <= set(slurm["default-resources"])
    # Snakemake applies profiles/default on top of any --profile: it must not hold a setting
    # the cluster profile sets differently (cores capped the paper's 4-thread jobs at 2)
    for key, value in local.items():
        assert slurm.get(key, value) == value, key


def test_slurm_profile_settings_reach_the_jobs(tmp_path):
    """Through profiles/slurm (and the workflow profile, as a user gets it): the profile's
    latency wait, and the paper preset's training jobs with their declared 4 threads."""
    probe = ("from snakemake.cli import parse_args; "
             "_, a = parse_args(['--profile', 'profiles/slurm', '-n']); "
             "print(a.latency_wait, a.cores, a.rerun_incomplete)")
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["30", "256", "True"], out
    result = snakemake("-n", "--profile", str(REPO / "profiles" / "slurm"), "--configfile",
                       str(REPO / "config" / "paper.yaml"), cwd=tmp_path,
                       workflow_profile=True)
    assert result.returncode == 0, result.stderr[-2000:]
    training = re.findall(r"^rule (linear|fista|dnn):\n(?:    .*\n)*?    threads: (\d+)",
                          result.stdout, re.MULTILINE)
    assert training and {threads for _, threads in training} == {"4"}, training[:3]


def test_paper_gpu_analyses_go_to_the_cluster_six_at_a_time_on_one_gpu(tmp_path):
    """The paper preset's 24 short GPU analyses (6 gradient SNR, 18 dictionary recoveries)
    leave profiles/slurm as 4 group jobs, each asking for one GPU and running its 6 jobs one
    after another (runtime adds up); other presets (no GPU) have no group."""
    from snakemake.resources import GroupResources, Resources

    result = snakemake("-n", "--profile", str(REPO / "profiles" / "slurm"), "--configfile",
                       str(REPO / "config" / "paper.yaml"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    groups = result.stdout.split("Group job gpu_analyses")[1:]
    # a group's members are indented; the next job at column 0 ends the group
    members = [re.findall(r"^    rule (\w+):", g.split("\n[", 1)[0], re.MULTILINE)
               for g in groups]
    assert [len(m) for m in members] == [6, 6, 6, 6]
    assert sorted(r for m in members for r in m) == ["recover"] * 18 + ["snr"] * 6
    job = re.search(r"^    rule snr:\n(?:        .*\n)*?        threads: (\d+)\n"
                    r"        resources: (.*)$", result.stdout, re.MULTILINE)
    declared = dict(kv.split("=") for kv in job.group(2).split(", "))
    assert declared["gpu"] == "1"

    # what Snakemake's group arithmetic reads of a job
    each = {"_cores": int(job.group(1)), "gpu": 1, "mem_mb": int(declared["mem_mb"]),
            "runtime": int(declared["runtime"])}

    slurm = yaml.safe_load((REPO / "profiles" / "slurm" / "config.yaml").read_text())
    assert "gpu_analyses=6" in slurm["group-components"]
    limits = dict(item.split("=") for item in slurm["resources"])
    request = GroupResources.basic_layered(
        [[SimpleNamespace(pipe_group=None, resources=each) for _ in range(6)]],
        Resources.from_mapping({"_cores": slurm["cores"], "gpu": int(limits["gpu"])}),
        run_local=False)
    assert request["gpu"] == 1 and request["_cores"] == each["_cores"]
    assert request["runtime"] == 6 * each["runtime"]
    assert 'gpu="local"' in (REPO / "Snakefile").read_text()  # a limit per submission
    standard = snakemake("-n", "--profile", str(REPO / "profiles" / "slurm"), "--configfile",
                         str(REPO / "config" / "standard.yaml"), cwd=tmp_path)
    assert standard.returncode == 0 and "Group job" not in standard.stdout


def test_quick_preset_covers_the_whole_grid():
    cfg = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    assert cfg["linear"]["samples"] == [1, 20]
    assert "families" not in cfg["linear"]  # default: all seven
    assert len(FAMILY_NAMES) == 7
