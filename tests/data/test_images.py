import numpy as np
import pytest
from PIL import Image

from tests.conftest import write_images_mat, write_sparsenet_tcl
from vsc.data.images import (
    DataError,
    load_bundled,
    load_folder,
    load_images_mat,
    load_raw_float32_folder,
    whiten,
)


def test_images_mat_loads(tmp_path):
    write_images_mat(tmp_path / "IMAGES.mat", n_images=3, size=40)
    images = load_images_mat(tmp_path / "IMAGES.mat")
    assert len(images) == 3 and images[0].shape == (40, 40)


@pytest.mark.parametrize("make, message", [
    (lambda p: None, "does not exist"),
    (lambda p: p.write_bytes(b"not a mat file"), "not a readable MATLAB file"),
    (lambda p: write_images_mat(p, key="WRONG"), "no key 'IMAGES'"),
])
def test_images_mat_errors(tmp_path, make, message):
    path = tmp_path / "IMAGES.mat"
    make(path)
    with pytest.raises(DataError, match=message):
        load_images_mat(path)


def test_images_mat_rejects_bad_contents(tmp_path):
    import scipy.io
    scipy.io.savemat(tmp_path / "flat.mat", {"IMAGES": np.ones((4, 4))})
    with pytest.raises(DataError, match="height x width x n_images"):
        load_images_mat(tmp_path / "flat.mat")
    arr = np.zeros((8, 8, 2))
    arr[0, 0, 0] = np.nan
    scipy.io.savemat(tmp_path / "nan.mat", {"IMAGES": arr})
    with pytest.raises(DataError, match="NaN"):
        load_images_mat(tmp_path / "nan.mat")


def test_sparsenet_tcl_reads_big_endian_squares_in_numeric_order(tmp_path):
    write_sparsenet_tcl(tmp_path, n_images=12, size=20)
    images = load_raw_float32_folder(tmp_path)
    assert len(images) == 12 and images[0].shape == (20, 20) and images[0].dtype == np.float64
    # image10 comes after image9, not after image1; values are read big-endian, unscaled
    expected = np.fromfile(tmp_path / "image10", dtype=">f4").reshape(20, 20)
    assert np.array_equal(images[10], expected.astype(np.float64))
    assert 0.5 < images[0].std() < 2.0


@pytest.mark.parametrize("make, message", [
    (lambda p: None, "does not exist"),
    (lambda p: p.mkdir(), "holds no files named image0"),
    (lambda p: (p.mkdir(), (p / "image0").write_bytes(b"\0" * 12)), "not a square image"),
    (lambda p: (p.mkdir(), np.full((4, 4), np.nan, ">f4").tofile(p / "image0")), "NaN"),
    (lambda p: (p.mkdir(), np.zeros((2, 2), ">f4").tofile(p / "image0")), "smaller than"),
])
def test_sparsenet_tcl_errors_name_the_file(tmp_path, make, message):
    folder = tmp_path / "trainset"
    make(folder)
    with pytest.raises(DataError, match=message):
        load_raw_float32_folder(folder, min_side=3)


def test_whitening_flattens_the_spectrum():
    """A 1/f image has a steeply falling spectrum; whitened, mid frequencies are flat."""
    rng = np.random.default_rng(0)
    n = 128
    f = np.sqrt(np.add.outer(np.fft.fftfreq(n) ** 2, np.fft.fftfreq(n) ** 2)) * n
    pink = np.real(np.fft.ifft2(np.fft.fft2(rng.normal(size=(n, n))) / np.maximum(f, 1)))
    out = whiten(np.pad(pink, ((0, 0), (0, 20))))  # non-square: centre-cropped
    assert out.shape == (n, n) and abs(out.std() - 1) < 1e-9 and abs(out.mean()) < 1e-9
    power = np.abs(np.fft.fft2(out)) ** 2
    low, mid = power[(f > 4) & (f < 8)].mean(), power[(f > 16) & (f < 24)].mean()
    assert 0.5 < mid / low < 2.0  # pink input: the raw ratio would be about 1/9


def test_folder_loader(tmp_path):
    rng = np.random.default_rng(0)
    for i in range(2):
        Image.fromarray(rng.integers(0, 255, (30, 36, 3), dtype=np.uint8)).save(
            tmp_path / f"im{i}.png")
    (tmp_path / "notes.txt").write_text("ignored")
    images = load_folder(tmp_path)
    assert len(images) == 2 and images[0].shape == (30, 30)


def test_empty_or_missing_folder(tmp_path):
    with pytest.raises(DataError, match="holds no PNG/JPEG/TIFF"):
        load_folder(tmp_path)
    with pytest.raises(DataError, match="does not exist"):
        load_folder(tmp_path / "nope")


def test_bundled_photographs_are_ten_whitened_images():
    images = load_bundled()
    assert len(images) == 10
    assert all(im.ndim == 2 and min(im.shape) >= 300 and abs(im.std() - 1) < 1e-6
               for im in images)
