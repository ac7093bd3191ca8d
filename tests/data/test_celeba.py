"""The CelebA loader on tiny fakes: the official layout (folder and zip), a folder or zip of
half-size images without a partition file, and the bad inputs a user can have."""

import json
import zipfile

import numpy as np
import pytest
import torch
from PIL import Image

from vsc.config import CelebaConfig
from vsc.data.celeba import CelebA, check_celeba, find_celeba, own_split
from vsc.data.images import DataError


def write_faces(folder, n, width=178, height=218, first_id=1):
    """n JPEGs named by id with a bright left half (its brightness varies with the image);
    returns their names."""
    folder.mkdir(parents=True, exist_ok=True)
    names = [f"{i:06d}.jpg" for i in range(first_id, first_id + n)]
    for i, name in enumerate(names):
        arr = np.zeros((height, width, 3), np.uint8)
        arr[:, : width // 2] = 200 - i % 20
        Image.fromarray(arr).save(folder / name, quality=95)
    return names


def make_fake_celeba(root, n=9, zipped=False):
    """CelebA's own layout: img_align_celeba/ (or its zip) of 178 x 218 images and a partition
    with splits 0, 1, 2 repeating."""
    names = write_faces(root / "img_align_celeba", n)
    (root / "list_eval_partition.txt").write_text(
        "".join(f"{name} {i % 3}\n" for i, name in enumerate(names)))
    if zipped:
        _zip_folder(root / "img_align_celeba", root / "img_align_celeba.zip", "img_align_celeba")
    return names


def _zip_folder(folder, path, inside):
    with zipfile.ZipFile(path, "w") as zf:
        for file in sorted(folder.iterdir()):
            zf.write(file, f"{inside}/{file.name}")
            file.unlink()
    folder.rmdir()


def _config(root, **kw):
    return CelebaConfig(root=str(root), **kw)


@pytest.mark.parametrize("zipped", [False, True])
def test_official_layout_splits_crop_and_resize(tmp_path, zipped):
    names = make_fake_celeba(tmp_path / "celeba", zipped=zipped)
    layout = find_celeba(_config(tmp_path / "celeba"))
    assert layout.official and layout.crop == 140 and (layout.width, layout.height) == (178, 218)
    assert layout.name == "celeba-subset (9 images, official split)"
    train, test = CelebA(layout, "train"), CelebA(layout, "test", size=32)
    assert train.names == names[0::3] and test.names == names[2::3]
    x = train[0]
    assert x.shape == (3, 64, 64) and x.dtype == torch.float32 and 0 <= x.min() <= x.max() <= 1
    # the centre crop keeps the bright left half on the left: no flip in the loader
    assert x[:, :, :20].mean() > 0.6 and x[:, :, -20:].mean() < 0.1
    assert test[0].shape == (3, 32, 32)
    assert len(CelebA(layout, "train", limit=2)) == 2


@pytest.mark.parametrize("zipped", [False, True])
def test_half_size_images_without_partition_get_an_own_split(tmp_path, zipped):
    root = tmp_path / "faces"
    write_faces(root, 40, width=89, height=109)
    if zipped:
        _zip_folder(root, tmp_path / "faces.zip", "celebA")
        root = tmp_path / "faces.zip"
    layout = find_celeba(_config(root))
    assert not layout.official and layout.crop == 70  # 140 of 178, scaled with the width
    assert layout.name == "celeba-subset (40 images, own split)"
    assert sorted(n for split in layout.splits.values() for n in split) == sorted(
        layout.source.members)
    assert all(layout.splits[s] for s in ("train", "test"))
    x = CelebA(layout, "train")[0]
    assert x.shape == (3, 64, 64) and x[:, :, :20].mean() > 0.6 and x[:, :, -20:].mean() < 0.1


def test_own_split_depends_on_id_and_seed_alone():
    names = [f"{i:06d}.jpg" for i in range(1, 5001)]
    split = own_split(names, 0)
    shares = {k: len(v) / len(names) for k, v in split.items()}
    assert shares["train"] == pytest.approx(0.8, abs=0.03)
    assert shares["test"] == pytest.approx(0.1, abs=0.02)
    # an image keeps its split whichever other images are present
    fewer = own_split(names[::7], 0)
    assert fewer["test"] == [n for n in split["test"] if n in set(names[::7])]
    assert own_split(names, 1)["test"] != split["test"]


def test_official_partition_wins_and_is_restricted_to_the_images_found(tmp_path):
    root = tmp_path / "c"
    names = write_faces(root, 6, width=89, height=109)
    # the partition of the full CelebA lists more images than this subset has
    listed = [*names, "999999.jpg"]
    (root / "list_eval_partition.txt").write_text(
        "".join(f"{name} {0 if i < 4 else 2}\n" for i, name in enumerate(listed)))
    layout = find_celeba(_config(root))
    assert layout.official and layout.splits["test"] == names[4:]
    assert layout.name == "celeba-subset (6 images, official split)"
    (root / "list_eval_partition.txt").write_text("".join(f"{n} 0\n" for n in names))
    with pytest.raises(DataError, match="no test images: .*list_eval_partition.txt puts none"):
        find_celeba(_config(root))


def test_bad_inputs_are_named(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        find_celeba(_config(tmp_path / "nowhere"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="holds no images named by CelebA id"):
        find_celeba(_config(tmp_path / "empty"))
    (tmp_path / "notzip.zip").write_text("hello")
    with pytest.raises(DataError, match="not a zip"):
        find_celeba(_config(tmp_path / "notzip.zip"))
    root = tmp_path / "faces"
    write_faces(root, 30, width=89, height=109)
    Image.fromarray(np.zeros((109, 89, 3), np.uint8)).save(root / "000007.png")
    with pytest.raises(DataError, match="image id 7 appears twice"):
        find_celeba(_config(root))


def test_crop_at_the_limit_and_beyond(tmp_path):
    root = tmp_path / "faces"
    write_faces(root, 30, width=89, height=109)
    assert find_celeba(_config(root, crop=178)).crop == 89
    with pytest.raises(ValueError, match="data.celeba.crop"):
        find_celeba(_config(root, crop=180))


def test_mixed_sizes_and_unreadable_files_are_named(tmp_path):
    root = tmp_path / "faces"
    names = write_faces(root, 30, width=89, height=109)
    layout = find_celeba(_config(root))
    odd = layout.splits["train"][1]
    Image.fromarray(np.zeros((218, 178, 3), np.uint8)).save(root / odd)
    with pytest.raises(DataError, match=f"{odd} is 178x218 but {names[0]} is 89x109"):
        check_celeba(_config(root))
    train = CelebA(layout, "train")
    with pytest.raises(DataError, match=f"{odd} is 178x218, not 89x109"):
        train[1]
    (root / odd).write_bytes(b"not a jpeg")
    with pytest.raises(DataError, match=f"cannot read {odd}"):
        train[1]
    with pytest.raises(DataError, match=f"cannot read {odd}"):
        check_celeba(_config(root))


def test_worker_processes_decode(tmp_path):
    make_fake_celeba(tmp_path / "celeba", n=6, zipped=True)
    data = CelebA(find_celeba(_config(tmp_path / "celeba")), "train")
    batch = next(iter(torch.utils.data.DataLoader(data, batch_size=2, num_workers=2)))
    assert batch.shape == (2, 3, 64, 64)


@pytest.mark.parametrize("zipped", [False, True])
def test_vsc_celeba_checks_every_image_and_says_what_it_found(tmp_path, zipped, capsys):
    import yaml

    from vsc_bench.cli import main

    make_fake_celeba(tmp_path / "celeba", n=9, zipped=zipped)
    config = tmp_path / "c.yaml"
    config.write_text(yaml.safe_dump({"dnn": {"dataset": "celeba"},
                                      "data": {"celeba": {"root": str(tmp_path / "celeba")}}}))
    assert main(["celeba", "--config", str(config), "--out", str(tmp_path / "found.json")]) == 0
    found = json.loads((tmp_path / "found.json").read_text())
    assert found["n_train"] == 3 and found["n_test"] == 3 and found["split"] == "official"
    assert found["dataset"] == "celeba-subset (9 images, official split)"
    assert found["images_from"].endswith("img_align_celeba.zip" if zipped
                                         else "img_align_celeba")
    if not zipped:  # a damaged image anywhere in the folder is named, and nothing written
        last = tmp_path / "celeba" / "img_align_celeba" / "000008.jpg"
        last.write_bytes(b"not a jpeg")
        assert main(["celeba", "--config", str(config), "--out",
                     str(tmp_path / "again.json")]) == 2
        err = capsys.readouterr().err
        assert "000008.jpg" in err and len(err.strip().splitlines()) == 1
        assert not (tmp_path / "again.json").exists()
