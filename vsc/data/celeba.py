"""Aligned CelebA faces for the DNN experiment, read from what a user has.

``data.celeba.root`` may be any of:
    CelebA's own layout: a folder with img_align_celeba/ (or img_align_celeba.zip) and,
        optionally, list_eval_partition.txt ("000001.jpg 0" per line: 0 train, 1 valid, 2 test);
    a folder of aligned images named by their CelebA id (000001.jpg, 000002.png, ...);
    a zip of such images (in any folder inside it).
Images may have any resolution, but all the same one. The centre crop scales with the image
(data.celeba.crop is given at the aligned width of 178: 140 there, 70 at half size), then the
crop is resized (64 for training, 32 for recovery).

The official partition wins when its file is present (restricted to the images found). Without
it, each image falls in train / valid / test (80 / 10 / 10 %, CelebA's own proportions) by a
hash of its id and data.celeba.split_seed alone, so an image keeps its split whichever other
images a user has. Tables name the data with its count and split, e.g. "celeba-subset (10,000
images, own split)".
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError
from torch.utils.data import Dataset

from vsc.config import CelebaConfig, ConfigError
from vsc.data.images import DataError

SPLITS = {"train": 0, "valid": 1, "test": 2}
OWN_SPLIT_BOUNDS = (0.8, 0.9)  # hash < 0.8: train, < 0.9: valid, else test
ALIGNED_WIDTH = 178  # CelebA's aligned images are 178 x 218
FULL_COUNT = 202_599  # images in the full CelebA
PARTITION_FILE = "list_eval_partition.txt"
IMAGE_NAME = re.compile(r"(\d+)\.(jpe?g|png)$", re.IGNORECASE)
WHERE = ("CelebA is distributed by its authors at "
         "https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html (Align&Cropped images, "
         "img_align_celeba.zip, and Eval/list_eval_partition.txt); it cannot be downloaded "
         "automatically")
READ_ERRORS = (OSError, zipfile.BadZipFile, KeyError, UnidentifiedImageError, ValueError)


class ImageSource:
    """Image bytes by file name ("000001.jpg"), from a folder or a zip."""

    def __init__(self, origin: Path, members: dict[str, str]) -> None:
        self.origin = origin  # the folder or zip the images are read from
        self.members = members  # file name -> path in the folder or member of the zip
        self._zip: zipfile.ZipFile | None = None

    @property
    def zipped(self) -> bool:
        return self.origin.is_file()

    def read(self, name: str) -> bytes:
        if not self.zipped:
            return (self.origin / self.members[name]).read_bytes()
        if self._zip is None:  # opened lazily: each DataLoader worker gets its own handle
            self._zip = zipfile.ZipFile(self.origin)
        return self._zip.read(self.members[name])

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_zip": None}


def _image_members(paths: list[str], origin: Path) -> dict[str, str]:
    """{file name: path} of the paths named like CelebA images; a repeated id is an error."""
    members: dict[str, str] = {}
    ids: dict[int, str] = {}
    for path in paths:
        name = path.rsplit("/", 1)[-1]
        match = IMAGE_NAME.fullmatch(name)
        if not match:
            continue
        image_id = int(match.group(1))
        if image_id in ids:
            raise DataError(f"{origin}: image id {image_id} appears twice ({ids[image_id]} and "
                            f"{path}); keep one file per CelebA id")
        ids[image_id] = path
        members[name] = path
    return members


def open_source(root: Path) -> ImageSource:
    """The images under ``root`` (see the module docstring for the layouts accepted)."""
    if root.is_file():
        if not zipfile.is_zipfile(root):
            raise DataError(f"{root} is a file but not a zip; set data.celeba.root to a zip or "
                            f"a folder of aligned CelebA images")
        with zipfile.ZipFile(root) as zf:
            paths = [info.filename for info in zf.infolist() if not info.is_dir()]
        source = ImageSource(root, _image_members(paths, root))
    elif (root / "img_align_celeba").is_dir():
        folder = root / "img_align_celeba"
        source = ImageSource(folder, _image_members(sorted(p.name for p in folder.iterdir()),
                                                    folder))
    elif (root / "img_align_celeba.zip").is_file():
        return open_source(root / "img_align_celeba.zip")
    elif root.is_dir():
        source = ImageSource(root, _image_members(sorted(p.name for p in root.iterdir()), root))
    else:
        raise DataError(f"{root} does not exist; set data.celeba.root to CelebA's folder, a "
                        f"folder of its aligned images, or a zip of them. {WHERE}.")
    if not source.members:
        raise DataError(f"{source.origin} holds no images named by CelebA id (000001.jpg, ...); "
                        f"set data.celeba.root to the folder or zip that does. {WHERE}.")
    return source


def read_partition(path: Path) -> dict[str, list[str]]:
    """File names per split from a list_eval_partition.txt."""
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


def own_split(names: list[str], seed: int) -> dict[str, list[str]]:
    """Each name's split from a hash of (its CelebA id, ``seed``) alone (splitmix64)."""
    ids = np.array([int(IMAGE_NAME.fullmatch(n).group(1)) for n in names], dtype=np.uint64)
    golden = np.uint64(0x9E3779B97F4A7C15)
    with np.errstate(over="ignore"):
        z = ids + np.uint64(seed + 1) * golden
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    u = (z >> np.uint64(11)).astype(np.float64) / 2.0**53
    which = np.searchsorted(OWN_SPLIT_BOUNDS, u, side="right")
    return {split: [n for n, w in zip(names, which, strict=True) if w == code]
            for split, code in SPLITS.items()}


def _by_id(names: list[str]) -> list[str]:
    return sorted(names, key=lambda n: int(IMAGE_NAME.fullmatch(n).group(1)))


