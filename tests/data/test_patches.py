import shutil
from dataclasses import replace

import numpy as np
import pytest

from tests.conftest import write_images_mat, write_sparsenet_tcl
from vsc.config import DataConfig
from vsc.data import patches as patches_mod
from vsc.data.images import DataError
from vsc.data.patches import extract_patches, load_patches


def _images(n=4, size=30, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(size, size)) + 10 * i for i in range(n)]


def test_shapes_and_per_pixel_zscore():
    p = extract_patches(_images(), DataConfig(n_train=500, n_val=100, patch_size=8))
    assert p.train.shape == (500, 64) and p.val.shape == (100, 64)
    assert p.train.dtype == np.float32
    np.testing.assert_allclose(p.train.mean(0), 0, atol=1e-4)
    np.testing.assert_allclose(p.train.std(0), 1, atol=1e-4)


def test_faithful_split_is_seeded_and_overlaps_images():
    cfg = DataConfig(n_train=500, n_val=100, patch_size=8, seed=3)
    a, b = extract_patches(_images(), cfg), extract_patches(_images(), cfg)
    np.testing.assert_array_equal(a.train, b.train)
    other = extract_patches(_images(), DataConfig(n_train=500, n_val=100, patch_size=8, seed=4))
    assert not np.array_equal(a.train, other.train)
    assert set(a.meta["val_images"]) & set(a.meta["train_images"])


def test_by_image_split_holds_out_whole_images():
    p = extract_patches(_images(n=5), DataConfig(n_train=500, n_val=100, patch_size=8,
                                                 split="by_image"))
    assert p.meta["val_images"] and not set(p.meta["val_images"]) & set(p.meta["train_images"])


def test_too_few_patches_is_a_clear_error():
    with pytest.raises(DataError, match="lower data.n_train"):
        extract_patches(_images(n=1, size=10), DataConfig(n_train=500, n_val=100, patch_size=8))


def test_second_load_reads_the_cache(tmp_path, monkeypatch):
    write_images_mat(tmp_path / "IMAGES.mat", n_images=2, size=30)
    cfg = DataConfig(source="images_mat", path=str(tmp_path / "IMAGES.mat"), n_train=300,
                     n_val=50, patch_size=8, cache_dir=str(tmp_path / "cache"))
    first = load_patches(cfg)
    monkeypatch.setattr(patches_mod, "load_images", lambda c: pytest.fail("cache not used"))
    second = load_patches(cfg)
    np.testing.assert_array_equal(first.train, second.train)
    assert second.dataset == "IMAGES.mat"
    assert len(list((tmp_path / "cache").iterdir())) == 1


def test_cache_is_invalidated_when_the_images_change(tmp_path):
    write_images_mat(tmp_path / "IMAGES.mat", n_images=2, size=30, seed=0)
    cfg = DataConfig(source="images_mat", path=str(tmp_path / "IMAGES.mat"), n_train=300,
                     n_val=50, patch_size=8, cache_dir=str(tmp_path / "cache"))
    first = load_patches(cfg)
    write_images_mat(tmp_path / "IMAGES.mat", n_images=2, size=30, seed=1)
    assert not np.array_equal(first.train, load_patches(cfg).train)


def test_sparsenet_tcl_patches_are_named_and_cached_by_content(tmp_path):
    write_sparsenet_tcl(tmp_path / "a", n_images=2, size=30)
    cfg = DataConfig(source="sparsenet_tcl", path=str(tmp_path / "a"), n_train=300, n_val=50,
                     patch_size=8, cache_dir=str(tmp_path / "cache"))
    first = load_patches(cfg)
    assert first.dataset == "olshausen-sparsenet-tcl" and first.meta["n_images"] == 2
    assert abs(float(first.train.std()) - 1) < 0.05  # z-scored per pixel
    # a byte-identical copy elsewhere is the same input images (a content fingerprint)
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    fingerprint = patches_mod._source_fingerprint
    assert fingerprint(cfg) == fingerprint(replace(cfg, path=str(tmp_path / "b")))
    write_sparsenet_tcl(tmp_path / "b", n_images=2, size=30, seed=1)
    assert fingerprint(cfg) != fingerprint(replace(cfg, path=str(tmp_path / "b")))


def test_missing_path_is_named():
    with pytest.raises(DataError, match="data.path"):
        load_patches(DataConfig(source="folder"))
