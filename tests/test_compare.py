"""vsc compare: passes on itself, fails on a moved or newly diverged Table 1 value."""

import math

import pandas as pd
import pytest

from vsc.compare import compare_results
from vsc_bench.cli import main


def _write(folder, table, sampling=None):
    folder.mkdir()
    pd.DataFrame(table).to_csv(folder / "table1.csv", index=False)
    if sampling is not None:
        pd.DataFrame(sampling).to_csv(folder / "sampling.csv", index=False)
    return folder


TABLE = {"method": ["zero_code", "fista", "thresholded_laplacian", "thresholded_laplacian"],
         "J": [1, 1, 1, 20], "n_seeds": [0, 1, 1, 1],
         "val_loss_mean": [128.0, 63.8, 181.0, 170.0], "val_loss_std": [math.nan] * 4,
         "frac_nonzero_mean": [0.0, 0.09, 0.10, 0.11], "wall_seconds_mean": [0, 31, 17, 49]}
SAMPLING = {"method": ["thresholded_laplacian"], "estimator": ["max"], "J": [5],
            "seed": [0], "val_loss": [178.0]}


def test_a_folder_compares_clean_against_itself(tmp_path, capsys):
    ours = _write(tmp_path / "ours", TABLE, SAMPLING)
    assert main(["compare", str(ours), str(ours)]) == 0
    out = capsys.readouterr().out
    assert "## table1.csv" in out and "## sampling.csv" in out and ": OK" in out
    assert "wall_seconds" not in out  # run time is not a result


def test_a_moved_value_fails_and_names_the_cell(tmp_path, capsys):
    ref = _write(tmp_path / "ref", TABLE, SAMPLING)
    moved = dict(TABLE, val_loss_mean=[128.0, 63.8, 181.0 * 1.10, 170.0])
    ours = _write(tmp_path / "ours", moved, SAMPLING)
    assert main(["compare", str(ours), str(ref)]) == 1
    out = capsys.readouterr().out
    assert "FAILED" in out and "thresholded_laplacian J=1" in out
    assert main(["compare", str(ours), str(ref), "--tolerance", "0.2"]) == 0


def test_a_newly_diverged_cell_fails(tmp_path):
    ref = _write(tmp_path / "ref", TABLE)
    ours = _write(tmp_path / "ours", dict(TABLE, val_loss_mean=[128.0, 63.8, math.nan, 170.0]))
    result = compare_results(ours, ref)
    assert not result.ok and "diverged in ours only" in result.failures[0]


def test_differences_are_judged_against_seed_noise_where_there_is_some(tmp_path):
    ref = _write(tmp_path / "ref", dict(TABLE, val_loss_std=[math.nan, 1.0, 5.0, 5.0]))
    ours = _write(tmp_path / "ours", dict(TABLE, val_loss_mean=[128.0, 63.8, 185.0, 200.0],
                                          val_loss_std=[math.nan, 1.0, 5.0, 5.0]))
    numbers = compare_results(ours, ref).numbers
    cells = numbers[numbers.column == "val_loss_mean"]
    verdict = dict(zip(zip(cells.method, cells.J, strict=True), cells.verdict, strict=True))
    assert verdict == {("zero_code", 1): "identical", ("fista", 1): "identical",
                       ("thresholded_laplacian", 1): "within seeds",
                       ("thresholded_laplacian", 20): "beyond seeds"}


def test_a_missing_reference_is_a_one_line_error(tmp_path, capsys):
    ours = _write(tmp_path / "ours", TABLE)
    assert main(["compare", str(ours), str(tmp_path / "nowhere")]) == 2
    assert "table1.csv does not exist" in capsys.readouterr().err


@pytest.mark.parametrize("preset", ["quick", "test", "standard"])
def test_shipped_references_have_a_table1(preset):
    from tests.workflow.helpers import REPO

    table = pd.read_csv(REPO / "results" / "reference" / preset / "table1.csv")
    assert "zero_code" in set(table.method) and table.val_loss_mean.notna().any()


def test_missing_rows_or_columns_fail_one_line_each(tmp_path, capsys):
    ref = _write(tmp_path / "ref", TABLE)
    rows = {k: v[:2] for k, v in TABLE.items()}  # two of the four rows
    ours = _write(tmp_path / "ours", {k: v for k, v in rows.items() if k != "val_loss_mean"})
    assert main(["compare", str(ours), str(ref)]) == 1
    out = capsys.readouterr().out
    assert "ours lacks the column val_loss_mean" in out and "FAILED" in out
    assert out.count("ours lacks the row") == 2
    assert "method=thresholded_laplacian J=20" in out


def test_a_header_only_table_fails_without_a_traceback(tmp_path, capsys):
    ref = _write(tmp_path / "ref", TABLE)
    ours = tmp_path / "ours"
    ours.mkdir()
    (ours / "table1.csv").write_text(",".join(TABLE) + "\n")
    assert main(["compare", str(ours), str(ref)]) == 1
    assert capsys.readouterr().out.count("ours lacks the row") == 4


@pytest.mark.parametrize("content", ["", "method,samples\nfista,1\n", "\x00\xff\xfe garbage"])
def test_a_malformed_table_is_one_line(tmp_path, capsys, content):
    ref = _write(tmp_path / "ref", TABLE)
    ours = tmp_path / "ours"
    ours.mkdir()
    (ours / "table1.csv").write_bytes(content.encode("latin-1"))
    assert main(["compare", str(ours), str(ref)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "table1.csv" in err
