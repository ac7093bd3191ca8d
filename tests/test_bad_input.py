"""Bad input, kind by kind: each is one line on stderr naming the file or key, exit status 2,
no traceback, and nothing left behind (the case's folder is the same before and after)."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml
from PIL import Image

from tests.conftest import tiny_config_dict, write_images_mat
from vsc_bench.cli import main


@dataclass
class Case:
    """``setup(case)`` prepares files in case.root and returns the argv; the message must
    contain every string in ``names``."""

    kind: str
    setup: Callable[[CaseDir], list[str]]
    names: tuple[str, ...]


class CaseDir:
    """A case's folder, with the shared images and patch cache outside it."""

    def __init__(self, root: Path, shared: Path) -> None:
        self.root, self.shared = root, shared

    def config(self, name: str = "c.yaml", **overrides) -> str:
        """A tiny config on the shared fake IMAGES.mat and patch cache; ``overrides`` as
        tiny_config_dict's, except that a ``data`` mapping is merged into these defaults."""
        data = {"source": "images_mat", "path": str(self.shared / "IMAGES.mat"),
                "n_train": 400, "n_val": 100, "cache_dir": str(self.shared / "cache"),
                **overrides.pop("data", {})}
        raw = {**tiny_config_dict(self.shared, **overrides), "data": data}
        path = self.root / name
        path.write_text(yaml.safe_dump(raw))
        return str(path)

    def linear(self, config: str | None = None, *extra: str, out: str = "run",
               family: str = "thresholded_laplacian", samples: str = "2",
               seed: str = "0") -> list[str]:
        return ["linear", "--config", config or self.config(), "--family", family, "-J",
                samples, "--seed", seed, "--run", str(self.root / out), *extra]

    def folder_config(self, files: dict[str, np.ndarray | bytes]) -> str:
        """A config reading a folder of images written from ``files``."""
        folder = self.root / "images"
        folder.mkdir()
        for name, content in files.items():
            if isinstance(content, bytes):
                (folder / name).write_bytes(content)
            else:
                Image.fromarray(content).save(folder / name)
        return self.config(data={"source": "folder", "path": str(folder)})


def _photo(size: int = 64, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 255, (size, size), dtype=np.uint8)


def _finished_run(case: CaseDir) -> Path:
    """A finished linear run of the tiny config, trained once per session and copied."""
    run = case.shared / "finished"
    if not (run / "final.json").is_file():
        assert main(case.linear(case.config("finished.yaml"), "--no-progress",
                                out=str(run))) == 0
    return run


def _with_file(run: Path, dest: Path, name: str, content: bytes) -> Path:
    import shutil

    shutil.copytree(run, dest)
    (dest / name).write_bytes(content)
    return dest


def _corrupt_checkpoint(c: CaseDir) -> list[str]:
    cfg = c.config()
    run = c.root / "run"
    assert main(c.linear(cfg, "--no-progress")) == 0
    (run / "final.json").unlink()
    (run / "checkpoint.pt").write_bytes((run / "checkpoint.pt").read_bytes()[:100])
    return c.linear(cfg)


def _planted_checkpoint(c: CaseDir, content) -> list[str]:
    """An interrupted run whose checkpoint.pt was replaced: by a pickle whose loading would
    create a folder (``content`` None), by one whose encoder weight has the wrong shape
    ("misfit"), or by ``content`` (a checkpoint that is not ours)."""
    cfg = c.config()
    run = c.root / "run"
    assert main(c.linear(cfg, "--no-progress")) == 0
    (run / "final.json").unlink()
    if content == "misfit":
        content = torch.load(run / "checkpoint.pt", weights_only=True)
        content["experiment"]["encoder"]["trunk.0.weight"] = torch.zeros(3, 3)
    elif content is None:
        from tests.test_checkpoint_safety import _Payload

        state = torch.load(run / "checkpoint.pt", weights_only=True)
        state["experiment"]["payload"] = _Payload(c.shared / "pwned")
        content = state
    torch.save(content, run / "checkpoint.pt")
    return c.linear(cfg)


def _stale_folder(c: CaseDir) -> list[str]:
    run = c.root / "run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"config_digest": "0" * 16}))
    return c.linear()


def _celeba_zip(c: CaseDir) -> list[str]:
    root = c.root / "celeba"
    root.mkdir()
    (root / "list_eval_partition.txt").write_text("000001.jpg 0\n000002.jpg 2\n")
    with zipfile.ZipFile(root / "img_align_celeba.zip", "w") as zf:
        zf.writestr("img_align_celeba/000001.jpg", b"not a jpeg")
    (root / "img_align_celeba.zip").write_bytes((root / "img_align_celeba.zip").read_bytes()[:40])
    cfg = c.config(dnn={"dataset": "celeba"}, data={"celeba": {"root": str(root)}})
    return ["dnn", "--config", cfg, "--family", "gaussian", "-J", "1", "--seed", "0", "--run",
            str(c.root / "run")]


