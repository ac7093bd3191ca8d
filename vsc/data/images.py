"""Natural images for the linear experiment: Olshausen's IMAGES.mat, the raw training set of
his 1996 sparsenet-tcl program, any folder of photographs, or the photographs bundled with
scikit-image and scikit-learn, whitened alike.

Every loader returns a list of 2-D float64 arrays (whitened, one per image).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from vsc.errors import UserError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
BUNDLED_SKIMAGE = ("camera", "astronaut", "coffee", "chelsea", "rocket", "grass", "gravel",
                   "brick")
BUNDLED_SKLEARN = ("china.jpg", "flower.jpg")


class DataError(UserError, ValueError):
    """Input data is missing or malformed; the message names the file and what to do."""


def whiten(image: np.ndarray, f0_fraction: float = 0.4) -> np.ndarray:
    """Olshausen & Field's whitening filter on a square crop of a grayscale image.

    In the Fourier domain the image is multiplied by f exp(-(f / f0)^4), f the radial
    frequency in cycles per picture and f0 = f0_fraction x the side (0.4 -> 0.8 of Nyquist).
    The result is scaled to unit variance so that every image weighs the same.
    [H, W] -> [S, S] with S = min(H, W) (centre crop: "cycles per picture" needs a square).
    """
    if image.ndim != 2:
        raise ValueError(f"whiten expects a 2-D grayscale image, got shape {image.shape}")
    side = min(image.shape)
    top, left = (image.shape[0] - side) // 2, (image.shape[1] - side) // 2
    img = image[top:top + side, left:left + side].astype(np.float64)
    img = img - img.mean()
    freqs = np.fft.fftfreq(side) * side  # cycles per picture
    fx, fy = np.meshgrid(freqs, freqs)
    f = np.sqrt(fx**2 + fy**2)
    filt = f * np.exp(-((f / (f0_fraction * side)) ** 4))
    out = np.real(np.fft.ifft2(np.fft.fft2(img) * filt))
    std = out.std()
    if not np.isfinite(std) or std == 0:
        raise DataError("an image is constant, so it cannot be whitened; remove it")
    return out / std


def to_gray(image: np.ndarray) -> np.ndarray:
    """RGB(A) or gray uint8/float -> 2-D float64 luminance in [0, 1] (ITU-R 601 weights)."""
    img = np.asarray(image)
    scale = 255.0 if img.dtype == np.uint8 else 1.0
    img = img.astype(np.float64) / scale
    if img.ndim == 3:
        img = img[..., :3] @ np.array([0.299, 0.587, 0.114])
    return img


def load_images_mat(path: str | Path, min_side: int = 2) -> list[np.ndarray]:
    """Olshausen's IMAGES.mat: key 'IMAGES', [H, W, n] already whitened -> n arrays [H, W],
    each at least ``min_side`` pixels on a side."""
    from scipy.io import loadmat

    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path} does not exist. Set data.download: true to fetch IMAGES.mat, "
                        "or run `vsc download-images --out PATH`, or point data.path at it.")
    try:
        mat = loadmat(path)
    except Exception as err:  # scipy raises several types for a corrupt file
        raise DataError(f"{path} is not a readable MATLAB file ({err}); download it again") from err
    if "IMAGES" not in mat:
        keys = [k for k in mat if not k.startswith("__")]
        raise DataError(f"{path} has no key 'IMAGES' (found: {keys}); it should be Olshausen's "
                        "whitened IMAGES.mat from the sparsenet page")
    arr = np.asarray(mat["IMAGES"], dtype=np.float64)
    if arr.ndim != 3:
        raise DataError(f"{path}: 'IMAGES' must be height x width x n_images, got {arr.shape}")
    if min(arr.shape[:2]) < min_side:
        raise DataError(f"{path}: its images are {arr.shape[0]}x{arr.shape[1]}, smaller than "
                        f"the {min_side}x{min_side} patches; lower data.patch_size")
    if not np.isfinite(arr).all():
        raise DataError(f"{path}: 'IMAGES' contains NaN or infinite values; download it again")
    return [arr[:, :, i] for i in range(arr.shape[2])]


def load_raw_float32_folder(path: str | Path, min_side: int = 2) -> list[np.ndarray]:
    """Olshausen's sparsenet-tcl training set: a folder of files ``image0``, ``image1``, ...
    (ordered by their number), each one square image of big-endian float32 pixels, already
    whitened (512 x 512 = 1,048,576 bytes in the 1996 set). Any ``header`` file beside them
    is ignored. -> n arrays [S, S] float64, unscaled (the patches are z-scored later)."""
    path = Path(path)
    if not path.is_dir():
        raise DataError(f"sparsenet-tcl folder {path} does not exist; set data.path to the "
                        "folder holding image0 ... image9 (libraries/sparsenet-tcl/trainset)")
    numbered = [(int(p.name[5:]), p) for p in path.iterdir()
                if p.is_file() and p.name.startswith("image") and p.name[5:].isdigit()]
    if not numbered:
        raise DataError(f"sparsenet-tcl folder {path} holds no files named image0, image1, ...; "
                        "point data.path at libraries/sparsenet-tcl/trainset")
    images = []
    for _, file in sorted(numbered):
        size = file.stat().st_size
        side = math.isqrt(size // 4)
        if size % 4 or side * side * 4 != size:
            raise DataError(f"{file} has {size} bytes, not a square image of 4-byte floats "
                            "(512 x 512 is 1,048,576 bytes); replace it with the original file")
        if side < min_side:
            raise DataError(f"{file} is {side}x{side}, smaller than the {min_side}x{min_side} "
                            "patches; lower data.patch_size")
        image = np.fromfile(file, dtype=">f4").reshape(side, side).astype(np.float64)
        if not np.isfinite(image).all() or image.std() == 0:
            raise DataError(f"{file} has NaN, infinite or constant pixels, so it is not a "
                            "sparsenet-tcl image (they are big-endian float32); replace it")
        images.append(image)
    return images


def load_folder(path: str | Path, min_side: int = 1) -> list[np.ndarray]:
    """Every PNG/JPEG/TIFF in a folder (sorted by name), grayscale and whitened; each must be
    finite, not constant, and at least ``min_side`` pixels on a side (errors name the file)."""
    from PIL import Image

    path = Path(path)
    if not path.is_dir():
        raise DataError(f"image folder {path} does not exist; set data.path to a folder of "
                        "PNG/JPEG/TIFF photographs")
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise DataError(f"image folder {path} holds no PNG/JPEG/TIFF files")
    images = []
    for file in files:
        try:
            with Image.open(file) as im:
                gray = to_gray(np.asarray(im))
        except OSError as err:
            raise DataError(f"{file} is not a readable image ({err}); remove or replace "
                            "it") from err
        if not np.isfinite(gray).all():
            raise DataError(f"{file} has NaN or infinite pixels; remove or replace it")
        if min(gray.shape) < min_side:
            raise DataError(f"{file} is {gray.shape[0]}x{gray.shape[1]}, smaller than the "
                            f"{min_side}x{min_side} patches; remove it or lower "
                            "data.patch_size")
        try:
            images.append(whiten(gray))
        except DataError as err:
            raise DataError(f"{file}: {err}") from None
    return images


def load_bundled() -> list[np.ndarray]:
    """Ten natural photographs from the scikit-image and scikit-learn wheels, whitened."""
    import skimage.data
    from sklearn.datasets import load_sample_image

    raw = [getattr(skimage.data, name)() for name in BUNDLED_SKIMAGE]
    raw += [load_sample_image(name) for name in BUNDLED_SKLEARN]
    return [whiten(to_gray(im)) for im in raw]
