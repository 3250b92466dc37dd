"""Putting rendered reports on disk as one set: a reader sees the old folder or the new one, never a mix.

The new folder is assembled in a staging folder beside the target (`.<name>.staging-*`): files whose bytes did
not change, and anything else already there, are hard-linked from the old folder (so timestamps, and `make`,
only see real changes); changed files are written and fsynced. Then the two folders are exchanged in one
`renameat2(RENAME_EXCHANGE)` on Linux, or, where that is missing, by two renames with the old folder kept as
`.<name>.old-*` in between. A run killed at any point leaves the old folder whole; whatever it left behind
(staging folders, an old folder, `.*.tmp` files) is cleaned, or restored, at the start of the next run.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from workbench.report.atomic import check_output_dir

__all__ = ["clean_stale", "write_files"]

_STAGING = ".staging-"
_OLD = ".old-"


def _relative_parts(relative: str) -> tuple[str, ...]:
    parts = PurePosixPath(relative).parts
    if not parts or PurePosixPath(relative).is_absolute() or ".." in parts:
        raise ValueError(f"refusing to write outside the report folder: {relative!r}")
    return parts


def clean_stale(root: Path) -> None:
    """Remove what a killed run left beside or in `root`; if it died between the two renames of the fallback
    swap (`root` missing, an old folder present), put the old folder back first."""
    parent = root.parent
    if not parent.is_dir():
        return
    prefix = f".{root.name}"
    olds = sorted(parent.glob(f"{prefix}{_OLD}*"), key=lambda p: p.stat().st_mtime)
    if olds and not root.exists():
        os.rename(olds.pop(), root)
    for stale in (*parent.glob(f"{prefix}{_STAGING}*"), *olds):
        shutil.rmtree(stale, ignore_errors=True)
    if root.is_dir():
        for temporary in root.rglob(".*.tmp"):
            if temporary.is_file():
                temporary.unlink(missing_ok=True)


def _link_tree(source: Path, target: Path) -> None:
    """Recreate `source` under `target`: folders made, files hard-linked (copied where links fail)."""
    for folder, dirs, names in os.walk(source):
        here = Path(folder)
        there = target / here.relative_to(source)
        there.mkdir(exist_ok=True)
        for name in dirs:
            if (here / name).is_symlink():
                os.symlink(os.readlink(here / name), there / name)
        dirs[:] = [d for d in dirs if not (here / d).is_symlink()]
        for name in names:
            path = here / name
            if path.is_symlink():
                os.symlink(os.readlink(path), there / name)
            elif path.is_file() and not (name.startswith(".") and name.endswith(".tmp")):
                try:
                    os.link(path, there / name)
                except OSError:
                    shutil.copy2(path, there / name)


def _write_new(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)  # a hard link to the old file: never write through it
    with open(path, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    os.chmod(path, 0o644)


def _fsync_dir(path: Path) -> None:
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where the system cannot."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def _swap_in(staging: Path, root: Path) -> None:
    """Make `staging` the folder at `root`; the old folder (if any) ends up at `staging`, to be removed."""
    if not root.exists():
        os.rename(staging, root)
        return
    if _exchange(staging, root):
        return
    old = Path(tempfile.mkdtemp(prefix=f".{root.name}{_OLD}", dir=root.parent))
    os.rmdir(old)
    os.rename(root, old)
    os.rename(staging, root)
    os.rename(old, staging)


def write_files(out_dir: str | Path, files: Mapping[str, bytes]) -> list[Path]:
    """Publish `files` ({relative POSIX path: bytes}) as the folder `out_dir`, all at once; returns the paths
    whose bytes changed. Files already in the folder that the set does not name are kept.

    Paths must stay inside `out_dir` (they come from scenario names, which the scenario language restricts,
    but a path escaping the folder is refused here too).
    """
    given = check_output_dir(out_dir)
    relatives = {relative: _relative_parts(relative) for relative in files}
    root = Path(os.path.realpath(given))  # a link to the folder: swap the folder, keep the link
    root.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(root)
    changed: list[str] = []
    for relative in sorted(files):
        path = root.joinpath(*relatives[relative])
        if not (path.is_file() and not path.is_symlink() and path.read_bytes() == files[relative]):
            changed.append(relative)
    if not changed:
        return []
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}{_STAGING}", dir=root.parent))
    try:
        if root.is_dir():
            _link_tree(root, staging)
        for relative in changed:
            _write_new(staging.joinpath(*relatives[relative]), files[relative])
        for folder, _dirs, _names in os.walk(staging):
            _fsync_dir(Path(folder))
        os.chmod(staging, 0o755)
        _swap_in(staging, root)
        _fsync_dir(root.parent)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [given.joinpath(*relatives[relative]) for relative in changed]
