"""Putting rendered reports on disk: every file atomically, and only after everything rendered.

Each file goes through `atomic_write_bytes` (temporary file, fsync, rename), so a killed run leaves every
file either as it was or complete. Files whose bytes did not change are not rewritten, so timestamps (and
`make`) only see real changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from workbench.report.atomic import atomic_write_bytes

__all__ = ["write_files"]


def write_files(out_dir: str | Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write `files` ({relative POSIX path: bytes}) under `out_dir`; returns the paths that changed.

    Paths must stay inside `out_dir` (they come from scenario names, which the scenario language restricts,
    but a path escaping the folder is refused here too).
    """
    root = Path(out_dir)
    changed = []
    for relative in sorted(files):
        parts = PurePosixPath(relative).parts
        if not parts or PurePosixPath(relative).is_absolute() or ".." in parts:
            raise ValueError(f"refusing to write outside the report folder: {relative!r}")
        path = root.joinpath(*parts)
        data = files[relative]
        if path.is_file() and path.read_bytes() == data:
            continue
        atomic_write_bytes(path, data)
        changed.append(path)
    return changed
