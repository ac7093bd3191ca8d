"""The summaries are declared once (vsc/summaries.py): the workflow, the CLI, the report and
`vsc compare` follow the records, and every record points at code that exists."""

import re

import pandas as pd
import pytest

from tests.workflow.helpers import REPO, snakemake
from vsc.summaries import BY_NAME, COMPARED, CONFIG, REPORTED, SUMMARIES, function
from vsc_bench.cli import main


@pytest.mark.parametrize("summary", SUMMARIES, ids=lambda s: s.name)
def test_every_record_names_code_that_exists(summary):
    assert callable(function(summary.make))
    for spec in (summary.section, summary.finding):
        if spec:
            assert callable(function(spec))
    assert summary.caption.strip() and summary.category
    assert summary.tables or summary.figures, "a summary writes something"
    assert not summary.keys or summary.table.endswith(".csv")
    for item in summary.inputs:
        assert item.kind in ("folders", "files", "results") or item.source == CONFIG


def test_names_tables_and_figures_are_unique():
    assert len(BY_NAME) == len(SUMMARIES)
    tables = [t for s in SUMMARIES for t in s.tables]
    figures = [f for s in SUMMARIES for f in s.figures]
    assert len(set(tables)) == len(tables) and len(set(figures)) == len(figures)


def test_compare_and_report_follow_the_records():
    assert set(COMPARED) == {s.table for s in SUMMARIES if s.keys}
    assert all(s.table for s in REPORTED)


def test_the_workflow_has_one_rule_per_summary_and_builds_every_file(tmp_path):
    result = snakemake("-n", "--configfile", str(REPO / "config" / "test.yaml"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    jobs = dict(re.findall(r"^(\w+)\s+(\d+)$", result.stdout, re.MULTILINE))
    for summary in SUMMARIES:
        assert jobs.get(summary.rule) == "1", summary.rule
    for summary in SUMMARIES:  # rule all asks for every table and figure
        for name in summary.tables:
            assert f"results/test/{name}" in result.stdout
        for stem in summary.figures:
            assert f"figures/test/{stem}.png" in result.stdout


def test_a_summary_refuses_inputs_it_does_not_declare(tmp_path, capsys):
    assert main(["summary", "snr", "--input", "runs", str(tmp_path), "--out-dir",
                 str(tmp_path), "--figure-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--input runs is not one of its inputs (analyses)" in err
    assert main(["summary", "snr", "--input", "analyses", str(tmp_path / "a.json"),
                 "--figure-dir", str(tmp_path)]) == 2
    assert "give --out-dir" in capsys.readouterr().err
    assert main(["summary", "snr", "--out-dir", str(tmp_path), "--figure-dir",
                 str(tmp_path)]) == 2
    assert "needs --input analyses PATH" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_summary_writes_its_table_and_figure(tmp_path, capsys):
    import json

    rows = [{"method": m, "J": j, "seed": 0, "status": "finished",
             "encoder_snr_mean": 1.0 + j, "dictionary_snr_mean": 2.0,
             "reference_encoder_snr": None, "reference_dictionary_snr": None,
             "dataset": "standin", "preset": "test"}
            for m in ("gaussian", "thresholded_laplacian") for j in (1, 20)]
    inputs = []
    for i, row in enumerate(rows):
        path = tmp_path / f"snr{i}.json"
        path.write_text(json.dumps(row))
        inputs.append(str(path))
    out, figures = tmp_path / "results", tmp_path / "figures"
    assert main(["summary", "snr", "--input", "analyses", *inputs, "--out-dir", str(out),
                 "--figure-dir", str(figures)]) == 0
    table = pd.read_csv(out / "snr.csv")
    assert len(table) == 4 and set(table.method) == {"gaussian", "thresholded_laplacian"}
    assert (figures / "snr.png").stat().st_size > 0 and (figures / "snr.pdf").is_file()


def test_the_worked_example_of_a_new_figure_runs(tmp_path, monkeypatch):
    """docs/extending.md's figure module and record, as written there."""
    import sys

    import vsc.summaries as summaries

    text = (REPO / "docs" / "extending.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    module = next(b for b in blocks if b.startswith("# vsc/atom_norms.py"))
    record = next(b for b in blocks if "Summary(" in b and "atom_norms" in b)
    (tmp_path / "atom_norms.py").write_text(module)
    monkeypatch.syspath_prepend(str(tmp_path))
    summary = eval(record.strip().rstrip(","), vars(summaries))  # the record as printed
    summary = summaries.Summary(**{**summary.__dict__, "make": "atom_norms:atom_norms"})
    pd.DataFrame({"label": ["Gaussian", "Gaussian", "FISTA"], "J": [1, 20, 1],
                  "atom_norm_mean_mean": [1.2, 1.5, 2.0]}).to_csv(tmp_path / "table1.csv")
    job = summaries.Job(summary, {"table": [str(tmp_path / "table1.csv")]}, tmp_path, tmp_path)
    printed = job.run()
    assert (tmp_path / "atom_norms.png").stat().st_size > 0 and "atom_norms.pdf" in printed
    sys.modules.pop("atom_norms", None)
