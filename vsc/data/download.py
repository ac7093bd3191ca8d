"""Fetching Olshausen's IMAGES.mat, verified before it is used."""

from __future__ import annotations

import os
import shutil
import tempfile
import urllib.request
from pathlib import Path

from vsc.data.images import DataError, load_images_mat


def download_images_mat(url: str, dest: str | Path, timeout: float = 60.0) -> Path:
    """Download ``url`` to ``dest`` atomically, keeping it only if it loads as IMAGES.mat
    (key 'IMAGES', 3-D, finite). Returns ``dest``; raises DataError otherwise."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=dest.name + ".", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as resp:
            shutil.copyfileobj(resp, out)
        try:
            images = load_images_mat(tmp)
        except DataError as err:
            raise DataError(f"the file downloaded from {url} is not a valid IMAGES.mat: "
                            f"{err}") from None
        if len(images) < 1:
            raise DataError(f"the file downloaded from {url} holds no images")
        os.replace(tmp, dest)
    except OSError as err:
        raise DataError(f"could not download {url} ({err}); check the address and your "
                        f"connection, or place IMAGES.mat at {dest} by hand") from err
    finally:
        tmp.unlink(missing_ok=True)
    return dest
