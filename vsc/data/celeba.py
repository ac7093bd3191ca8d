"""CelebA in its official aligned layout, from a folder or straight from the zip.

Expected under ``root``:
    img_align_celeba/000001.jpg ...   (or img_align_celeba.zip holding that folder)
    list_eval_partition.txt           ("000001.jpg 0" per line: 0 train, 1 valid, 2 test)
    list_attr_celeba.txt              (optional: 40 binary attributes)
Images are centre-cropped to 140 x 140 and resized (64 for training, 32 for recovery).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset

from vsc.config import CelebaConfig, ConfigError
from vsc.data.images import DataError

SPLITS = {"train": 0, "valid": 1, "test": 2}
WHERE = ("CelebA is distributed by its authors at "
         "https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html (Align&Cropped images, "
         "img_align_celeba.zip, and the Eval/list_eval_partition.txt file); it cannot be "
         "downloaded automatically")


def read_partition(root: Path) -> dict[str, list[str]]:
    """File names per split from list_eval_partition.txt."""
    path = root / "list_eval_partition.txt"
    if not path.is_file():
        raise DataError(f"{path} is missing: data.celeba.root must hold list_eval_partition.txt "
                        f"next to img_align_celeba/ or img_align_celeba.zip. {WHERE}.")
    splits: dict[str, list[str]] = {name: [] for name in SPLITS}
    codes = {v: k for k, v in SPLITS.items()}
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            name, code = line.split()
            splits[codes[int(code)]].append(name)
        except (ValueError, KeyError):
            raise DataError(f"{path}:{n}: expected '<file>.jpg <0|1|2>', got {line!r}") from None
    return splits


def read_attributes(root: Path) -> tuple[list[str], dict[str, np.ndarray]] | None:
    """(attribute names, {file: [40] of -1/1}) from list_attr_celeba.txt, or None if absent."""
    path = root / "list_attr_celeba.txt"
    if not path.is_file():
        return None
    lines = path.read_text().splitlines()
    names = lines[1].split()
    table = {}
    for line in lines[2:]:
        parts = line.split()
        if parts:
            table[parts[0]] = np.array([int(v) for v in parts[1:]], dtype=np.int8)
    return names, table


class ImageSource:
    """Reads image bytes from img_align_celeba/ or from img_align_celeba.zip."""

    def __init__(self, root: Path) -> None:
        self.folder = root / "img_align_celeba"
        self.zip_path = root / "img_align_celeba.zip"
        self._zip: zipfile.ZipFile | None = None
        if not self.folder.is_dir() and not self.zip_path.is_file():
            raise DataError(f"{root} holds neither img_align_celeba/ nor img_align_celeba.zip; "
                            f"set data.celeba.root to the folder that does. {WHERE}.")

    @property
    def origin(self) -> Path:
        """The folder or zip the images are read from."""
        return self.folder if self.folder.is_dir() else self.zip_path

    def read(self, name: str) -> bytes:
        if self.folder.is_dir():
            return (self.folder / name).read_bytes()
        if self._zip is None:  # opened lazily: each DataLoader worker gets its own handle
            self._zip = zipfile.ZipFile(self.zip_path)
        return self._zip.read(f"img_align_celeba/{name}")

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_zip": None}


def load_image(data: bytes, crop: int, size: int) -> np.ndarray:
    """JPEG bytes -> [3, size, size] float32 in [0, 1]: centre crop, then resize."""
    with Image.open(io.BytesIO(data)) as im:
        im = im.convert("RGB")
        w, h = im.size
        left, top = (w - crop) // 2, (h - crop) // 2
        im = im.crop((left, top, left + crop, top + crop)).resize((size, size),
                                                                   Image.Resampling.BILINEAR)
        return np.asarray(im, dtype=np.float32).transpose(2, 0, 1) / 255.0


def check_celeba(config: CelebaConfig) -> dict[str, int | str]:
    """Open the training and test splits the DNN experiment reads (one image of each is
    decoded) and say what was found; a DataError or ConfigError names what is missing."""
    if not config.root:
        raise ConfigError("config key 'data.celeba.root' is not set, but dnn.dataset is "
                          f"'celeba'; set it, or set dnn.dataset: standin. {WHERE}.")
    root = Path(config.root)
    train = CelebA(root, "train", config.crop, config.image_size, config.max_train)
    test = CelebA(root, "test", config.crop, config.image_size, config.max_test)
    return {"root": str(root), "images_from": str(train.source.origin),
            "n_train": len(train), "n_test": len(test)}


class CelebA(Dataset):
    """One split of CelebA: item i -> [3, size, size] float tensor in [0, 1].

    Horizontal flips are not done here: the trainer flips batches with its own seeded
    generator, so runs are reproducible and resumable whatever the worker count."""

    def __init__(self, root: str | Path, split: str, crop: int = 140, size: int = 64,
                 limit: int | None = None) -> None:
        root = Path(root)
        if split not in SPLITS:
            raise ValueError(f"split must be one of {list(SPLITS)}, got {split!r}")
        self.source = ImageSource(root)
        self.names = read_partition(root)[split][:limit]
        if not self.names:
            raise DataError(f"{root}/list_eval_partition.txt lists no {split} images")
        self.crop, self.size = crop, size
        self._check_readable()

    def _check_readable(self) -> None:
        """Read the split's first image now, so a damaged zip or a missing file is an error
        naming it here, not a traceback from a DataLoader worker at the first batch."""
        where = self.source.origin
        try:
            self[0]
        except (OSError, zipfile.BadZipFile, KeyError) as err:
            raise DataError(f"{where}: cannot read {self.names[0]} ({err}); download CelebA "
                            f"again. {WHERE}.") from None

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, i: int) -> torch.Tensor:
        return torch.from_numpy(load_image(self.source.read(self.names[i]), self.crop, self.size))