def _dnn(c: CaseDir, *extra: str, **overrides) -> list[str]:
    return ["dnn", "--config", c.config(**overrides), "--family", "gaussian", "-J", "1",
            "--seed", "0", "--run", str(c.root / "run"), *extra]


CASES = [
    Case("config file missing", lambda c: c.linear(str(c.root / "none.yaml")), ("none.yaml",)),
    Case("config not YAML", lambda c: c.linear(_text(c, "c.yaml", "linear: [1,\n")),
         ("c.yaml",)),
    Case("unknown config key", lambda c: c.linear(_text(c, "c.yaml", "bogus: 1\n")),
         ("bogus", "c.yaml")),
    Case("value out of range",
         lambda c: c.linear(c.config(family={"threshold": {"target_sparsity": -0.5}})),
         ("family.threshold.target_sparsity",)),
    Case("value of the wrong type", lambda c: c.linear(c.config(linear__epochs="two")),
         ("linear.epochs",)),
    Case("unknown family", lambda c: c.linear(family="cauchy"), ("cauchy",)),
    Case("negative seed", lambda c: c.linear(seed="-5"), ("--seed",)),
    Case("J of zero", lambda c: c.linear(samples="0"), ("-J",)),
    Case("impossible memory request (J = 10^8)", lambda c: c.linear(samples="100000000"),
         ("-J 100000000", "GiB")),
    Case("unknown estimator", lambda c: c.linear(None, "--set", "linear.estimator=best"),
         ("--set", "linear.estimator")),
    Case("unknown key in --set", lambda c: c.linear(None, "--set", "linear.epoch=3"),
         ("--set", "linear.epoch")),
    Case("--set without a value", lambda c: c.linear(None, "--set", "linear.epochs"),
         ("--set", "KEY=VALUE")),
    Case("batch larger than the training set",
         lambda c: c.linear(c.config(linear__batch_size=1000)),
         ("linear.batch_size", "data.n_train")),
    Case("more patches than the images hold",
         lambda c: c.linear(c.config(data={"n_train": 10**6})), ("data.n_train",)),
    Case("--run beneath a regular file",
         lambda c: c.linear(None, out=_text(c, "file.txt", "x") + "/run"), ("file.txt",)),
    Case("device cuda without CUDA", lambda c: c.linear(c.config(device="cuda")),
         ("'device'",)),
    Case("IMAGES.mat missing",
         lambda c: c.linear(c.config(data={"path": str(c.root / "IMAGES.mat")})),
         ("IMAGES.mat",)),
    Case("IMAGES.mat without the IMAGES key",
         lambda c: c.linear(c.config(data={"path": _mat(c, key="OTHER")})),
         ("other.mat", "'IMAGES'")),
    Case("IMAGES.mat not a MATLAB file",
         lambda c: c.linear(c.config(data={"path": _text(c, "junk.mat", "junk")})),
         ("junk.mat",)),
    Case("image folder missing",
         lambda c: c.linear(c.config(data={"source": "folder", "path": str(c.root / "none")})),
         ("none",)),
    Case("image folder without images", lambda c: c.linear(c.folder_config({})), ("images",)),
    Case("image with a NaN pixel",
         lambda c: c.linear(c.folder_config({"a.png": _photo(),
                                             "nan.tif": _nan_image()})), ("nan.tif", "NaN")),
    Case("constant image",
         lambda c: c.linear(c.folder_config({"a.png": _photo(),
                                             "flat.png": np.full((64, 64), 7, np.uint8)})),
         ("flat.png", "constant")),
    Case("image smaller than a patch",
         lambda c: c.linear(c.folder_config({"a.png": _photo(), "tiny.png": _photo(8)})),
         ("tiny.png", "16x16")),
    Case("unreadable image",
         lambda c: c.linear(c.folder_config({"a.png": _photo(), "bad.png": b"not a png"})),
         ("bad.png",)),
    Case("truncated checkpoint.pt", _corrupt_checkpoint, ("checkpoint.pt", "--replace-stale")),
    Case("checkpoint.pt holding a pickled object", lambda c: _planted_checkpoint(c, None),
         ("checkpoint.pt", "--replace-stale")),
    Case("checkpoint.pt that is not ours", lambda c: _planted_checkpoint(c, torch.zeros(3)),
         ("checkpoint.pt", "not a vsc-bench checkpoint")),
    Case("checkpoint.pt whose tensors do not fit the run",
         lambda c: _planted_checkpoint(c, "misfit"), ("checkpoint.pt", "does not fit")),
    Case("infinite learning rate", lambda c: c.linear(c.config(linear__encoder_lr=float("inf"))),
         ("linear.encoder_lr", "finite")),
    Case("NaN where no bound applies",
         lambda c: c.linear(_text(c, "c.yaml", "data:\n  synthetic: {snr_db: .nan}\n")),
         ("data.synthetic.snr_db", "finite")),
    Case("empty config file", lambda c: c.linear(_text(c, "empty.yaml", "")), ("empty.yaml",)),
    Case("config file holding a list", lambda c: c.linear(_text(c, "list.yaml", "[]\n")),
         ("list.yaml",)),
    Case("malformed table in compare",
         lambda c: ["compare", _table(c, "ours", "method,samples\nfista,1\n"),
                    _table(c, "ref", "method,J,val_loss_mean\nfista,1,63.8\n")],
         ("table1.csv", "J")),
    Case("run folder made with another config", _stale_folder, ("config.json",)),
    Case("corrupt final.json of an analysed run",
         lambda c: ["snr", "--run",
                    str(_with_file(_finished_run(c), c.root / "run", "final.json",
                                   b"{\"val_loss\x01\": 1}")),
                    "--out", str(c.root / "snr.json")], ("final.json",)),
    Case("analysis of an unfinished run",
         lambda c: ["snr", "--run", str(_empty(c, "unfinished")),
                    "--out", str(c.root / "snr.json")], ("unfinished",)),
    Case("corrupt final.json in aggregate",
         lambda c: ["summary", "table1", "--input", "runs",
                    str(_with_file(_finished_run(c), c.root / "r", "final.json", b"{")),
                    "--out-dir", str(c.root / "out"), "--figure-dir", str(c.root / "fig")],
         ("final.json",)),
    Case("report without its table",
         lambda c: ["report", "--table", str(c.root / "table1.csv"), "--runs",
                    str(c.root), "--out", str(c.root / "REPORT.md")], ("table1.csv",)),
    Case("CelebA root not set", lambda c: _dnn(c, dnn={"dataset": "celeba"}),
         ("data.celeba.root",)),
    Case("CelebA zip damaged", _celeba_zip, ("img_align_celeba.zip",)),
    Case("DNN code size of zero", lambda c: _dnn(c, "--set", "dnn.latents=0"),
         ("--set", "dnn.latents")),
    Case("DNN target sparsity above 1",
         lambda c: _dnn(c, "--set", "dnn.family.threshold.target_sparsity=2"),
         ("--set", "dnn.family.threshold.target_sparsity")),
    Case("malformed checksum",
         lambda c: ["download-images", "--url", "http://127.0.0.1:9/IMAGES.mat",
                    "--checksum", "crc:1", "--out", str(c.root / "IMAGES.mat")],
         ("checksum",)),
    Case("compare against a missing reference",
         lambda c: ["compare", str(c.root / "nowhere"), str(c.root)], ("nowhere",)),
]


