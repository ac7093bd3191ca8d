"""File writes that never leave a half-written file, and reads that name the file they fail on.

Outputs are written to a temporary file beside the destination and renamed onto it, so a
crashed process never leaves a file that looks finished. They get the permissions a plain
``open`` would give under the process's umask (``tempfile.mkstemp`` alone would make them
0600, unreadable to the rest of a cluster group).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from vsc.errors import UserError


def current_umask() -> int:
    """The process's umask (read without changing it where Linux allows)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)  # elsewhere: set and restore (not thread-safe, but brief)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(dest: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``dest``; rename it onto ``dest`` only on success."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.fchmod(fd, 0o666 & ~current_umask())
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, dest)
    finally:
        Path(tmp).unlink(missing_ok=True)


def remove_leftover_temporaries(folder: str | Path) -> list[Path]:
    """Delete the temporary files of :func:`atomic_path` that an interrupted process left
    in ``folder`` (a kill between creating one and renaming it); the removed paths. Call it
    only while holding the folder (its writer is then this process)."""
    removed = []
    for path in Path(folder).glob(".*.tmp"):
        if path.is_file():
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def write_text(dest: str | Path, text: str) -> None:
    with atomic_path(dest) as tmp:
        Path(tmp).write_text(text)


def write_json(dest: str | Path, obj: Any) -> None:
    write_text(dest, json.dumps(obj, indent=2, sort_keys=True, default=_jsonable) + "\n")


def _jsonable(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy / torch scalars
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def read_json(path: str | Path, remedy: str = "delete it and rerun the job that writes it"
              ) -> Any:
    """A JSON file's content; a missing or corrupt file is a UserError naming it."""
    path = Path(path)
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise UserError(f"{path} does not exist") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise UserError(f"{path} is not valid JSON ({err}); {remedy}") from None


def check_writable_dir(path: str | Path, option: str) -> None:
    """Raise a UserError naming ``option`` unless ``path`` is, or can be made as, a writable
    folder (checked before any work, so a bad path fails at once)."""
    path = Path(path)
    for existing in (path, *path.parents):
        if not existing.exists():
            continue
        if not existing.is_dir():
            raise UserError(f"{option} {path}: {existing} is a file, not a folder; choose "
                            f"another {option}")
        if not os.access(existing, os.W_OK | os.X_OK):
            raise UserError(f"{option} {path}: {existing} is not writable; choose another "
                            f"{option} or fix its permissions")
        return
