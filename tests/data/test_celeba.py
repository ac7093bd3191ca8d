"""The CelebA loader on a tiny fake CelebA in the official layout, unpacked and zipped."""

import zipfile

import numpy as np
import pytest
import torch
from PIL import Image

from vsc.data.celeba import CelebA, read_attributes, read_partition
from vsc.data.images import DataError


def make_fake_celeba(root, n=9, zipped=False):
    """n JPEGs of 178x218 (the aligned size) with a bright left half, a partition and
    attribute file; split 0,1,2 repeating."""
    root.mkdir(parents=True, exist_ok=True)
    folder = root / "img_align_celeba"
    folder.mkdir()
    names = [f"{i + 1:06d}.jpg" for i in range(n)]
    for i, name in enumerate(names):
        arr = np.zeros((218, 178, 3), np.uint8)
        arr[:, :89] = 200
        arr[0, 0] = i
        Image.fromarray(arr).save(folder / name, quality=95)
    (root / "list_eval_partition.txt").write_text(
        "".join(f"{name} {i % 3}\n" for i, name in enumerate(names)))
    header = "5_o_Clock_Shadow Smiling"
    (root / "list_attr_celeba.txt").write_text(
        f"{n}\n{header}\n" + "".join(f"{name}  1 -1\n" for name in names))
    if zipped:
        with zipfile.ZipFile(root / "img_align_celeba.zip", "w") as zf:
            for name in names:
                zf.write(folder / name, f"img_align_celeba/{name}")
        for name in names:
            (folder / name).unlink()
        folder.rmdir()
    return names


@pytest.mark.parametrize("zipped", [False, True])
def test_splits_crop_and_resize(tmp_path, zipped):
    names = make_fake_celeba(tmp_path / "celeba", zipped=zipped)
    train = CelebA(tmp_path / "celeba", "train")
    test = CelebA(tmp_path / "celeba", "test", size=32)
    assert train.names == names[0::3] and test.names == names[2::3]
    x = train[0]
    assert x.shape == (3, 64, 64) and x.dtype == torch.float32 and 0 <= x.min() <= x.max() <= 1
    # centre crop of 140 keeps the bright left half on the left: no flip in the loader
    assert x[:, :, :20].mean() > 0.6 and x[:, :, -20:].mean() < 0.1
    assert test[0].shape == (3, 32, 32)
    assert len(CelebA(tmp_path / "celeba", "train", limit=2)) == 2


def test_attributes_and_partition(tmp_path):
    names = make_fake_celeba(tmp_path / "c")
    attr_names, table = read_attributes(tmp_path / "c")
    assert attr_names == ["5_o_Clock_Shadow", "Smiling"] and list(table[names[0]]) == [1, -1]
    assert sum(map(len, read_partition(tmp_path / "c").values())) == 9


def test_missing_layout_says_what_is_needed(tmp_path):
    with pytest.raises(DataError, match="neither img_align_celeba/ nor .*CelebA is distributed"):
        CelebA(tmp_path, "train")
    (tmp_path / "img_align_celeba").mkdir()
    with pytest.raises(DataError, match="list_eval_partition.txt is missing"):
        CelebA(tmp_path, "train")
    (tmp_path / "list_eval_partition.txt").write_text("000001.jpg 7\n")
    with pytest.raises(DataError, match="expected"):
        CelebA(tmp_path, "train")


def test_worker_processes_decode(tmp_path):
    make_fake_celeba(tmp_path / "celeba", n=6, zipped=True)
    data = CelebA(tmp_path / "celeba", "train")
    batch = next(iter(torch.utils.data.DataLoader(data, batch_size=2, num_workers=2)))
    assert batch.shape == (2, 3, 64, 64)


@pytest.mark.parametrize("zipped", [False, True])
def test_vsc_celeba_checks_both_splits_and_says_what_it_found(tmp_path, zipped, capsys):
    import json

    import yaml

    from vsc_bench.cli import main

    make_fake_celeba(tmp_path / "celeba", n=9, zipped=zipped)
    config = tmp_path / "c.yaml"
    config.write_text(yaml.safe_dump({"dnn": {"dataset": "celeba"},
                                      "data": {"celeba": {"root": str(tmp_path / "celeba")}}}))
    assert main(["celeba", "--config", str(config), "--out", str(tmp_path / "found.json")]) == 0
    found = json.loads((tmp_path / "found.json").read_text())
    assert found["n_train"] == 3 and found["n_test"] == 3
    assert found["images_from"].endswith("img_align_celeba.zip" if zipped
                                         else "img_align_celeba")
    # a damaged image in the folder layout is named
    if not zipped:
        first = tmp_path / "celeba" / "img_align_celeba" / "000001.jpg"
        first.write_bytes(b"not a jpeg")
        assert main(["celeba", "--config", str(config), "--out",
                     str(tmp_path / "again.json")]) == 2
        assert "000001.jpg" in capsys.readouterr().err
        assert not (tmp_path / "again.json").exists()