def _table(c: CaseDir, folder: str, text: str) -> str:
    (c.root / folder).mkdir()
    (c.root / folder / "table1.csv").write_text(text)
    return str(c.root / folder)


def _text(c: CaseDir, name: str, text: str) -> str:
    (c.root / name).write_text(text)
    return str(c.root / name)


def _mat(c: CaseDir, key: str) -> str:
    write_images_mat(c.root / "other.mat", key=key)
    return str(c.root / "other.mat")


def _empty(c: CaseDir, name: str) -> Path:
    (c.root / name).mkdir()
    return c.root / name


def _nan_image() -> np.ndarray:
    image = np.random.default_rng(1).random((64, 64)).astype(np.float32)
    image[3, 5] = np.nan
    return image


def _tree(root: Path) -> dict[str, tuple[int, int] | None]:
    """Every path under root, with size and modification time for files."""
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
            if p.is_file() else None for p in root.rglob("*")}


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("shared")
    write_images_mat(root / "IMAGES.mat", n_images=3, size=40)
    return root


@pytest.mark.parametrize("case", CASES, ids=[c.kind for c in CASES])
def test_bad_input_is_one_line_and_leaves_nothing(case, shared, tmp_path, capsys):
    if case.kind == "device cuda without CUDA" and torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    c = CaseDir(tmp_path, shared)
    argv = case.setup(c)
    capsys.readouterr()
    before = _tree(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        raise SystemExit(main(argv))
    err = capsys.readouterr().err
    assert exit_info.value.code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    for name in case.names:
        assert name in lines[0], (name, lines[0])
    assert _tree(tmp_path) == before, "the failed command left files behind or changed them"


def test_there_are_at_least_40_kinds():
    """Counted by kind of input, not by entries of the list."""
    assert len({c.kind for c in CASES}) == len(CASES) >= 40


def test_debug_shows_the_traceback(tmp_path, capsys):
    with pytest.raises(Exception, match="bogus"):
        main(["--debug", "linear", "--config", _text(CaseDir(tmp_path, tmp_path), "c.yaml",
                                                      "bogus: 1\n"),
              "--family", "gaussian", "-J", "1", "--seed", "0", "--run", str(tmp_path / "r")])


def test_a_bug_is_not_bad_input(tmp_path, monkeypatch):
    """Only the suite's own errors (UserError) are one line: a ValueError from a library or
    from a bug keeps its traceback."""
    import vsc.linear

    def broken(*args, **kwargs):
        raise ValueError("an internal shape mismatch")

    monkeypatch.setattr(vsc.linear, "train_linear", broken)
    c = CaseDir(tmp_path, tmp_path)
    write_images_mat(tmp_path / "IMAGES.mat", n_images=3, size=40)
    with pytest.raises(ValueError, match="internal shape mismatch"):
        main(c.linear())
