"""Fetching Olshausen's IMAGES.mat, verified by its checksum before it is used."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.request
from pathlib import Path

from vsc.config import IMAGES_MAT_CHECKSUM
from vsc.data.images import DataError, load_images_mat
from vsc.io import current_umask


def parse_checksum(checksum: str) -> tuple[str, str]:
    """'<algorithm>:<hex>' -> (algorithm, lower-case hex); a DataError if malformed."""
    algorithm, _, digest = checksum.partition(":")
    if algorithm not in hashlib.algorithms_guaranteed or not digest:
        raise DataError(f"config key 'data.checksum' must read '<algorithm>:<hex digest>' with "
                        f"an algorithm such as sha256 or md5, got {checksum!r}")
    return algorithm, digest.lower()


def file_digest(path: Path, algorithm: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, algorithm).hexdigest()


def download_images_mat(url: str, dest: str | Path, checksum: str = IMAGES_MAT_CHECKSUM,
                        timeout: float = 60.0) -> Path:
    """Download ``url`` to ``dest`` atomically, keeping it only if its digest matches
    ``checksum`` ('<algorithm>:<hex>') and it loads as IMAGES.mat (key 'IMAGES', 3-D,
    finite). Returns ``dest``; raises DataError otherwise, leaving nothing behind."""
    algorithm, expected = parse_checksum(checksum)
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=dest.name + ".", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as resp:
            shutil.copyfileobj(resp, out)
        found = file_digest(tmp, algorithm)
        if found != expected:
            raise DataError(f"the file downloaded from {url} has {algorithm} {found}, not the "
                            f"expected {expected}; if it comes from a mirror you trust, set "
                            f"data.checksum to '{algorithm}:{found}'")
        try:
            images = load_images_mat(tmp)
        except DataError as err:
            raise DataError(f"the file downloaded from {url} is not a valid IMAGES.mat: "
                            f"{err}") from None
        if len(images) < 1:
            raise DataError(f"the file downloaded from {url} holds no images")
        os.chmod(tmp, 0o666 & ~current_umask())  # as a plain open would, not mkstemp's 0600
        os.replace(tmp, dest)
    except OSError as err:
        raise DataError(f"could not download {url} ({err}); check the address and your "
                        f"connection, or place IMAGES.mat at {dest} by hand") from err
    finally:
        tmp.unlink(missing_ok=True)
    return dest