@dataclass
class CelebaLayout:
    """What was found under data.celeba.root: where the images are, their splits (file names
    in id order), their common size and the crop that size implies."""

    source: ImageSource
    splits: dict[str, list[str]]
    official: bool
    width: int
    height: int
    crop: int

    @property
    def n_images(self) -> int:
        return len(self.source.members)

    @property
    def name(self) -> str:
        """The data's name in tables and figures."""
        kind = "celeba" if self.n_images >= FULL_COUNT else "celeba-subset"
        split = "official split" if self.official else "own split"
        return f"{kind} ({self.n_images:,} images, {split})"


def find_celeba(config: CelebaConfig) -> CelebaLayout:
    """Open data.celeba.root: images, splits, size (of the first image) and crop."""
    if not config.root:
        raise ConfigError("config key 'data.celeba.root' is not set, but dnn.dataset is "
                          f"'celeba'; set it, or set dnn.dataset: standin. {WHERE}.")
    root = Path(config.root)
    source = open_source(root)
    names = _by_id(list(source.members))
    partition = (root.parent if root.is_file() else root) / PARTITION_FILE
    if partition.is_file():
        present = set(names)
        splits = {k: _by_id([n for n in v if n in present])
                  for k, v in read_partition(partition).items()}
    else:
        splits = own_split(names, config.split_seed)
    for split in ("train", "test"):
        if not splits[split]:
            why = (f"{partition} puts none of the {len(names)} images found in it; remove the "
                   f"file to split them by id instead" if partition.is_file()
                   else f"too few images ({len(names)}) to split; add images")
            raise DataError(f"{source.origin}: no {split} images: {why}")
    width, height = _size(source, names[0])
    crop = round(config.crop * width / ALIGNED_WIDTH)
    if not 1 <= crop <= min(width, height):
        raise ConfigError(f"config key 'data.celeba.crop' ({config.crop} at width "
                          f"{ALIGNED_WIDTH}) gives a {crop}-pixel crop of {width}x{height} "
                          f"images; set it between 1 and {ALIGNED_WIDTH}")
    return CelebaLayout(source, splits, partition.is_file(), width, height, crop)


def _size(source: ImageSource, name: str) -> tuple[int, int]:
    try:
        with Image.open(io.BytesIO(source.read(name))) as im:
            return im.size
    except READ_ERRORS as err:
        raise DataError(f"{source.origin}: cannot read {name} ({err}); replace or remove the "
                        f"file") from None


def check_sizes(layout: CelebaLayout) -> Counter:
    """Read every image's header: all must open and share the first image's size (a
    DataError names the first that does not). Returns the count per size."""
    expected = (layout.width, layout.height)
    names = _by_id(list(layout.source.members))
    sizes: Counter = Counter()
    for name in names:
        size = _size(layout.source, name)
        if size != expected:
            raise DataError(f"{layout.source.origin}: {name} is {size[0]}x{size[1]} but "
                            f"{names[0]} is {expected[0]}x{expected[1]}; all images must "
                            f"share one size (resize them, or keep one resolution)")
        sizes[size] += 1
    return sizes


def decode(data: bytes, crop: int, size: int) -> tuple[np.ndarray, tuple[int, int]]:
    """Image bytes -> ([3, size, size] float32 in [0, 1], the image's own (width, height)):
    centre crop, then resize."""
    with Image.open(io.BytesIO(data)) as im:
        w, h = im.size
        left, top = (w - crop) // 2, (h - crop) // 2
        im = im.convert("RGB").crop((left, top, left + crop, top + crop))
        im = im.resize((size, size), Image.Resampling.BILINEAR)
        return np.asarray(im, dtype=np.float32).transpose(2, 0, 1) / 255.0, (w, h)


def check_celeba(config: CelebaConfig) -> dict[str, int | str]:
    """Open data.celeba.root, read every image's header and decode the first training and
    test images; say what was found. A DataError or ConfigError names what is wrong."""
    layout = find_celeba(config)
    check_sizes(layout)
    train = CelebA(layout, "train", config.image_size, config.max_train)
    test = CelebA(layout, "test", config.image_size, config.max_test)
    return {"root": str(config.root), "images_from": str(layout.source.origin),
            "dataset": layout.name, "n_images": layout.n_images,
            "split": "official" if layout.official else f"own (seed {config.split_seed})",
            "image_width": layout.width, "image_height": layout.height, "crop": layout.crop,
            "n_train": len(train), "n_valid": len(layout.splits["valid"]), "n_test": len(test)}


class CelebA(Dataset):
    """One split of a CelebaLayout: item i -> [3, size, size] float tensor in [0, 1].

    Horizontal flips are not done here: the trainer flips batches with its own seeded
    generator, so runs are reproducible and resumable whatever the worker count."""

    def __init__(self, layout: CelebaLayout, split: str, size: int = 64,
                 limit: int | None = None) -> None:
        if split not in SPLITS:
            raise ValueError(f"split must be one of {list(SPLITS)}, got {split!r}")
        self.layout, self.size = layout, size
        self.names = layout.splits[split][:limit]
        self[0]  # a damaged first image is an error naming it now, not in a worker later

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, i: int) -> torch.Tensor:
        layout, name = self.layout, self.names[i]
        try:
            image, size = decode(layout.source.read(name), layout.crop, self.size)
        except READ_ERRORS as err:
            raise DataError(f"{layout.source.origin}: cannot read {name} ({err}); replace or "
                            f"remove the file") from None
        if size != (layout.width, layout.height):
            raise DataError(f"{layout.source.origin}: {name} is {size[0]}x{size[1]}, not "
                            f"{layout.width}x{layout.height} like the others; all images "
                            f"must share one size")
        return torch.from_numpy(image)
